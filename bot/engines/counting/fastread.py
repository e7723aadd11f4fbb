"""Reading and folding a million ballot lines without a Python step per line.

Why: a national cast-vote record has one line per paper, and a count spends almost all of its
time getting those lines into distinct rankings with multiplicities; the count itself then works
on a few thousand rows. So the readers hand the ballot block to this module as bytes, which
- folds identical lines first, by their text: each line's bytes, zero-padded to a multiple of
  eight, are read as 64-bit words, and identical word tuples are grouped with an open-addressing
  hash table built from numpy scatters and gathers (a few passes over the lines, where a sort
  costs log n of them);
- then parses only the distinct lines, finding every number with numpy passes over their bytes.

Nothing here is approximate: a line joins a group only when all its words equal the group's (so
its text is the same), weights are summed in integers, and the count's own folding of equal
rankings written differently is left to build_profile. Anything the fast path does not expect (a
sign, an `=`, a stray character, a number of 19 digits or more, a line without its closing 0,
totals that might not fit in 64 bits) makes it return None, and the reader falls back to its
line-by-line parser, which names the faulty line. The block is taken in chunks so that memory
stays near the size of the file whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_CHUNK = 1 << 22
"""Bytes of ballot lines folded at once: large enough for numpy to run at speed, small enough
that the temporaries stay a few times this size whatever the length of the file."""

_PARSE = 1 << 19
"""Bytes of distinct lines parsed at once: parsing makes several int64 arrays of one entry per
number, so a batch of long lines is kept as short in bytes as one of short lines."""

_SAMPLE = 4096
_DISTINCT = 0.9
"""A class of lines (by padded length) stops being folded once a chunk showed at least _SAMPLE
of its lines, more than _DISTINCT of them different."""

_KEEP = ((np.arange(8)[None, :] < np.arange(9)[:, None]).astype(np.uint8) * np.uint8(255)).view(np.uint64).ravel()
"""_KEEP[L] keeps the first L bytes of a 64-bit word read from memory (and clears the rest)."""

_MAX_DIGITS = 18
"""Longest number read here; 18 digits always fits in int64."""

_INT64_MAX = int(np.iinfo(np.int64).max)

_MIX = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xFF51AFD7ED558CCD),
    np.uint64(0xC4CEB9FE1A85EC53),
    np.uint64(0x94D049BB133111EB),
)


@dataclass
class Folded:
    """Distinct rankings of a block: rows padded with -1, and per row the summed weight and the
    number of physical ballot lines behind it."""

    rankings: np.ndarray
    weights: np.ndarray
    papers: np.ndarray
    lines: int


def _numbers(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Every run of digits in B: its value, first byte and one-past-last byte."""
    d = b - np.uint8(48)
    isdig = (d < 10).view(np.int8)
    edges = np.diff(isdig, prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    lengths = ends - starts
    if lengths.size and int(lengths.max()) > _MAX_DIGITS:
        return None
    values = d[starts].astype(np.int64)
    long = np.flatnonzero(lengths > 1)
    if long.size:
        s, n, v = starts[long], lengths[long], values[long]
        for j in range(1, int(n.max())):
            more = n > j
            v = np.where(more, v * 10 + d[np.minimum(s + j, b.size - 1)], v)
        values[long] = v
    return values, starts, ends


def fold_keys(keys: list[np.ndarray], expect: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Group identical key tuples (int64 or uint64 arrays): (group of each row, a row of each group).

    Open addressing done in bulk: each round hashes the rows still unplaced into a table at least
    as large as their number, lets one row claim each slot, and places every row whose keys all
    equal its slot's claimant's; rows that met a different key go to the next round with another
    hash. Equality of keys, never the hash, decides a group. EXPECT, when given, is about how
    many distinct keys there are: the table is then only twice that, small enough to stay in
    the processor's cache (a wrong guess costs more rounds, never a wrong group).
    """
    n = keys[0].size
    h = keys[0].view(np.uint64) * _MIX[0]
    for i, part in enumerate(keys[1:], start=1):
        h ^= part.view(np.uint64)
        h *= _MIX[i % 3]
    group = np.empty(n, dtype=np.int64)
    owners: list[np.ndarray] = []
    rows: np.ndarray | None = None  # None: every row (the first round needs no gathers)
    offset = 0
    for round_ in range(len(_MIX) - 3):
        m = n if rows is None else rows.size
        if m == 0:
            break
        bits = max(4, (min(m, 2 * expect) if expect else m).bit_length())
        hashed = h if rows is None else h[rows]
        slot = ((hashed * _MIX[3 + round_]) >> np.uint64(64 - bits)).view(np.int64)
        ids = np.arange(n) if rows is None else rows
        owner = np.empty(1 << bits, dtype=np.int64)
        owner[slot] = ids
        claimant = owner[slot]
        same = keys[0][claimant] == (keys[0] if rows is None else keys[0][rows])
        for part in keys[1:]:
            same &= part[claimant] == (part if rows is None else part[rows])
        group[ids[same]] = offset + slot[same]
        owners.append(owner)
        offset += owner.size
        rows = ids[~same]
    if rows is not None and rows.size:
        # Pathological keys: settle the last few exactly by sorting.
        stacked = np.stack([part[rows] for part in keys], axis=1)
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
        group[rows] = offset + inverse.ravel()
        owners.append(rows[first])
        offset += first.size
    used = np.zeros(offset, dtype=bool)
    used[group] = True
    new_id = np.cumsum(used) - 1
    return new_id[group], np.concatenate(owners)[used]


def _distinct_lines(b: np.ndarray, unfolded: set[int], met: dict[int, int]) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """The distinct lines of B (each ended by a newline), by length class: (rows, papers, lines),
    rows holding each distinct line's bytes zero-padded to a multiple of eight (no zero byte
    occurs in a ballot line, so the padding cannot make two texts equal), papers how many lines
    had it and lines how many lines the class had. Classes whose width is in UNFOLDED are not
    folded (each line its own row, one paper each): see _read. MET holds, by width, how many
    distinct lines an earlier chunk had (the size the hash table can expect)."""
    nl = np.flatnonzero(b == 10)
    starts = np.empty_like(nl)
    starts[0] = 0
    starts[1:] = nl[:-1] + 1
    lengths = nl - starts
    widths = np.maximum((lengths + 7) // 8, 1)
    # Every line's j-th word is read straight from the bytes, as a 64-bit number at any byte
    # offset (a view of stride 1), eight bytes of padding keeping the last line's inside.
    padded = np.zeros(b.size + 8, dtype=np.uint8)
    padded[: b.size] = b
    words_at = np.ndarray(shape=(b.size + 1,), dtype=np.uint64, buffer=padded, strides=(1,))
    out = []
    classes = np.flatnonzero(np.bincount(widths)).tolist()
    for words in classes:
        idx = np.flatnonzero(widths == words) if len(classes) > 1 else slice(None)
        at = starts[idx]
        cols = [words_at[at + 8 * j] for j in range(words)]
        # The last word holds 1..8 bytes of the line, then its newline and the next line:
        # cleared with a mask that keeps the line's bytes.
        cols[-1] &= _KEEP[lengths[idx] - 8 * (words - 1)]
        w = words * 8
        if w in unfolded:
            rows = np.stack(cols, axis=1).view(np.uint8)
            out.append((rows, np.ones(rows.shape[0], dtype=np.int64), rows.shape[0]))
            continue
        group, first = fold_keys(cols, met.get(w, 0))
        met[w] = max(met.get(w, 0), first.size)
        rows = np.stack([c[first] for c in cols], axis=1).view(np.uint8)
        out.append((rows, np.bincount(group, minlength=first.size).astype(np.int64), at.size))
    return out


def _fold_texts(pieces: list[tuple[np.ndarray, np.ndarray]], fold: bool) -> tuple[np.ndarray, np.ndarray]:
    """One length class's texts from every chunk, folded together if FOLD."""
    if len(pieces) == 1:
        return pieces[0]
    texts = np.concatenate([t for t, _ in pieces])
    papers = np.concatenate([p for _, p in pieces])
    if not fold:
        return texts, papers
    view = texts.view(np.uint64)
    group, first = fold_keys([np.ascontiguousarray(view[:, j]) for j in range(view.shape[1])])
    summed = np.zeros(first.size, dtype=np.int64)
    np.add.at(summed, group, papers)
    return texts[first], summed


def _as_lines(rows: np.ndarray) -> tuple[np.ndarray, int]:
    """Padded line texts back into one newline-separated buffer of fixed stride (padding made
    spaces, which every reader allows at the end of a line)."""
    n, w = rows.shape
    buf = np.full((n, w + 1), 10, dtype=np.uint8)
    buf[:, :w] = np.where(rows == 0, np.uint8(32), rows)
    return buf.ravel(), w + 1


def _line_numbers(
    buf: np.ndarray, stride: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Numbers of each fixed-stride line: values, starts, ends, line of each, first of each line;
    None when a number is too long or a line has none."""
    parsed = _numbers(buf)
    if parsed is None:
        return None
    values, starts, ends = parsed
    line = starts // stride
    first = np.flatnonzero(np.diff(line, prepend=np.int64(-1)))
    if first.size != n:
        return None
    return values, starts, ends, line, first


def _blt_rows(buf: np.ndarray, stride: int, n: int, n_candidates: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Distinct BLT lines `WEIGHT PREF ... 0` as (rankings, weights), or None if any is odd."""
    found = _line_numbers(buf, stride, n)
    if found is None:
        return None
    values, starts, ends, line, first = found
    last = np.append(first[1:], values.size) - 1
    zero = values == 0
    # At least a weight and the closing 0; that 0 (written "0") is the only zero on the line, so
    # the weight is positive and every preference is at least 1.
    if (last - first < 1).any() or not zero[last].all() or int(zero.sum()) != n:
        return None
    if ((ends[last] - starts[last]) != 1).any():
        return None
    col = np.arange(values.size) - first[line] - 1
    pref = ~zero & (col >= 0)
    width = int((last - first).max())
    if pref.any() and int(values[pref].max()) > n_candidates:
        return None
    rankings = np.full((n, width), -1, dtype=np.int16)
    rankings[line[pref], col[pref]] = values[pref] - 1
    return rankings, values[first]


def _preflib_rows(buf: np.ndarray, stride: int, n: int, n_candidates: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Distinct PrefLib lines `COUNT: a,b,c` as (rankings, weights), or None if any is odd."""
    found = _line_numbers(buf, stride, n)
    if found is None:
        return None
    values, starts, ends, line, first = found
    colons = np.flatnonzero(buf == 58)
    if colons.size != n or (colons // stride != np.arange(n)).any():
        return None
    # Only spaces between the count and its colon.
    solid = np.cumsum((buf != 32) & (buf != 10), dtype=np.int64)
    if (colons < ends[first]).any() or (solid[colons] - solid[ends[first] - 1] != 1).any():
        return None
    col = np.arange(values.size) - first[line] - 1
    pref = np.flatnonzero(col >= 0)
    commas = np.cumsum(buf == 44, dtype=np.int64)
    later = pref[col[pref] > 0]
    if int(commas[-1]) != later.size:
        return None
    if pref.size:
        # Preferences follow the colon, one comma between each and the next, none elsewhere.
        if (starts[pref] < colons[line[pref]]).any():
            return None
        if (commas[starts[later] - 1] - commas[ends[later - 1] - 1] != 1).any():
            return None
        if int(values[pref].min()) < 1 or int(values[pref].max()) > n_candidates:
            return None
    weights = values[first]
    if int(weights.min()) < 1:
        return None
    width = int(col.max()) + 1 if pref.size else 0
    rankings = np.full((n, width + 1), -1, dtype=np.int16)
    rankings[line[pref], col[pref]] = values[pref] - 1
    return rankings, weights


def _chunks(data: bytes, start: int, end: int) -> list[np.ndarray]:
    """DATA[START:END] (ending in a newline) cut after newlines into pieces of about _CHUNK
    bytes, each a view of DATA (nothing is copied)."""
    out = []
    lo = start
    while lo < end:
        hi = data.find(b"\n", min(lo + _CHUNK, end) - 1, end) + 1
        out.append(np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo))
        lo = hi
    return out


def _odd_characters(data: bytes, start: int, end: int, plain: bytes) -> bool:
    """Whether DATA[START:END] holds a byte outside PLAIN, without copying the block: the
    characters bytes.translate leaves when it deletes PLAIN, less those of the head and tail."""
    left = len(data.translate(None, plain))
    if left and start:
        left -= len(data[:start].translate(None, plain))
    if left and end < len(data):
        left -= len(data[end:].translate(None, plain))
    return left > 0


_Rows = Callable[[np.ndarray, int, int, int], "tuple[np.ndarray, np.ndarray] | None"]


def _read(data: bytes, start: int, end: int | None, n_candidates: int, allowed: bytes, rows_of: _Rows) -> Folded | None:
    end = len(data) if end is None else end
    if start >= end:
        return Folded(np.zeros((0, 1), np.int16), np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    if data[end - 1] != 10:
        return None
    if _odd_characters(data, start, end, b"0123456789\n" + allowed):
        return None  # a character no plain line has
    # Folding pays where lines repeat (short rankings, the many papers that rank one or two);
    # long lines are nearly all different, and hashing their many words for nothing costs more
    # than parsing them. So a class of lines that a chunk of at least _SAMPLE lines showed to be
    # nearly all distinct is no longer folded here: its lines are parsed as they come and
    # build_profile folds the equal rankings among them, exactly, as it folds any.
    classes: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    unfolded: set[int] = set()
    met: dict[int, int] = {}
    for b in _chunks(data, start, end):
        for texts, papers, lines in _distinct_lines(b, unfolded, met):
            width = texts.shape[1]
            classes.setdefault(width, []).append((texts, papers))
            if lines >= _SAMPLE and texts.shape[0] > _DISTINCT * lines:
                unfolded.add(width)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for width, pieces in classes.items():
        every_text, every_papers = _fold_texts(pieces, width not in unfolded)
        step = max(1, _PARSE // every_text.shape[1])
        for lo in range(0, every_text.shape[0], step):
            texts, papers = every_text[lo : lo + step], every_papers[lo : lo + step]
            buf, stride = _as_lines(texts)
            parsed = rows_of(buf, stride, texts.shape[0], n_candidates)
            if parsed is None:
                return None
            rankings, weights = parsed
            if (weights > _INT64_MAX // papers).any():
                return None
            parts.append((rankings, weights * papers, papers))
    if sum(float(w.sum()) for _, w, _ in parts) >= 2.0**62:
        return None  # totals this large take the exact line-by-line path
    width = max(r.shape[1] for r, _, _ in parts)  # each part ends in a column of -1 already
    rankings = np.full((sum(r.shape[0] for r, _, _ in parts), width), -1, dtype=np.int16)
    at = 0
    for r, _, _ in parts:
        rankings[at : at + r.shape[0], : r.shape[1]] = r
        at += r.shape[0]
    papers = np.concatenate([p for _, _, p in parts])
    return Folded(rankings, np.concatenate([w for _, w, _ in parts]), papers, int(papers.sum()))


def blt_block(data: bytes, n_candidates: int, start: int = 0, end: int | None = None) -> Folded | None:
    """BLT ballot lines `WEIGHT PREF ... 0` in DATA[START:END], each ended by a newline; None
    unless every line is plain (digits and spaces, positive weight, preferences 1..n, a closing
    0). DATA may be a whole file: the block is read where it lies."""
    return _read(data, start, end, n_candidates, b" ", _blt_rows)


def preflib_block(data: bytes, n_candidates: int, start: int = 0, end: int | None = None) -> Folded | None:
    """PrefLib data lines `COUNT: a,b,c` in DATA[START:END], each ended by a newline; None
    unless every line is plain (digits, spaces, one colon after the count, single commas
    between preferences, positive counts, candidates 1..n)."""
    return _read(data, start, end, n_candidates, b" :,", _preflib_rows)
