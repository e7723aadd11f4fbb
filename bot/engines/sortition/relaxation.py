"""LEXIMIN over the panels' linear relaxation: an upper bound that is usually the answer.

Integer panels are the integer points of a polytope: seats per group between 0 and the group's
size, the panel size, and every quota line. Every lottery's seat expectations lie in the convex
hull of those integer points, which is inside the polytope itself. LEXIMIN over the polytope is
a short sequence of small linear programs (one variable per group, no panels at all), and it is
at least as good, in the leximin order, as LEXIMIN over lotteries. So if a lottery achieves the
relaxed optimum exactly, that lottery is LEXIMIN: no other lottery can beat the bound.
`decompose.py` looks for such a lottery; on real-shaped pools it exists, and finding it costs
one walk through the polytope (`walk.py`) instead of one column generation per leximin stage.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from bot.engines.sortition.groups import Group, quota_rows
from bot.engines.sortition.highs import add_columns, add_row, is_optimal, new_solver, set_costs
from bot.engines.sortition.model import Quotas, SortitionError
from bot.engines.sortition.words import N_

# A dual weight above this marks a group whose share cannot rise further (as in leximin.py).
POSITIVE_DUAL = 1e-9


def relaxed_leximin(groups: Sequence[Group], quotas: Quotas) -> np.ndarray:
    """Expected seats per group under LEXIMIN over the relaxation (fractional panels)."""
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    count = len(groups)
    h = new_solver()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    inf = highspy.kHighsInf
    add_columns(h, [0.0] * count, list(sizes), integer=False)  # seats of each group
    add_columns(h, [-inf], [inf], integer=False)  # z, the least share not yet fixed
    add_row(h, quotas.panel_size, quotas.panel_size, list(range(count)), [1.0] * count)
    for bound, members in zip(quotas.bounds, quota_rows(groups, quotas), strict=True):
        add_row(h, bound.min, bound.max, members, [1.0] * len(members))
    first = h.getNumRow()
    for g in range(count):  # seats_g / size_g - z >= 0
        add_row(h, 0.0, inf, [g, count], [1.0 / sizes[g], -1.0])
    set_costs(h, [0.0] * count + [1.0])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    unfixed = set(range(count))
    while unfixed:
        h.run()
        if not is_optimal(h):
            raise SortitionError(N_("The fairness optimisation did not converge; please report this."))
        solution = h.getSolution()
        z = float(solution.col_value[count])
        duals = np.abs(np.asarray(solution.row_dual)[first:])
        newly = [g for g in sorted(unfixed) if duals[g] > POSITIVE_DUAL]
        if not newly:  # the duals of the unfixed rows add up to one, so this is rounding noise
            newly = [max(sorted(unfixed), key=lambda g: duals[g])]
        for g in newly:
            h.changeCoeff(first + g, count, 0.0)
            h.changeRowBounds(first + g, min(z, 1.0), inf)
            unfixed.discard(g)
    return np.clip(np.asarray(h.getSolution().col_value[:count], dtype=np.float64), 0.0, sizes)
