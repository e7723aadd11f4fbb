"""The rules a choice poll's result follows (bot/engines/counting/choice.py), where a card vote,
a decimal quorum or a failed threshold makes them easy to get wrong."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engines.counting.choice import Majority, Outcome, QuorumRule, decide, exact, tally

YNA = ("Yes", "No", "Abstain")


def test_a_head_count_quorum_counts_voters_not_their_card_weight() -> None:
    one_heavy = tally(YNA, [((0,), 100)])
    d = decide(one_heavy, proposal=True, quorum=QuorumRule(3, False), electorate=250, members=4)
    assert d.outcome is Outcome.NOT_QUORATE and d.quorum_met is False
    assert d.reasons[0].startswith("quorum 3 not met: 1 voted")
    three_light = tally(YNA, [((0,), 1), ((0,), 1), ((1,), 1)])
    d = decide(three_light, proposal=True, quorum=QuorumRule(3, False), electorate=250, members=4)
    assert d.quorum_met is True and d.outcome is Outcome.PASSED


def test_a_percentage_quorum_on_a_card_vote_is_a_share_of_the_members() -> None:
    # 1 of 4 people (25%) carrying 100 of 250 (40%): a 30% quorum is not met...
    d = decide(tally(YNA, [((0,), 100)]), proposal=True, quorum=QuorumRule(30, True), electorate=250, members=4)
    assert d.quorum_met is False and "1 of 4 voted, 2 needed" in d.reasons[0]
    # ...and 2 of 4 people (50%) carrying 20 of 250 (8%) meet a 50% quorum.
    d = decide(tally(YNA, [((0,), 10), ((1,), 10)]), proposal=True, quorum=QuorumRule(50, True),
               electorate=250, members=4)
    assert d.quorum_met is True


def test_a_weighted_tally_without_members_is_refused_a_percentage_quorum() -> None:
    with pytest.raises(ValueError, match="MEMBERS"):
        decide(tally(YNA, [((0,), 100)]), proposal=True, quorum=QuorumRule(30, True), electorate=250)


def test_the_industrial_thresholds_refuse_a_card_vote() -> None:
    with pytest.raises(ValueError, match="one by one"):
        decide(tally(YNA, [((0,), 100)]), proposal=True, majority=Majority.INDUSTRIAL, electorate=250, members=4)


@pytest.mark.parametrize(("text", "value", "percent"), [
    ("40%", Fraction(40), True), ("40.5%", Fraction(81, 2), True), ("33.3%", Fraction(333, 10), True),
    ("100%", Fraction(100), True), ("25", Fraction(25), False), ("1", Fraction(1), False),
])
def test_a_quorum_is_read_exactly(text: str, value: Fraction, percent: bool) -> None:
    q = QuorumRule.parse(text)
    assert (q.value, q.percent) == (value, percent) and isinstance(q.value, Fraction)
    assert str(q) == text and QuorumRule.parse(str(q)) == q  # stored as typed, read back the same


@pytest.mark.parametrize(("text", "says"), [
    ("lots", "not a number"), ("40,5%", "not a number"), ("1e2", "not a number"), ("nan%", "not a number"),
    ("2.5", "whole number of people"), ("0.5%", "between 1% and 100%"), ("100.5%", "between 1% and 100%"),
    ("0", "at least 1"), ("33.33333333%", "at most 9 digits before the decimal point and 6 after"),
    ("1234567890", "at most 9 digits"),
])
def test_a_quorum_that_is_not_one_says_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        QuorumRule.parse(text)


def test_a_decimal_percentage_quorum_is_exact_at_the_boundary() -> None:
    # 33.3% of 1000 is exactly 333 voters: 333 meet it, 332 do not (a float would be 332.99999…).
    q = QuorumRule.parse("33.3%")
    assert q.needed(1000) == 333
    assert decide(tally(YNA, [((2,), 1)] * 333), proposal=True, quorum=q, electorate=1000).quorum_met is True
    assert decide(tally(YNA, [((2,), 1)] * 332), proposal=True, quorum=q, electorate=1000).quorum_met is False


@given(st.integers(1, 100_000), st.integers(1, 1000), st.integers(0, 9))
def test_needed_is_the_least_head_count_reaching_the_share(members: int, whole: int, tenth: int) -> None:
    q = QuorumRule.parse(f"{min(whole, 99)}.{tenth}%")
    need = q.needed(members)
    assert need * 100 >= q.value * members and (need - 1) * 100 < q.value * members


def test_exact_reads_decimals_without_floats() -> None:
    assert exact("0.1") == Fraction(1, 10) and exact("12") == 12
    assert exact("1.") is None and exact(".5") is None and exact("-1") is None and exact("１２") is None


def test_an_industrial_40_failure_leads_with_the_rule_it_failed() -> None:
    # 10 members: 3 for, 2 against. Turnout 50% and more for than against, but 3 < 40% of 10.
    t = tally(YNA, [((0,), 1)] * 3 + [((1,), 1)] * 2)
    d = decide(t, proposal=True, majority=Majority.INDUSTRIAL_40, electorate=10)
    assert d.outcome is Outcome.FAILED
    assert d.reasons == ("less than 40% of the electorate for (3 of 10, 4 needed)",)
    assert d.met == ("turnout at least 50% of the electorate (5 of 10)", "more for than against (3 for, 2 against)")


def test_a_failure_on_turnout_also_reports_the_vote() -> None:
    t = tally(YNA, [((0,), 1)] * 4)
    d = decide(t, proposal=True, majority=Majority.INDUSTRIAL, electorate=10)
    assert d.outcome is Outcome.FAILED
    assert d.reasons == ("turnout below 50% of the electorate (4 of 10, 5 needed)",)
    assert d.met == ("more for than against (4 for, 0 against)",)


def test_a_proposal_tie_is_a_tie_with_its_quorum_reported() -> None:
    d = decide(tally(YNA, [((0,), 1), ((1,), 1)]), proposal=True, quorum=QuorumRule(2, False))
    assert d.outcome is Outcome.TIE and d.reasons == ("quorum 2 met: 2 voted",)
