"""Leximin against exact brute force on pools small enough to list every panel."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortition_helpers import (
    bounds,
    brute_force_leximin,
    feasible_panels,
    make_pool,
    meets,
    random_pool,
)

from bot.engines.sortition.feasibility import InfeasibleQuotas, check
from bot.engines.sortition.leximin import leximin


def _per_person(pool, quotas) -> list[float]:
    groups = check(pool, quotas)
    result = leximin(groups, quotas)
    chance = {}
    for group, p in zip(groups, result.group_probability, strict=True):
        for ticket in group.tickets:
            chance[ticket - 1] = p
    return [chance[i] for i in range(len(pool))]


FEATURES = {"gender": ["f", "m"], "age": ["young", "middle", "old"]}


@pytest.mark.parametrize("seed", range(12))
def test_leximin_matches_brute_force_on_tiny_pools(seed: int) -> None:
    rng = random.Random(seed)
    pool = random_pool(rng, rng.randint(6, 11), {**FEATURES, "area": ["n", "s"]})
    k = rng.randint(2, 5)
    quotas = bounds(
        k,
        [
            ("gender", "f", 1, k - 1),
            ("gender", "m", 1, k - 1),
            ("age", "young", rng.randint(0, 2), 2),
            ("age", "old", 0, rng.randint(1, 2)),
            ("area", "n", rng.randint(0, 2), rng.randint(2, 3)),
        ],
    )
    try:
        ours = _per_person(pool, quotas)
    except InfeasibleQuotas:  # an infeasible random instance: the brute force must agree
        assert feasible_panels(pool, quotas) == []
        return
    exact = brute_force_leximin(pool, quotas)
    assert min(ours) >= min(exact) - 1e-6
    # The whole sorted vector is leximin-optimal, not just its minimum.
    for a, b in zip(sorted(ours), sorted(exact), strict=True):
        assert a == pytest.approx(b, abs=1e-6)
    assert sum(ours) == pytest.approx(k, abs=1e-6)


def test_a_person_on_no_feasible_panel_gets_zero_and_the_rest_are_equalised() -> None:
    rows = [{"g": "a"}] * 4 + [{"g": "b"}] * 3 + [{"g": "c"}]
    pool = make_pool(rows)
    quotas = bounds(3, [("g", "a", 1, 2), ("g", "b", 1, 2), ("g", "c", 0, 0)])
    ours = _per_person(pool, quotas)
    assert ours[7] == 0.0
    assert min(ours[:7]) == pytest.approx(min(brute_force_leximin(pool, quotas)[:7]), abs=1e-6)


def test_every_profile_of_the_lottery_meets_the_quotas() -> None:
    rng = random.Random(42)
    pool = random_pool(rng, 60, {**FEATURES, "area": ["n", "s", "e"]})
    quotas = bounds(
        9,
        [
            ("gender", "f", 4, 5),
            ("gender", "m", 4, 5),
            ("age", "young", 2, 3),
            ("age", "old", 2, 3),
            ("area", "n", 2, 4),
            ("area", "s", 2, 4),
        ],
    )
    groups = check(pool, quotas)
    result = leximin(groups, quotas)
    assert sum(result.probabilities) == pytest.approx(1.0)
    for profile in result.profiles:
        people = [g.values for g, c in zip(groups, profile, strict=True) for _ in range(c)]
        features = quotas.features
        assert meets([dict(zip(features, v, strict=True)) for v in people], quotas)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_leximin_is_never_below_brute_force(data: st.DataObject) -> None:
    values = {"g": ["a", "b"], "h": ["x", "y", "z"]}
    size = data.draw(st.integers(4, 9))
    rows = [{f: data.draw(st.sampled_from(v)) for f, v in values.items()} for _ in range(size)]
    pool = make_pool(rows)
    k = data.draw(st.integers(1, min(4, size - 1)))
    # Quotas around a real panel, so every example is feasible yet often tight.
    witness = data.draw(st.permutations(range(size)))[:k]
    lines = []
    for feature, options in values.items():
        for value in options:
            seats = sum(1 for i in witness if rows[i][feature] == value)
            low = max(0, seats - data.draw(st.integers(0, 1)))
            lines.append((feature, value, low, seats + data.draw(st.integers(0, 1))))
    quotas = bounds(k, lines)
    ours = sorted(_per_person(pool, quotas))
    exact = sorted(brute_force_leximin(pool, quotas))
    for a, b in zip(ours, exact, strict=True):
        assert a == pytest.approx(b, abs=1e-6)


def test_a_stalled_warm_start_is_solved_again_from_scratch() -> None:
    """Found by the property test above: after two groups were fixed, HiGHS's warm-started
    primal simplex stalled ("unknown") on this pool. The master LP is then solved afresh."""
    rows = [{"g": g, "h": h} for g, h in (("a", "x"), ("a", "x"), ("b", "x"), ("b", "x"), ("a", "z"), ("b", "y"),
                                          ("a", "x"), ("a", "x"), ("b", "y"))]
    pool = make_pool(rows)
    quotas = bounds(4, [("g", "a", 1, 2), ("g", "b", 2, 3), ("h", "x", 2, 3), ("h", "y", 1, 2), ("h", "z", 0, 1)])
    ours = sorted(_per_person(pool, quotas))
    exact = sorted(brute_force_leximin(pool, quotas))
    for a, b in zip(ours, exact, strict=True):
        assert a == pytest.approx(b, abs=1e-6)
