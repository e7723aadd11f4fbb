"""Small helpers around highspy so the solver modules read as mathematics, not plumbing."""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np


class _QuietHighs(highspy.Highs):
    """highspy's solver with its output switched off before it can print anything.

    highspy's constructor registers its callbacks (``enableCallbacks``), and HiGHS prints its
    banner ("Running HiGHS …, Copyright …") to the process's standard output the first time that
    happens with output on: straight into the console chat's transcript and into the JSON that
    ``quorum sortition draw`` writes to stdout. Switching the output off here, before the
    callbacks are registered, silences it at the source.
    """

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        self.setOptionValue("log_to_console", False)
        super().enableCallbacks()


def new_solver() -> highspy.Highs:
    """A silent, single-threaded, deterministic HiGHS instance.

    One thread keeps results identical from run to run; the models here are small enough that
    parallelism would not help anyway.
    """
    h = _QuietHighs()
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h


def add_columns(h: highspy.Highs, lower: Sequence[float], upper: Sequence[float], integer: bool) -> None:
    n = len(lower)
    h.addVars(n, np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64))
    if integer:
        start = h.getNumCol() - n
        h.changeColsIntegrality(
            n,
            np.arange(start, start + n, dtype=np.int32),
            np.full(n, highspy.HighsVarType.kInteger),
        )


def add_row(
    h: highspy.Highs,
    lower: float,
    upper: float,
    columns: Sequence[int],
    coefficients: Sequence[float],
) -> None:
    h.addRow(
        lower,
        upper,
        len(columns),
        np.asarray(columns, dtype=np.int32),
        np.asarray(coefficients, dtype=np.float64),
    )


def set_costs(h: highspy.Highs, costs: Sequence[float]) -> None:
    n = len(costs)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(costs, dtype=np.float64))


def is_optimal(h: highspy.Highs) -> bool:
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def lottery_master(targets: Sequence[float]) -> highspy.Highs:
    """The master program of a lottery over panels, with no panel yet: maximise t subject to
    the panel probabilities summing to 1 (row 0) and, for each group g (row g+1), the chance
    it gets being at least t * TARGETS[g]. Panels arrive later as columns (1 in row 0, their
    share of each group below), which keeps the last basis primal feasible: primal simplex
    restarts from it in a few pivots, where dual simplex would start far away."""
    h = new_solver()
    h.setOptionValue("primal_feasibility_tolerance", 1e-12)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("simplex_strategy", 4)
    inf = highspy.kHighsInf
    add_columns(h, [-inf], [inf], integer=False)  # t
    set_costs(h, [1.0])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    add_row(h, 1.0, 1.0, [], [])
    for target in targets:
        add_row(h, 0.0, inf, [0], [-float(target)])
    return h


def solve_master(h: highspy.Highs) -> bool:
    """Solve a master program warm; whether it reached an optimum. Warm-started primal simplex
    can stall on a degenerate basis at these tolerances (HiGHS then says "unknown"): it is then
    solved again from scratch, then with dual simplex, and left warm for the next round."""
    h.run()
    if not is_optimal(h):
        for strategy in (4, 1):
            h.setOptionValue("simplex_strategy", strategy)
            h.clearSolver()
            h.run()
            if is_optimal(h):
                break
        h.setOptionValue("simplex_strategy", 4)
    return is_optimal(h)
