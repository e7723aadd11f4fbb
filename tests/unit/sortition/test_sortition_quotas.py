"""Quotas are always met, and infeasible quotas are explained with a minimal fix."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortition_helpers import bounds, make_pool, meets

from bot.engines.sortition import InfeasibleQuotas, QuotaBound, Quotas, SortitionError, check, prepare
from bot.engines.sortition.groups import group_pool
from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel

FEATURES = {"gender": ["f", "m", "x"], "age": ["young", "old"]}


@st.composite
def pools_and_quotas(draw: st.DrawFn) -> tuple[list, Quotas]:
    size = draw(st.integers(4, 14))
    rows = [{f: draw(st.sampled_from(values)) for f, values in FEATURES.items()} for _ in range(size)]
    k = draw(st.integers(1, min(size, 6)))
    quota_rows = []
    for feature, values in FEATURES.items():
        for value in values:
            if draw(st.booleans()):
                low = draw(st.integers(0, k))
                quota_rows.append(QuotaBound(feature, value, low, draw(st.integers(low, k))))
    return make_pool(rows), Quotas.of(k, quota_rows)


def _profiles(pool, quotas):
    groups = group_pool(pool, quotas)
    ranges = [range(g.size + 1) for g in groups]
    return groups, [c for c in itertools.product(*ranges) if sum(c) == quotas.panel_size]


def _violation(groups, quotas, counts) -> int:
    index = {f: i for i, f in enumerate(quotas.features)}
    total = 0
    for b in quotas.bounds:
        seats = sum(c for g, c in zip(groups, counts, strict=True) if g.values[index[b.feature]] == b.value)
        total += max(0, b.min - seats) + max(0, seats - b.max)
    return total


def _relaxed(quotas: Quotas, error: InfeasibleQuotas) -> Quotas:
    changes = {r.bound: r for r in error.relaxations}
    new = []
    for b in quotas.bounds:
        r = changes.get(b)
        if r:
            b = dataclasses.replace(b, min=b.min - r.lower_min_by, max=b.max + r.raise_max_by)
        new.append(b)
    return Quotas.of(quotas.panel_size, new)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools_and_quotas(), st.sampled_from(["leximin", "simple"]), st.text(max_size=12))
def test_draws_meet_quotas_or_the_refusal_names_a_minimal_fix(case, method, randomness) -> None:
    pool, quotas = case
    groups, profiles = _profiles(pool, quotas)
    best = min(_violation(groups, quotas, c) for c in profiles)
    try:
        prepared = prepare(pool, quotas, method)
    except InfeasibleQuotas as error:
        assert best > 0
        total = sum(r.lower_min_by + r.raise_max_by for r in error.relaxations)
        assert total == best  # the suggested change is as small as possible ...
        check(pool, _relaxed(quotas, error))  # ... and it is enough
        assert "No panel can meet these quotas." in error.message
        return
    assert best == 0
    panel = draw_panel(open_document(prepared.document), randomness)
    assert len(set(panel)) == quotas.panel_size
    assert meets([pool[t - 1].features for t in panel], quotas)
    if method == "leximin":
        assert sum(prepared.chances.values()) == pytest.approx(quotas.panel_size, abs=1e-6)


def test_too_few_volunteers_with_an_answer_says_how_much_to_lower_the_minimum() -> None:
    pool = make_pool([{"gender": "female"}] * 9 + [{"gender": "male"}] * 40)
    quotas = bounds(30, [("gender", "female", 12, 15), ("gender", "male", 15, 25)])
    with pytest.raises(InfeasibleQuotas) as caught:
        check(pool, quotas)
    text = caught.value.message
    assert "gender=female: minimum 12 but only 9 volunteers gave that answer" in text
    assert "lower the minimum by 3 (to 9)" in text
    assert "gender=male" not in text.split("smallest change")[1]


def test_quotas_conflicting_with_the_panel_size_are_explained() -> None:
    pool = make_pool([{"age": a} for a in ["young", "old"] for _ in range(20)])
    quotas = bounds(10, [("age", "young", 2, 3), ("age", "old", 2, 4)])
    with pytest.raises(InfeasibleQuotas) as caught:
        check(pool, quotas)
    error = caught.value
    assert "At most 7 seats can go to the answers for age, fewer than 10 seats." in error.message
    assert sum(r.raise_max_by for r in error.relaxations) == 3
    assert "raise the maximum by" in error.message


@pytest.mark.parametrize(
    ("pool", "quotas", "needle"),
    [
        (make_pool([{"g": "a"}] * 3), bounds(4, []), "find 1 more volunteer or shrink"),
        (make_pool([{"g": "a"}] * 3), bounds(0, []), "at least 1"),
        (make_pool([{"g": "a"}] * 3), bounds(2, [("g", "a", 2, 1)]), "above the maximum"),
        (make_pool([{"g": "a"}] * 3), bounds(2, [("g", "a", -1, 1)]), "negative"),
        (make_pool([{"g": "a"}, {"h": "b"}]), bounds(1, [("g", "a", 0, 1)]), "no answer"),
    ],
)
def test_malformed_input_is_refused_with_a_reason(pool, quotas, needle) -> None:
    with pytest.raises(SortitionError, match=needle):
        check(pool, quotas)


def test_duplicate_volunteer_and_duplicate_quota_line_are_refused() -> None:
    pool = make_pool([{"g": "a"}] * 3)
    with pytest.raises(SortitionError, match="twice"):
        check([pool[0], pool[0], pool[1]], bounds(1, []))
    with pytest.raises(SortitionError, match="two quota lines"):
        check(pool, bounds(1, [("g", "a", 0, 1), ("g", "a", 0, 2)]))
