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
from bot.kernel.grammar import is_number, split_options
from bot.kernel.ids import ref_kind
from bot.kernel.language import _
from bot.kernel.wording import number, quoted

USAGE = (
    '/amend M12 resolves 2 replace "old words" with "new words" | '
    '/amend M12 resolves 2 insert "words" after "anchor" (or before "anchor", or at end) | '
    '/amend M12 resolves 2 delete "words" | /amend M12 resolves 2 delete | /amend M12 add resolves TEXT'
)

_QUOTE = re.compile(r'\s*["“”„]([^"“”„]*)["“”„]\s*')




def _section(word: str) -> str:
    s = word.lower()
    if s not in SECTIONS:
        raise AmendmentError(_("{word} is not a section: use notes, believes or resolves. Usage: {usage}").format(
            word=quoted(word, 20), usage=USAGE))
    return s


def _what(what: str) -> tuple[str, str, str]:
    """The three refusals about a quoted phrase, as whole sentences for each phrase asked for."""
    match what:
        case "new point":
            return (_('put the new point in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the new point in quotes is empty"),
                    _("the new point is too long; keep it under {limit} characters"))
        case "words to replace":
            return (_('put the words to replace in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the words to replace in quotes are empty"),
                    _("the words to replace are too long; keep them under {limit} characters"))
        case "new words":
            return (_('put the new words in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the new words in quotes are empty"),
                    _("the new words are too long; keep them under {limit} characters"))
        case "words to delete":
            return (_('put the words to delete in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the words to delete in quotes are empty"),
                    _("the words to delete are too long; keep them under {limit} characters"))
        case "words to insert":
            return (_('put the words to insert in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the words to insert in quotes are empty"),
                    _("the words to insert are too long; keep them under {limit} characters"))
        case "words to insert after":
            return (_('put the words to insert after in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the words to insert after in quotes are empty"),
                    _("the words to insert after are too long; keep them under {limit} characters"))
        case _:
            return (_('put the words to insert before in double quotes, e.g. "the words". Usage: {usage}'),
                    _("the words to insert before in quotes are empty"),
                    _("the words to insert before are too long; keep them under {limit} characters"))


def _quoted(text: str, what: str) -> tuple[str, str]:
    """The leading quoted phrase of TEXT and what follows it; WHAT names the phrase asked for."""
    unquoted, empty, too_long = _what(what)
    m = _QUOTE.match(text)
    if not m:
        raise AmendmentError(unquoted.format(usage=USAGE))
    words = m.group(1).strip()
    if not words:
        raise AmendmentError(empty)
    if len(words) > MAX_POINT:
        raise AmendmentError(too_long.format(limit=MAX_POINT))
    return words, text[m.end():]


def _keyword(text: str, *words: str) -> tuple[str, str]:
    head, _space, rest = text.strip().partition(" ")
    if head.lower() not in words:
        # TRANSLATORS: {words} are the command's keywords as typed, joined by the English "or": "replace or delete".
        raise AmendmentError(_("expected {words}. Usage: {usage}").format(words=" or ".join(words), usage=USAGE))
    return head.lower(), rest.strip()


def parse_amendment(text: str) -> Amendment:
    words = text.strip()
    if not words:
        raise AmendmentError(_("say what to change. Usage: {usage}").format(usage=USAGE))
    head, _space, rest = words.partition(" ")
    if head.lower() == "add":
        sec, _space, body = rest.strip().partition(" ")
        section = _section(sec)
        body = body.strip()
        if _QUOTE.fullmatch(body):
            body, _rest = _quoted(body, "new point")
        if not body:
            raise AmendmentError(_("say the text of the new point: /amend M12 add {section} TEXT").format(
                section=section))
        if len(body) > MAX_POINT:
            raise AmendmentError(_("the new point is too long; keep it under {limit} characters").format(
                limit=MAX_POINT))
        return Amendment("add", section, new=body)
    section = _section(head)
    num, _space, rest = rest.strip().partition(" ")
    if not is_number(num) or not 0 < int(num) < 10_000:
        raise AmendmentError(_("after the section give the point's number, e.g. {example}. Usage: {usage}").format(
            example=f"{section} 2", usage=USAGE))
    point = int(num)
    verb, rest = _keyword(rest, "replace", "insert", "delete")
    if verb == "replace":
        old, rest = _quoted(rest, "words to replace")
        _with, rest = _keyword(rest, "with")
        new, rest = _quoted(rest, "new words")
        _end(rest)
        if old == new:
            raise AmendmentError(_("the new words are the same as the old ones"))
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
        raise AmendmentError(_("unexpected {words} at the end. Usage: {usage}").format(
            words=quoted(rest.strip(), 30), usage=USAGE))


# -- a motion's text (the commands' own sentences: these name the exact command to send) ------


def section(word: str, usage: str) -> str:
    if word.lower() not in SECTIONS:
        raise UserError(_("{word} is not a section: use notes, believes or resolves. Usage: {usage}").format(
            word=quoted(word, 20), usage=usage))
    return word.lower()


def point_text(text: str, usage: str) -> str:
    text = text.strip()
    if not text:
        raise UserError(_("Say the text. Usage: {usage}").format(usage=usage))
    if len(text) > MAX_POINT:
        raise UserError(_("That point is {n} characters; keep each point under {limit}.").format(
            n=number(len(text)), limit=MAX_POINT))
    return text


def point_ref(args: str, usage: str) -> tuple[str, int, str]:
    """'resolves 2 rest' -> ('resolves', 2, 'rest')."""
    sec, _space, rest = args.strip().partition(" ")
    if not sec:
        raise UserError(_("Say which point. Usage: {usage}").format(usage=usage))
    name = section(sec, usage)
    num, _space, rest = rest.strip().partition(" ")
    if not is_number(num) or not 0 < int(num) < 10_000:
        raise UserError(_("Give the point's number after the section, e.g. {example}. Usage: {usage}").format(
            example=f"{name} 2", usage=usage))
    return name, int(num), rest.strip()


def title(text: str, usage: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_TITLE:
        raise UserError(_("Give a title of 1 to {limit} characters: {usage}").format(limit=MAX_TITLE, usage=usage))
    return text


def person(text: str, usage: str) -> str:
    name = text.strip()
    if not name or len(name) > MAX_NAME:
        raise UserError(_("Give a name of 1 to {limit} characters: {usage}").format(limit=MAX_NAME, usage=usage))
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
        raise UserError(_("Give the motion a title. Usage: {usage}").format(usage=usage))
    if len(text) > MAX_TITLE:
        raise UserError(_("The title is {n} characters; keep it under {limit}.").format(
            n=number(len(text)), limit=MAX_TITLE))
    voice = "Conference" if "conference" in opts.flags else "This branch"
    return NewMotion(text, "emergency" in opts.flags, opts.values.get("deadline"), voice)


COMPOSITE_USAGE = "/composite M3 M4 [M5 …] as TITLE"


def composite_refs(args: str) -> list[int]:
    """The motions 'M3 M4 [M5 …] as TITLE' names, as typed (each read once it is known to be of
    the room, before the rest of the command is judged)."""
    ids: list[int] = []
    for word in args.split():
        found = ref_kind(word)
        if found is None or found[0] != "M":
            break
        ids.append(found[1])
    return ids


def parse_composite(args: str) -> tuple[list[int], str]:
    """'M3 M4 [M5 …] as TITLE' -> ([3, 4, 5], 'TITLE'); the word "as" and quotes around the
    title may be left out."""
    ids = composite_refs(args)
    words = args.split()[len(ids):]
    if words and words[0].lower() == "as":
        words.pop(0)
    text = " ".join(words)
    if len(text) >= 2 and _QUOTE.fullmatch(text):
        text = text.strip().strip('"“”„').strip()
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise UserError(_("Name at least two different motions, then the new title. Usage: {usage}").format(
            usage=COMPOSITE_USAGE))
    if not text or len(text) > MAX_TITLE:
        raise UserError(_("Give the composite a title of 1 to {limit} characters. Usage: {usage}").format(
            limit=MAX_TITLE, usage=COMPOSITE_USAGE))
    return ids, text
