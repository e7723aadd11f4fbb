"""A lottery whose expected seats are exactly the relaxed LEXIMIN, when one exists.

`relaxation.py` gives the expected seats x* that LEXIMIN would have if panels could be
fractional; it bounds every real lottery. The walk (`walk.py`) builds a lottery meeting x*
panel by panel and usually places all but a sliver of the weight; column generation finishes
from a few steps before its end (or, failing that, from x* itself). It looks for panels p and
probabilities lambda with sum(lambda_p * p) >= t * x* and maximal t. Reaching t = 1 proves that
the lottery is LEXIMIN (nothing can beat the bound it meets), with no leximin stages at all.
If the exact pricing program finds no better panel while t < 1, the bound is not reachable and
`leximin.py` runs the staged method, starting from the panels found here.

Only panels on the smallest face of the relaxation that holds x* can be part of such a lottery
(an average sits on a face only if every panel averaged does), so every quota line that x*
meets exactly is an equality, and a group with no seat or every seat in x* keeps it, for the
pricing program and the cheap moves alike. The master linear program is the restricted one
over the panels found so far; when the list grows past a few per group, the panels whose
reduced cost is furthest from zero are dropped, which keeps each solve small without changing
what can be proved (a dropped panel that is wanted again is priced in again).
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from bot.engines.sortition.groups import Group, quota_rows
from bot.engines.sortition.highs import lottery_master, solve_master
from bot.engines.sortition.model import QuotaBound, Quotas
from bot.engines.sortition.panel_ip import PanelFinder, Profile
from bot.engines.sortition.swaps import Swaps
from bot.engines.sortition.walk import walk

# Seats within this of a bound count as on it.
TIGHT = 1e-7
# t this close to one is the bound met (HiGHS solves these LPs to about 1e-10).
REACHED = 1e-10
# A panel must beat the master's price by this much to be added.
IMPROVEMENT = 1e-9
# Keep at most POOL_LIMIT * groups panels in the master; prune down to POOL_KEEP * groups.
POOL_LIMIT = 3
POOL_KEEP = 1.5
# From a dead end of the walk, column generation starts this many steps back (then further).
BACK = (4, 32)
# A lottery from the walk is used if it gives every group its target chance to within this.
ACCURATE = 1e-11


def decompose(
    groups: Sequence[Group], quotas: Quotas, target: np.ndarray
) -> tuple[list[Profile], list[float], list[Profile]]:
    """(profiles, probabilities, []) meeting TARGET exactly, or ([], [], panels found) if none does.

    First the walk (`walk.py`), which usually gets most of the way; from a dead end it goes
    back a few steps and finishes by column generation on the smaller face there, and only if
    that fails too does column generation start from TARGET itself (which also proves the bound
    out of reach, when it is).
    """
    groups = list(groups)
    path = walk(groups, _face_quotas(groups, quotas, target), target)
    if path.finished:
        lottery = _mix(groups, target, path.panels, path.weights)
        if lottery is not None:
            return lottery[0], lottery[1], []
    steps = len(path.panels)
    for back in BACK:
        at = steps - back
        if at <= 0:
            break
        profiles, probabilities, _ = _generate(groups, quotas, path.rest[at], [])
        if profiles:
            share = path.share[at]
            lottery = _mix(
                groups,
                target,
                path.panels[:at] + profiles,
                path.weights[:at] + [share * q for q in probabilities],
            )
            if lottery is not None:
                return lottery[0], lottery[1], []
    return _generate(groups, quotas, target, path.panels)


def _mix(
    groups: list[Group], target: np.ndarray, panels: list[Profile], weights: list[float]
) -> tuple[list[Profile], list[float]] | None:
    """The lottery of these panels and weights (repeats merged), if it gives every group its
    TARGET seats to within ACCURATE; None if rounding has moved it further than that."""
    merged: dict[Profile, float] = {}
    for panel, weight in zip(panels, weights, strict=True):
        if weight > 0.0:
            merged[panel] = merged.get(panel, 0.0) + weight
    profiles = list(merged)
    total = sum(merged.values())
    probabilities = [merged[p] / total for p in profiles]
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    seats = np.asarray(probabilities) @ np.asarray(profiles, dtype=np.float64)
    if float(np.abs((seats - target) / sizes).max()) > ACCURATE:
        return None
    return profiles, probabilities


def _generate(
    groups: list[Group], quotas: Quotas, target: np.ndarray, seeds: Sequence[Profile]
) -> tuple[list[Profile], list[float], list[Profile]]:
    """Column generation for a lottery meeting TARGET, starting from SEEDS as well."""
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    lower = np.where(target > sizes - TIGHT, sizes, 0.0)
    upper = np.where(target < TIGHT, 0.0, sizes)
    face = _face_quotas(groups, quotas, target)
    finder = PanelFinder(groups, face, lower, upper)
    # The face's equalities leave presolve much to remove: a third faster per pricing program.
    finder.presolve()
    swaps = Swaps(groups, face, lower, upper)
    rows = [g for g in range(len(groups)) if upper[g] > 0]
    master = _Master(len(groups), rows, target)
    for seed in seeds:
        master.add(seed)
    if not _cover(finder, master, rows, target, sizes):
        return [], [], list(master.profiles)
    while True:
        t, y, y0 = master.solve()
        if t >= 1.0 - REACHED:
            profiles, probabilities = master.lottery()
            return profiles, probabilities, []
        best = finder.best(list(y))
        if best is None:
            return [], [], list(master.profiles)
        # The best panel, the improving ones the program met on the way, and every panel one
        # seat away from the best: many good columns for one integer program.
        found = _add_improving(master, [best[0], *finder.also_found(), *swaps.neighbours(best[0], y)], y, y0)
        if not found:  # the exact pricing program proves the bound out of reach
            return [], [], list(master.profiles)
        master.prune()


def _add_improving(master: _Master, panels: list[Profile], y: np.ndarray, y0: float) -> int:
    if not panels:
        return 0
    values = np.asarray(panels, dtype=np.float64) @ y
    return sum(master.add(p) for p, v in zip(panels, values, strict=True) if v > y0 + IMPROVEMENT)


def _face_quotas(groups: list[Group], quotas: Quotas, target: np.ndarray) -> Quotas:
    """The quotas with every line that TARGET meets exactly turned into an equality."""
    lines = []
    for bound, members in zip(quotas.bounds, quota_rows(groups, quotas), strict=True):
        seats = float(target[members].sum()) if members else 0.0
        if abs(seats - bound.min) < TIGHT:
            lines.append(QuotaBound(bound.feature, bound.value, bound.min, bound.min))
        elif abs(seats - bound.max) < TIGHT:
            lines.append(QuotaBound(bound.feature, bound.value, bound.max, bound.max))
        else:
            lines.append(bound)
    return Quotas(quotas.panel_size, tuple(lines))


def _cover(finder: PanelFinder, master: _Master, rows: list[int], target: np.ndarray, sizes: np.ndarray) -> bool:
    """Add panels until every group with expected seats is on one (else t would stay 0).

    False if some such group is on no panel of the face at all.
    """
    first = finder.best(list(target / sizes))
    if first is None:
        return False
    master.add(first[0])
    uncovered = np.zeros(len(sizes))
    uncovered[rows] = 1.0
    for profile in [first[0], *master.profiles]:
        uncovered[np.asarray(profile) > 0] = 0.0
    while uncovered.any():
        found = finder.best(list(uncovered))
        if found is None or found[1] < 0.5:
            return False
        master.add(found[0])
        uncovered[np.asarray(found[0]) > 0] = 0.0
    return True


class _Master:
    """max t subject to sum(lambda_p * p_g) >= t * target_g for each group with seats, and
    sum(lambda) = 1. Row duals are the pricing weights; y0, the convexity row's, is the price."""

    def __init__(self, count: int, rows: list[int], target: np.ndarray) -> None:
        self.row_of = {g: r + 1 for r, g in enumerate(rows)}
        self._row = np.full(count, -1, dtype=np.int64)
        for g, r in self.row_of.items():
            self._row[g] = r
        self.count = count
        self.profiles: list[Profile] = []
        self.known: set[Profile] = set()
        self._h = lottery_master([target[g] for g in rows])  # t: each group's share of its bound

    def add(self, profile: Profile) -> bool:
        profile = tuple(int(v) for v in profile)
        if profile in self.known:
            return False
        self.known.add(profile)
        self.profiles.append(profile)
        seats = np.asarray(profile, dtype=np.float64)
        on = np.nonzero((seats > 0) & (self._row >= 0))[0]
        rows = np.concatenate(([0], self._row[on])).astype(np.int32)
        values = np.concatenate(([1.0], seats[on]))
        self._h.addCol(0.0, 0.0, highspy.kHighsInf, len(rows), rows, values)
        return True

    def solve(self) -> tuple[float, np.ndarray, float]:
        """(t, per-group pricing weights, the price y0 a new panel must beat)."""
        h = self._h
        if not solve_master(h):
            return 0.0, np.zeros(self.count), np.inf
        solution = h.getSolution()
        row_dual = np.abs(np.asarray(solution.row_dual))
        weights = np.zeros(self.count)
        for g, row in self.row_of.items():
            weights[g] = row_dual[row]
        return float(solution.col_value[0]), weights, float(row_dual[0])

    def prune(self) -> None:
        """Drop the panels furthest from being used once there are more than a few per group."""
        h = self._h
        if len(self.profiles) <= POOL_LIMIT * len(self.row_of):
            return
        reduced = np.abs(np.asarray(h.getSolution().col_dual)[1:])
        keep = int(POOL_KEEP * len(self.row_of))
        order = np.argsort(reduced, kind="stable")
        drop = np.sort(order[keep:])
        h.deleteCols(len(drop), (drop + 1).astype(np.int32))
        kept = np.sort(order[:keep])
        self.profiles = [self.profiles[i] for i in kept]
        self.known = set(self.profiles)

    def lottery(self) -> tuple[list[Profile], list[float]]:
        values = np.clip(np.asarray(self._h.getSolution().col_value)[1:], 0.0, None)
        total = float(values.sum())
        used = [i for i, v in enumerate(values) if v > 0.0]
        return [self.profiles[i] for i in used], [float(values[i]) / total for i in used]
