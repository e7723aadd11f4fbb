"""The integer program whose solutions are exactly the quota-satisfying panel profiles.

A profile says how many members of each group sit on the panel. Column generation asks this
program, over and over, for the profile that is best for a given set of per-group weights (the
"pricing" step of Flanigan et al.); the model is built once and only its objective changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from bot.engines.sortition.groups import Group, quota_rows
from bot.engines.sortition.highs import add_columns, add_row, is_optimal, new_solver, set_costs
from bot.engines.sortition.model import Quotas

Profile = tuple[int, ...]


class PanelFinder:
    """Finds a quota-satisfying profile maximising a weighted head count."""

    def __init__(
        self,
        groups: Sequence[Group],
        quotas: Quotas,
        lower: Sequence[float] | None = None,
        upper: Sequence[float] | None = None,
    ) -> None:
        """LOWER and UPPER (seats per group, default 0 and the group's size) restrict the panels
        to a face of the polytope, as `decompose.py` needs."""
        self.groups = list(groups)
        h = new_solver()
        # Pricing must be solved to optimality: a gap could hide a better panel and stop
        # column generation early, below the true leximin value.
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-10)
        h.setOptionValue("presolve", "off")
        # Panels met on the way to the optimum are often also worth adding as columns.
        h.setOptionValue("mip_improving_solution_save", True)
        add_columns(
            h,
            [0.0] * len(groups) if lower is None else list(lower),
            [float(g.size) for g in groups] if upper is None else list(upper),
            integer=True,
        )
        every = list(range(len(groups)))
        add_row(h, quotas.panel_size, quotas.panel_size, every, [1.0] * len(groups))
        for bound, members in zip(quotas.bounds, quota_rows(groups, quotas), strict=True):
            add_row(h, bound.min, bound.max, members, [1.0] * len(members))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self._h = h
        self._lower = np.zeros(len(groups)) if lower is None else np.asarray(lower, dtype=np.float64)
        self._sizes = np.asarray([float(g.size) for g in groups] if upper is None else upper, dtype=np.float64)

    def presolve(self) -> None:
        """Let HiGHS simplify the program before each solve (it still solves it exactly)."""
        self._h.setOptionValue("presolve", "on")

    def on_face(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        line_min: np.ndarray,
        line_max: np.ndarray,
    ) -> Profile | None:
        """Some profile within these seat bounds and quota lines (in `quotas.bounds` order), or
        None when there is none. The bounds stay as given until the next call."""
        h = self._h
        n = len(self.groups)
        h.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
        lines = len(line_min)
        h.changeRowsBounds(lines, np.arange(1, lines + 1, dtype=np.int32), line_min, line_max)
        found = self.best([0.0] * n)
        return None if found is None else found[0]

    def best(self, weights: Sequence[float]) -> tuple[Profile, float] | None:
        """The best profile for these weights and its weight, or None when none exists."""
        h = self._h
        set_costs(h, weights)
        h.clearSolver()
        h.run()
        if not is_optimal(h):
            return None
        values = np.asarray(h.getSolution().col_value)
        profile = tuple(int(v) for v in np.rint(values))
        return profile, float(np.dot(profile, np.asarray(weights, dtype=np.float64)))

    def also_found(self) -> list[Profile]:
        """Other panels the last `best` call passed through (improving incumbents)."""
        return [tuple(int(v) for v in np.rint(np.asarray(s.col_value))) for s in self._h.getSavedMipSolutions()]

    def completable(self, at_least: Sequence[int]) -> bool:
        """Whether some feasible profile has at least `at_least[g]` members of each group."""
        h = self._h
        n = len(self.groups)
        columns = np.arange(n, dtype=np.int32)
        set_costs(h, [0.0] * n)
        h.changeColsBounds(n, columns, np.asarray(at_least, dtype=np.float64), self._sizes)
        h.clearSolver()
        h.run()
        found = is_optimal(h)
        h.changeColsBounds(n, columns, self._lower, self._sizes)
        return found
