"""The thresholds of DOMAIN.md, as plain functions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engines.counting.choice import Majority, Outcome, QuorumRule, decide, proposal_roles, tally

YNA = ("Yes", "No", "Abstain")


def ballots(yes: int, no: int, abstain: int = 0, w: int = 1) -> list[tuple[tuple[int, ...], int]]:
    return [((0,), w)] * yes + [((1,), w)] * no + [((2,), w)] * abstain


def test_simple_majority_ignores_abstentions() -> None:
    d = decide(tally(YNA, ballots(3, 2, 10)), proposal=True)
    assert d.outcome is Outcome.PASSED and d.counted == 5


def test_tie_is_a_tie() -> None:
    assert decide(tally(YNA, ballots(4, 4, 1)), proposal=True).outcome is Outcome.TIE


@pytest.mark.parametrize(("yes", "no", "passed"), [(66, 34, False), (2, 1, True), (200, 100, True), (199, 100, False)])
def test_two_thirds_exact(yes: int, no: int, passed: bool) -> None:
    d = decide(tally(YNA, ballots(yes, no)), proposal=True, majority=Majority.TWO_THIRDS)
    assert (d.outcome is Outcome.PASSED) is passed


def test_absolute_majority_of_the_electorate() -> None:
    t = tally(YNA, ballots(50, 0))
    assert decide(t, proposal=True, majority=Majority.ABSOLUTE, electorate=100).outcome is Outcome.FAILED
    assert decide(t, proposal=True, majority=Majority.ABSOLUTE, electorate=99).outcome is Outcome.PASSED
    with pytest.raises(ValueError):
        decide(t, proposal=True, majority=Majority.ABSOLUTE)


def test_industrial_action_rules() -> None:
    # 1000 members: 499 voted -> turnout below 50%, fails however large the yes vote.
    assert decide(tally(YNA, ballots(499, 0)), proposal=True, majority=Majority.INDUSTRIAL,
                  electorate=1000).outcome is Outcome.FAILED
    # 500 voted, 260 yes 240 no: passes the 50% turnout rule...
    t = tally(YNA, ballots(260, 240))
    assert decide(t, proposal=True, majority=Majority.INDUSTRIAL, electorate=1000).outcome is Outcome.PASSED
    # ...but not the 40%-of-all-members rule for important public services.
    assert decide(t, proposal=True, majority=Majority.INDUSTRIAL_40, electorate=1000).outcome is Outcome.FAILED
    t = tally(YNA, ballots(400, 100))
    assert decide(t, proposal=True, majority=Majority.INDUSTRIAL_40, electorate=1000).outcome is Outcome.PASSED


def test_quorum_counts_abstentions() -> None:
    t = tally(YNA, ballots(1, 0, 4))
    assert decide(t, proposal=True, quorum=QuorumRule(50, True), electorate=10).quorum_met is True
    d = decide(t, proposal=True, quorum=QuorumRule(6, False))
    assert d.outcome is Outcome.NOT_QUORATE and d.quorum_met is False


def test_turnout_is_exact() -> None:
    d = decide(tally(YNA, ballots(1, 1, 1)), proposal=True, electorate=9)
    assert d.turnout == Fraction(1, 3)


def test_plurality_and_ties() -> None:
    opts = ("A", "B", "C")
    d = decide(tally(opts, [((0,), 1), ((1,), 1), ((1,), 1)]), proposal=False)
    assert d.outcome is Outcome.WINNER and d.winners == (1,)
    d = decide(tally(opts, [((0,), 1), ((1,), 1)]), proposal=False)
    assert d.outcome is Outcome.TIE and d.winners == (0, 1)
    d = decide(tally(opts, [((0,), 2), ((1,), 1), ((2,), 1)]), proposal=False, majority=Majority.SIMPLE)
    assert d.outcome is Outcome.NO_MAJORITY


def test_proposal_roles() -> None:
    assert proposal_roles(("Yes", "No", "Abstain")) == (0, 1, 2)
    assert proposal_roles(("Against", "For")) == (1, 0, None)
    assert proposal_roles(("Yes", "Maybe")) is None


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 5)), max_size=40), st.integers(1, 5))
def test_card_weight_equals_copies(votes: list[tuple[int, int]], k: int) -> None:
    weighted = [((c,), w * k) for c, w in votes]
    copies = [((c,), 1) for c, w in votes for _ in range(w * k)]
    a, b = tally(YNA, weighted), tally(YNA, copies)
    assert a.counts == b.counts and a.weight == b.weight
    assert decide(a, proposal=True).outcome == decide(b, proposal=True).outcome
