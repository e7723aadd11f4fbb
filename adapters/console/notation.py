"""The console's line notation: one input line is one chat message.

    ann: /poll Lunch? | Pizza | Soup     ann speaks in the shared room
    ann #finance: /polls                 ann speaks in another room, #finance
    ann (private): /vote 1 Pizza         ann writes to the bot privately
    ann [Pizza]                          ann presses the button "Pizza" on the bot's latest
                                         message that has one (ann (private) [Confirm] in her
                                         private chat)
    :advance 31m                         time passes (deadlines fall due)
    :join ann                            ann joins the shared room now (:join ann #finance)
    :leave ann                           ann leaves the shared room now (:leave ann #finance)
    # a comment                          ignored, as are blank lines
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PRESS = re.compile(r"^\s*([A-Za-z][\w.-]{0,31})\s*(\(private\)|#[\w-]{1,32})?\s*\[(.+)\]\s*$")
_JOIN = re.compile(r"^:(join|leave)\s+([A-Za-z][\w.-]{0,31})\s*(#[\w-]{1,32})?$")
_LINE = re.compile(r"^\s*([A-Za-z][\w.-]{0,31})\s*(\(private\)|#[\w-]{1,32})?\s*:\s?(.*)$")


@dataclass(frozen=True)
class Said:
    who: str
    room: str | None  # None: the shared room; "" : private to the bot
    text: str


@dataclass(frozen=True)
class Press:
    who: str
    room: str | None
    label: str


@dataclass(frozen=True)
class Advance:
    duration: str


@dataclass(frozen=True)
class Joins:
    who: str
    room: str | None  # None: the shared room
    leaves: bool = False  # :leave, not :join


@dataclass(frozen=True)
class Unreadable:
    line: str


Line = Said | Press | Advance | Joins | Unreadable | None


def read_line(line: str) -> Line:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith(":advance"):
        return Advance(stripped[len(":advance"):].strip())
    if stripped.startswith((":join", ":leave")):
        j = _JOIN.match(stripped)
        return Joins(j.group(2), _room(j.group(3)), j.group(1) == "leave") if j else Unreadable(stripped)
    if p := _PRESS.match(line.rstrip("\n")):
        return Press(p.group(1), _room(p.group(2)), p.group(3).strip())
    m = _LINE.match(line.rstrip("\n"))
    if not m:
        return Unreadable(stripped)
    return Said(m.group(1), _room(m.group(2)), m.group(3).strip())


def _room(where: str | None) -> str | None:
    return None if where is None else ("" if where == "(private)" else where[1:])
