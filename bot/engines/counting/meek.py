"""Meek STV as New Zealand counts it (Local Electoral Regulations 2001, Schedule 1A), an option.

Arithmetic is in integers counting units of 10**-9, the regulations' nine decimal places. Votes in
those units are 10**9 times the papers, so numpy's int64 holds them only up to about 9.2 x 10**9
valid votes: the tally runs in int64 when the profile's total provably fits that bound, and in
Python integers (exact at any size) otherwise.

- Keep values: hopeful candidates keep 1, excluded 0, successful candidates a keep value that is
  recomputed each iteration as kv x quota / votes, rounded up at the ninth place.
- Distribution (clause 10): each paper gives each candidate in turn the keep value's share of what
  is left of it, the share rounded up at the ninth place as the regulations require. We pass on
  the exact remainder (not a separately rounded-up product), so a paper never counts for more than
  one vote; what reaches no one is non-transferable.
- Quota (clause 5): (valid - non-transferable) / (vacancies + 1), truncated to nine places, plus
  0.000000001; recomputed every iteration.
- A hopeful candidate whose votes reach the quota becomes successful. When no one new is
  successful and either the total surplus is below 0.0001 or the lowest hopeful's votes plus the
  total surplus are below the next lowest's (clause 13), the lowest hopeful is excluded. So is
  the lowest when an iteration brings the keep values back to values they had since the last
  stage (unchanged, or round a cycle that rounding makes): each later iteration would repeat
  tallies already made (with many votes, nine places cannot bring the surplus below 0.0001), so
  the count has gone as far as it can - and after 100,000 iterations in any case. An exclusion
  moves papers, so the keep values are then worked out again before the count can be found
  stuck once more.
- Counting ends when the seats are filled or the successful and hopeful candidates together are
  no more than the seats (they are all elected).

Departure, stated openly: equal lowest votes are settled by the most recent earlier stage at which
the candidates differed and then by a lot from the recorded seed, not by the regulations' own
pseudo-random number method. The stage table records one stage per election or exclusion, with the
number of iterations it took.
"""

from __future__ import annotations

import numpy as np

from bot.engines.counting.profile import INT64_MAX, Profile
from bot.engines.counting.stages import CountResult, Event, Stage, Tie, count_of, scaled
from bot.engines.counting.tiebreak import Lot, break_tie

PLACES = 9
UNIT = 10**PLACES
_SURPLUS_LIMIT = 10**5  # 0.0001
_MAX_ITERATIONS = 100_000
_FAST_LIMIT = INT64_MAX // UNIT
"""Most valid votes whose tally in units of 10**-9 provably fits in int64."""


def _tally(rankings: np.ndarray, mult: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """Votes per candidate for the given keep values (index n: non-transferable).

    What is left of a paper and each share stay within 10**9, so their product with a keep value
    (at most 10**9) fits in int64; only the products with `mult` grow with the election, and
    they are int64 only when the caller has proved the total fits (see `_FAST_LIMIT`).
    """
    left = np.full(rankings.shape[0], UNIT, dtype=np.int64)
    totals = np.zeros(n + 1, dtype=object)
    for k in range(rankings.shape[1]):
        cand = rankings[:, k].astype(np.int64)
        live = (cand >= 0) & (left > 0)
        if not live.any():
            break
        idx = np.flatnonzero(live)
        c = cand[idx]
        kv = keep[c]
        share = -((-left[idx] * kv) // UNIT)  # rounded up
        share = np.minimum(share, left[idx])
        left[idx] -= share
        contrib = share * mult[idx]
        sums = np.zeros(n, dtype=object)
        order = np.argsort(c, kind="stable")
        cs = np.concatenate([[0], np.cumsum(contrib[order])])
        bounds = np.searchsorted(c[order], np.arange(n + 1))
        for j in range(n):
            if bounds[j + 1] > bounds[j]:
                sums[j] = int(cs[bounds[j + 1]] - cs[bounds[j]])
        totals[:n] += sums
    totals[n] = int((left * mult).sum())
    return totals


def count_meek(profile: Profile, seats: int | None = None, seed: int = 0) -> CountResult:
    n_seats = seats if seats is not None else profile.seats
    if not n_seats or n_seats < 1:
        raise ValueError("the number of seats must be a positive whole number")
    if profile.papers == 0:
        raise ValueError("there are no valid ballots to count")
    names = profile.candidates
    n = len(names)
    rng = Lot(seed)
    standing = list(profile.standing)
    hopeful = set(standing)
    elected: list[int] = []
    keep = np.zeros(n, dtype=np.int64)
    keep[standing] = UNIT
    valid = profile.papers
    rank, mult = profile.rankings, profile.multiplicity
    if valid > _FAST_LIMIT and mult.dtype != object:
        mult = np.array(mult.tolist(), dtype=object)  # the exact path: Python integers
    history: list[list[int]] = []
    stages: list[Stage] = []
    before = [0] * n
    action, who = "first preferences", None
    excluded_now: list[Event] = []
    ties: list[Tie] = []
    iterations = 0
    prev_nt = 0
    stalled = False
    seen: set[tuple[int, ...]] = set()
    """Keep values the iterations since the last stage started from."""
    while True:
        iterations += 1
        totals = _tally(rank, mult, keep, n)
        votes = [int(totals[c]) for c in range(n)]
        nt = int(totals[n])
        quota = (valid * UNIT - nt) // (n_seats + 1) + 1
        new = sorted((c for c in hopeful if votes[c] >= quota), key=lambda c: (-votes[c], c))
        new = new[: n_seats - len(elected)]
        surplus = sum(max(votes[c] - quota, 0) for c in elected)
        done = False
        event_stage = bool(new) or not stages
        elected_now = []
        for c in new:
            hopeful.discard(c)
            elected.append(c)
            elected_now.append(Event(names[c], "reached the quota"))
        if len(elected) < n_seats and len(elected) + len(hopeful) <= n_seats:
            for c in sorted(hopeful, key=lambda c: (-votes[c], c)):
                elected.append(c)
                elected_now.append(Event(names[c], "hopeful candidates equal the vacancies"))
            hopeful.clear()
            event_stage = done = True
        if len(elected) >= n_seats:
            event_stage = done = True
        exclude: int | None = None
        if not done and not new and hopeful:
            ordered = sorted(hopeful, key=lambda c: votes[c])
            low = votes[ordered[0]]
            second = votes[ordered[1]] if len(ordered) > 1 else None
            if (
                surplus < _SURPLUS_LIMIT
                or (second is not None and low + surplus < second)
                or iterations >= _MAX_ITERATIONS
                or stalled
            ):
                tied = [c for c in hopeful if votes[c] == low]
                exclude = tied[0]
                if len(tied) > 1:
                    exclude, how = break_tie(tied, history + [votes], lowest=True, rng=rng)
                    ties.append(
                        Tie(
                            tuple(names[c] for c in sorted(tied)),
                            "exclusion",
                            names[exclude],
                            how,
                            "lowest votes",
                            seed if how == "lot" else None,
                        )
                    )
        if event_stage or exclude is not None:
            history.append(votes)
            stages.append(
                Stage(
                    number=len(stages) + 1,
                    action=action,
                    candidate=who,
                    votes={names[c]: scaled(votes[c], PLACES) for c in standing},
                    changes={names[c]: scaled(votes[c] - before[c], PLACES) for c in standing},
                    non_transferable=scaled(nt, PLACES),
                    non_transferable_stage=scaled(nt - prev_nt, PLACES),
                    loss=scaled(0, PLACES),
                    loss_stage=scaled(0, PLACES),
                    non_transferable_papers=scaled(nt, PLACES),
                    elected=tuple(elected_now),
                    excluded=tuple(excluded_now),
                    ties=tuple(ties),
                    threshold=scaled(quota, PLACES),
                    note=f"{count_of(iterations, 'iteration')}; keep values: "
                    + ", ".join(f"{names[c]} {scaled(int(keep[c]), PLACES)}" for c in elected),
                )
            )
            before, prev_nt, iterations = votes, nt, 0
            seen.clear()
            action, who, excluded_now, ties = "iteration", None, [], []
        if done:
            break
        if exclude is not None:
            hopeful.discard(exclude)
            keep[exclude] = 0
            action, who = "exclusion", names[exclude]
            excluded_now = [Event(names[exclude], "lowest votes (clause 13)")]
            # The exclusion moves papers, so the keep values are no longer converged: they must
            # be recomputed before the count can be found stuck again. Left set, the flag would
            # exclude the next lowest at once, while a surplus is still to be passed on.
            stalled = False
            continue
        seen.add(tuple(keep.tolist()))
        for c in elected:
            if votes[c] > 0:
                kv = -((-int(keep[c]) * quota) // votes[c])
                keep[c] = min(kv, UNIT)
        # Keep values met before give the same tallies again, for ever - unchanged, or going
        # round a cycle that rounding at nine places can make: the count has converged as far as
        # nine places allow (large elections get here before the surplus is below 0.0001).
        stalled = tuple(keep.tolist()) in seen
    # Fewer standing than seats: said in the Scottish count's words, which the polls translate.
    notes = (f"only {len(elected)} of {count_of(n_seats, 'seat')} could be filled",) if len(elected) < n_seats else ()
    return CountResult(
        method="meek",
        seats=n_seats,
        candidates=names,
        quota=stages[-1].threshold,
        valid=scaled(valid * UNIT, PLACES),
        elected=tuple(names[c] for c in elected),
        stages=tuple(stages),
        seed=seed,
        places=PLACES,
        title=profile.title,
        withdrawn=tuple(names[c] for c in sorted(profile.withdrawn)),
        notes=notes,
        descriptions=profile.descriptions,
    )
