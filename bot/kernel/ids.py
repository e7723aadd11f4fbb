"""The short ids people type: M12 (a motion and its campaign), A3 (an amendment), C1 (a
composite of motions), T2 (a trigger campaign), S1 (a sign-up form). Each kind has its own
sequence and its own letter, so a mistyped id names the kind the member meant and the answer can
say what was wrong."""

from __future__ import annotations

import re

from bot.kernel.errors import UserError
from bot.kernel.wording import quoted

KINDS = {"M": "motion", "A": "amendment", "C": "composite", "T": "trigger campaign", "S": "sign-up form"}
_ID = re.compile(r"^([A-Za-z])(\d{1,9})$")


def parse_ref(text: str, letter: str, usage: str) -> int:
    """The number in TEXT, which must be LETTER followed by digits (M12)."""
    word = text.strip()
    if not word:
        raise UserError(f"Say which {KINDS[letter]}, e.g. {letter}1. Usage: {usage}")
    m = _ID.match(word)
    if not m or m.group(1).upper() != letter:
        raise UserError(f"{quoted(word, 30)} is not a {KINDS[letter]} id (like {letter}12). Usage: {usage}")
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
