"""A lottery meeting the relaxed bound, built panel by panel (a Carathéodory walk).

Column generation (`decompose.py`) finds a lottery meeting x*, the relaxed LEXIMIN, by pricing
panels against a master linear program; with seven quota questions nearly every volunteer is a
group of their own, the master has a row per group, and its degenerate duals make it add one
or two useful panels per exact pricing program. A lottery meeting x* needs about as many panels
as there are groups, so that is hundreds of rounds.

The walk finds them directly. At a point x of the polytope, take any panel p on the smallest
face that holds x, and step from p through x until the first quota line or seat bound becomes
tight: x' = x + mu * (x - p). Then x is the mix x = (mu * p + x') / (1 + mu), and x' lies on a
smaller face, so the next step has one fewer free direction. When x' is itself a panel the walk
is over, and x* is the mix of the panels met on the way, each found by one small feasibility
program (no master at all), about one per group. (Choosing the panel that holds most of x's
seats takes fewer steps, but each program is slower and the walk ends in a dead end sooner.)

Every step stays inside the fractional polytope, but with three or more quota questions a
point of it need not be a mix of panels: the walk can reach a face with no panel on it (on
real-shaped pools, after almost all of the weight is placed). Then `decompose.py` goes back a
few steps and finishes from there by column generation, which is small there, since most
groups are already fixed on that face.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.engines.sortition.groups import Group, quota_rows
from bot.engines.sortition.model import Quotas
from bot.engines.sortition.panel_ip import PanelFinder, Profile

# Seats within this of a bound count as on it, at the start. Each step scales the point left
# over (and its rounding error) up by 1 + mu, that is by 1 / share overall, so the tolerance
# grows with it: DRIFT / share, which is DRIFT in the target's own terms.
TIGHT = 1e-9
DRIFT = 1e-12
# The walk stops when what is left weighs less than this (its point is then only good to
# DRIFT / SMALLEST), and `decompose.py` finishes as from a dead end.
SMALLEST = 1e-6
# A step this long means x is within rounding of the panel: the point left over is not to be
# trusted (its error grows with the step), so the walk stops and lets column generation finish.
LONGEST_STEP = 1e6


@dataclass
class Walk:
    """Panels met on the way with their weights, and the point left at each step.

    `rest[i]` is the point left after `i` steps and `share[i]` its weight, so the target is
    sum(weights[:i] * panels[:i]) + share[i] * rest[i] for every i; `finished` says whether the
    last point left was a panel (then `share` ends in 0 and the panels alone make the target).
    """

    panels: list[Profile]
    weights: list[float]
    rest: list[np.ndarray]
    share: list[float]
    finished: bool


def walk(groups: Sequence[Group], face: Quotas, target: np.ndarray) -> Walk:
    """Walk from TARGET (a point of FACE's fractional polytope) until a panel or a dead end."""
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    count = len(groups)
    lines = np.zeros((len(face.bounds), count))
    for row, members in enumerate(quota_rows(groups, face)):
        lines[row, members] = 1.0
    least = np.asarray([b.min for b in face.bounds], dtype=np.float64)
    most = np.asarray([b.max for b in face.bounds], dtype=np.float64)
    finder = PanelFinder(groups, face)
    # Any panel of the face will do, so the program has no objective, and HiGHS's presolve
    # (with its feasibility heuristics) usually finds one before any branching.
    finder.presolve()
    x = np.clip(np.asarray(target, dtype=np.float64), 0.0, sizes)
    share = 1.0
    result = Walk([], [], [x], [share], False)
    while share > SMALLEST:
        tight = max(TIGHT, DRIFT / share)
        seats = lines @ x
        at_least = np.abs(seats - least) < tight
        at_most = np.abs(seats - most) < tight
        lower = np.where(x > sizes - tight, sizes, 0.0)
        upper = np.where(x < tight, 0.0, sizes)
        found = finder.on_face(
            lower,
            upper,
            np.where(at_most, most, least),
            np.where(at_least, least, most),
        )
        if found is None:
            return result
        panel = np.asarray(found, dtype=np.float64)
        step = x - panel
        if np.abs(step).max() < tight:
            result.panels.append(found)
            result.weights.append(share)
            result.rest.append(panel)
            result.share.append(0.0)
            result.finished = True
            return result
        mu = _longest(x, step, sizes, seats, lines @ step, least, most, at_least | at_most)
        if not 0.0 < mu < LONGEST_STEP:
            return result
        result.panels.append(found)
        result.weights.append(share * mu / (1.0 + mu))
        share /= 1.0 + mu
        x = np.clip(x + mu * step, 0.0, sizes)
        result.rest.append(x)
        result.share.append(share)
    return result


def _longest(
    x: np.ndarray,
    step: np.ndarray,
    sizes: np.ndarray,
    seats: np.ndarray,
    change: np.ndarray,
    least: np.ndarray,
    most: np.ndarray,
    tight: np.ndarray,
) -> float:
    """The largest mu keeping x + mu * step within every seat bound and quota line."""
    mu = np.inf
    down = step < -1e-12
    up = step > 1e-12
    if down.any():
        mu = min(mu, float((x[down] / -step[down]).min()))
    if up.any():
        mu = min(mu, float(((sizes[up] - x[up]) / step[up]).min()))
    rising = (change > 1e-12) & ~tight
    falling = (change < -1e-12) & ~tight
    if rising.any():
        mu = min(mu, float(((most[rising] - seats[rising]) / change[rising]).min()))
    if falling.any():
        mu = min(mu, float(((seats[falling] - least[falling]) / -change[falling]).min()))
    return mu
