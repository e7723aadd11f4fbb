"""Reading PrefLib `.soi` (strict orders, incomplete) and `.toi` (orders with ties).

Header lines `# ALTERNATIVE NAME i: name` give the candidates; each data line is
`COUNT: a,b,c`. In `.toi` files `{a,b}` ranks two candidates equally. Real preferential rules
treat that as an overvote at that rank, so the paper is counted for the preferences before the
braces and is exhausted from that rank on; a paper whose first rank is tied is blank (not valid).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from bot.engines.counting.errors import BallotFileError, whole_number
from bot.engines.counting.profile import END, MAX_CANDIDATES, Profile, build_profile

_NAME = re.compile(r"#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s?(.*)$")
_COUNT = re.compile(r"#\s*NUMBER ALTERNATIVES\s*:\s*(\d+)\s*$")
_TITLE = re.compile(r"#\s*TITLE\s*:\s?(.*)$")
_TYPE = re.compile(r"#\s*DATA TYPE\s*:\s*(\w+)\s*$")
_WHOLE = re.compile(r"[+-]?\d+")


def _ranks(body: str) -> list[str | list[str]]:
    """Split `a,{b,c},d` into ranks; a braced group is one rank with several candidates."""
    out: list[str | list[str]] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch in " ,":
            i += 1
        elif ch == "{":
            j = body.find("}", i)
            if j < 0:
                raise ValueError("'{' without a closing '}'")
            out.append([x.strip() for x in body[i + 1 : j].split(",") if x.strip()])
            i = j + 1
        else:
            j = i
            while j < n and body[j] not in ",{":
                j += 1
            out.append(body[i:j].strip())
            i = j
    return out


def read_preflib(text: str, source: str = "<preflib>", kind: str | None = None) -> Profile:
    """Parse `.soi` / `.toi` text (`kind` from the file's DATA TYPE header or the caller)."""
    names: dict[int, str] = {}
    declared: int | None = None
    title: str | None = None
    rows: list[list[int]] = []
    weights: list[int] = []
    data_kind = kind
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if m := _NAME.match(line):
                names[whole_number(m.group(1), source, number, "the candidate number")] = m.group(2).rstrip()
            elif m := _COUNT.match(line):
                declared = whole_number(m.group(1), source, number, "the number of alternatives")
            elif m := _TITLE.match(line):
                title = m.group(1).strip() or None
            elif (m := _TYPE.match(line)) and data_kind is None:
                data_kind = m.group(1).lower()
            continue
        head, sep, body = line.partition(":")
        if not sep:
            raise BallotFileError(source, number, "a data line must look like 'COUNT: a,b,c'")
        if not _WHOLE.fullmatch(head.strip()):
            raise BallotFileError(source, number, f"count {head.strip()!r} is not a whole number")
        weight = whole_number(head.strip(), source, number, "the count")
        if weight <= 0:
            raise BallotFileError(source, number, f"count {weight} must be positive")
        try:
            ranks = _ranks(body)
        except ValueError as exc:
            raise BallotFileError(source, number, str(exc)) from None
        prefs: list[int] = []
        for rank in ranks:
            if isinstance(rank, list):
                if data_kind == "soi":
                    raise BallotFileError(source, number, "a strict order (.soi) cannot rank equally")
                if len(rank) == 1:
                    rank = rank[0]
                else:
                    break  # equal ranking: overvote, the paper stops here
            if not _WHOLE.fullmatch(rank):
                raise BallotFileError(source, number, f"{rank!r} is not a candidate number")
            c = whole_number(rank, source, number, "a candidate number")
            if c not in names and (declared is None or not 1 <= c <= declared):
                raise BallotFileError(source, number, f"candidate {c} is not declared in the header")
            prefs.append(c)
        rows.append(prefs)
        weights.append(weight)
    if declared is None:
        declared = max(names, default=0)
    if not declared:
        raise BallotFileError(source, None, "no '# ALTERNATIVE NAME' or '# NUMBER ALTERNATIVES' header")
    if declared > MAX_CANDIDATES:
        raise BallotFileError(source, None, f"{declared} candidates is more than can be counted")
    candidates = [names.get(i, f"Candidate {i}") for i in range(1, declared + 1)]
    width = max((len(r) for r in rows), default=0)
    arr = np.full((len(rows), width), END, dtype=np.int16)
    for i, r in enumerate(rows):
        arr[i, : len(r)] = [c - 1 for c in r]
    # Weights stay Python integers: build_profile keeps any that do not fit 64 bits exact.
    return build_profile(candidates, arr, weights, title=title)


def load_preflib(path: str | Path) -> Profile:
    p = Path(path)
    kind = p.suffix.lstrip(".").lower() or None
    return read_preflib(p.read_text(encoding="utf-8-sig"), p.name, kind)
