"""The short ids people type: M12 (a motion and its campaign), A3 (an amendment), C1 (a
composite of motions), T2 (a trigger campaign), S1 (a sign-up form). A sortition pool is P1 where
a command takes ids of several kinds (/mydata withdraw P1) and a bare number after /pool; ``KINDS``
leaves P out, so that no command that reads any known id takes P1 for its own. Each kind has its own
sequence and its own letter, so a mistyped id names the kind the member meant and the answer can
say what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.kernel.errors import UserError
from bot.kernel.language import _
from bot.kernel.wording import quoted

KINDS = {"M": "motion", "A": "amendment", "C": "composite", "T": "trigger campaign", "S": "sign-up form"}
_SAY_WHICH: dict[str, Callable[[], str]] = {  # whole sentences, each kind its own
    "M": lambda: _("Say which motion, e.g. M1. Usage: {usage}"),
    "A": lambda: _("Say which amendment, e.g. A1. Usage: {usage}"),
    "C": lambda: _("Say which composite, e.g. C1. Usage: {usage}"),
    "T": lambda: _("Say which trigger campaign, e.g. T1. Usage: {usage}"),
    "S": lambda: _("Say which sign-up form, e.g. S1. Usage: {usage}"),
    "P": lambda: _("Say which pool, e.g. P1. Usage: {usage}"),
}
_NOT_AN_ID: dict[str, Callable[[], str]] = {
    "M": lambda: _("{word} is not a motion id (like M12). Usage: {usage}"),
    "A": lambda: _("{word} is not an amendment id (like A12). Usage: {usage}"),
    "C": lambda: _("{word} is not a composite id (like C12). Usage: {usage}"),
    "T": lambda: _("{word} is not a trigger campaign id (like T12). Usage: {usage}"),
    "S": lambda: _("{word} is not a sign-up form id (like S12). Usage: {usage}"),
    "P": lambda: _("{word} is not a pool id (like P12). Usage: {usage}"),
}
_ID = re.compile(r"^([A-Za-z])(\d{1,9})$")


def parse_ref(text: str, letter: str, usage: str) -> int:
    """The number in TEXT, which must be LETTER followed by digits (M12)."""
    word = text.strip()
    if not word:
        raise UserError(_SAY_WHICH[letter]().format(usage=usage))
    m = _ID.match(word)
    if not m or m.group(1).upper() != letter:
        raise UserError(_NOT_AN_ID[letter]().format(word=quoted(word, 30), usage=usage))
    return int(m.group(2))


def split_ref(args: str, letter: str, usage: str) -> tuple[int, str]:
    """'M12 rest' -> (12, 'rest')."""
    head, _, rest = args.strip().partition(" ")
    return parse_ref(head, letter, usage), rest.strip()


def ref_kind(text: str) -> tuple[str, int] | None:
    """('M', 12) for 'M12' (any known letter), else None."""
    m = _ID.match(text.strip())
    if not m or m.group(1).upper() not in KINDS:
        return None
    return m.group(1).upper(), int(m.group(2))
