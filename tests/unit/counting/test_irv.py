"""Instant-runoff: majority of continuing papers, exhausted papers leave the count."""

from __future__ import annotations

from decimal import Decimal as D

from counting_helpers import make

from bot.engines.counting.irv import count_irv


def test_exhausted_papers_leave_the_majority() -> None:
    # 21 papers. C (4) is excluded; its 4 papers exhaust, so 17 continue and 9 is a majority.
    p = make("ABC", [(8, "A"), (3, "BA"), (6, "B"), (4, "C")])
    r = count_irv(p)
    assert [s.threshold for s in r.stages] == [D(11), D(9)]
    assert r.stages[1].candidate == "C" and r.stages[1].non_transferable == D(4)
    assert r.elected == ("B",)
    assert r.stages[1].votes == {"A": D(8), "B": D(9), "C": D(0)}


def test_first_preference_majority_wins_at_once() -> None:
    r = count_irv(make("ABC", [(6, "A"), (3, "BC"), (2, "CB")]))
    assert r.elected == ("A",) and len(r.stages) == 1


def test_last_continuing_candidate_is_elected() -> None:
    # All of A's and B's papers exhaust; C, the only continuing candidate, is elected.
    r = count_irv(make("ABC", [(2, "A"), (2, "B"), (1, "C")]))
    assert r.elected and r.stages[-1].elected[0].candidate in {"A", "B", "C"}


def test_no_valid_ballots_is_refused() -> None:
    import pytest

    from bot.engines.counting.profile import build_profile

    empty = build_profile(["A", "B"], [[-1]], [3])
    assert empty.papers == 0 and empty.blank == 3
    with pytest.raises(ValueError, match="no valid ballots"):
        count_irv(empty)
