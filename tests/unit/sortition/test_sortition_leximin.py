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

from bot.engines.sortition.decompose import decompose
from bot.engines.sortition.feasibility import InfeasibleQuotas, check
from bot.engines.sortition.leximin import _staged, leximin
from bot.engines.sortition.relaxation import relaxed_leximin


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
    # Quotas around a real panel, so every example is feasible yet often tight.
    pool, quotas = _around_a_panel(data, {"g": ["a", "b"], "h": ["x", "y", "z"]})
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


FOUR = {"g": ["a", "b"], "h": ["x", "y", "z"], "i": ["n", "s"], "j": ["p", "q"]}


def _around_a_panel(data: st.DataObject, values: dict[str, list[str]]):
    """A small pool and quotas drawn around one real panel, so every example is feasible."""
    size = data.draw(st.integers(4, 9))
    rows = [{f: data.draw(st.sampled_from(v)) for f, v in values.items()} for _ in range(size)]
    k = data.draw(st.integers(1, min(4, size - 1)))
    witness = data.draw(st.permutations(range(size)))[:k]
    lines = []
    for feature, options in values.items():
        for value in options:
            seats = sum(1 for i in witness if rows[i][feature] == value)
            low = max(0, seats - data.draw(st.integers(0, 1)))
            lines.append((feature, value, low, seats + data.draw(st.integers(0, 1))))
    return make_pool(rows), bounds(k, lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_least_chance_equals_an_exact_solve_with_four_questions(data: st.DataObject) -> None:
    """Four questions, so the relaxed bound is sometimes out of reach and the staged method
    runs (the pinned example below is one); either way the result is the exact leximin."""
    pool, quotas = _around_a_panel(data, FOUR)
    ours = sorted(_per_person(pool, quotas))
    exact = sorted(brute_force_leximin(pool, quotas))
    assert ours[0] == pytest.approx(exact[0], abs=1e-9)
    for a, b in zip(ours, exact, strict=True):
        assert a == pytest.approx(b, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_panel_of_every_lottery_meets_every_quota(data: st.DataObject) -> None:
    pool, quotas = _around_a_panel(data, FOUR)
    groups = check(pool, quotas)
    result = leximin(groups, quotas)
    assert sum(result.probabilities) == pytest.approx(1.0, abs=1e-12)
    assert all(q > 0 for q in result.probabilities)
    for profile in result.profiles:
        assert all(0 <= c <= g.size for c, g in zip(profile, groups, strict=True))
        people = [g.values for g, c in zip(groups, profile, strict=True) for _ in range(c)]
        assert meets([dict(zip(quotas.features, v, strict=True)) for v in people], quotas)


def test_when_the_relaxed_bound_is_out_of_reach_the_staged_method_finds_leximin() -> None:
    """Three seats from six people, four questions: fractional panels would do better than any
    lottery, so the relaxed bound cannot be met and the staged column generation decides."""
    rows = [
        {"g": "b", "h": "z", "i": "n", "j": "p"},
        {"g": "a", "h": "x", "i": "n", "j": "p"},
        {"g": "a", "h": "z", "i": "n", "j": "q"},
        {"g": "a", "h": "y", "i": "n", "j": "p"},
        {"g": "b", "h": "x", "i": "n", "j": "q"},
        {"g": "b", "h": "z", "i": "s", "j": "p"},
    ]
    quotas = bounds(
        3,
        [("g", "a", 2, 4), ("g", "b", 0, 1), ("h", "x", 1, 2), ("h", "y", 0, 2), ("h", "z", 1, 2),
         ("i", "n", 2, 3), ("i", "s", 0, 0), ("j", "p", 2, 3), ("j", "q", 0, 2)],
    )
    pool = make_pool(rows)
    groups = check(pool, quotas)
    profiles, _, _ = decompose(groups, quotas, relaxed_leximin(groups, quotas))
    assert profiles == []
    ours = sorted(_per_person(pool, quotas))
    exact = sorted(brute_force_leximin(pool, quotas))
    for a, b in zip(ours, exact, strict=True):
        assert a == pytest.approx(b, abs=1e-9)


def test_a_realistic_pool_meets_the_relaxed_bound_and_agrees_with_the_staged_method() -> None:
    """Seven questions, most people a group of their own: the bound is met in one column
    generation, and the staged method (the slow way, still fine at this size) agrees."""
    rng = random.Random(3)
    features = {f"q{i}": ["a", "b", "c"] for i in range(7)}
    pool = random_pool(rng, 40, features)
    quotas = bounds(8, [(f, v, 2 if v == "a" else 1, 4) for f in features for v in ("a", "b")])
    groups = check(pool, quotas)
    assert len(groups) > 35
    profiles, _, _ = decompose(groups, quotas, relaxed_leximin(groups, quotas))
    assert profiles
    fast = sorted(leximin(groups, quotas).group_probability)
    slow = sorted(_staged(groups, quotas, []).group_probability)
    for a, b in zip(fast, slow, strict=True):
        assert a == pytest.approx(b, abs=1e-9)
