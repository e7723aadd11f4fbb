"""Reading the plain-text ballot format of Vote::Count.

`# Seats: N` and other `#` comments, a line `:CHOICES:A:B:...` naming the candidates, then one
line per ballot `COUNT:A:B:...` (a line without a leading count is one paper).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from bot.engines.counting.errors import BallotFileError, whole_number
from bot.engines.counting.profile import END, MAX_CANDIDATES, Profile, build_profile

_SEATS = re.compile(r"#\s*Seats\s*:(.*)$", re.IGNORECASE)
_TITLE = re.compile(r"#\s*(?:Constituency|Title)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_COUNT = re.compile(r"\d+")


def _seats(value: str, source: str, number: int) -> int:
    """The `# Seats:` value: a positive whole number. Anything else is refused, not passed over
    as a comment: the count would otherwise fill one seat, silently."""
    if not (value.isascii() and value.isdigit()) or not value.strip("0"):
        raise BallotFileError(source, number, f"'# Seats: {value}' must give the number of seats, a whole number "
                                              "of at least 1, e.g. '# Seats: 3'")
    return whole_number(value, source, number, "the number of seats")


def read_votecount(text: str, source: str = "<vote-count>") -> Profile:
    """Parse Vote::Count text; an unknown choice or a bad count names its line."""
    seats: int | None = None
    title: str | None = None
    choices: list[str] | None = None
    index: dict[str, int] = {}
    rows: list[list[int]] = []
    weights: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if m := _SEATS.match(line):
                seats = _seats(m.group(1).strip(), source, number)
            elif m := _TITLE.match(line):
                title = m.group(1) or None
            continue
        if line.startswith(":CHOICES:"):
            choices = [c for c in line[len(":CHOICES:") :].split(":") if c]
            index = {c: i for i, c in enumerate(choices)}
            if len(choices) > MAX_CANDIDATES:
                raise BallotFileError(source, number, "more choices than can be counted")
            if len(index) != len(choices):
                raise BallotFileError(source, number, "a choice is listed twice in :CHOICES:")
            continue
        if choices is None:
            raise BallotFileError(source, number, "ballots come before the ':CHOICES:' line")
        fields = line.split(":")
        weight = 1
        if _COUNT.fullmatch(fields[0].strip()):
            weight = whole_number(fields[0].strip(), source, number, "the count")
            fields = fields[1:]
            if weight <= 0:
                raise BallotFileError(source, number, "the count must be positive")
        prefs: list[int] = []
        for f in fields:
            if f not in index:
                raise BallotFileError(source, number, f"{f!r} is not one of the :CHOICES:")
            prefs.append(index[f])
        rows.append(prefs)
        weights.append(weight)
    if choices is None:
        raise BallotFileError(source, None, "no ':CHOICES:' line names the candidates")
    width = max((len(r) for r in rows), default=0)
    arr = np.full((len(rows), width), END, dtype=np.int16)
    for i, r in enumerate(rows):
        arr[i, : len(r)] = r
    # Weights stay Python integers: build_profile keeps any that do not fit 64 bits exact.
    return build_profile(choices, arr, weights, seats=seats, title=title)


def load_votecount(path: str | Path) -> Profile:
    p = Path(path)
    return read_votecount(p.read_text(encoding="utf-8-sig"), p.name)
