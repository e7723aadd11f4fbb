"""Instant-runoff voting (one seat), as organisations in this movement run it.

Each round the continuing papers are counted at their current preference. A candidate with more
than half of the votes on continuing papers is elected. Exhausted papers (no preference left for a
continuing candidate) leave the count and no longer count towards the majority - the rule in most
rank-choice statutes, and why the stage table shows a shrinking `threshold`. Otherwise the
candidate with the fewest votes is excluded and their papers pass to the next continuing
preference. Equal lowest votes are settled as in the Scottish rules: the most recent earlier
round where the tied candidates differed, then by lot with the recorded seed. When only one
candidate continues, they are elected. Card votes count their weight; all arithmetic is integer.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from bot.engines.counting.papers import Holdings, advance
from bot.engines.counting.profile import Profile
from bot.engines.counting.stages import CountResult, Event, Stage, Tie
from bot.engines.counting.tiebreak import Lot, break_tie


def count_irv(profile: Profile, seed: int = 0) -> CountResult:
    """Count one seat by instant-runoff; every round is a stage of the table."""
    if profile.papers == 0:
        raise ValueError("there are no valid ballots to count")
    names = profile.candidates
    n = len(names)
    rng = Lot(seed)
    standing = list(profile.standing)
    continuing = set(standing)
    hold = Holdings(profile.rankings, profile.multiplicity, n)
    rank = profile.rankings
    counts = hold.deal(
        np.arange(rank.shape[0]),
        np.zeros(rank.shape[0], dtype=np.int64),
        rank[:, 0].astype(np.int64),
        1,
    )
    votes = [int(counts[c]) if c in continuing else 0 for c in range(n)]
    nt = 0
    history: list[list[int]] = []
    stages: list[Stage] = []
    before = [0] * n
    action, who, nt_stage = "first preferences", None, 0
    excluded_now: list[Event] = []
    ties: list[Tie] = []
    winner: int | None = None
    valid = profile.papers
    while True:
        history.append(list(votes))
        live = sum(votes[c] for c in continuing)
        need = live // 2 + 1
        elected_now: list[Event] = []
        top = max(continuing, key=lambda c: (votes[c], -c)) if continuing else None
        if top is not None and votes[top] >= need:
            winner = top
            elected_now.append(Event(names[top], "more than half of the continuing votes"))
        elif len(continuing) == 1 and top is not None:
            winner = top
            elected_now.append(Event(names[top], "the only continuing candidate"))
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                candidate=who,
                votes={names[c]: Decimal(votes[c]) for c in standing},
                changes={names[c]: Decimal(votes[c] - before[c]) for c in standing},
                non_transferable=Decimal(nt),
                non_transferable_stage=Decimal(nt_stage),
                loss=Decimal(0),
                loss_stage=Decimal(0),
                non_transferable_papers=Decimal(nt),
                elected=tuple(elected_now),
                excluded=tuple(excluded_now),
                ties=tuple(ties),
                threshold=Decimal(need),
            )
        )
        if winner is not None or not continuing:
            break
        low = min(votes[c] for c in continuing)
        tied = sorted(c for c in continuing if votes[c] == low)
        x = tied[0]
        ties = []
        if len(tied) > 1:
            x, how = break_tie(tied, history, lowest=True, rng=rng)
            ties.append(
                Tie(
                    tuple(names[c] for c in tied),
                    "exclusion",
                    names[x],
                    how,
                    "fewest votes",
                    seed if how == "lot" else None,
                )
            )
        before = list(votes)
        continuing.discard(x)
        stops = np.ones(n + 1, dtype=bool)
        stops[:n] = [c in continuing for c in range(n)]
        nt_stage = 0
        for _value, rows, pos in hold.take(x):
            holder, npos = advance(rank, rows, pos, stops)
            moved = hold.deal(rows, npos, holder, 1)
            for c in range(n):
                votes[c] += int(moved[c])
            nt_stage += int(moved[n])
        votes[x] = 0
        nt += nt_stage
        action, who = "exclusion", names[x]
        excluded_now = [Event(names[x], "fewest votes")]
    final_need = stages[-1].threshold
    return CountResult(
        method="irv",
        seats=1,
        candidates=names,
        quota=final_need,
        valid=Decimal(valid),
        elected=() if winner is None else (names[winner],),
        stages=tuple(stages),
        seed=seed,
        places=0,
        title=profile.title,
        withdrawn=tuple(names[c] for c in sorted(profile.withdrawn)),
        notes=(
            "majority: more than half of the votes on continuing papers, stage by stage; exhausted "
            "papers leave the count, so it falls as they do",
        ),
        descriptions=profile.descriptions,
    )
