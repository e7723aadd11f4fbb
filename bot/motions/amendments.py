"""Amendments as people type them, and applying a carried one to a motion's text.

Pure functions: ``parse_amendment`` reads the words after ``/amend M12``; ``apply`` returns the
new sections or raises AmendmentError saying why the amendment no longer fits the text (for
instance when an earlier amendment already changed the words it quotes).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from bot.motions.text import MAX_POINT, SECTIONS

USAGE = (
    '/amend M12 resolves 2 replace "old words" with "new words" | '
    '/amend M12 resolves 2 insert "words" after "anchor" (or before "anchor", or at end) | '
    '/amend M12 resolves 2 delete "words" | /amend M12 resolves 2 delete | /amend M12 add resolves TEXT'
)

_QUOTE = re.compile(r'\s*["“”„]([^"“”„]*)["“”„]\s*')


class AmendmentError(ValueError):
    pass


@dataclass(frozen=True)
class Amendment:
    op: str  # replace | insert | delete | delete_point | add
    section: str
    point: int | None = None  # 1-based
    old: str | None = None  # the words replaced or deleted
    new: str | None = None  # the words inserted or the new point
    anchor: str | None = None
    where: str | None = None  # after | before | start | end

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> Amendment:
        return cls(**json.loads(raw))

    @property
    def summary(self) -> str:
        at = f"{self.section} {self.point}"
        match self.op:
            case "replace":
                return f'{at}: replace "{self.old}" with "{self.new}"'
            case "insert":
                if self.where in ("start", "end"):
                    return f'{at}: insert "{self.new}" at the {self.where}'
                return f'{at}: insert "{self.new}" {self.where} "{self.anchor}"'
            case "delete":
                return f'{at}: delete "{self.old}"'
            case "delete_point":
                return f"{at}: delete the whole point"
            case _:
                return f'add to {self.section}: "{self.new}"'


def _section(word: str) -> str:
    s = word.lower()
    if s not in SECTIONS:
        raise AmendmentError(f"{word[:20]!r} is not a section: use notes, believes or resolves. Usage: {USAGE}")
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
        raise AmendmentError(f"unexpected {rest.strip()[:30]!r} at the end. Usage: {USAGE}")


def _find_once(point_text: str, words: str, label: str) -> int:
    count = point_text.count(words)
    if count == 0:
        raise AmendmentError(f'{label} does not contain "{words}" (the match is exact, capitals included)')
    if count > 1:
        raise AmendmentError(f'"{words}" occurs {count} times in {label}; quote more words so it is unique')
    return point_text.index(words)


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text).strip()
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


def apply(sections: dict[str, list[str]], a: Amendment) -> dict[str, list[str]]:
    """SECTIONS with A applied (a new dict); AmendmentError if A does not fit them."""
    out = {s: list(points) for s, points in sections.items()}
    points = out[a.section]
    if a.op == "add":
        points.append(a.new or "")
        return out
    assert a.point is not None
    label = f"{a.section} {a.point}"
    if not 1 <= a.point <= len(points):
        have = f"it has {len(points)} point(s)" if points else "it has no points yet"
        raise AmendmentError(f"there is no point {label}: {have}")
    current = points[a.point - 1]
    idx = a.point - 1
    match a.op:
        case "delete_point":
            del points[idx]
            return out
        case "replace":
            at = _find_once(current, a.old or "", label)
            new = current[:at] + (a.new or "") + current[at + len(a.old or ""):]
        case "delete":
            at = _find_once(current, a.old or "", label)
            new = current[:at] + current[at + len(a.old or ""):]
            if not _tidy(new):
                raise AmendmentError(f"deleting those words leaves {label} empty; delete the whole point instead")
        case _:  # insert
            if a.where == "start":
                new = f"{a.new} {current}"
            elif a.where == "end":
                new = f"{current} {a.new}"
            else:
                at = _find_once(current, a.anchor or "", label)
                if a.where == "after":
                    end = at + len(a.anchor or "")
                    new = f"{current[:end]} {a.new} {current[end:]}"
                else:
                    new = f"{current[:at]} {a.new} {current[at:]}"
    points[idx] = _tidy(new)
    return out
