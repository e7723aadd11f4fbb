"""Shared builders and brute-force references for the sortition tests."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import highspy
import numpy as np

from bot.engines.sortition.model import QuotaBound, Quotas, Volunteer


def make_pool(rows: Sequence[dict[str, str]]) -> list[Volunteer]:
    return [Volunteer(f"v{i}", row) for i, row in enumerate(rows)]


def random_pool(rng: random.Random, size: int, features: dict[str, list[str]]) -> list[Volunteer]:
    return make_pool([{f: rng.choice(vs) for f, vs in features.items()} for _ in range(size)])


def meets(panel_features: Sequence[dict[str, str]], quotas: Quotas) -> bool:
    if len(panel_features) != quotas.panel_size:
        return False
    for b in quotas.bounds:
        seats = sum(1 for f in panel_features if f[b.feature] == b.value)
        if not b.min <= seats <= b.max:
            return False
    return True


def feasible_panels(pool: Sequence[Volunteer], quotas: Quotas) -> list[tuple[int, ...]]:
    """Every quota-satisfying panel, as pool indices."""
    return [
        combo
        for combo in itertools.combinations(range(len(pool)), quotas.panel_size)
        if meets([pool[i].features for i in combo], quotas)
    ]


def _max_of(panels: list[tuple[int, ...]], n: int, floors: dict[int, float], target: int | None):
    """LP over all panels: maximise t (target None) or p_target, keeping p_i >= floors[i]."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    m = len(panels)
    h.addVars(m + 1, np.zeros(m + 1), np.ones(m + 1))
    h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
    for i in range(n):
        cols = [p for p, panel in enumerate(panels) if i in panel]
        if i in floors:
            h.addRow(floors[i], highspy.kHighsInf, len(cols), np.array(cols, np.int32), np.ones(len(cols)))
        elif target is None:
            idx = np.array([*cols, m], np.int32)
            vals = np.array([1.0] * len(cols) + [-1.0])
            h.addRow(0.0, highspy.kHighsInf, len(idx), idx, vals)
    costs = np.zeros(m + 1)
    if target is None:
        costs[m] = 1.0
    else:
        costs[[p for p, panel in enumerate(panels) if target in panel]] = 1.0
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), costs)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    return h.getInfo().objective_function_value


def brute_force_leximin(pool: Sequence[Volunteer], quotas: Quotas) -> list[float]:
    """Leximin probabilities by the textbook method over all panels, person by person."""
    panels = feasible_panels(pool, quotas)
    n = len(pool)
    floors = {i: 0.0 for i in range(n) if not any(i in p for p in panels)}
    while len(floors) < n:
        t = _max_of(panels, n, floors, None)
        unfixed = [i for i in range(n) if i not in floors]
        trial = {**floors, **{i: t - 1e-9 for i in unfixed}}
        stuck = []
        for i in unfixed:
            others = {j: v for j, v in trial.items() if j != i}
            if _max_of(panels, n, others, i) <= t + 1e-7:
                stuck.append(i)
        for i in stuck or unfixed:
            floors[i] = t
    return [floors[i] for i in range(n)]


def bounds(panel_size: int, rows: Sequence[tuple[str, str, int, int]]) -> Quotas:
    return Quotas.of(panel_size, [QuotaBound(*row) for row in rows])
