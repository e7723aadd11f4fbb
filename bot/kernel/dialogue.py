"""Which private conversation a person is in, so that a reply such as "yes" is read by the
one that asked (signing a campaign, a sign-up form, a pool registration) and by no other.
Starting one conversation ends any other that person had open with the bot; erasing their data
ends whichever they had open (a "yes" after it answers nothing)."""

from __future__ import annotations


class Dialogues:
    def __init__(self) -> None:
        self._owner: dict[str, str] = {}

    def begin(self, actor: str, name: str) -> None:
        self._owner[actor] = name

    def owner(self, actor: str) -> str | None:
        return self._owner.get(actor)

    def end(self, actor: str, name: str) -> None:
        if self._owner.get(actor) == name:
            del self._owner[actor]

    def end_any(self, actor: str) -> None:
        """End whichever conversation ACTOR had open."""
        self._owner.pop(actor, None)
