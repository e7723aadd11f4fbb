"""Properties over random profiles: conservation, majority, renaming, STV(1) = IRV, card votes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.engines.counting.irv import count_irv
from bot.engines.counting.meek import count_meek
from bot.engines.counting.profile import build_profile
from bot.engines.counting.render import to_dict
from bot.engines.counting.scottish import count_scottish
from bot.engines.counting.stages import CountResult

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw: st.DrawFn, complete: bool = False) -> tuple[list[str], list[list[int]], list[int]]:
    n = draw(st.integers(2, 6))
    names = [f"C{i}" for i in range(n)]
    perms = st.permutations(range(n))
    if complete:
        ranking = perms
    else:
        ranking = st.tuples(perms, st.integers(1, n)).map(lambda t: list(t[0][: t[1]]))
    ballots = draw(st.lists(ranking, min_size=1, max_size=25))
    weights = draw(st.lists(st.integers(1, 9), min_size=len(ballots), max_size=len(ballots)))
    return names, [list(b) for b in ballots], weights


def lots(result: CountResult) -> int:
    return sum(1 for s in result.stages for t in s.ties if t.method == "lot")


@SETTINGS
@given(elections(), st.integers(1, 4), st.integers(0, 3))
def test_votes_conserved_at_every_stage(e: tuple[list[str], list[list[int]], list[int]], seats: int, seed: int) -> None:
    names, ballots, weights = e
    p = build_profile(names, ballots, weights)
    for result in (count_scottish(p, seats, seed), count_meek(p, seats, seed)):
        for s in result.stages:
            # continuing + elected + non-transferable + truncation loss = valid, exactly
            assert sum(s.votes.values()) + s.non_transferable == result.valid
            assert s.non_transferable == s.non_transferable_papers + s.loss
            assert s.loss >= 0
        assert len(result.elected) == min(seats, len(names))
    irv = count_irv(p, seed)
    for s in irv.stages:
        assert sum(s.votes.values()) + s.non_transferable == irv.valid


@SETTINGS
@given(elections())
def test_first_preference_majority_wins_irv(e: tuple[list[str], list[list[int]], list[int]]) -> None:
    names, ballots, weights = e
    firsts: dict[int, int] = {}
    for b, w in zip(ballots, weights, strict=True):
        firsts[b[0]] = firsts.get(b[0], 0) + w
    top, votes = max(firsts.items(), key=lambda kv: kv[1])
    assume(2 * votes > sum(weights))
    assert count_irv(build_profile(names, ballots, weights)).elected == (names[top],)


@SETTINGS
@given(elections(), st.integers(1, 3), st.randoms(use_true_random=False))
def test_winners_invariant_under_renaming_and_reordering(
    e: tuple[list[str], list[list[int]], list[int]], seats: int, rnd: object
) -> None:
    names, ballots, weights = e
    n = len(names)
    perm = list(range(n))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    new_names = [f"X{perm[i]}-{i}" for i in range(n)]
    # Candidate i is listed at position perm[i] under the name new_names[i].
    listed = [""] * n
    for i in range(n):
        listed[perm[i]] = new_names[i]
    moved = [[perm[c] for c in b] for b in ballots]
    for count in (
        lambda p: count_scottish(p, seats),
        lambda p: count_meek(p, seats),
        lambda p: count_irv(p),
    ):
        a = count(build_profile(names, ballots, weights))
        b = count(build_profile(listed, moved, weights))
        assume(lots(a) == 0 and lots(b) == 0)
        rename = {names[i]: new_names[i] for i in range(n)}
        assert {rename[x] for x in a.elected} == set(b.elected)


@SETTINGS
@given(elections(complete=True), st.integers(0, 5))
def test_scottish_one_seat_equals_irv_with_complete_ballots(
    e: tuple[list[str], list[list[int]], list[int]], seed: int
) -> None:
    # With every candidate ranked no paper exhausts, so the quota of valid papers is the
    # majority of continuing papers: the two rules coincide.
    names, ballots, weights = e
    p = build_profile(names, ballots, weights)
    assert count_scottish(p, 1, seed).elected == count_irv(p, seed).elected


@SETTINGS
@given(elections(), st.integers(1, 3), st.integers(0, 3))
def test_card_vote_of_weight_w_equals_w_copies(
    e: tuple[list[str], list[list[int]], list[int]], seats: int, seed: int
) -> None:
    names, ballots, weights = e
    weighted = build_profile(names, ballots, weights)
    copies = [b for b, w in zip(ballots, weights, strict=True) for _ in range(w)]
    plain = build_profile(names, copies)
    assert np.array_equal(weighted.rankings, plain.rankings)
    for count in (
        lambda p: count_scottish(p, seats, seed),
        lambda p: count_meek(p, seats, seed),
        lambda p: count_irv(p, seed),
    ):
        assert to_dict(count(weighted)) == to_dict(count(plain))
