"""Which private conversation a person is in, so that a reply such as "yes" is read by the
one that asked (signing a campaign, or a sign-up form) and by no other. Starting one
conversation ends any other that person had open with the bot."""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from bot.core import Quorum

_ACTIVE: WeakKeyDictionary[Quorum, dict[str, str]] = WeakKeyDictionary()


def begin(core: Quorum, actor: str, name: str) -> None:
    _ACTIVE.setdefault(core, {})[actor] = name


def owner(core: Quorum, actor: str) -> str | None:
    return _ACTIVE.get(core, {}).get(actor)


def end(core: Quorum, actor: str, name: str) -> None:
    people = _ACTIVE.get(core, {})
    if people.get(actor) == name:
        del people[actor]
