"""Counting exactly at any size: the int64 fast path where totals provably fit, Python integers
beyond, and the same result either way.

The boundaries are where numpy's int64 runs out: 2**63 - 1 papers for the profile and the
Scottish and IRV counts, and about 9.2 x 10**9 votes for Meek, whose tally is in units of 10**-9.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest
from counting_helpers import make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engines.counting.blt import read_blt, write_blt
from bot.engines.counting.cli import main
from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.irv import count_irv
from bot.engines.counting.meek import count_meek
from bot.engines.counting.preflib import read_preflib
from bot.engines.counting.profile import INT64_MAX, MAX_DIGITS, build_profile, exact
from bot.engines.counting.render import to_dict
from bot.engines.counting.scottish import count_scottish
from bot.engines.counting.stages import CountResult
from bot.engines.counting.votecount import read_votecount

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOP = 2**63  # one more than int64 holds
MEEK_TOP = INT64_MAX // 10**9  # the most valid votes Meek's int64 tally holds


def conserved(result: CountResult) -> None:
    """Candidates + non-transferable = valid at every stage, in exact decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 5000
        for s in result.stages:
            assert sum(s.votes.values(), Decimal(0)) + s.non_transferable == result.valid, s.number
            assert s.non_transferable == s.non_transferable_papers + s.loss


@st.composite
def profiles(draw: st.DrawFn, big: bool = False) -> tuple[list[str], list[list[int]], list[int]]:
    n = draw(st.integers(2, 6))
    names = [f"C{i}" for i in range(n)]
    ranking = st.tuples(st.permutations(range(n)), st.integers(1, n)).map(lambda t: list(t[0][: t[1]]))
    ballots = draw(st.lists(ranking, min_size=1, max_size=20))
    weight = st.integers(1, 2**80) if big else st.integers(1, 9)
    weights = draw(st.lists(weight, min_size=len(ballots), max_size=len(ballots)))
    return names, ballots, weights


# -- the two paths agree ------------------------------------------------------------------------


@SETTINGS
@given(profiles(), st.integers(1, 4), st.integers(0, 3))
def test_fast_and_exact_paths_give_the_same_count(
    e: tuple[list[str], list[list[int]], list[int]], seats: int, seed: int
) -> None:
    p = build_profile(*e)
    assert p.multiplicity.dtype == np.int64
    q = exact(p)
    assert q.multiplicity.dtype == object
    assert to_dict(count_scottish(p, seats, seed)) == to_dict(count_scottish(q, seats, seed))
    assert to_dict(count_meek(p, seats, seed)) == to_dict(count_meek(q, seats, seed))
    assert to_dict(count_irv(p, seed)) == to_dict(count_irv(q, seed))


@SETTINGS
@given(profiles(big=True), st.integers(1, 4), st.integers(0, 3))
def test_huge_weights_are_counted_with_every_vote_conserved(
    e: tuple[list[str], list[list[int]], list[int]], seats: int, seed: int
) -> None:
    names, ballots, weights = e
    p = build_profile(names, ballots, weights)
    assert p.papers == sum(weights)  # nothing wrapped round while folding
    for result in (count_scottish(p, seats, seed), count_meek(p, seats, seed), count_irv(p, seed)):
        conserved(result)
        assert len(result.elected) == (1 if result.method == "irv" else min(seats, len(names)))


@SETTINGS
@given(profiles(), st.integers(0, 3), st.integers(2**63, 2**90))
def test_irv_scaled_past_int64_is_the_same_count_scaled(
    e: tuple[list[str], list[list[int]], list[int]], seed: int, k: int
) -> None:
    # IRV's rules compare votes with half the continuing votes, so multiplying every weight by k
    # multiplies every figure by k and changes nothing else: the small count, on the fast path,
    # checks the huge one, on the exact path.
    names, ballots, weights = e
    small = count_irv(build_profile(names, ballots, weights), seed)
    large_profile = build_profile(names, ballots, [w * k for w in weights])
    assert large_profile.multiplicity.dtype == object
    large = count_irv(large_profile, seed)
    assert large.elected == small.elected
    assert len(large.stages) == len(small.stages)
    for a, b in zip(small.stages, large.stages, strict=True):
        # Whole votes, compared as integers (Decimal arithmetic would round at 28 digits).
        assert {c: int(v) * k for c, v in a.votes.items()} == {c: int(v) for c, v in b.votes.items()}
        assert int(a.non_transferable) * k == int(b.non_transferable)
        assert int(b.threshold or 0) == sum(int(v) for v in b.votes.values()) // 2 + 1  # the majority
        assert (a.candidate, a.ties) == (b.candidate, b.ties)


# -- Scottish STV and IRV around 2**63 papers -----------------------------------------------------


@pytest.mark.parametrize(("extra", "path"), [(-1, np.int64), (1, object)])
def test_scottish_just_under_and_just_over_2_63_papers(extra: int, path: type) -> None:
    # 2**63 + extra papers, one seat: A 3/8, B 3/8, C 2/8 whose next preference is B. Nobody has
    # a quota (half, plus one) at first; C is excluded and B wins with 5/8. Wrapped round, the
    # total went negative, so did the quota, and A was elected at the first stage.
    unit = 2**60
    p = make("ABC", [(3 * unit + extra, "A"), (3 * unit, "B"), (2 * unit, "CB")])
    assert p.papers == TOP + extra
    assert p.multiplicity.dtype == path
    result = count_scottish(p, 1)
    assert result.quota == (TOP + extra) // 2 + 1
    assert result.elected == ("B",)
    assert [s.action for s in result.stages] == ["first preferences", "exclusion"]
    conserved(result)


def test_irv_candidate_past_2_63_votes() -> None:
    # A holds 2**63 votes on two kinds of paper; wrapped round, A had -2**63 and B won.
    p = make("ABC", [(2**62, "A"), (2**62, "AB"), (5, "B"), (3, "C")])
    result = count_irv(p)
    assert result.elected == ("A",)
    assert result.stages[0].votes["A"] == TOP
    conserved(result)


def test_weight_past_int64_is_counted_not_refused() -> None:
    p = build_profile(["A", "B"], [[0], [1]], [TOP + 5, 7])
    assert p.multiplicity.dtype == object and p.papers == TOP + 12
    for result in (count_scottish(p, 1), count_irv(p), count_meek(p, 1)):
        assert result.elected == ("A",)
        conserved(result)


def test_identical_papers_folded_past_2_63() -> None:
    # Each weight fits in int64; their sum, folded into one ranking, does not.
    p = build_profile(["A", "B"], [[0], [0], [1]], [2**62, 2**62, 1])
    assert p.ballots() == [((0,), TOP), ((1,), 1)]
    assert count_scottish(p, 1).elected == ("A",)


def test_blank_papers_past_2_63_leave_a_fast_profile() -> None:
    # The papers that did not fit are blank; the valid ones fit, so the fast path is kept.
    p = build_profile(["A", "B"], [[], [0], [1]], [TOP, 3, 2])
    assert p.blank == TOP and p.papers == 5 and p.multiplicity.dtype == np.int64
    assert count_irv(p).elected == ("A",)


# -- Meek around 9.2 x 10**9 votes --------------------------------------------------------------


def test_meek_above_9_2_billion_votes() -> None:
    # A holds 10**10 votes, 10**19 units of 10**-9: more than int64. Wrapped round, A's votes
    # went negative and B and C were elected.
    billion = 10**9
    p = make("ABC", [(10 * billion, "A"), (6 * billion, "BA"), (5 * billion, "C")])
    result = count_meek(p, 2)
    assert result.elected == ("A", "B")
    assert result.stages[0].votes["A"] == 10 * billion
    conserved(result)


@pytest.mark.parametrize("total", [MEEK_TOP, MEEK_TOP + 3])
def test_meek_just_under_and_just_over_its_int64_bound(total: int) -> None:
    # All but two votes on A, one seat: A is elected at the first stage either side of the bound.
    # At the bound the tally runs in int64; three votes over it A alone (MEEK_TOP + 1 votes) is
    # past int64 in units of 10**-9, and A's votes used to wrap round to a negative number.
    p = make("ABC", [(total - 2, "A"), (1, "B"), (1, "CB")])
    result = count_meek(p, 1)
    assert result.elected == ("A",)
    assert result.stages[0].votes["A"] == total - 2
    assert result.stages[0].threshold == Decimal(total * 10**9 // 2 + 1).scaleb(-9)
    conserved(result)


# -- the readers --------------------------------------------------------------------------------

HUGE = 2**64 + 3


@pytest.mark.parametrize(
    "read",
    [
        lambda w: read_blt(f"2 1\n{w} 1 0\n5 2 1 0\n0\n\"A\"\n\"B\"\n\"t\"\n"),
        lambda w: read_preflib(f"# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n{w}: 1\n5: 2,1\n", kind="soi"),
        lambda w: read_votecount(f"# Seats: 1\n:CHOICES:A:B\n{w}:A\n5:B:A\n"),
    ],
    ids=["blt", "preflib", "vote-count"],
)
def test_readers_keep_weights_past_int64_exact(read) -> None:  # type: ignore[no-untyped-def]
    # Each reader used to raise OverflowError (a traceback) on a weight of 2**63 or more.
    p = read(HUGE)
    assert p.papers == HUGE + 5
    assert dict(p.ballots()) == {(0,): HUGE, (1, 0): 5}
    assert count_scottish(p, 1).elected == ("A",)


@pytest.mark.parametrize(
    "text",
    [
        "2 1\n{w} 1 0\n0\nA\nB\n",
        "2 1\n1 1 0\n{w} 2 0\n0\nA\nB\n",
    ],
)
def test_a_weight_beyond_the_limit_is_refused_in_one_line(text: str) -> None:
    line = 2 if text.startswith("2 1\n{w}") else 3
    for digits in (MAX_DIGITS + 1, 5000):  # 5000: past Python's own limit for reading integers
        with pytest.raises(BallotFileError) as err:
            read_blt(text.format(w="9" * digits))
        assert err.value.line == line
        assert err.value.reason == f"the ballot weight has {digits} digits; at most {MAX_DIGITS} can be counted"
    p = read_blt(f"2 1\n{'9' * MAX_DIGITS} 1 0\n0\nA\nB\n")
    assert p.papers == 10**MAX_DIGITS - 1


def test_other_readers_refuse_a_weight_beyond_the_limit_in_one_line() -> None:
    w = "9" * 5000
    with pytest.raises(BallotFileError, match=r"line 2: the count has 5000 digits; at most 1000 can be counted"):
        read_preflib(f"# ALTERNATIVE NAME 1: A\n{w}: 1\n")
    with pytest.raises(BallotFileError, match=r"line 2: the count has 5000 digits; at most 1000 can be counted"):
        read_votecount(f":CHOICES:A\n{w}:A\n")
    with pytest.raises(ValueError, match="add up to more than 1000 digits"):
        build_profile(["A"], [[0]], [10**MAX_DIGITS])


def test_weights_adding_up_past_the_limit_are_refused_and_the_largest_total_reads_back() -> None:
    # Each weight is within the limit, but folded together they would be written out as a
    # weight no reader accepts; the total is what is bounded.
    top = 10**MAX_DIGITS - 1
    with pytest.raises(ValueError, match="add up to more than 1000 digits"):
        build_profile(["A", "B"], [[0], [0]], [top, 1])
    p = build_profile(["A", "B"], [[0], [0], [1]], [top - 10, 4, 6])
    assert p.papers == top
    again = read_blt(write_blt(p, 1))
    assert dict(again.ballots()) == {(0,): top - 6, (1,): 6}
    assert count_scottish(again, 1).stages == count_scottish(p, 1).stages


def test_quorum_count_prints_a_count_past_int64(tmp_path: Path) -> None:
    path = tmp_path / "big.blt"
    path.write_text(f"3 1\n{TOP} 1 0\n{TOP} 2 3 0\n1 3 0\n0\nA\nB\nC\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main([str(path), "--format", "json"], out, err) == 0, err.getvalue()
    data = json.loads(out.getvalue())
    assert data["valid"] == str(2 * TOP + 1)
    assert data["stages"][0]["votes"] == {"A": str(TOP), "B": str(TOP), "C": "1"}


def test_rankings_outside_int16_are_refused_not_wrapped() -> None:
    # 65536 + 1 used to wrap round to candidate 1 in 16-bit rankings.
    with pytest.raises(ValueError, match="candidate that does not exist"):
        build_profile(["A", "B"], np.array([[65537]], dtype=np.int64))
    with pytest.raises(ValueError, match="candidate that does not exist"):
        build_profile(["A", "B"], [[70000]])
