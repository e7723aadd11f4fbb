"""LEXIMIN: the fairest lottery over quota-satisfying panels.

Flanigan, Gölz, Gupta, Hennig and Procaccia ("Fair algorithms for selecting citizens'
assemblies", Nature 596, 2021) choose the probability distribution over feasible panels whose
vector of selection probabilities is lexicographically largest when sorted: first the smallest
chance anyone has is made as large as possible, then the next smallest, and so on.

Each stage solves, by column generation, the dual of "maximise the least probability of the
not-yet-fixed people": minimise y0 - sum(fixed_g * Y_g) subject to, for every panel P,
sum over people i in P of y_i <= y0, the unfixed y summing to one, y >= 0. Panels enter as
constraints found by the pricing integer program (the panel maximising sum y_i); when no panel
violates y0 any more, the stage value is known and everyone whose dual y_i is positive is fixed
at it. A final LP over all panels found reads off a distribution meeting every fixed value.

Here people of one group (same answers) share one dual weight Y_g = n_g * y_i, so the LPs have
one row per group, and panels are profiles (a head count per group). This is exact, not an
approximation: the leximin probabilities are unique and symmetric within a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from bot.sortition.groups import Group
from bot.sortition.highs import add_columns, add_row, is_optimal, new_solver, set_costs
from bot.sortition.model import Quotas, SortitionError
from bot.sortition.panel_ip import PanelFinder, Profile

# Pricing must beat the master by this much to count as a new panel: HiGHS solves LPs to
# about 1e-9, so anything smaller is noise and would make column generation cycle.
IMPROVEMENT = 1e-8
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
    """Compute the leximin lottery. The quotas must have passed `feasibility.check`."""
    groups = list(groups)
    finder = PanelFinder(groups, quotas)
    profiles = _covering_profiles(finder, len(groups))
    coverable = [any(p[g] for p in profiles) for g in range(len(groups))]
    fixed: dict[int, float] = {g: 0.0 for g in range(len(groups)) if not coverable[g]}
    known = set(profiles)
    while len(fixed) < len(groups):
        value, duals = _stage(finder, groups, profiles, known, fixed)
        active = [g for g in range(len(groups)) if g not in fixed]
        newly = [g for g in active if duals[g] > POSITIVE_DUAL]
        if not newly:  # numerically flat duals: fix the largest so the loop always advances
            newly = [max(active, key=lambda g: duals[g])]
        for g in newly:
            fixed[g] = min(value, 1.0)
    probabilities = _final_distribution(groups, profiles, fixed)
    kept = [(p, q) for p, q in zip(profiles, probabilities, strict=True) if q > 1e-12]
    total = sum(q for _, q in kept)
    kept_profiles = [p for p, _ in kept]
    kept_probabilities = [q / total for _, q in kept]
    return LotteryResult(
        groups,
        kept_profiles,
        kept_probabilities,
        group_chances(groups, kept_profiles, kept_probabilities),
    )


def group_chances(
    groups: Sequence[Group], profiles: Sequence[Profile], probabilities: Sequence[float]
) -> list[float]:
    """Selection probability of one member of each group under the lottery."""
    matrix = np.asarray(profiles, dtype=np.float64)
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    return list((np.asarray(probabilities) @ matrix) / sizes)


def _covering_profiles(finder: PanelFinder, group_count: int) -> list[Profile]:
    """Panels that between them include every group that any feasible panel can include."""
    profiles: list[Profile] = []
    covered = [False] * group_count
    while not all(covered):
        found = finder.best([0.0 if c else 1.0 for c in covered])
        if found is None:
            raise SortitionError("No panel meets the quotas; check them before drawing.")
        profile, value = found
        if not profiles or value > 0.5:
            profiles.append(profile)
        if value < 0.5:
            break  # the remaining groups cannot be on any panel: their chance is zero
        covered = [c or x > 0 for c, x in zip(covered, profile, strict=True)]
    return profiles


def _stage(
    finder: PanelFinder,
    groups: list[Group],
    profiles: list[Profile],
    known: set[Profile],
    fixed: dict[int, float],
) -> tuple[float, list[float]]:
    """One leximin stage: the best least chance of the unfixed groups, and the duals."""
    g_count = len(groups)
    sizes = [float(g.size) for g in groups]
    h = new_solver()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    inf = highspy.kHighsInf
    upper = [0.0 if fixed.get(g) == 0.0 else inf for g in range(g_count)]
    add_columns(h, [0.0] * g_count, upper, integer=False)
    add_columns(h, [-inf], [inf], integer=False)  # y0
    set_costs(h, [-fixed.get(g, 0.0) for g in range(g_count)] + [1.0])
    active = [g for g in range(g_count) if g not in fixed]
    add_row(h, 1.0, 1.0, active, [1.0] * len(active))

    def add_panel(profile: Profile) -> None:
        members = [g for g in range(g_count) if profile[g]]
        add_row(h, -inf, 0.0, [*members, g_count], [profile[g] / sizes[g] for g in members] + [-1])

    for profile in profiles:
        add_panel(profile)
    while True:
        h.run()
        if not is_optimal(h):
            raise SortitionError("The fairness optimisation did not converge; please report this.")
        solution = np.asarray(h.getSolution().col_value)
        duals = [max(0.0, float(v)) for v in solution[:g_count]]
        y0 = float(solution[g_count])
        found = finder.best([duals[g] / sizes[g] for g in range(g_count)])
        if found is None:
            raise SortitionError("No panel meets the quotas; check them before drawing.")
        profile, value = found
        if value <= y0 + IMPROVEMENT or profile in known:
            return float(h.getInfo().objective_function_value), duals
        known.add(profile)
        profiles.append(profile)
        add_panel(profile)


def _final_distribution(
    groups: list[Group], profiles: list[Profile], fixed: dict[int, float]
) -> list[float]:
    """A distribution over the panels found that gives every group its leximin chance."""
    for slack in (1e-9, 1e-7, 1e-5):
        h = new_solver()
        add_columns(h, [0.0] * len(profiles), [1.0] * len(profiles), integer=False)
        add_row(h, 1.0, 1.0, list(range(len(profiles))), [1.0] * len(profiles))
        for g, group in enumerate(groups):
            members = [p for p, profile in enumerate(profiles) if profile[g]]
            if fixed[g] <= 0.0 or not members:
                continue
            coefficients = [profiles[p][g] / group.size for p in members]
            add_row(h, fixed[g] - slack, highspy.kHighsInf, members, coefficients)
        h.run()
        if is_optimal(h):
            values = np.clip(np.asarray(h.getSolution().col_value), 0.0, None)
            return list(values / values.sum())
    raise SortitionError("The fairness optimisation did not converge; please report this.")
