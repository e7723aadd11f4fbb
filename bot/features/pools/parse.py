"""Reading what organisers and volunteers type to pools: the questions of a new pool, a quota,
an answer chosen by number or by name, and a volunteer's consent (in English or in their own
language)."""

from __future__ import annotations

import re
from typing import Any

from bot.features.signups import parse as signup_words
from bot.kernel.errors import UserError
from bot.kernel.language import N_, _
from bot.kernel.wording import quoted

# TRANSLATORS: a usage line: the commands and their CAPITALISED fields stay as they are; translate the
# words around them ("organisers:").
USAGE = N_(
    "/pool new TITLE | QUESTION: OPTION, OPTION … | …  ·  /pool P join · leave · status · document · decline  ·  "
    "organisers: /pool P size N · quota QUESTION=ANSWER MIN-MAX · freeze [--simple] · draw RANDOMNESS · "
    "replace RANDOMNESS · empty TICKET · relax QUESTION=ANSWER MIN-MAX · panel"
)
_QUOTA = re.compile(r"^([^=]+?)\s*=\s*(.+?)\s+(\d{1,6})\s*-\s*(\d{1,6})$")  # the question: all before "="
_QUOTES = "\"'“”‘’„«»"

# A volunteer's consent, refusal ("no", which ends the registration as "cancel" does) and "cancel" are
# read as a supporter's are: in English or in their language.
consents, refuses, cancels = signup_words.consents, signup_words.refuses, signup_words.cancels


def parse_questions(parts: list[str]) -> list[dict[str, Any]]:
    """``gender: female, male, other`` -> {"name": "gender", "options": [...]}, checked."""
    questions: list[dict[str, Any]] = []
    for part in parts:
        name, sep, rest = part.partition(":")
        name = question_name(name)
        options = [o.strip() for o in rest.split(",") if o.strip()]
        if "=" in name:
            raise UserError(_("Question {question}: a question's name may not contain '=' (the quota commands read "
                              "QUESTION=ANSWER).").format(question=quoted(name)))
        if not sep or not name or len(options) < 2:
            raise UserError(_("Write each question as NAME: OPTION, OPTION …, e.g. 'gender: female, male, other' "
                              "(not {typed}).").format(typed=quoted(part.strip())))
        number = next((o for o in options if _place(o) is not None), None)
        if number is not None:
            raise UserError(_("Question {question}: an answer may not be a bare number such as {answer}, since it "
                              "would read as its place in the list; write it with a word, e.g. '2 children' rather "
                              "than '2'.").format(question=quoted(name), answer=number))
        if len({o.lower() for o in options}) != len(options):
            raise UserError(_("Question {question} lists an option twice.").format(question=quoted(name)))
        if any(q["name"] == name for q in questions):
            raise UserError(_("Question {question} is asked twice.").format(question=quoted(name)))
        questions.append({"name": name, "options": options})
    if not questions:
        raise UserError(_("A pool needs at least one question, e.g. /pool new Citizens' assembly | gender: "
                          "female, male, other | age: 16-29, 30-44, 45-64, 65+"))
    return questions


def question_name(text: str) -> str:
    """A question's name as a pool keeps it and as quota commands match it: lower case, single
    spaces ("age band"), without quotes around it."""
    return " ".join(text.strip().strip(_QUOTES).split()).lower()


def parse_quota(pool_id: int, text: str, verb: str = "quota") -> tuple[str, str, int, int]:
    """'gender=female 14-16' -> ('gender', 'female', 14, 16), for /pool P quota or relax; the
    question is everything before the "=" ('age band=16-29 4-6'), as ``question_name`` reads it."""
    m = _QUOTA.match(text)
    if not m:
        raise UserError(_("Usage: /pool {id} {verb} QUESTION=ANSWER MIN-MAX, e.g. {verb} gender=female "
                          "14-16.").format(id=pool_id, verb=verb))
    low, high = int(m.group(3)), int(m.group(4))
    if low > high:
        raise UserError(_("The minimum {min} is above the maximum {max}.").format(min=low, max=high))
    return question_name(m.group(1)), m.group(2), low, high


def _place(text: str) -> int | None:
    """The place in a list that TEXT names, if it is a bare whole number."""
    t = text.strip()
    return int(t) if t.isascii() and t.isdigit() and len(t) <= 6 else None


def pick(text: str, options: list[str]) -> str | None:
    """The option TEXT names: by its name (any case), or else by its place in the list (from 1).
    A new pool's answers are never bare numbers (``parse_questions``), so the two cannot meet; in
    a pool opened before that was refused, an answer's name wins over a place."""
    t = text.strip()
    for o in options:
        if o.lower() == t.lower():
            return o
    place = _place(t)
    if place is not None and 1 <= place <= len(options):
        return options[place - 1]
    return None


def parse_ticket(pool_id: int, text: str) -> int:
    """'17' -> 17: the ticket whose declined seat /pool P empty leaves empty."""
    t = text.strip().lstrip("#")
    if not (t.isascii() and t.isdigit()) or len(t) > 9:
        raise UserError(_("Usage: /pool {id} empty TICKET, e.g. /pool {id} empty 17 (the declined ticket whose "
                          "seat stays empty).").format(id=pool_id))
    return int(t)
