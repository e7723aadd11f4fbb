"""Reading signatures as people type them: ``/sign M12``, ``sign M12`` typed to the bot, and the
yes (with an optional branch) or no that answers the bot's question."""

from __future__ import annotations

import re

from bot.kernel.errors import UserError
from bot.kernel.ids import ref_kind
from bot.kernel.wording import quoted

USAGE = "/sign M12 (or T2) — then reply yes; /sign M12 yes [BRANCH] signs at once; /unsign M12 withdraws"
MAX_BRANCH = 100
TYPED = re.compile(r"^\s*(sign|unsign)\s+([A-Za-z]\d{1,9})\s*$", re.I)
ANSWER = re.compile(r"^\s*(yes|y|no|n)\b\s*(.*)$", re.I | re.S)


def target(text: str, letters: set[str]) -> tuple[str, int]:
    """('M', 12) for 'M12', when M is one of LETTERS (the kinds of thing that can be signed)."""
    found = ref_kind(text)
    if found is None or found[0] not in letters:
        raise UserError(f"{quoted(text.strip(), 30)} is not something to sign: give a motion campaign or trigger "
                        f"id such as M12 or T2. Usage: {USAGE}")
    return found


def branch(text: str) -> str | None:
    name = " ".join(text.split())
    if len(name) > MAX_BRANCH:
        raise UserError(f"That branch name is too long; keep it under {MAX_BRANCH} characters.")
    return name or None
