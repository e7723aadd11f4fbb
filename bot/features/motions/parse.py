"""Reading what people type to motions: amendments (``/amend M12 resolves 2 replace "a" with
"b"``), the points of a motion's text, and the options of a ballot on a motion or amendment.

Pure functions. An amendment's mistake is an AmendmentError (a ParseError: a clause the
dispatcher makes into the reply); the others are the full sentences the commands answer with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.features.motions.model import MAX_NAME, MAX_POINT, MAX_TITLE, SECTIONS, Amendment, AmendmentError
from bot.kernel.errors import UserError
from bot.kernel.grammar import split_options
from bot.kernel.ids import ref_kind
from bot.kernel.wording import quoted

USAGE = (
    '/amend M12 resolves 2 replace "old words" with "new words" | '
    '/amend M12 resolves 2 insert "words" after "anchor" (or before "anchor", or at end) | '
    '/amend M12 resolves 2 delete "words" | /amend M12 resolves 2 delete | /amend M12 add resolves TEXT'
)

_QUOTE = re.compile(r'\s*["“”„]([^"“”„]*)["“”„]\s*')




def _section(word: str) -> str:
    s = word.lower()
    if s not in SECTIONS:
        raise AmendmentError(f"{quoted(word, 20)} is not a section: use notes, believes or resolves. Usage: {USAGE}")
    return s


def _quoted(text: str, what: str) -> tuple[str, str]:
    """The leading quoted phrase of TEXT and what follows it."""
    m = _QUOTE.match(text)
    if not m:
        raise AmendmentError(f'put the {what} in double quotes, e.g. "the words". Usage: {USAGE}')
    words = m.group(1).strip()
    if not words:
        raise AmendmentError(f"the {what} in quotes is empty")
    if len(words) > MAX_POINT:
        raise AmendmentError(f"the {what} is too long; keep it under {MAX_POINT} characters")
    return words, text[m.end():]


def _keyword(text: str, *words: str) -> tuple[str, str]:
    head, _, rest = text.strip().partition(" ")
    if head.lower() not in words:
        raise AmendmentError(f"expected {' or '.join(words)}. Usage: {USAGE}")
    return head.lower(), rest.strip()


def parse_amendment(text: str) -> Amendment:
    words = text.strip()
    if not words:
        raise AmendmentError(f"say what to change. Usage: {USAGE}")
    head, _, rest = words.partition(" ")
    if head.lower() == "add":
        sec, _, body = rest.strip().partition(" ")
        section = _section(sec)
        body = body.strip()
        if _QUOTE.fullmatch(body):
            body, _ = _quoted(body, "new point")
        if not body:
            raise AmendmentError(f"say the text of the new point: /amend M12 add {section} TEXT")
        if len(body) > MAX_POINT:
            raise AmendmentError(f"the new point is too long; keep it under {MAX_POINT} characters")
        return Amendment("add", section, new=body)
    section = _section(head)
    num, _, rest = rest.strip().partition(" ")
    if not num.isdigit() or not 0 < int(num) < 10_000:
        raise AmendmentError(f"after the section give the point's number, e.g. {section} 2. Usage: {USAGE}")
    point = int(num)
    verb, rest = _keyword(rest, "replace", "insert", "delete")
    if verb == "replace":
        old, rest = _quoted(rest, "words to replace")
        _, rest = _keyword(rest, "with")
        new, rest = _quoted(rest, "new words")
        _end(rest)
        if old == new:
            raise AmendmentError("the new words are the same as the old ones")
        return Amendment("replace", section, point, old=old, new=new)
    if verb == "delete":
        if not rest.strip():
            return Amendment("delete_point", section, point)
        old, rest = _quoted(rest, "words to delete")
        _end(rest)
        return Amendment("delete", section, point, old=old)
    new, rest = _quoted(rest, "words to insert")
    where, rest = _keyword(rest, "after", "before", "at")
    if where == "at":
        end, rest = _keyword(rest, "end", "start")
        _end(rest)
        return Amendment("insert", section, point, new=new, where=end)
    anchor, rest = _quoted(rest, "words to insert " + where)
    _end(rest)
    return Amendment("insert", section, point, new=new, anchor=anchor, where=where)


def _end(rest: str) -> None:
    if rest.strip():
        raise AmendmentError(f"unexpected {quoted(rest.strip(), 30)} at the end. Usage: {USAGE}")


# -- a motion's text (the commands' own sentences: these name the exact command to send) ------


def section(word: str, usage: str) -> str:
    if word.lower() not in SECTIONS:
        raise UserError(f"{quoted(word, 20)} is not a section: use notes, believes or resolves. Usage: {usage}")
    return word.lower()


def point_text(text: str, usage: str) -> str:
    text = text.strip()
    if not text:
        raise UserError(f"Say the text. Usage: {usage}")
    if len(text) > MAX_POINT:
        raise UserError(f"That point is {len(text)} characters; keep each point under {MAX_POINT}.")
    return text


def point_ref(args: str, usage: str) -> tuple[str, int, str]:
    """'resolves 2 rest' -> ('resolves', 2, 'rest')."""
    sec, _, rest = args.strip().partition(" ")
    if not sec:
        raise UserError(f"Say which point. Usage: {usage}")
    name = section(sec, usage)
    num, _, rest = rest.strip().partition(" ")
    if not num.isdigit() or not 0 < int(num) < 10_000:
        raise UserError(f"Give the point's number after the section, e.g. {name} 2. Usage: {usage}")
    return name, int(num), rest.strip()


def title(text: str, usage: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_TITLE:
        raise UserError(f"Give a title of 1 to {MAX_TITLE} characters: {usage}")
    return text


def person(text: str, usage: str) -> str:
    name = text.strip()
    if not name or len(name) > MAX_NAME:
        raise UserError(f"Give a name of 1 to {MAX_NAME} characters: {usage}")
    return name


@dataclass(frozen=True)
class NewMotion:
    title: str
    emergency: bool
    deadline: str | None  # as typed; read against the clock once the organiser is known
    voice: str


def parse_new(args: str) -> NewMotion:
    usage = "/motion new TITLE [--emergency] [--deadline 14d] [--conference]"
    text, opts = split_options(args, frozenset({"emergency", "conference"}), frozenset({"deadline"}), usage)
    if not text:
        raise UserError(f"Give the motion a title. Usage: {usage}")
    if len(text) > MAX_TITLE:
        raise UserError(f"The title is {len(text)} characters; keep it under {MAX_TITLE}.")
    voice = "Conference" if "conference" in opts.flags else "This branch"
    return NewMotion(text, "emergency" in opts.flags, opts.values.get("deadline"), voice)


COMPOSITE_USAGE = "/composite M3 M4 [M5 …] as TITLE"


def parse_composite(args: str) -> tuple[list[int], str]:
    """'M3 M4 [M5 …] as TITLE' -> ([3, 4, 5], 'TITLE'); the word "as" and quotes around the
    title may be left out."""
    words = args.split()
    ids: list[int] = []
    while words and (found := ref_kind(words[0])) is not None and found[0] == "M":
        ids.append(found[1])
        words.pop(0)
    if words and words[0].lower() == "as":
        words.pop(0)
    text = " ".join(words)
    if len(text) >= 2 and _QUOTE.fullmatch(text):
        text = text.strip().strip('"“”„').strip()
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise UserError(f"Name at least two different motions, then the new title. Usage: {COMPOSITE_USAGE}")
    if not text or len(text) > MAX_TITLE:
        raise UserError(f"Give the composite a title of 1 to {MAX_TITLE} characters. Usage: {COMPOSITE_USAGE}")
    return ids, text
