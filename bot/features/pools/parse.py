"""Reading what organisers and volunteers type to pools: the questions of a new pool, a quota,
and an answer chosen by number or by name."""

from __future__ import annotations

import re
from typing import Any

from bot.kernel.errors import UserError
from bot.kernel.wording import quoted

USAGE = (
    "/pool new TITLE | QUESTION: OPTION, OPTION … | …  ·  /pool P join · leave · status · document · decline  ·  "
    "organisers: /pool P size N · quota QUESTION=ANSWER MIN-MAX · freeze [--simple] · draw RANDOMNESS · "
    "replace RANDOMNESS · empty TICKET · relax QUESTION=ANSWER MIN-MAX · panel"
)
YES = frozenset({"yes", "y", "i agree", "agree", "i consent", "consent"})
_QUOTA = re.compile(r"^([^=\s]+)\s*=\s*(.+?)\s+(\d{1,6})\s*-\s*(\d{1,6})$")


def parse_questions(parts: list[str]) -> list[dict[str, Any]]:
    """``gender: female, male, other`` -> {"name": "gender", "options": [...]}, checked."""
    questions: list[dict[str, Any]] = []
    for part in parts:
        name, sep, rest = part.partition(":")
        name = name.strip().lower()
        options = [o.strip() for o in rest.split(",") if o.strip()]
        if not sep or not name or len(options) < 2:
            raise UserError(f"Write each question as NAME: OPTION, OPTION …, e.g. 'gender: female, male, other' "
                            f"(not {quoted(part.strip())}).")
        if len({o.lower() for o in options}) != len(options):
            raise UserError(f"Question {quoted(name)} lists an option twice.")
        if any(q["name"] == name for q in questions):
            raise UserError(f"Question {quoted(name)} is asked twice.")
        questions.append({"name": name, "options": options})
    if not questions:
        raise UserError("A pool needs at least one question, e.g. /pool new Citizens' assembly | gender: "
                        "female, male, other | age: 16-29, 30-44, 45-64, 65+")
    return questions


def parse_quota(pool_id: int, text: str, verb: str = "quota") -> tuple[str, str, int, int]:
    """'gender=female 14-16' -> ('gender', 'female', 14, 16), for /pool P quota or relax."""
    m = _QUOTA.match(text)
    if not m:
        raise UserError(f"Usage: /pool {pool_id} {verb} QUESTION=ANSWER MIN-MAX, e.g. {verb} gender=female 14-16.")
    low, high = int(m.group(3)), int(m.group(4))
    if low > high:
        raise UserError(f"The minimum {low} is above the maximum {high}.")
    return m.group(1), m.group(2), low, high


def pick(text: str, options: list[str]) -> str | None:
    t = text.strip()
    if t.isascii() and t.isdigit() and 1 <= int(t) <= len(options):
        return options[int(t) - 1]
    for o in options:
        if o.lower() == t.lower():
            return o
    return None


def parse_ticket(pool_id: int, text: str) -> int:
    """'17' -> 17: the ticket whose declined seat /pool P empty leaves empty."""
    t = text.strip().lstrip("#")
    if not (t.isascii() and t.isdigit()) or len(t) > 9:
        raise UserError(f"Usage: /pool {pool_id} empty TICKET, e.g. /pool {pool_id} empty 17 (the declined ticket "
                        "whose seat stays empty).")
    return int(t)
