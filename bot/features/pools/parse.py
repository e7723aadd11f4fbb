"""Reading what organisers and volunteers type to pools: the questions of a new pool, a quota,
an answer chosen by number or by name, and a volunteer's consent (in English or in their own
language)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.features.pools.model import LEXIMIN, SIMPLE
from bot.features.signups import parse as signup_words
from bot.kernel.errors import UserError
from bot.kernel.language import N_, _, ngettext
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
MAX_WORDING = 100
"""The longest question name or answer: each is read out in a volunteer's private questions,
in quotas and in the panel's export."""
MAX_ANSWERS = 20
"""The most answers a question offers (as many as a poll's options), all listed in one message."""
MAX_QUESTIONS = 12
"""The most questions a pool asks, each a step of a volunteer's registration and a stratum of
the draw."""

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
        if len(name) > MAX_WORDING or any(len(o) > MAX_WORDING for o in options):
            raise UserError(_("Question {question}: keep its name and each answer to {most} characters at most.")
                            .format(question=quoted(name), most=MAX_WORDING))
        if len(options) > MAX_ANSWERS:
            raise UserError(ngettext("Question {question} lists {n} answers; a question takes at most {most}.",
                                     "Question {question} lists {n} answers; a question takes at most {most}.",
                                     len(options)).format(question=quoted(name), n=len(options), most=MAX_ANSWERS))
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
        if len(questions) > MAX_QUESTIONS:
            raise UserError(ngettext("A pool asks at most {most} question.", "A pool asks at most {most} questions.",
                                     MAX_QUESTIONS).format(most=MAX_QUESTIONS))
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


_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
              (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x2800, 0x2800),
              (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
              (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
"""Characters that show nothing (Unicode's default-ignorable code points, and the blank Braille
pattern), though some count as printable."""
_LOOKALIKE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
"""Alphabets with letters that look alike (Latin a, Cyrillic а, Greek α): one randomness uses one."""


def _hidden(text: str) -> str | None:
    """The first character of TEXT that a reader cannot tell apart from another, or at all: an
    invisible one, a compatibility form (fullwidth ４, bold 𝟒) or a letter of a second lookalike
    alphabet; None if there is none."""
    script = None
    for ch in text:
        if ch.isspace():
            continue
        if not ch.isprintable() or any(low <= ord(ch) <= high for low, high in _IGNORABLE):
            return ch
        if unicodedata.normalize("NFKC", ch) != ch:
            return ch
        if ch.isalpha():
            alphabet = unicodedata.name(ch, "").split(" ")[0]
            if alphabet in _LOOKALIKE_SCRIPTS:
                if script is not None and alphabet != script:
                    return ch
                script = alphabet
    return None


def parse_freeze(pool_id: int, text: str) -> str:
    """The method of /pool P freeze [--simple]: SIMPLE, or LEXIMIN by default. Anything else is named, so
    an organiser learns which word kept the pool open (the freeze publishes a commitment that no
    second try can take back, so nothing after it is guessed at)."""
    words = text.split()
    if not words:
        return LEXIMIN
    usage = f"/pool {pool_id} freeze [--simple]"
    if words.count("--simple") > 1:
        raise UserError(_("{option} is given twice. Usage: {usage}").format(option="--simple", usage=usage))
    other = next((w for w in words if w != "--simple"), None)
    if other is not None:
        raise UserError(_("/pool {id} freeze takes only --simple (for a plain random draw), not {word}. Usage: "
                          "{usage}").format(id=pool_id, word=quoted(other, 20), usage=usage))
    return SIMPLE


def parse_randomness(pool_id: int, verb: str, text: str) -> str:
    """The randomness of /pool P draw or replace, refused when it holds a character the room
    cannot see or tell from another: the draw must follow from the randomness as everyone reads
    it, so that whoever retypes what was announced gets the same panel (a character nobody sees,
    added to the numbers the witnesses called out, would otherwise give another panel to try, and
    another, until one pleased)."""
    t = text.strip()
    if not t:
        raise UserError(_("Give the randomness announced in advance: /pool {id} {verb} 17 4 29 8 …").format(
            id=pool_id, verb=verb))
    hidden = _hidden(t)
    if hidden is not None:
        raise UserError(_("The randomness holds the character U+{code}, which is invisible or looks like another "
                          "one: the room could not tell it from the randomness announced, nor retype it to check "
                          "the draw. Type the randomness as it was announced, in plain characters.").format(
            code=f"{ord(hidden):04X}"))
    return t
