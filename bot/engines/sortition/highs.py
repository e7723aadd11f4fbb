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
