"""The engine against a slow reference count (reference_count.py), stage by stage, on random
small elections: few candidates, every number of seats, truncated papers, ties everywhere,
candidates nobody votes for, withdrawn candidates, card votes small and enormous; and the
properties a count must have whatever its rules.

Compared at every stage: the action and its candidate, every candidate's votes, the
non-transferable figure and its two parts, who was elected and excluded (in order), the ties
and how each was settled, the transfer values with their papers, and the threshold.

The example counts are modest so the file runs in seconds; the same tests were run on tens of
thousands of elections when they were written (raise max_examples to do so again).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest
import reference_count as ref
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.engines.counting.blt import read_blt, write_blt
from bot.engines.counting.files import read_ballot_bytes
from bot.engines.counting.irv import count_irv
from bot.engines.counting.meek import count_meek
from bot.engines.counting.profile import Profile, build_profile
from bot.engines.counting.render import to_dict
from bot.engines.counting.scottish import count_scottish
from bot.engines.counting.stages import CountResult

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Ballots = list[tuple[list[int], int]]


@st.composite
def elections(draw: st.DrawFn) -> tuple[list[str], Ballots, int, frozenset[int]]:
    """Candidates, ballots (ranking, weight), seats and withdrawn candidates.

    Small weights and few papers make equal votes common; a mirrored election (each paper
    again with the first two candidates swapped) makes them equal at every stage, so that
    only a lot can part them. Seats run from one to one more than the candidates, with
    seats == candidates and seats == candidates - 1 drawn often. Now and then a paper is
    blank or a candidate withdrawn (which may leave no valid paper at all).
    """
    n = draw(st.integers(2, 7))
    names = [f"C{i}" for i in range(n)]
    ranking = st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n)
    weight = draw(st.sampled_from([st.just(1), st.integers(1, 3), st.integers(1, 10**30)]))
    ballots = draw(st.lists(st.tuples(ranking, weight), min_size=1, max_size=16))
    ballots += draw(st.lists(st.tuples(st.just([]), weight), max_size=1))  # blank papers
    if draw(st.booleans()):
        swap = {0: 1, 1: 0}
        ballots = ballots + [([swap.get(c, c) for c in r], w) for r, w in ballots]
    seats = draw(st.one_of(st.sampled_from([1, n - 1, n]), st.integers(1, n + 1)))
    withdrawn: frozenset[int] = frozenset()
    if draw(st.integers(0, 3)) == 0:
        withdrawn = frozenset(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)))
    return names, [(list(r), w) for r, w in ballots], max(seats, 1), withdrawn


def engine_stages(result: CountResult) -> list[dict[str, object]]:
    return [
        {
            "action": s.action,
            "candidate": s.candidate,
            "votes": {k: Fraction(v) for k, v in s.votes.items()},
            "non_transferable": Fraction(s.non_transferable),
            "non_transferable_papers": Fraction(s.non_transferable_papers),
            "loss": Fraction(s.loss),
            "elected": [e.candidate for e in s.elected],
            "excluded": [e.candidate for e in s.excluded],
            "ties": [(t.candidates, t.purpose, t.chosen, t.method) for t in s.ties],
            "transfer_values": [
                (Fraction(t.value_received), Fraction(t.transfer_value), t.papers) for t in s.transfer_values
            ],
            "threshold": Fraction(s.threshold) if s.threshold is not None else None,
        }
        for s in result.stages
    ]


def reference_stages(result: ref.RefResult) -> list[dict[str, object]]:
    return [
        {
            "action": s.action,
            "candidate": s.candidate,
            "votes": s.votes,
            "non_transferable": s.non_transferable,
            "non_transferable_papers": s.non_transferable_papers,
            "loss": s.loss,
            "elected": s.elected,
            "excluded": s.excluded,
            "ties": [(t.candidates, t.purpose, t.chosen, t.method) for t in s.ties],
            "transfer_values": s.transfer_values,
            "threshold": s.threshold,
        }
        for s in result.stages
    ]


def compare(engine: CountResult, reference: ref.RefResult) -> None:
    want, got = reference_stages(reference), engine_stages(engine)
    for k, (w, g) in enumerate(zip(want, got, strict=False), start=1):
        assert g == w, f"stage {k} differs"
    assert len(got) == len(want)
    assert list(engine.elected) == reference.elected
    assert engine.valid == Decimal(reference.valid)
    assert Fraction(engine.quota) == reference.quota


def profile_of(names: Sequence[str], ballots: Ballots, withdrawn: frozenset[int] = frozenset()) -> Profile:
    rows = [r if r else [-1] for r, _ in ballots]
    return build_profile(names, rows, [w for _, w in ballots], withdrawn=withdrawn)


@SETTINGS
@given(elections(), st.integers(0, 3))
@example((["A", "B", "C"], [([2, 0], 1)], 2, frozenset()), 0)  # a single paper
@example((["A", "B"], [([0], 1), ([1], 1)], 2, frozenset()), 1)  # seats == candidates, all equal
@example((["A", "B", "C"], [([0, 1, 2], 3), ([1, 0, 2], 3), ([2], 3)], 2, frozenset()), 2)  # equal at every stage
@example((["A", "B"], [([1], 5), ([], 2)], 1, frozenset({1})), 0)  # no valid paper left
@example((["A", "B", "C"], [([0, 1], 10**40), ([1, 2], 10**40 - 1), ([2], 1)], 2, frozenset()), 0)  # vast card votes
def test_scottish_agrees_with_the_reference_stage_by_stage(
    e: tuple[list[str], Ballots, int, frozenset[int]], seed: int
) -> None:
    names, ballots, seats, withdrawn = e
    try:
        want = ref.scottish(names, ballots, seats, seed, withdrawn)
    except ValueError:
        with pytest.raises(ValueError, match="no valid ballots"):
            count_scottish(profile_of(names, ballots, withdrawn), seats, seed)
        return
    compare(count_scottish(profile_of(names, ballots, withdrawn), seats, seed), want)


@SETTINGS
@given(elections(), st.integers(0, 3))
def test_irv_agrees_with_the_reference_round_by_round(
    e: tuple[list[str], Ballots, int, frozenset[int]], seed: int
) -> None:
    names, ballots, _, withdrawn = e
    try:
        want = ref.irv(names, ballots, seed, withdrawn)
    except ValueError:
        with pytest.raises(ValueError, match="no valid ballots"):
            count_irv(profile_of(names, ballots, withdrawn), seed)
        return
    got = count_irv(profile_of(names, ballots, withdrawn), seed)
    assert engine_stages(got) == reference_stages(want)
    assert list(got.elected) == want.elected


# -- properties ---------------------------------------------------------------------------------


def lots(result: CountResult) -> int:
    return sum(1 for s in result.stages for t in s.ties if t.method == "lot")


def table(result: CountResult, rename: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    """The stage table with candidates renamed, the order of simultaneous elections aside."""
    r = rename or {}
    return [
        (
            s.action,
            r.get(s.candidate, s.candidate) if s.candidate else None,
            {r.get(k, k): v for k, v in s.votes.items()},
            s.non_transferable,
            s.threshold,
            sorted(r.get(e.candidate, e.candidate) for e in s.elected),
            [r.get(e.candidate, e.candidate) for e in s.excluded],
        )
        for s in result.stages
    ]


@SETTINGS
@given(elections(), st.integers(0, 3))
def test_meek_for_one_seat_is_instant_runoff(e: tuple[list[str], Ballots, int, frozenset[int]], seed: int) -> None:
    # With one seat nobody is elected before the count ends, so there is no surplus: every
    # iteration excludes the lowest, and Meek's quota, (valid - exhausted) / 2 + 0.000000001,
    # is reached exactly when a candidate has more than half of the continuing votes.
    names, ballots, _, withdrawn = e
    p = profile_of(names, ballots, withdrawn)
    if not p.papers:
        return
    meek, irv = count_meek(p, 1, seed), count_irv(p, seed)
    assert meek.elected == irv.elected
    # Stage by stage, the thresholds aside (a quota to nine places against a whole majority).
    assert [t[:4] + t[5:] for t in table(meek)] == [t[:4] + t[5:] for t in table(irv)]


@SETTINGS
@given(elections(), st.randoms(use_true_random=False))
def test_the_order_and_names_of_candidates_change_nothing_but_lots(
    e: tuple[list[str], Ballots, int, frozenset[int]], rnd: object
) -> None:
    names, ballots, seats, withdrawn = e
    n = len(names)
    perm = list(range(n))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    # Candidate i is listed at position perm[i] under a new name.
    rename = {names[i]: f"New {n - i}" for i in range(n)}
    listed = [""] * n
    for i in range(n):
        listed[perm[i]] = rename[names[i]]
    a_profile = profile_of(names, ballots, withdrawn)
    moved = [([perm[c] for c in r], w) for r, w in ballots]
    b_profile = profile_of(listed, moved, frozenset(perm[c] for c in withdrawn))
    if not a_profile.papers:
        return
    for count in (
        lambda p: count_scottish(p, seats),
        lambda p: count_meek(p, seats),
        lambda p: count_irv(p),
    ):
        a, b = count(a_profile), count(b_profile)
        if lots(a) or lots(b):
            continue
        assert table(a, rename) == table(b)
        assert {rename[x] for x in a.elected} == set(b.elected)


@SETTINGS
@given(elections(), st.integers(0, 3))
def test_doubling_every_weight_doubles_the_instant_runoff_and_keeps_the_winners(
    e: tuple[list[str], Ballots, int, frozenset[int]], seed: int
) -> None:
    # Instant-runoff compares votes with each other and with half of the continuing votes, so
    # twice every weight is the same count at twice the figures. Meek's quota and keep values
    # are shares of the votes, so its winners stay. (Scottish STV is another matter: its quota
    # is floor(valid / (seats + 1)) + 1, which does not double - 7 papers for 4 seats give a
    # quota of 2, 14 papers one of 3, not 4 - and the rules may then elect someone else.)
    names, ballots, seats, withdrawn = e
    one = profile_of(names, ballots, withdrawn)
    if not one.papers:
        return
    two = profile_of(names, [(r, 2 * w) for r, w in ballots], withdrawn)
    a, b = count_irv(one, seed), count_irv(two, seed)
    assert a.elected == b.elected
    assert [{k: 2 * Fraction(v) for k, v in s.votes.items()} for s in a.stages] == [
        {k: Fraction(v) for k, v in s.votes.items()} for s in b.stages
    ]
    a, b = count_meek(one, seats, seed), count_meek(two, seats, seed)
    if not (lots(a) or lots(b)):
        assert set(a.elected) == set(b.elected)


@SETTINGS
@given(elections(), st.integers(0, 3))
def test_a_blt_written_from_a_profile_reads_back_to_the_same_count(
    e: tuple[list[str], Ballots, int, frozenset[int]], seed: int
) -> None:
    names, ballots, seats, withdrawn = e
    p = profile_of(names, ballots, withdrawn)
    if not p.papers:
        return
    text = write_blt(p, seats)
    for q in (read_blt(text), read_ballot_bytes(text.encode(), "x.blt", ".blt")):
        assert q.seats == seats and q.withdrawn == p.withdrawn
        assert write_blt(q, seats) == text
        for count in (count_scottish, count_meek):
            # The title aside: a profile without one is written with an empty one.
            assert {**to_dict(count(q, seats, seed)), "title": None} == to_dict(count(p, seats, seed))
