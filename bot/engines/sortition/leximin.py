"""LEXIMIN: the fairest lottery over quota-satisfying panels.

Flanigan, Gölz, Gupta, Hennig and Procaccia ("Fair algorithms for selecting citizens'
assemblies", Nature 596, 2021) choose the probability distribution over feasible panels whose
vector of selection probabilities is lexicographically largest when sorted: first the smallest
chance anyone has is made as large as possible, then the next smallest, and so on.

Each stage maximises the least chance z of the not-yet-fixed people, given the chances already
fixed, over a growing set of panels (the restricted master LP). Its dual assigns each person a
weight y_i >= 0; a panel not yet known improves z only if its members' weights add up to more
than the dual's price y0, so the pricing integer program looks for the panel of largest weight
and adds it as a new column. When none beats y0, z is optimal for this stage and everyone whose
dual weight is positive is fixed at z (they cannot all rise together). The last stage's
solution is the lottery: it meets every fixed value.

Here people of one group (same answers) share one dual weight Y_g = n_g * y_i, so the LPs have
one row per group, and panels are profiles (a head count per group). This is exact, not an
approximation: the leximin probabilities are unique and symmetric within a group.

With six or seven quota questions nearly everyone is a group of their own, and these stages
(one column generation each, with an exact pricing program to close each one) take minutes to
hours. So `leximin` first solves the fractional relaxation (`relaxation.py`) and looks for a
lottery that meets it (`decompose.py`, by a walk through the polytope and, near its end, column
generation): no stages, and the relaxation's bound proves the result. The stages run only when
that bound cannot be met.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from bot.engines.sortition.decompose import decompose
from bot.engines.sortition.groups import Group
from bot.engines.sortition.highs import lottery_master, solve_master
from bot.engines.sortition.model import Quotas, SortitionError
from bot.engines.sortition.panel_ip import PanelFinder, Profile
from bot.engines.sortition.relaxation import relaxed_leximin
from bot.engines.sortition.words import N_

# Pricing must beat the master by this much to count as a new panel: HiGHS solves LPs to
# about 1e-9, so anything smaller is noise and would make column generation cycle.
IMPROVEMENT = 1e-8
# Weight of the best dual so far when smoothing the duals used for pricing.
SMOOTHING = 0.5
# A dual weight above this marks a group whose probability cannot rise further.
POSITIVE_DUAL = 1e-8


@dataclass(frozen=True)
class LotteryResult:
    """Panels (as group profiles) with probabilities, and each group member's chance."""

    groups: list[Group]
    profiles: list[Profile]
    probabilities: list[float]
    group_probability: list[float]

    @property
    def min_probability(self) -> float:
        return min(self.group_probability)


def leximin(groups: Sequence[Group], quotas: Quotas) -> LotteryResult:
    """Compute the leximin lottery. The quotas must have passed `feasibility.check`.

    First the relaxed optimum (fractional panels, `relaxation.py`), which bounds every lottery;
    if a lottery meets it (`decompose.py`), that lottery is the answer. Otherwise the staged
    column generation below, seeded with the panels found on the way.
    """
    groups = list(groups)
    target = relaxed_leximin(groups, quotas)
    profiles, probabilities, seen = decompose(groups, quotas, target)
    if profiles:
        return LotteryResult(groups, profiles, probabilities, group_chances(groups, profiles, probabilities))
    return _staged(groups, quotas, seen)


def _staged(groups: list[Group], quotas: Quotas, seen: Sequence[Profile]) -> LotteryResult:
    """Leximin stage by stage (Flanigan et al.), for pools where the relaxed bound is out of reach."""
    finder = PanelFinder(groups, quotas)
    profiles = _covering_profiles(finder, len(groups)) + list(seen)
    coverable = [g for g in range(len(groups)) if any(p[g] for p in profiles)]
    master = _Master(groups, coverable)
    for profile in profiles:
        master.add(profile)
    unfixed = set(coverable)
    while unfixed:
        value, duals = _stage(finder, master)
        newly = [g for g in sorted(unfixed) if duals[g] > POSITIVE_DUAL]
        if not newly:  # numerically flat duals: fix the largest so the loop always advances
            newly = [max(sorted(unfixed), key=lambda g: duals[g])]
        for g in newly:
            master.fix(g, min(value, 1.0))
            unfixed.discard(g)
    probabilities = master.distribution()
    kept = [(p, q) for p, q in zip(master.profiles, probabilities, strict=True) if q > 0.0]
    total = sum(q for _, q in kept)
    kept_profiles = [p for p, _ in kept]
    kept_probabilities = [q / total for _, q in kept]
    return LotteryResult(
        groups,
        kept_profiles,
        kept_probabilities,
        group_chances(groups, kept_profiles, kept_probabilities),
    )


def group_chances(groups: Sequence[Group], profiles: Sequence[Profile], probabilities: Sequence[float]) -> list[float]:
    """Selection probability of one member of each group under the lottery."""
    matrix = np.asarray(profiles, dtype=np.float64)
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    return [float(x) for x in (np.asarray(probabilities) @ matrix) / sizes]


def _covering_profiles(finder: PanelFinder, group_count: int) -> list[Profile]:
    """Panels that between them include every group that any feasible panel can include."""
    profiles: list[Profile] = []
    covered = [False] * group_count
    while not all(covered):
        found = finder.best([0.0 if c else 1.0 for c in covered])
        if found is None:
            raise SortitionError(N_("No panel meets the quotas; check them before drawing."))
        profile, value = found
        if not profiles or value > 0.5:
            profiles.append(profile)
        if value < 0.5:
            break  # the remaining groups cannot be on any panel: their chance is zero
        covered = [c or x > 0 for c, x in zip(covered, profile, strict=True)]
    return profiles


class _Master:
    """The restricted master LP, kept warm across stages.

    Columns: the shift z and one probability per known panel. Row 0 makes the probabilities
    sum to one; row r(g) says group g's chance is at least z (unfixed) or at least its fixed
    value (fixed). Maximise z. Its row duals are the per-group weights Y_g of the paper's dual,
    and y0 = z + sum(fixed_g * Y_g) is the price a new panel must beat.
    """

    def __init__(self, groups: list[Group], coverable: list[int]) -> None:
        self.groups = groups
        self.row_of = {g: r + 1 for r, g in enumerate(coverable)}
        self.fixed: dict[int, float] = {}
        self.profiles: list[Profile] = []
        self.known: set[Profile] = set()
        self._h = lottery_master([1.0] * len(coverable))  # z: every coverable group's chance

    def add(self, profile: Profile) -> bool:
        if profile in self.known:
            return False
        self.known.add(profile)
        self.profiles.append(profile)
        rows = [0] + [self.row_of[g] for g, x in enumerate(profile) if x]
        values = [1.0] + [x / self.groups[g].size for g, x in enumerate(profile) if x]
        self._h.addCol(
            0.0,
            0.0,
            highspy.kHighsInf,
            len(rows),
            np.asarray(rows, dtype=np.int32),
            np.asarray(values, dtype=np.float64),
        )
        return True

    def fix(self, group: int, value: float) -> None:
        row = self.row_of[group]
        self.fixed[group] = value
        self._h.changeCoeff(row, 0, 0.0)
        self._h.changeRowBounds(row, value, highspy.kHighsInf)

    def solve(self) -> tuple[float, list[float], float]:
        """(z, per-group dual weights Y_g, the price y0)."""
        h = self._h
        if not solve_master(h):
            raise SortitionError(N_("The fairness optimisation did not converge; please report this."))
        row_dual = np.asarray(h.getSolution().row_dual)
        duals = [0.0] * len(self.groups)
        for g, row in self.row_of.items():
            duals[g] = abs(float(row_dual[row]))
        z = float(h.getSolution().col_value[0])
        y0 = z + sum(value * duals[g] for g, value in self.fixed.items())
        return z, duals, y0

    def distribution(self) -> list[float]:
        """The panel probabilities of the last solve, which meet every fixed value."""
        values = np.clip(np.asarray(self._h.getSolution().col_value)[1:], 0.0, None)
        return [float(v) for v in values / values.sum()]


def _stage(finder: PanelFinder, master: _Master) -> tuple[float, list[float]]:
    """One leximin stage: the best least chance of the unfixed groups, and the duals.

    Pricing uses smoothed duals (Wentges): a mix of the master's duals and the best dual seen
    so far in this stage. Raw LP duals jump between extreme points and make column generation
    zig-zag; the smoothed ones home in on the optimum in far fewer pricing calls. A panel is
    only added if it improves on the master's own duals, and the stage ends only when pricing
    with the master's own duals finds nothing, so the result is exactly that of plain column
    generation.
    """
    sizes = np.asarray([g.size for g in master.groups], dtype=np.float64)
    floors = np.zeros(len(master.groups))
    for g, value in master.fixed.items():
        floors[g] = value
    center: np.ndarray | None = None
    center_bound = np.inf
    smooth = True
    while True:
        z, duals, y0 = master.solve()
        raw = np.asarray(duals)
        price = raw if center is None or not smooth else SMOOTHING * center + (1 - SMOOTHING) * raw
        found = finder.best(list(price / sizes))
        if found is None:
            raise SortitionError(N_("No panel meets the quotas; check them before drawing."))
        profile, value = found
        # Any dual of this stage gives an upper bound on z; remember the tightest.
        bound = value - float(floors @ price)
        if bound < center_bound:
            center, center_bound = price, bound
        added = False
        for extra in [profile, *finder.also_found()]:
            if float(np.dot(extra, raw / sizes)) > y0 + IMPROVEMENT:
                added = master.add(extra) or added
        if added:
            smooth = True
        elif price is raw:
            return z, duals
        else:
            smooth = False  # mispriced: check the master's own duals before stopping
