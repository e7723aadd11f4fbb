"""The walk through the polytope: every panel it meets is a panel, and its mix is the target."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortition_helpers import bounds, random_pool

from bot.engines.sortition.decompose import _face_quotas, decompose
from bot.engines.sortition.feasibility import InfeasibleQuotas, check
from bot.engines.sortition.relaxation import relaxed_leximin
from bot.engines.sortition.walk import walk

FEATURES = {f"q{i}": ["a", "b", "c"] for i in range(7)}


def _instance(seed: int, size: int, seats: int):
    rng = random.Random(seed)
    pool = random_pool(rng, size, FEATURES)
    quotas = bounds(seats, [(f, v, 1 if v == "a" else 0, seats // 2) for f in FEATURES for v in ("a", "b")])
    groups = check(pool, quotas)
    return groups, quotas, relaxed_leximin(groups, quotas)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_every_point_left_is_the_rest_of_the_target(seed: int) -> None:
    """Whatever the walk reaches, each panel meets every quota, and the panels before any step
    with the point left at that step make up the target exactly."""
    try:
        groups, quotas, target = _instance(seed, 30, 6)
    except InfeasibleQuotas:
        return
    path = walk(groups, _face_quotas(groups, quotas, target), target)
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    for panel in path.panels:
        assert sum(panel) == quotas.panel_size
        assert all(0 <= s <= size for s, size in zip(panel, sizes, strict=True))
    for step in range(len(path.rest)):
        made = sum((w * np.asarray(p) for w, p in zip(path.weights[:step], path.panels[:step], strict=True)), 0.0)
        assert np.allclose(made + path.share[step] * path.rest[step], target, atol=1e-9)
    if path.finished:
        assert abs(sum(path.weights) - 1.0) < 1e-12


def test_a_realistic_pool_is_decomposed_to_within_rounding() -> None:
    groups, quotas, target = _instance(5, 60, 10)
    profiles, probabilities, _ = decompose(groups, quotas, target)
    assert profiles
    sizes = np.asarray([g.size for g in groups], dtype=np.float64)
    chances = np.asarray(probabilities) @ np.asarray(profiles, dtype=np.float64) / sizes
    assert np.abs(chances - target / sizes).max() < 1e-10
    assert len(set(profiles)) == len(profiles)
