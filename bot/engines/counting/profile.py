"""A ballot profile: identical ballots folded together, held in numpy arrays.

A national ballot has about a million papers but far fewer distinct orders of preference, so every
count works on distinct rankings with a multiplicity. A card vote (a delegate carrying the weight
of their membership) is simply a multiplicity: weight w is the same as w identical papers, which is
what the statutory rules say a weighted paper must mean.

Rankings are candidate indices, padded on the right with -1 and always ending with at least one
-1 column, so a reader can walk a paper forward without bounds checks.

Counts are exact at any size. Multiplicities are held as int64 - the fast path, with numpy doing
the sums - only when the valid total provably fits in 64 bits; otherwise as Python integers in an
object array, on which the same numpy code sums exactly (just more slowly). No count is ever
wrapped round or turned into a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

END = -1
"""Padding after the last preference of a paper."""

MAX_CANDIDATES = 10_000
"""Far beyond any real ballot; keeps candidate numbers inside 16-bit rankings."""

MAX_DIGITS = 1000
"""The most digits the ballots' weights may add up to (a total below 10**1000), and so the longest
number a ballot file may hold. No real election comes near it; the bound keeps every figure of a
count printable (Python refuses to turn integers of more than 4300 digits into text), and a
profile written out as BLT (folded weights included) reads back."""

INT64_MAX = int(np.iinfo(np.int64).max)

_WITHDRAWN = -2
"""Internal marker for a preference that is skipped (withdrawn candidate)."""


@dataclass(frozen=True)
class Profile:
    """Distinct rankings with multiplicities, plus what the ballot file said about the election."""

    candidates: tuple[str, ...]
    rankings: np.ndarray
    multiplicity: np.ndarray
    """Votes each distinct ranking carries: the sum of its papers' weights (what every count uses).
    int64 when the total provably fits in 64 bits, else Python integers (an object array)."""
    counts: np.ndarray
    """Physical ballots behind each distinct ranking (a card vote of any weight is one)."""
    withdrawn: frozenset[int] = frozenset()
    seats: int | None = None
    title: str | None = None
    blank: int = 0
    """Papers that had no usable preference (not valid, not counted)."""
    notes: tuple[str, ...] = field(default=())
    descriptions: tuple[str, ...] = field(default=())
    """Per-candidate text that some files carry after the name (a party), or empty."""

    def __post_init__(self) -> None:
        # However the profile was made, a multiplicity whose total might not fit in int64 is
        # widened to Python integers here, so no count can wrap round.
        object.__setattr__(self, "multiplicity", _exact_weights(self.multiplicity))

    @property
    def papers(self) -> int:
        """Total valid papers (card weights included)."""
        return int(self.multiplicity.sum())

    @property
    def ballots_cast(self) -> int:
        """Valid ballots as cast, each card vote counted once whatever its weight."""
        return int(self.counts.sum())

    @property
    def standing(self) -> tuple[int, ...]:
        """Indices of candidates taking part in the count (not withdrawn)."""
        return tuple(i for i in range(len(self.candidates)) if i not in self.withdrawn)

    def ballots(self) -> list[tuple[tuple[int, ...], int]]:
        """Each distinct ranking with its multiplicity, for writers and small tests."""
        out = []
        for row, m in zip(self.rankings.tolist(), self.multiplicity.tolist(), strict=True):
            out.append((tuple(c for c in row if c >= 0), int(m)))
        return out


def _exact_weights(w: np.ndarray) -> np.ndarray:
    """W as int64 when its sum provably fits in 64 bits, else as Python integers.

    The proof is cheap in the normal case (largest weight x number of rows fits); only when that
    fails is the exact total computed.
    """
    if w.dtype == object:
        return w
    if w.dtype.kind not in "iu":
        raise ValueError("ballot weights must be positive whole numbers")
    if w.size and (w.dtype.kind == "u" or int(w.max()) > INT64_MAX // w.size):
        values = w.tolist()
        if max(values) > INT64_MAX or sum(values) > INT64_MAX:
            return np.array(values, dtype=object)
    return w.astype(np.int64, copy=False)


def exact(profile: Profile) -> Profile:
    """The same profile on the exact path: multiplicities as Python integers, whatever their size.

    Profiles too large for 64 bits take this path on their own; tests force it on small ones to
    check that both paths count alike.
    """
    return replace(profile, multiplicity=np.array(profile.multiplicity.tolist(), dtype=object))


def _weights(weights: np.ndarray | Sequence[int] | None, rows: int) -> np.ndarray:
    """One positive whole weight per ballot, as int64 or (when large) Python integers."""
    if weights is None:
        return np.ones(rows, dtype=np.int64)
    if isinstance(weights, np.ndarray) and weights.dtype.kind in "iu":
        w = weights
    else:
        values = weights.tolist() if isinstance(weights, np.ndarray) else list(weights)
        if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
            raise ValueError("ballot weights must be positive whole numbers")
        values = [int(v) for v in values]
        try:
            w = np.array(values, dtype=np.int64)
        except OverflowError:
            w = np.array(values, dtype=object)
    if w.shape != (rows,):
        raise ValueError("one weight per ballot is needed")
    if rows and (w <= 0).any():
        raise ValueError("ballot weights must be positive whole numbers")
    if w.dtype == object and sum(w.tolist()) >= 10**MAX_DIGITS:
        raise ValueError(f"the ballots' weights add up to more than {MAX_DIGITS} digits, the most that can be counted")
    return _exact_weights(w)


def _cut(arr: np.ndarray, n_candidates: int) -> np.ndarray:
    """End every paper at its first END and at its first repeated candidate (a repeat gives no
    new order); return the number of preferences each paper keeps.

    One sweep over the columns, each looking only at the papers that still have a preference
    there, so it costs what the preferences number, not rows x width. A bit per candidate
    screens for repeats (a preference whose bit is already set repeats someone) when there are
    at most 64 candidates, a sort of each row otherwise; only the rare offending rows, and rows
    with preferences after a gap, are walked one by one.
    """
    n_rows, width = arr.shape
    length = np.full(n_rows, width, dtype=np.int64)
    if arr.size == 0:
        return np.zeros(n_rows, dtype=np.int64)
    bits = n_candidates <= 64
    rows = np.arange(n_rows)
    seen = np.zeros(n_rows, dtype=np.uint64) if bits else None
    found: list[np.ndarray] = []
    for k in range(width):
        column = arr[:, k] if k == 0 else arr[rows, k]
        live = column >= 0
        if not live.all():
            length[rows[~live]] = k
            rows, column = rows[live], column[live]
            if seen is not None:
                seen = seen[live]
        if not rows.size:
            break
        if seen is not None:
            bit = np.left_shift(np.uint64(1), column.astype(np.uint64))
            hit = (seen & bit) != 0
            if hit.any():
                found.append(rows[hit])
            seen |= bit
    # Papers with preferences after their first END (a gap): blank the rest.
    for r in np.flatnonzero(np.count_nonzero(arr >= 0, axis=1) != length).tolist():
        arr[r, length[r] :] = END
    if bits:
        suspects = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    else:
        ordered = np.sort(arr, axis=1)
        clash = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
        suspects = np.flatnonzero(clash.any(axis=1))
    for r in suspects.tolist():
        met: set[int] = set()
        for k in range(int(length[r])):
            c = int(arr[r, k])
            if c in met:
                arr[r, k:] = END
                length[r] = k
                break
            met.add(c)
    return length


def _compact(arr: np.ndarray) -> np.ndarray:
    """Close the gaps left by withdrawn candidates, keeping the order of the rest."""
    if not (arr == _WITHDRAWN).any():
        return arr
    order = np.argsort(arr < 0, axis=1, kind="stable")
    out = np.take_along_axis(arr, order, axis=1)
    out[out == _WITHDRAWN] = END
    return out


def _group(arr: np.ndarray, weights: np.ndarray, n_candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """Fold identical rows (entries -1..n-1), summing their weights exactly, with one sort.

    `weights` has one row per ranking and may have several columns (weight, ballot count); the
    sums keep its dtype (int64 only when the caller has proved the totals fit).
    """
    rows, width = arr.shape
    if rows == 0 or width == 0:
        return arr, weights
    base = n_candidates + 1
    if width * np.log2(base) < 62:
        powers = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
        key = (arr.astype(np.int64) + 1) @ powers
    else:
        return _group_wide(arr, weights, n_candidates)
    order = np.argsort(key)
    sorted_key = key[order]
    starts = np.concatenate([[0], np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1])
    if starts.size == rows:
        return arr[order], weights[order]  # every row distinct: nothing to add up
    sums = np.add.reduceat(weights[order], starts, axis=0)
    return arr[order[starts]], sums


def _group_wide(arr: np.ndarray, weights: np.ndarray, n_candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """_group for rows too wide for one 63-bit key: the same order one long key would give,
    reached a word at a time.

    Rows are sorted by an exact key of their first few preferences; only rows that tie with
    another on it are sorted further, by the key of the next few, and so on. Most papers are
    short and most rows settle on the first word, so the cost follows the preferences, not
    rows x width. Rows left tied after the last word are identical (every key is exact), and
    are summed as the narrow _group sums them.
    """
    rows, width = arr.shape
    base = n_candidates + 1
    per_word = 1
    while base ** (per_word + 1) < 2**62:
        per_word += 1

    def word(j: int, which: np.ndarray | slice) -> np.ndarray:
        part = arr[which, j * per_word : (j + 1) * per_word].astype(np.int64) + 1
        key = part[:, 0].copy()
        for column in range(1, part.shape[1]):
            key *= base
            key += part[:, column]
        return key

    key = word(0, slice(None))
    order = np.argsort(key)
    ordered = key[order]
    new = np.empty(rows, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    for j in range(1, -(-width // per_word)):
        run = np.cumsum(new) - 1
        tied = np.flatnonzero(np.bincount(run)[run] > 1)
        if not tied.size:
            break
        run = run[tied]
        key = word(j, order[tied])
        by = np.lexsort((key, run))
        order[tied] = order[tied][by]
        key, run = key[by], run[by]
        split = np.empty(tied.size, dtype=bool)
        split[0] = True
        split[1:] = (key[1:] != key[:-1]) | (run[1:] != run[:-1])
        new[tied] = split
    starts = np.flatnonzero(new)
    if starts.size == rows:
        return arr[order], weights[order]  # every row distinct: nothing to add up
    sums = np.add.reduceat(weights[order], starts, axis=0)
    return arr[order[starts]], sums


def build_profile(
    candidates: Sequence[str],
    rankings: np.ndarray | Sequence[Sequence[int]],
    weights: np.ndarray | Sequence[int] | None = None,
    *,
    withdrawn: Iterable[int] = (),
    seats: int | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    descriptions: Sequence[str] = (),
    papers: np.ndarray | None = None,
    owned: bool = False,
) -> Profile:
    """Clean and fold ballots given as rows of 0-based candidate indices (-1 ends a paper).

    Preferences for withdrawn candidates are skipped (later ones move up, as a returning officer
    skips a withdrawn name); a repeated candidate ends the paper; papers left with no preference
    are blank and not valid. Weights must be positive whole numbers adding up to at most
    MAX_DIGITS digits; any size below that is counted exactly. PAPERS, when the rows were
    already folded by a reader, is the number of physical ballots behind each row (else one).
    OWNED says the caller gives RANKINGS away (a reader passing an int16 array it made): it is
    then cleaned in place instead of copied, which matters when it holds a million rows.
    """
    n = len(candidates)
    if n > MAX_CANDIDATES:
        raise ValueError(f"at most {MAX_CANDIDATES} candidates can be counted")
    unknown = ValueError("a ranking names a candidate that does not exist")
    if isinstance(rankings, np.ndarray):
        if rankings.ndim != 2:
            raise ValueError("rankings must be a two-dimensional array")
        if rankings.dtype.kind not in "iu":
            raise unknown
        # Checked before narrowing to 16 bits, so that no out-of-range number can wrap round
        # into a real candidate's.
        if rankings.size and (int(rankings.max()) >= n or int(rankings.min()) < END):
            raise unknown
        closed = rankings.shape[1] > 0 and bool((rankings[:, -1] == END).all())
        if owned and closed and rankings.dtype == np.int16 and rankings.flags.c_contiguous:
            arr = rankings  # already closed by an END column, and ours to change
        else:
            # One copy, with an END column after the last preference (the caller's array is
            # not changed).
            arr = np.full((rankings.shape[0], rankings.shape[1] + 1), END, dtype=np.int16)
            arr[:, :-1] = rankings
    else:
        rows = [list(r) for r in rankings]
        width = max((len(r) for r in rows), default=0)
        arr = np.full((len(rows), width), END, dtype=np.int16)
        try:
            for i, r in enumerate(rows):
                arr[i, : len(r)] = r
        except (OverflowError, TypeError, ValueError):
            raise unknown from None
        if arr.size and (int(arr.max()) >= n or int(arr.min()) < END):
            raise unknown
        arr = np.concatenate([arr, np.full((arr.shape[0], 1), END, dtype=np.int16)], axis=1)
    w = _weights(weights, arr.shape[0])
    # Fold identical raw rows first (a reader that passes PAPERS has done so): a million papers
    # have far fewer distinct markings, and all the cleaning below then works on those. Cleaning
    # can make distinct rows equal, so fold again.
    if papers is None:
        ones = np.ones_like(w)
    elif w.dtype == object:
        ones = np.array(np.asarray(papers).tolist(), dtype=object)
    else:
        ones = np.asarray(papers, dtype=np.int64)
    if ones.shape != w.shape:
        raise ValueError("one paper count per ballot row is needed")
    wc = np.stack([w, ones], axis=1)
    if papers is None:
        arr, wc = _group(arr, wc, n)
    length = _cut(arr, n)
    gone = frozenset(int(x) for x in withdrawn)
    for c in gone:
        arr[arr == c] = _WITHDRAWN
    if gone:
        arr = _compact(arr)
        length = np.count_nonzero(arr >= 0, axis=1)
    non_blank = length > 0
    blank = int(wc[~non_blank, 0].sum())
    if not non_blank.all():
        arr, wc, length = arr[non_blank], wc[non_blank], length[non_blank]
    used = int(length.max()) if arr.shape[0] else 0
    arr = np.ascontiguousarray(arr[:, : used + 1])
    arr, wc = _group(arr, wc, n)
    multiplicity = np.ascontiguousarray(wc[:, 0])
    if multiplicity.dtype == object and sum(multiplicity.tolist()) <= INT64_MAX:
        multiplicity = multiplicity.astype(np.int64)  # the blank papers were what did not fit
    return Profile(
        candidates=tuple(candidates),
        rankings=arr,
        multiplicity=multiplicity,
        counts=np.ascontiguousarray(wc[:, 1]).astype(np.int64),
        withdrawn=gone,
        seats=seats,
        title=title or None,  # an empty title is none: one thing, however a file or a caller writes it
        blank=blank,
        notes=tuple(notes),
        descriptions=tuple(descriptions),
    )
