"""Meek STV (NZ): keep values, recomputed quota, nine places, votes conserved."""

from __future__ import annotations

from decimal import Decimal as D

from counting_helpers import make

from bot.engines.counting.meek import count_meek
from bot.engines.counting.profile import build_profile
from bot.engines.counting.scottish import count_scottish


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


def test_a_count_that_stops_changing_moves_on_at_once() -> None:
    # D and A are elected; B and C, without a vote between them, are hopeful for the last seat,
    # so the surplus cannot shrink below 0.0001. The keep values fall until nine places can take
    # them no lower, and from then on every iteration repeats the last: the lowest is excluded
    # there and then, with the very figures 100,000 identical iterations used to end on.
    p = build_profile(list("ABCD"), [[0, 3], [3], [3, 0]], [32819643, 25405448, 81890548])
    r = count_meek(p, seats=3)
    assert r.elected == ("D", "A", "B")
    stalled = r.stages[2]
    assert stalled.votes == {"A": D("0.114710191"), "B": 0, "C": 0, "D": D("0.140115639")}
    assert stalled.non_transferable == D("140115638.745174170")
    assert stalled.threshold == D("0.063706458")
    assert int(stalled.note.split()[0]) < 100  # iterations: it took 100,000
    assert [e.candidate for e in r.stages[3].excluded] == ["C"]
    for s in r.stages:
        assert sum(s.votes.values()) + s.non_transferable == r.valid


def test_fewer_candidates_than_seats_says_how_many_were_filled() -> None:
    # The same note, in the same words, as the Scottish count gives (the polls translate it).
    p = make("ABC", [(4, "AB"), (3, "BC"), (2, "C")])
    r = count_meek(p, seats=5)
    assert r.elected == ("A", "B", "C")
    assert r.notes == (count_scottish(p, seats=5).notes[0],) == ("only 3 of 5 seats could be filled",)
    assert count_meek(p, seats=3).notes == ()


def test_after_an_exclusion_the_surplus_is_passed_on_before_the_next() -> None:
    # 3,299,000 votes (a card vote of this size is an ordinary conference), 2 seats. A's surplus
    # can only exhaust, so its keep value falls until nine places can take it no lower; with
    # Y and Z equal on no votes the count is then stuck and excludes the lowest: Z, Y, then D.
    # D's papers go on to A and through A's keep value to C. A then holds a surplus of about
    # 113,000 votes: the keep values must be worked out again, which passes enough of D's
    # papers to C for C to reach the quota. Excluding the next lowest at once (C, then B
    # elected) is a count of the wrong tally.
    p = build_profile(list("ABCDYZ"), [[0], [1], [2], [3, 0, 2]], [2_000_000, 600_000, 350_000, 349_000])
    r = count_meek(p, seats=2)
    assert r.elected == ("A", "C")
    last = r.stages[-1]
    assert [e.candidate for e in last.excluded] == ["D"]
    assert [e.candidate for e in last.elected] == ["C"]
    assert last.votes["C"] >= last.threshold > last.votes["B"]
    for s in r.stages:
        assert sum(s.votes.values()) + s.non_transferable == r.valid


def test_keep_values_going_round_a_cycle_are_a_count_gone_as_far_as_it_can() -> None:
    # Rounding at nine places can send the keep values round a cycle instead of to a fixed
    # point: here D's and F's alternate between two pairs of values. Every iteration after the
    # cycle repeats a tally already made, so the lowest is excluded as soon as it closes; it
    # used to take 100,000 iterations (half a minute) to get there, twice.
    p = build_profile(
        list("ABCDEF"),
        [[3, 5, 4, 1, 2, 0], [5, 2, 1, 0, 4], [0]],
        [3808655962957, 37509444239, 3928571092131080902205],
    )
    r = count_meek(p, seats=4)
    assert r.elected == ("A", "D", "F", "E")
    assert [e.candidate for s in r.stages for e in s.excluded] == ["B", "C"]
    assert all(int(s.note.split()[0]) < 100 for s in r.stages)
    for s in r.stages:
        assert sum(s.votes.values()) + s.non_transferable == r.valid
