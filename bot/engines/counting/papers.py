"""Ballot papers in the hands of candidates, moved in bulk with numpy.

A parcel is a set of distinct rankings (row indices into the profile) together with the position
of the preference that put each paper where it is. All papers in a parcel carry one value, the
value at which they were received - exactly what the rules need to compute transfer values
paper by paper.

Papers are counted in the profile's own dtype: int64 when the profile has proved its total fits
(every partial sum here is at most that total), Python integers otherwise - never wrapped round.
"""

from __future__ import annotations

import numpy as np

Parcel = tuple[np.ndarray, np.ndarray]
"""(rows, positions): which rankings, and at which preference each paper now sits."""


def advance(rankings: np.ndarray, rows: np.ndarray, pos: np.ndarray, stops: np.ndarray) -> Parcel:
    """Walk each paper to its next available preference.

    `stops` has one entry per candidate plus a final True for the end of a paper (index -1):
    a paper stops at a continuing candidate or at its end. Returns (holder, position); a holder
    of -1 means the paper is non-transferable.
    """
    pos = pos + 1
    holder = rankings[rows, pos]
    todo = np.flatnonzero(~stops[holder])
    while todo.size:
        pos[todo] += 1
        h = rankings[rows[todo], pos[todo]]
        holder[todo] = h
        todo = todo[~stops[h]]
    return holder, pos


class Holdings:
    """Who holds which papers, bundled by the value the papers carry."""

    def __init__(self, rankings: np.ndarray, multiplicity: np.ndarray, n_candidates: int) -> None:
        self.rankings = rankings
        self.multiplicity = multiplicity
        self.n = n_candidates
        self.piles: list[dict[int, list[Parcel]]] = [{} for _ in range(n_candidates)]

    def deal(self, rows: np.ndarray, pos: np.ndarray, holder: np.ndarray, value: int) -> np.ndarray:
        """Give each paper to its holder at `value`; papers per holder, index n = exhausted."""
        small = holder.astype(np.int16) if self.n < 32000 else holder
        order = np.argsort(small, kind="stable")  # radix sort for 16-bit keys
        h_sorted = holder[order]
        rows, pos = rows[order], pos[order]
        papers = np.concatenate([[0], np.cumsum(self.multiplicity[rows])])
        bounds = np.searchsorted(h_sorted, np.arange(-1, self.n + 1))
        counts = np.zeros(self.n + 1, dtype=self.multiplicity.dtype)
        for c in range(-1, self.n):
            lo, hi = bounds[c + 1], bounds[c + 2]
            if lo == hi:
                continue
            counts[c] = papers[hi] - papers[lo]
            if c >= 0:
                self.piles[c].setdefault(value, []).append((rows[lo:hi], pos[lo:hi]))
        return counts

    def take(self, candidate: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Remove and return a candidate's papers, one (value, rows, positions) per value."""
        out = []
        for value, parcels in sorted(self.piles[candidate].items(), reverse=True):
            rows = np.concatenate([p[0] for p in parcels])
            pos = np.concatenate([p[1] for p in parcels])
            out.append((value, rows, pos))
        self.piles[candidate] = {}
        return out

    def papers_of(self, rows: np.ndarray) -> int:
        return int(self.multiplicity[rows].sum())
