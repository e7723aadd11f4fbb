"""Meek STV (NZ): keep values, recomputed quota, nine places, votes conserved."""

from __future__ import annotations

from decimal import Decimal as D

from counting_helpers import make

from bot.engines.counting.meek import count_meek


def test_quota_and_keep_value_from_the_regulations() -> None:
    # 20 papers, 2 seats: quota = 20 / 3 truncated to nine places + 0.000000001.
    p = make("ABC", [(12, "AB"), (5, "C"), (3, "B")])
    r = count_meek(p, seats=2)
    assert r.stages[0].threshold == D("6.666666667")
    assert [e.candidate for e in r.stages[0].elected] == ["A"]
    assert set(r.elected) == {"A", "B"}
    for s in r.stages:
        assert sum(s.votes.values()) + s.non_transferable == r.valid


def test_surplus_only_reaches_later_preferences_through_keep_values() -> None:
    p = make("ABCD", [(30, "ABC"), (10, "B"), (9, "C"), (8, "D")])
    r = count_meek(p, seats=2)
    assert r.elected[0] == "A"
    assert len(r.elected) == 2
    a_final = r.stages[-1].votes["A"]
    assert abs(a_final - r.stages[-1].threshold) < D("0.001")
