"""Reading and writing BLT, the ballot file every STV counting program shares.

Layout: a line `CANDIDATES SEATS`; optionally a line of negative numbers naming withdrawn
candidates; one line per ballot `WEIGHT PREF PREF ... 0`; a line `0`; one line per candidate
name; a title line. Real files differ, and all of these are read:
- names quoted, CSV-style doubled quotes inside quotes (`"Ann ""Independent"" SMITH"`), or no
  quotes at all;
- a name line holding a second quoted string (`"Ann SMITH" "Green Party"`): the first is the name,
  the rest the candidate's description;
- several quoted names on one line, all names on one line;
- names given as PrefLib-style `# ALTERNATIVE NAME i: name` lines after the ballots;
- a missing title.
An equal ranking written `2=3` is read like PrefLib's `{2,3}`: the paper counts for the
preferences before it and is exhausted from that rank on (an overvote at that rank).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np

from bot.engines.counting.errors import BallotFileError, whole_number
from bot.engines.counting.fastread import blt_block
from bot.engines.counting.profile import END, MAX_CANDIDATES, Profile, build_profile
from bot.engines.counting.stages import count_of

_INT = re.compile(r"[+-]?\d+")
_ALT = re.compile(r"#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s?(.*)$")


def _ints(line: str, source: str, number: int, what: str) -> list[int]:
    fields = line.split()
    for f in fields:
        if not _INT.fullmatch(f):
            hint = " (a stray comma? BLT separates numbers by spaces)" if "," in f else ""
            raise BallotFileError(source, number, f"{what}: {f!r} is not a whole number{hint}")
    return [whole_number(f, source, number, "a number") for f in fields]


def _quoted_names(line: str, source: str, number: int) -> list[str]:
    """Every `"..."` on the line, with `""` inside a name standing for one quote."""
    names: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        if line[i] != '"':
            raise BallotFileError(source, number, f"unexpected text {line[i:]!r} after a quoted name")
        i += 1
        buf: list[str] = []
        while True:
            if i >= n:
                raise BallotFileError(source, number, "a quoted name has no closing quote")
            if line[i] == '"':
                if i + 1 < n and line[i + 1] == '"':
                    buf.append('"')
                    i += 2
                    continue
                i += 1
                break
            buf.append(line[i])
            i += 1
        names.append("".join(buf))
    return names


def _ballot_line(line: str, source: str, number: int, n_cand: int) -> tuple[int, list[int]]:
    """One ballot line, checked field by field so the error names what is wrong."""
    fields = line.split()
    if not _INT.fullmatch(fields[0]):
        raise BallotFileError(source, number, f"ballot weight {fields[0]!r} is not a whole number")
    weight = whole_number(fields[0], source, number, "the ballot weight")
    if weight <= 0:
        raise BallotFileError(source, number, f"ballot weight {weight} must be positive")
    if fields[-1] != "0" or len(fields) < 2:
        raise BallotFileError(source, number, "a ballot line must end with 0")
    prefs: list[int] = []
    tied = False
    for f in fields[1:-1]:
        if "=" in f:
            parts = f.split("=")
            if not all(_INT.fullmatch(x) for x in parts):
                raise BallotFileError(source, number, f"preference {f!r} is not a candidate number")
            tied = True
            continue
        if not _INT.fullmatch(f):
            raise BallotFileError(source, number, f"preference {f!r} is not a candidate number")
        c = whole_number(f, source, number, "a preference")
        if c < 1 or c > n_cand:
            raise BallotFileError(source, number, f"preference {c} is not a candidate 1..{n_cand}")
        if not tied:
            prefs.append(c - 1)
    return weight, prefs


def _ballots_fast(block: str, n_lines: int, n_cand: int) -> tuple[np.ndarray, np.ndarray] | None:
    """All ballot lines at once with numpy; None when anything is odd (then go line by line).

    Every ballot line ends with the only 0 on it (weights and preferences are positive), so the
    zeros in the flat list of numbers mark where the lines end. A number too large for int64 (a
    weight of 2**63 or more) sends the block to the line-by-line reader, which keeps it exact.
    """
    if n_lines == 0:
        return np.zeros((0, 0), dtype=np.int16), np.zeros(0, dtype=np.int64)
    if "=" in block:
        return None
    try:
        nums = np.array(block.split(), dtype=np.int64)
    except (ValueError, OverflowError):
        return None
    ends = np.flatnonzero(nums == 0)
    if ends.size != n_lines or ends[-1] != nums.size - 1 or (nums < 0).any():
        return None
    starts = np.concatenate([[0], ends[:-1] + 1])
    lens = ends - starts + 1
    if (lens < 2).any():
        return None
    row = np.repeat(np.arange(n_lines), lens)
    col = np.arange(nums.size) - np.repeat(starts, lens) - 1
    pref = (col >= 0) & (col < np.repeat(lens - 2, lens))
    values = nums[pref]
    if (values > n_cand).any():
        return None
    arr = np.full((n_lines, int(lens.max()) - 2), END, dtype=np.int16)
    arr[row[pref], col[pref]] = values - 1
    return arr, nums[starts]


_TERMINATOR = re.compile(r"^[ \t]*0[ \t]*$", re.M)
_BLANK = re.compile(r"^[ \t]*\n", re.M)


def _names(tail: list[tuple[int, str]], n_cand: int, source: str) -> tuple[list[str], list[str], str | None]:
    """Candidate names, descriptions and the title from the lines after the ballots."""
    alt: dict[int, str] = {}
    rest: list[tuple[int, str]] = []
    for number, line in tail:
        if m := _ALT.match(line):
            alt[whole_number(m.group(1), source, number, "a candidate number")] = m.group(2).rstrip()
        elif not line.startswith("#"):
            rest.append((number, line))
    if alt:
        missing = [i for i in range(1, n_cand + 1) if i not in alt]
        if missing:
            raise BallotFileError(source, None, f"no name is given for candidate {missing[0]}")
        title_line = rest[0][1] if rest else None
        if title_line is not None and title_line.startswith('"'):
            title_line = " ".join(_quoted_names(title_line, source, rest[0][0]))
        return [alt[i] for i in range(1, n_cand + 1)], [""] * n_cand, title_line
    flat: list[str] = []
    per_line: list[int] = []
    for number, line in rest:
        tokens = _quoted_names(line, source, number) if line.startswith('"') else [line]
        flat.extend(tokens)
        per_line.append(len(tokens))
    # One line per candidate, one of them with a description, and no title, gives as many
    # strings as names and a title; read as such, every name from that line on would be its
    # neighbour's. Names and a title are read so only when all the names are on the first line.
    described = len(rest) == n_cand and len(flat) == n_cand + 1 and per_line[0] != n_cand
    if (len(flat) not in (n_cand, n_cand + 1) or described) and len(rest) in (n_cand, n_cand + 1):
        # One candidate per line, each line a name and then a description (a party).
        names: list[str] = []
        descriptions: list[str] = []
        for number, line in rest:
            if line.startswith('"'):
                tokens = _quoted_names(line, source, number)
                names.append(tokens[0] if tokens else "")
                descriptions.append(" ".join(tokens[1:]))
            else:
                names.append(line)
                descriptions.append("")
        title = names[n_cand] if len(names) > n_cand else None
        if len(names) > n_cand and descriptions[n_cand]:
            title = f"{title} {descriptions[n_cand]}"
        return names[:n_cand], descriptions[:n_cand], title
    if len(flat) < n_cand:
        raise BallotFileError(
            source,
            None,
            f"the header promises {count_of(n_cand, 'candidate')} but only {count_of(len(flat), 'name')} "
            + ("follows" if len(flat) == 1 else "follow"),
        )
    if len(flat) > n_cand + 1:
        raise BallotFileError(source, None, f"{len(flat)} names follow the ballots; expected {n_cand} and a title")
    return flat[:n_cand], [""] * n_cand, (flat[n_cand] if len(flat) > n_cand else None)


def _head(text: str, source: str) -> tuple[int, int, list[int], int, int, bool]:
    """The lines before the ballots: CANDIDATES, SEATS, the withdrawn candidates, where the
    ballot lines start (offset and the number of the line before them) and whether a line
    followed the header (else the text ran out looking for one)."""
    pos, number = 0, 0

    def next_line() -> str | None:
        nonlocal pos, number
        if pos >= len(text):
            return None
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        pos, number = end + 1, number + 1
        return line

    line = next_line()
    while line is not None and (not line.strip() or line.lstrip().startswith("#")):
        line = next_line()
    if line is None:
        raise BallotFileError(source, None, "the file is empty")
    head = _ints(line, source, number, "the first line must be 'CANDIDATES SEATS'")
    if len(head) != 2 or head[0] < 1 or head[1] < 1:
        raise BallotFileError(source, number, "the first line must be two positive numbers: CANDIDATES SEATS")
    n_cand, seats = head
    if n_cand > MAX_CANDIDATES:
        raise BallotFileError(source, number, f"{n_cand} candidates is more than can be counted")
    withdrawn: list[int] = []
    while True:
        mark, mark_number = pos, number
        line = next_line()
        if line is None or line.strip():
            break
    if line is not None and line.strip().startswith("-"):
        for v in _ints(line, source, number, "withdrawn candidates"):
            if v >= 0 or -v > n_cand:
                raise BallotFileError(source, number, f"withdrawn candidate {v} is not -1..-{n_cand}")
            withdrawn.append(-v - 1)
    else:
        pos, number = mark, mark_number
    return n_cand, seats, withdrawn, pos, number, line is not None


def read_blt(text: str, source: str = "<blt>") -> Profile:
    """Parse BLT text; any damage raises BallotFileError naming the line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    n_cand, seats, withdrawn, pos, number, _ = _head(text, source)
    first_number = number + 1
    papers = None
    folded = _folded(text, pos, n_cand)
    if folded is not None:
        arr, weights, papers, newlines, tail_at = folded
    else:
        m = _TERMINATOR.search(text, pos)
        if m is None:
            raise BallotFileError(source, None, "the ballots are not closed by a line '0'")
        block = text[pos : m.start()]
        tail_at = m.end()
        newlines = block.count("\n")
        n_lines = newlines - len(_BLANK.findall(block))
        arr, weights = _ballots(block, first_number, n_lines, n_cand, source)
    return _finish(text[tail_at:], first_number + newlines, source, n_cand, seats, withdrawn, arr, weights, papers)


def _finish(
    after: str,
    tail_start: int,
    source: str,
    n_cand: int,
    seats: int,
    withdrawn: list[int],
    arr: np.ndarray,
    weights: np.ndarray | list[int],
    papers: np.ndarray | None,
) -> Profile:
    """The profile, from the ballots and AFTER: the text from the end of the closing `0` on,
    whose first line (the closing 0's own) is line TAIL_START."""
    tail = [(tail_start + k, ln.strip()) for k, ln in enumerate(after.split("\n")[1:], start=1) if ln.strip()]
    names, descriptions, title = _names(tail, n_cand, source)
    return build_profile(
        names,
        arr,
        weights,
        withdrawn=withdrawn,
        seats=seats,
        title=title,
        descriptions=descriptions,
        papers=papers,
        owned=True,
    )


_HEAD = 1 << 16
"""Bytes of a file's start decoded to find its header; a header longer than this (pages of
comments) is read the ordinary way."""


def read_blt_bytes(data: bytes, source: str = "<blt>") -> Profile | None:
    """The bulk path straight from a file's bytes, or None: then decode it and use read_blt,
    which says what is wrong with it if anything is.

    Why: a million-paper file is megabytes of digits, and decoding it to text only to encode the
    ballot block back to bytes costs two copies of the file in time and memory. Here only the
    header and the names after the ballots are decoded; the block is read where it lies, and
    must be plain ASCII digits and spaces (fastread checks every byte). The profile is the one
    read_blt gives: the same header parse, the same block, the same names.
    """
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if b"\r" in data:
        return None
    cut = data.rfind(b"\n", start, start + _HEAD) + 1
    if cut <= start:
        return None
    try:
        text = data[start:cut].decode("utf-8")
        n_cand, seats, withdrawn, pos, number, followed = _head(text, source)
    except (UnicodeDecodeError, BallotFileError):
        return None
    if not followed or pos >= len(text) or text[pos - 1] != "\n":
        return None  # the header did not end inside what was decoded
    at = start + len(text[:pos].encode("utf-8"))
    end = data.rfind(b"\n0\n", at - 1)
    if end < at - 1:
        return None
    folded = blt_block(data, n_cand, at, end + 1)
    if folded is None:
        return None
    try:
        after = data[end + 2 :].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _finish(after, number + 1 + folded.lines, source, n_cand, seats, withdrawn,
                   folded.rankings, folded.weights, folded.papers)


def _folded(text: str, pos: int, n_cand: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int] | None:
    """The ballot lines from POS read and folded in bulk when they are plain (see fastread):
    rankings, weights, papers, lines read and where the closing `0` line ends; else None."""
    # The last `0` line, found from the end where it is (a search from the start meets " 0" at
    # the end of every ballot line); were there an earlier one, the block would hold a line
    # with a single number, which the bulk reader refuses.
    end = text.rfind("\n0\n", pos - 1)
    if end < 0 or text[pos - 1] != "\n":
        return None
    block = text[pos : end + 1]
    if not block.isascii():
        return None
    folded = blt_block(block.encode("ascii"), n_cand)
    if folded is None:
        return None
    return folded.rankings, folded.weights, folded.papers, folded.lines, end + 2


def _ballots(
    block: str, first_number: int, n_lines: int, n_cand: int, source: str
) -> tuple[np.ndarray, np.ndarray | list[int]]:
    """The ballot lines the bulk reader declined: all at once if numpy can, else line by line,
    naming the line at fault."""
    fast = _ballots_fast(block, n_lines, n_cand)
    if fast is not None:
        return fast
    numbered = [(first_number + k, ln.strip()) for k, ln in enumerate(block.split("\n")) if ln.strip()]
    parsed = [_ballot_line(b, source, n, n_cand) for n, b in numbered]
    width = max((len(p) for _, p in parsed), default=0)
    arr = np.full((len(parsed), width), END, dtype=np.int16)
    for r, (_, prefs) in enumerate(parsed):
        arr[r, : len(prefs)] = prefs
    return arr, [w for w, _ in parsed]  # Python integers: build_profile keeps large ones exact


def load_blt(path: str | Path) -> Profile:
    p = Path(path)
    return read_blt(p.read_text(encoding="utf-8-sig"), str(p.name))


def _quote(name: str, what: str) -> str:
    """NAME between quotes, a quote inside it doubled. A line break cannot be written: every
    reader of BLT takes one name a line, so the rest of the name would be read as the next
    candidate's, and a quote left open would fail the whole file."""
    if "\n" in name or "\r" in name:
        shown = name if len(name) <= 40 else name[:39] + "…"
        raise ValueError(f"{what} {shown!r} holds a line break, which a BLT file cannot hold; write it on one line")
    return '"' + name.replace('"', '""') + '"'


def write_blt(profile: Profile, seats: int | None = None) -> str:
    """BLT text for a profile that ``read_blt`` reads back as it is: names always quoted,
    withdrawn candidates kept as negatives, and always a title line (``""`` for none), without
    which one description too few or too many would shift every name onto its neighbour. Blank
    papers are one line ``N 0``, N papers with no preference, as OpenSTV and the Electoral Reform
    Society's files write them: a recount from the file reports them and, as the reader reads
    them, never counts them as valid (Scottish STV's quota is of the valid papers alone). A name,
    description or title with a line break is refused (ValueError), as BLT cannot hold one."""
    n_seats = seats if seats is not None else (profile.seats or 1)
    out = [f"{len(profile.candidates)} {n_seats}"]
    if profile.withdrawn:
        out.append(" ".join(str(-(c + 1)) for c in sorted(profile.withdrawn)))
    for ranking, weight in profile.ballots():
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    if profile.blank:
        out.append(f"{profile.blank} 0")
    out.append("0")
    for k, name in enumerate(profile.candidates):
        desc = profile.descriptions[k] if k < len(profile.descriptions) else ""
        described = " " + _quote(desc, f"the description of candidate {k + 1}") if desc else ""
        out.append(_quote(name, f"the name of candidate {k + 1}") + described)
    out.append(_quote(profile.title or "", "the title"))
    return "\n".join(out) + "\n"
