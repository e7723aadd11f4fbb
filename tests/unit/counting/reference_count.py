"""A slow, deliberately plain reference count, for differential tests of the engine.

Written from the words of the Scottish Local Government Elections Order 2007 (SSI 2007/42),
Schedule 1, rules 45 to 52, and of instant-runoff, not from the engine: every ballot is a paper
(a card vote of weight w is w identical papers, moved together), every paper carries its own
value as an exact Fraction, and each rule is one short step. Nothing is folded, batched or
vectorised, so that each step can be checked against the text by reading it.

Where the statute leaves a choice, the reference makes the choice the engine documents (README
of the counting engine), so that the two can be compared stage by stage:
- candidates deemed elected at one stage are listed highest votes first, equal votes settled as
  in rule 49 (the Order says nothing about their order);
- with three or more candidates tied, the look-back of rules 49(2) and 51(2) keeps, at the most
  recent stage at which they were not all equal, those highest (or lowest) there, and goes on
  back with just those;
- a lot is random.Random(seed).choice over the tied candidates in ballot order, one draw per lot
  in the order the count meets them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

ONE = Fraction(1)


def truncate5(x: Fraction) -> Fraction:
    """X to five decimal places, any remainder ignored (rule 48(3)); X is never negative."""
    return Fraction((x.numerator * 100_000) // x.denominator, 100_000)


@dataclass
class Paper:
    """Some identical ballot papers: their preferences, how many, where they now sit, their value."""

    prefs: tuple[int, ...]
    count: int
    at: int = 0
    value: Fraction = ONE


@dataclass
class RefTie:
    candidates: tuple[str, ...]
    purpose: str
    chosen: str
    method: str


@dataclass
class RefStage:
    action: str
    candidate: str | None
    votes: dict[str, Fraction]
    non_transferable: Fraction
    non_transferable_papers: Fraction
    loss: Fraction
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    ties: list[RefTie] = field(default_factory=list)
    transfer_values: list[tuple[Fraction, Fraction, int]] = field(default_factory=list)
    threshold: Fraction | None = None


@dataclass
class RefResult:
    quota: Fraction | None
    valid: int
    elected: list[str]
    stages: list[RefStage]


class _TieBreaker:
    """Rules 49(2)-(3) and 51: the most recent preceding stage at which they differed, then lot."""

    def __init__(self, names: Sequence[str], seed: int) -> None:
        self.names = names
        self.rng = random.Random(seed)
        self.history: list[dict[int, Fraction]] = []

    def pick(self, tied: list[int], lowest: bool, purpose: str, ties: list[RefTie]) -> int:
        group = sorted(tied)
        if len(group) == 1:
            return group[0]
        how = "lot"
        chosen: int | None = None
        for number in range(len(self.history), 0, -1):
            row = self.history[number - 1]
            values = {row[c] for c in group}
            if len(values) > 1:
                want = min(values) if lowest else max(values)
                group = [c for c in group if row[c] == want]
                if len(group) == 1:
                    chosen, how = group[0], f"stage {number}"
                    break
        if chosen is None:
            chosen = self.rng.choice(group)
        ties.append(RefTie(tuple(self.names[c] for c in sorted(tied)), purpose, self.names[chosen], how))
        return chosen


def scottish(
    names: Sequence[str],
    ballots: Sequence[tuple[Sequence[int], int]],
    seats: int,
    seed: int = 0,
    withdrawn: frozenset[int] = frozenset(),
) -> RefResult:
    """Count (ranking, weight) ballots under rules 45-52. Rankings hold no repeated candidate."""
    n = len(names)
    standing = [c for c in range(n) if c not in withdrawn]
    # A withdrawn candidate is not on the paper: their preferences are passed over.
    papers = [Paper(tuple(c for c in prefs if c not in withdrawn), w) for prefs, w in ballots]
    papers = [p for p in papers if p.prefs]  # no first preference: not a valid paper
    if not papers:
        raise ValueError("no valid ballots")
    status = {c: "continuing" for c in standing}
    votes = {c: Fraction(0) for c in standing}
    held: dict[int, list[Paper]] = {c: [] for c in standing}
    tb = _TieBreaker(names, seed)
    elected: list[int] = []
    stages: list[RefStage] = []
    nt_papers = Fraction(0)
    loss = Fraction(0)

    # Rule 45: one vote per valid paper for its first preference; the total is recorded.
    for p in papers:
        held[p.prefs[0]].append(p)
        votes[p.prefs[0]] += p.count
    valid = sum(p.count for p in papers)
    # Rule 46: valid / (seats + 1), decimals ignored, plus one.
    quota = Fraction(valid // (seats + 1) + 1)

    def continuing() -> list[int]:
        return [c for c in standing if status[c] == "continuing"]

    def next_preference(p: Paper) -> int | None:
        """The next available preference: the next one, in order, for a continuing candidate."""
        for k in range(p.at + 1, len(p.prefs)):
            if status.get(p.prefs[k]) == "continuing":
                p.at = k
                return p.prefs[k]
        return None

    def in_vote_order(group: list[int], ties: list[RefTie], purpose: str) -> list[int]:
        out: list[int] = []
        rest = list(group)
        while rest:
            top = max(votes[c] for c in rest)
            chosen = tb.pick([c for c in rest if votes[c] == top], False, purpose, ties)
            out.append(chosen)
            rest.remove(chosen)
        return out

    def end_stage(
        action: str, who: int | None, ties: list[RefTie], out: list[int], tvs: list[tuple[Fraction, Fraction, int]]
    ) -> None:
        tb.history.append({c: votes[c] for c in standing} | {c: Fraction(0) for c in withdrawn})
        stage = RefStage(
            action,
            None if who is None else names[who],
            {names[c]: votes[c] for c in standing},
            nt_papers + loss,
            nt_papers,
            loss,
            excluded=[names[c] for c in out],
            ties=ties,
            transfer_values=tvs,
            threshold=quota,
        )
        # Rule 47: votes equal to or above the quota at a stage: deemed elected.
        reached = [c for c in continuing() if votes[c] >= quota]
        for c in in_vote_order(reached, ties, "election order"):
            status[c] = "elected"
            elected.append(c)
            stage.elected.append(names[c])
        stages.append(stage)

    def rule_52(ties: list[RefTie]) -> None:
        last = stages[-1]
        last.ties.extend(ties)
        for c in in_vote_order(continuing(), last.ties, "election order"):
            status[c] = "elected"
            elected.append(c)
            last.elected.append(names[c])

    end_stage("first preferences", None, [], [], [])
    while len(elected) < seats:
        vacancies = seats - len(elected)
        # Rule 52(1): as many continuing candidates as vacancies (or fewer): all are elected,
        # and (52(2)) no further transfer is made.
        if len(continuing()) <= vacancies:
            rule_52([])
            break
        ties: list[RefTie] = []
        with_surplus = [c for c in elected if votes[c] > quota]
        if with_surplus:
            # Rule 49: the highest surplus first; equal ones by look-back, then lot.
            top = max(votes[c] for c in with_surplus)
            e = tb.pick([c for c in with_surplus if votes[c] == top], False, "surplus order", ties)
            total = votes[e]
            surplus = total - quota
            moved = Fraction(0)
            nt_stage = Fraction(0)
            groups: dict[tuple[Fraction, Fraction], int] = {}
            mine, held[e] = held[e], []
            for p in mine:
                # Rule 48(3): surplus x value when received / total votes, five places.
                tv = truncate5(surplus * p.value / total)
                groups[(p.value, tv)] = groups.get((p.value, tv), 0) + p.count
                to = next_preference(p)
                p.value = tv
                if to is None:
                    nt_stage += tv * p.count  # the parcel of non-transferable papers
                else:
                    held[to].append(p)
                    votes[to] += tv * p.count
                    moved += tv * p.count
            votes[e] = quota
            nt_papers += nt_stage
            loss += surplus - moved - nt_stage
            tvs = sorted(((v, tv, k) for (v, tv), k in groups.items()), reverse=True)
            end_stage("surplus", e, ties, [], tvs)
            continue
        # Rule 50: no surplus to transfer: exclude the continuing candidate with fewest votes.
        cont = continuing()
        low = min(votes[c] for c in cont)
        x = tb.pick([c for c in cont if votes[c] == low], True, "exclusion", ties)
        status[x] = "excluded"
        if len(cont) - 1 == vacancies:
            # Rule 50 is subject to rule 52: the rest fill the vacancies; no transfer is made.
            stages[-1].excluded.append(names[x])
            rule_52(ties)
            break
        mine, held[x] = held[x], []
        for p in mine:
            # Rule 50(4): at the value at which the paper was received.
            to = next_preference(p)
            if to is None:
                nt_papers += p.value * p.count
            else:
                held[to].append(p)
                votes[to] += p.value * p.count
        votes[x] = Fraction(0)
        end_stage("exclusion", x, ties, [x], [])
    return RefResult(quota, valid, [names[c] for c in elected], stages)


def irv(
    names: Sequence[str],
    ballots: Sequence[tuple[Sequence[int], int]],
    seed: int = 0,
    withdrawn: frozenset[int] = frozenset(),
) -> RefResult:
    """Instant-runoff: elected with more than half of the votes on continuing papers, else the
    fewest votes are excluded (ties: look-back, then lot); the last continuing is elected."""
    papers = [Paper(tuple(c for c in prefs if c not in withdrawn), w) for prefs, w in ballots]
    papers = [p for p in papers if p.prefs]
    if not papers:
        raise ValueError("no valid ballots")
    standing = [c for c in range(len(names)) if c not in withdrawn]
    cont = set(standing)
    tb = _TieBreaker(names, seed)
    stages: list[RefStage] = []
    exhausted = 0
    action, who, out, ties = "first preferences", None, [], []
    while True:
        votes = {c: Fraction(0) for c in range(len(names))}
        live = 0
        for p in papers:
            here = next((c for c in p.prefs if c in cont), None)
            if here is not None:
                votes[here] += p.count
                live += p.count
        exhausted = sum(p.count for p in papers) - live
        tb.history.append(dict(votes))
        stage = RefStage(action, who, {names[c]: votes[c] for c in standing},
                         Fraction(exhausted), Fraction(exhausted), Fraction(0), excluded=out, ties=ties,
                         threshold=Fraction(live // 2 + 1))
        stages.append(stage)
        top = max(votes[c] for c in cont)
        winners = [c for c in cont if votes[c] == top]
        if 2 * top > live or len(cont) == 1:
            stage.elected.append(names[winners[0]])
            return RefResult(stage.threshold, sum(p.count for p in papers), stage.elected, stages)
        low = min(votes[c] for c in cont)
        ties = []
        x = tb.pick([c for c in cont if votes[c] == low], True, "exclusion", ties)
        cont.discard(x)
        action, who, out = "exclusion", names[x], [names[x]]
