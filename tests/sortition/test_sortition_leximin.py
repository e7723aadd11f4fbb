"""Leximin against exact brute force on pools small enough to list every panel."""

from __future__ import annotations

import random

import pytest
from sortition_helpers import bounds, brute_force_leximin, make_pool, meets, random_pool

from bot.sortition.feasibility import check
from bot.sortition.leximin import leximin


def _per_person(pool, quotas) -> list[float]:
    groups = check(pool, quotas)
    result = leximin(groups, quotas)
    chance = {}
    for group, p in zip(groups, result.group_probability, strict=True):
        for ticket in group.tickets:
            chance[ticket - 1] = p
    return [chance[i] for i in range(len(pool))]


FEATURES = {"gender": ["f", "m"], "age": ["young", "middle", "old"]}


@pytest.mark.parametrize("seed", range(8))
def test_leximin_matches_brute_force_on_tiny_pools(seed: int) -> None:
    rng = random.Random(seed)
    pool = random_pool(rng, rng.randint(6, 10), FEATURES)
    k = rng.randint(2, 4)
    quotas = bounds(
        k,
        [
            ("gender", "f", 1, k - 1),
            ("gender", "m", 1, k - 1),
            ("age", "young", rng.randint(0, 1), 2),
            ("age", "old", 0, rng.randint(1, 2)),
        ],
    )
    try:
        ours = _per_person(pool, quotas)
    except Exception:  # an infeasible random instance: the brute force must agree
        from sortition_helpers import feasible_panels

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
        [("gender", "f", 4, 5), ("gender", "m", 4, 5), ("age", "young", 2, 3),
         ("age", "old", 2, 3), ("area", "n", 2, 4), ("area", "s", 2, 4)],
    )
    groups = check(pool, quotas)
    result = leximin(groups, quotas)
    assert sum(result.probabilities) == pytest.approx(1.0)
    for profile in result.profiles:
        people = [g.values for g, c in zip(groups, profile, strict=True) for _ in range(c)]
        features = quotas.features
        assert meets([dict(zip(features, v, strict=True)) for v in people], quotas)
