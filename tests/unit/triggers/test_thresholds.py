"""Trigger thresholds in exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

from bot.features.triggers.model import Threshold, needed, standing
from bot.features.triggers.parse import parse_share


def test_shares_are_exact() -> None:
    assert parse_share("1/3") == Fraction(1, 3)
    assert parse_share("33.3%") == Fraction(333, 1000)
    assert needed(Fraction(1, 3), 9) == 3  # "at least one third": exactly a third is enough
    assert needed(Fraction(333, 1000), 100) == 34
    assert needed(Fraction(1, 2), 1) == 1
    assert needed(Fraction(1, 100), 0) == 1

def test_branch_threshold_counts_branches_not_signatures() -> None:
    t = Threshold("branches", share=Fraction(2, 3), branch_count=2)
    sizes = {"A": 10, "B": 10, "C": 10}
    assert not standing(t, 30, sizes, 10, {"A": 9, "B": 1}).crossed  # one branch of three is not enough…
    s = standing(t, 30, sizes, 10, {"A": 8, "B": 2})  # …two of three are (two thirds)
    assert s.crossed and s.counted_branches == ("A", "B")
    t = Threshold("branches", share=Fraction(1, 2), branch_share=Fraction(1, 2))
    assert not standing(t, 30, sizes, 13, {"A": 5, "B": 4, "C": 4}).crossed  # half of 10 is 5
    assert standing(t, 30, sizes, 14, {"A": 5, "B": 5, "C": 4}).crossed  # 2 of 3 is at least half
