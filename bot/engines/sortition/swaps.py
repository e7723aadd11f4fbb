"""Cheap columns: panels one seat away from a known panel.

Column generation needs many good panels, and an exact integer program per panel is the slow
part. Moving one seat from group a to group b keeps every quota if, for every question where a
and b answer differently, a's answer may lose a seat and b's may gain one. That test is a few
array comparisons for all pairs at once, so the best move out of every group of the pricing
program's panel costs about as much as one small matrix product, and gives the master up to a
hundred more panels per program solved. They are only extra columns: what is proved still rests
on the exact program.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.engines.sortition.groups import Group
from bot.engines.sortition.model import Quotas
from bot.engines.sortition.panel_ip import Profile


class Swaps:
    """One-seat moves that keep a panel within the quotas (and within per-group bounds)."""

    def __init__(
        self,
        groups: Sequence[Group],
        quotas: Quotas,
        lower: np.ndarray | None = None,
        upper: np.ndarray | None = None,
    ) -> None:
        sizes = np.asarray([g.size for g in groups], dtype=np.int64)
        self.lower = np.zeros(len(groups), dtype=np.int64) if lower is None else np.asarray(lower, dtype=np.int64)
        self.upper = sizes if upper is None else np.asarray(upper, dtype=np.int64)
        self.answer: list[np.ndarray] = []  # per question: each group's answer, as an index
        self.least: list[np.ndarray] = []  # per question and answer: the quota's minimum
        self.most: list[np.ndarray] = []  # ... and maximum (infinite when there is no line)
        for position, feature in enumerate(quotas.features):
            values = sorted({g.values[position] for g in groups})
            index = {v: i for i, v in enumerate(values)}
            self.answer.append(np.asarray([index[g.values[position]] for g in groups], dtype=np.int64))
            least = np.zeros(len(values))
            most = np.full(len(values), np.inf)
            for bound in quotas.bounds:
                if bound.feature == feature and bound.value in index:
                    least[index[bound.value]] = bound.min
                    most[index[bound.value]] = bound.max
            self.least.append(least)
            self.most.append(most)

    def neighbours(self, profile: Sequence[int], weights: np.ndarray) -> list[Profile]:
        """For each group that can give up a seat, the panel after its best allowed move."""
        x = np.asarray(profile, dtype=np.int64)
        out = np.nonzero(x > self.lower)[0]
        into = np.nonzero(x < self.upper)[0]
        if not len(out) or not len(into):
            return []
        allowed = np.ones((len(out), len(into)), dtype=bool)
        for answer, least, most in zip(self.answer, self.least, self.most, strict=True):
            seats = np.bincount(answer, weights=x, minlength=len(least))
            can_lose = seats - 1 >= least
            can_gain = seats + 1 <= most
            a, b = answer[out], answer[into]
            allowed &= (a[:, None] == b[None, :]) | (can_lose[a][:, None] & can_gain[b][None, :])
        gain = np.where(allowed, weights[into][None, :] - weights[out][:, None], -np.inf)
        best = np.argmax(gain, axis=1)
        found: list[Profile] = []
        for row, column in enumerate(best):
            if gain[row, column] > -np.inf:
                moved = x.copy()
                moved[out[row]] -= 1
                moved[into[column]] += 1
                found.append(tuple(int(v) for v in moved))
        return found
