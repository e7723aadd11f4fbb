"""Reading PrefLib `.soi` (strict orders, incomplete) and `.toi` (orders with ties).

Header lines `# ALTERNATIVE NAME i: name` give the candidates; each data line is
`COUNT: a,b,c`, with at least one candidate (the format has no empty order). Where the header
declares `NUMBER VOTERS` and `NUMBER UNIQUE ORDERS`, the data lines must add up to them: a file
cut short after a whole line is otherwise a valid file with fewer voters, and perhaps another
winner. In `.toi` files `{a,b}` ranks two candidates equally. Real preferential rules
treat that as an overvote at that rank, so the paper is counted for the preferences before the
braces and is exhausted from that rank on; a paper whose first rank is tied is blank (not valid).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.engines.counting.errors import BallotFileError, whole_number
from bot.engines.counting.fastread import Folded, preflib_block
from bot.engines.counting.profile import END, MAX_CANDIDATES, Profile, build_profile

_NAME = re.compile(r"#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s?(.*)$")
_COUNT = re.compile(r"#\s*NUMBER ALTERNATIVES\s*:\s*(\d+)\s*$")
_TITLE = re.compile(r"#\s*TITLE\s*:\s?(.*)$")
_TYPE = re.compile(r"#\s*DATA TYPE\s*:\s*(\w+)\s*$")
_VOTERS = re.compile(r"#\s*NUMBER VOTERS\s*:\s*(\d+)\s*$")
_ORDERS = re.compile(r"#\s*NUMBER UNIQUE ORDERS\s*:\s*(\d+)\s*$")
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


@dataclass
class _Header:
    """What the `#` lines say: candidate names (and the line of each), their number, the title,
    the data type, and the numbers of voters and of data lines the data must add up to."""

    names: dict[int, str] = field(default_factory=dict)
    name_lines: dict[int, int] = field(default_factory=dict)
    declared: int | None = None
    title: str | None = None
    kind: str | None = None
    voters: int | None = None
    orders: int | None = None

    def check_names(self, source: str) -> None:
        """A name numbered outside 1..NUMBER ALTERNATIVES is refused at its line: the data
        lines would otherwise rank a candidate the count does not have."""
        if self.declared is None:
            return
        for c, line in sorted(self.name_lines.items(), key=lambda item: item[1]):
            if not 1 <= c <= self.declared:
                raise BallotFileError(
                    source, line, f"ALTERNATIVE NAME {c} is beyond NUMBER ALTERNATIVES: {self.declared}")

    def check_totals(self, source: str, voters: int, orders: int) -> None:
        """The data lines against the header's NUMBER VOTERS and NUMBER UNIQUE ORDERS."""
        if self.voters is not None and voters != self.voters:
            raise BallotFileError(source, None, f"the header declares {self.voters} voters (NUMBER VOTERS) but the "
                                                f"lines count {voters}: is the file cut short or altered?")
        if self.orders is not None and orders != self.orders:
            raise BallotFileError(source, None, f"the header declares {self.orders} orders (NUMBER UNIQUE ORDERS) "
                                                f"but the file has {orders} lines: is the file cut short or altered?")


def _header(line: str, number: int, source: str, h: _Header) -> None:
    if m := _NAME.match(line):
        c = whole_number(m.group(1), source, number, "the candidate number")
        h.names[c] = m.group(2).rstrip()
        h.name_lines[c] = number
    elif m := _COUNT.match(line):
        h.declared = whole_number(m.group(1), source, number, "the number of alternatives")
    elif m := _VOTERS.match(line):
        h.voters = whole_number(m.group(1), source, number, "the number of voters")
    elif m := _ORDERS.match(line):
        h.orders = whole_number(m.group(1), source, number, "the number of unique orders")
    elif m := _TITLE.match(line):
        h.title = m.group(1).strip() or None
    elif (m := _TYPE.match(line)) and h.kind is None:
        h.kind = m.group(1).lower()


def _header_lines(text: str) -> tuple[list[str], int]:
    """The blank and `#` lines that open TEXT, and where the first other line starts."""
    pos = 0
    lines: list[str] = []
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if line.strip() and not line.strip().startswith("#"):
            break
        lines.append(line)
        pos = end + 1
    return lines, pos


def _declared(head: str, lines: list[str], source: str, h: _Header) -> int | None:
    """The number of candidates the header lines declare, when the bulk path can take them."""
    if head.splitlines() != lines:
        return None  # other line breaks (the careful reader splits on those too)
    for number, line in enumerate(lines, start=1):
        if line.strip():
            _header(line.strip(), number, source, h)
    h.check_names(source)
    declared = h.declared if h.declared is not None else max(h.names, default=0)
    if not declared or declared > MAX_CANDIDATES:
        return None
    if h.declared is None and set(h.names) != set(range(1, declared + 1)):
        return None  # candidates outside the names: the careful reader says which
    return declared


def _folded(text: str, source: str, h: _Header) -> Profile | None:
    """The file read in bulk when its `#` lines all come first and its data lines are plain
    (see fastread); None sends it to the line-by-line reader."""
    lines, pos = _header_lines(text)
    declared = _declared(text[:pos], lines, source, h)
    if declared is None:
        return None
    body = text[pos:]
    if "#" in body or "\r" in body or not body.isascii():
        return None
    folded = preflib_block(body.encode("ascii"), declared)
    if folded is None or not _agrees(h, folded):
        return None
    return _profile(h, declared, folded.rankings, folded.weights, folded.papers)


def _agrees(h: _Header, folded: Folded) -> bool:
    """Whether the bulk path's lines all rank someone and add up to what the header declares;
    if not, the line-by-line reader says where and what differs."""
    if folded.rankings.size and bool((folded.rankings[:, 0] < 0).any()):
        return False
    if h.voters is not None and int(folded.weights.sum()) != h.voters:
        return False
    return h.orders is None or folded.lines == h.orders


def read_preflib_bytes(data: bytes, source: str = "<preflib>", kind: str | None = None) -> Profile | None:
    """The bulk path straight from a file's bytes, or None: then decode it and use
    read_preflib, which says what is wrong with it if anything is.

    Only the `#` lines are decoded; the data lines are read where they lie and must be plain
    ASCII (fastread checks every byte, and refuses `#` and carriage returns among them), so
    the header ends where the decoded text's would and the profile is the one read_preflib
    gives.
    """
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    pos = start
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        line = data[pos:end].strip()
        if line and not line.startswith(b"#"):
            break
        pos = end + 1
    try:
        head = data[start:pos].decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines, at = _header_lines(head)
    if at != len(head):
        return None
    h = _Header(kind=kind)
    try:
        declared = _declared(head, lines, source, h)
    except BallotFileError:
        return None
    if declared is None:
        return None
    folded = preflib_block(data, declared, pos)
    if folded is None or not _agrees(h, folded):
        return None
    return _profile(h, declared, folded.rankings, folded.weights, folded.papers)


def _profile(
    h: _Header, declared: int, arr: np.ndarray, weights: np.ndarray | list[int], papers: np.ndarray | None
) -> Profile:
    candidates = [h.names.get(i, f"Candidate {i}") for i in range(1, declared + 1)]
    return build_profile(candidates, arr, weights, title=h.title, papers=papers, owned=True)


def read_preflib(text: str, source: str = "<preflib>", kind: str | None = None) -> Profile:
    """Parse `.soi` / `.toi` text (`kind` from the file's DATA TYPE header or the caller)."""
    fast = _folded(text, source, _Header(kind=kind))
    if fast is not None:
        return fast
    h = _Header(kind=kind)
    rows: list[list[int]] = []
    weights: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            _header(line, number, source, h)
            continue
        if not rows:
            h.check_names(source)  # before a data line names the candidate in question
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
        if not ranks:
            raise BallotFileError(source, number, f"count {weight} with no ranking after it: every PrefLib "
                                                  "line ranks at least one candidate; is the file cut short?")
        prefs: list[int] = []
        for rank in ranks:
            if isinstance(rank, list):
                if h.kind == "soi":
                    raise BallotFileError(source, number, "a strict order (.soi) cannot rank equally")
                if len(rank) == 1:
                    rank = rank[0]
                else:
                    break  # equal ranking: overvote, the paper stops here
            if not _WHOLE.fullmatch(rank):
                raise BallotFileError(source, number, f"{rank!r} is not a candidate number")
            c = whole_number(rank, source, number, "a candidate number")
            if not (c in h.names if h.declared is None else 1 <= c <= h.declared):
                raise BallotFileError(source, number, f"candidate {c} is not declared in the header")
            prefs.append(c)
        rows.append(prefs)
        weights.append(weight)
    h.check_names(source)
    h.check_totals(source, sum(weights), len(rows))
    declared = h.declared if h.declared is not None else max(h.names, default=0)
    if not declared:
        raise BallotFileError(source, None, "no '# ALTERNATIVE NAME' or '# NUMBER ALTERNATIVES' header")
    if declared > MAX_CANDIDATES:
        raise BallotFileError(source, None, f"{declared} candidates is more than can be counted")
    width = max((len(r) for r in rows), default=0)
    arr = np.full((len(rows), width), END, dtype=np.int16)
    for i, r in enumerate(rows):
        arr[i, : len(r)] = [c - 1 for c in r]
    # Weights stay Python integers: build_profile keeps any that do not fit 64 bits exact.
    return _profile(h, declared, arr, weights, None)


def load_preflib(path: str | Path) -> Profile:
    p = Path(path)
    kind = p.suffix.lstrip(".").lower() or None
    return read_preflib(p.read_text(encoding="utf-8-sig"), p.name, kind)
