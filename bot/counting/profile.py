"""A ballot profile: identical ballots folded together, held in numpy arrays.

A national ballot has about a million papers but far fewer distinct orders of preference, so every
count works on distinct rankings with a multiplicity. A card vote (a delegate carrying the weight
of their membership) is simply a multiplicity: weight w is the same as w identical papers, which is
what the statutory rules say a weighted paper must mean.

Rankings are candidate indices, padded on the right with -1 and always ending with at least one
-1 column, so a reader can walk a paper forward without bounds checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

END = -1
"""Padding after the last preference of a paper."""

_WITHDRAWN = -2
"""Internal marker for a preference that is skipped (withdrawn candidate)."""


@dataclass(frozen=True)
class Profile:
    """Distinct rankings with multiplicities, plus what the ballot file said about the election."""

    candidates: tuple[str, ...]
    rankings: np.ndarray
    multiplicity: np.ndarray
    withdrawn: frozenset[int] = frozenset()
    seats: int | None = None
    title: str | None = None
    blank: int = 0
    """Papers that had no usable preference (not valid, not counted)."""
    notes: tuple[str, ...] = field(default=())
    descriptions: tuple[str, ...] = field(default=())
    """Per-candidate text that some files carry after the name (a party), or empty."""

    @property
    def papers(self) -> int:
        """Total valid papers (card weights included)."""
        return int(self.multiplicity.sum())

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


def _cut_after_end(arr: np.ndarray) -> None:
    """Blank every position after the first END: a paper stops where its preferences stop."""
    ended = np.cumsum(arr == END, axis=1) > 0
    arr[ended] = END


def _cut_repeats(arr: np.ndarray, n_candidates: int) -> None:
    """A preference repeating an earlier one ends the paper there (it gives no new order)."""
    rows, width = arr.shape
    if n_candidates <= 62:
        seen = np.zeros(rows, dtype=np.int64)
        stopped = np.zeros(rows, dtype=bool)
        for k in range(width):
            col = arr[:, k]
            live = (col >= 0) & ~stopped
            bit = np.left_shift(np.int64(1), np.where(live, col, 0).astype(np.int64))
            dup = live & ((seen & bit) != 0)
            stopped |= dup
            arr[stopped, k] = END
            seen = np.where(live & ~dup, seen | bit, seen)
        return
    for k in range(1, width):
        col = arr[:, k]
        dup = np.zeros(rows, dtype=bool)
        for j in range(k):
            dup |= (arr[:, j] == col) & (col >= 0)
        arr[dup, k:] = END


def _compact(arr: np.ndarray) -> np.ndarray:
    """Close the gaps left by withdrawn candidates, keeping the order of the rest."""
    if not (arr == _WITHDRAWN).any():
        return arr
    order = np.argsort(arr < 0, axis=1, kind="stable")
    out = np.take_along_axis(arr, order, axis=1)
    out[out == _WITHDRAWN] = END
    return out


def _group(arr: np.ndarray, weights: np.ndarray, n_candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """Fold identical rows, summing their weights exactly (integer arithmetic)."""
    rows, width = arr.shape
    if rows == 0:
        return arr, weights
    base = n_candidates + 1
    if width * np.log2(base) < 62:
        key = np.zeros(rows, dtype=np.int64)
        for k in range(width):
            key = key * base + (arr[:, k].astype(np.int64) + 1)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        view = np.ascontiguousarray(arr).view(np.dtype((np.void, arr.dtype.itemsize * width)))
        _, first, inverse = np.unique(view.ravel(), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(first)))
    sums = np.add.reduceat(weights[order], starts)
    return arr[first], sums.astype(np.int64)


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
) -> Profile:
    """Clean and fold ballots given as rows of 0-based candidate indices (-1 ends a paper).

    Preferences for withdrawn candidates are skipped (later ones move up, as a returning officer
    skips a withdrawn name); a repeated candidate ends the paper; papers left with no preference
    are blank and not valid. Weights must be positive integers.
    """
    n = len(candidates)
    if isinstance(rankings, np.ndarray):
        arr = np.array(rankings, dtype=np.int16, copy=True)
        if arr.ndim != 2:
            raise ValueError("rankings must be a two-dimensional array")
    else:
        rows = [list(r) for r in rankings]
        width = max((len(r) for r in rows), default=0)
        arr = np.full((len(rows), width), END, dtype=np.int16)
        for i, r in enumerate(rows):
            arr[i, : len(r)] = r
    if weights is None:
        w = np.ones(arr.shape[0], dtype=np.int64)
    else:
        w = np.asarray(weights, dtype=np.int64)
        if w.shape != (arr.shape[0],):
            raise ValueError("one weight per ballot is needed")
        if (w <= 0).any():
            raise ValueError("ballot weights must be positive whole numbers")
    if arr.size and ((arr >= n) | (arr < END)).any():
        raise ValueError("a ranking names a candidate that does not exist")
    arr = np.concatenate([arr, np.full((arr.shape[0], 1), END, dtype=np.int16)], axis=1)
    _cut_after_end(arr)
    _cut_repeats(arr, n)
    gone = frozenset(int(x) for x in withdrawn)
    for c in gone:
        arr[arr == c] = _WITHDRAWN
    arr = _compact(arr)
    non_blank = arr[:, 0] >= 0
    blank = int(w[~non_blank].sum())
    arr, w = arr[non_blank], w[non_blank]
    used = int((arr >= 0).sum(axis=1).max()) if arr.shape[0] else 0
    arr = np.ascontiguousarray(arr[:, : used + 1])
    arr, w = _group(arr, w, n)
    return Profile(
        candidates=tuple(candidates),
        rankings=arr,
        multiplicity=w,
        withdrawn=gone,
        seats=seats,
        title=title,
        blank=blank,
        notes=tuple(notes),
        descriptions=tuple(descriptions),
    )
