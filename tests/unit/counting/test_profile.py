"""The folded ballot profile: card votes, cleaning of real-world papers."""

from __future__ import annotations

import numpy as np

from bot.engines.counting.profile import build_profile
from bot.engines.counting.render import to_dict
from bot.engines.counting.scottish import count_scottish


def test_card_vote_is_one_ballot_carrying_its_weight() -> None:
    # A delegate for 120 members and three members voting individually the same way.
    p = build_profile(["A", "B", "C"], [[0, 1], [0, 1], [0, 1], [0, 1], [2]], [120, 1, 1, 1, 40])
    assert dict(p.ballots()) == {(0, 1): 123, (2,): 40}
    assert p.papers == 163 and p.ballots_cast == 5
    copies = build_profile(["A", "B", "C"], [[0, 1]] * 123 + [[2]] * 40)
    assert to_dict(count_scottish(p, 1)) == to_dict(count_scottish(copies, 1))
    assert copies.ballots_cast == copies.papers == 163


def test_papers_are_cleaned_then_folded() -> None:
    rows = np.array(
        [
            [0, 1, 0, 2],  # repeat of A ends the paper: A, B
            [0, 1, -1, 2],  # a gap ends it: A, B
            [3, 0, 1, -1],  # withdrawn D skipped: A, B
            [3, -1, -1, -1],  # only a withdrawn candidate: blank
        ],
        dtype=np.int16,
    )
    p = build_profile(["A", "B", "C", "D"], rows, withdrawn=[3])
    assert p.ballots() == [((0, 1), 3)]
    assert p.blank == 1 and p.ballots_cast == 3
    assert p.rankings.shape[1] == 3  # two preferences and the closing -1


def test_large_profiles_fold_to_distinct_rankings() -> None:
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 4, size=(20_000, 3)).astype(np.int16)
    p = build_profile(["A", "B", "C", "D"], rows)
    assert p.papers == 20_000
    assert len({r for r, _ in p.ballots()}) == len(p.ballots())
