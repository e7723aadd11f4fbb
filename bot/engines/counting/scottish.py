"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
rules 45 to 52, followed to the letter.

All arithmetic is in integers counting units of 0.00001 of a vote, the precision of rule 48(3).

- Rule 45: the first stage credits each candidate with one vote per paper (a card vote of weight
  w is w papers); the total is the number of valid papers.
- Rule 46: quota = floor(valid / (seats + 1)) + 1.
- Rule 47: a candidate whose votes equal or exceed the quota at the end of a stage is deemed
  elected and from then on is not a continuing candidate, so receives no further papers. Several
  reaching the quota at one stage are listed in order of their votes (highest first; equal votes
  settled as in rule 49).
- Rules 48 and 49: at the end of a stage with vacancies left, the largest untransferred surplus is
  transferred - one surplus per stage. All the candidate's papers are examined (weighted
  inclusive Gregory): each paper goes to its next available preference for a continuing
  candidate at transfer value floor(surplus x value-when-received / candidate's total, to 5
  places). Papers with no next available preference are non-transferable (value: papers x the
  same transfer value). Truncation leaves a small remainder of the surplus that goes to no one.
  As in the official stage tables, `non_transferable` is both together, so that at every stage
  continuing + elected + non-transferable = valid poll, exactly; the two parts are also reported
  separately (`non_transferable_papers`, `loss`). The elected candidate keeps exactly the quota.
  Equal surpluses: rule 49(2) (most recent preceding stage with unequal votes, highest first),
  then lot (49(3)).
- Rule 50: when no surplus remains to transfer and vacancies remain, the continuing candidate
  with the fewest votes is excluded - one candidate per stage - and all their papers go on at the
  value at which they were received (first preferences at 1). Ties: rule 51 (most recent
  preceding stage with unequal votes, lowest excluded), then lot.
- Rule 52: when the continuing candidates are no more than the vacancies left, they are all deemed
  elected and no further transfer is made (this is checked before any pending surplus, as rule 48
  is "subject to rule 52"). An exclusion that itself leaves as many continuing candidates as
  vacancies is made without transferring the papers (52(2); rule 50 is "subject to rule 52"), so it
  adds no stage: it is recorded on the last stage, as the published stage tables end.
"""

from __future__ import annotations

import numpy as np

from bot.engines.counting.papers import Holdings, advance
from bot.engines.counting.profile import Profile
from bot.engines.counting.stages import CountResult, Event, Stage, Tie, TransferValue, count_of, scaled
from bot.engines.counting.tiebreak import Lot, break_tie

PLACES = 5
UNIT = 10**PLACES

_CONTINUING, _ELECTED, _EXCLUDED = 0, 1, 2


class _Count:
    """One count in progress: votes in units of 0.00001, papers held, and the stage table."""

    def __init__(self, profile: Profile, seats: int, seed: int) -> None:
        self.p = profile
        self.seats = seats
        self.seed = seed
        self.rng = Lot(seed)
        self.names = profile.candidates
        n = len(self.names)
        self.n = n
        self.standing = list(profile.standing)
        self.status = [_EXCLUDED if c in profile.withdrawn else _CONTINUING for c in range(n)]
        self.votes = [0] * n
        self.hold = Holdings(profile.rankings, profile.multiplicity, n)
        self.valid = profile.papers
        self.quota = self.valid // (seats + 1) + 1
        self.q = self.quota * UNIT
        self.elected: list[int] = []
        self.transferred: set[int] = set()
        self.history: list[list[int]] = []
        self.stages: list[Stage] = []
        self.nt = 0
        self.loss = 0

    def stops(self) -> np.ndarray:
        s = np.ones(self.n + 1, dtype=bool)
        s[: self.n] = [st == _CONTINUING for st in self.status]
        return s

    def continuing(self) -> list[int]:
        return [c for c in self.standing if self.status[c] == _CONTINUING]

    def record(
        self,
        action: str,
        who: int | None,
        before: list[int],
        nt_stage: int,
        loss_stage: int,
        ties: list[Tie],
        excluded: list[Event],
        tvs: list[TransferValue],
    ) -> None:
        self.history.append(list(self.votes))
        elected_now = self.elect_reaching_quota(ties)
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                candidate=None if who is None else self.names[who],
                votes={self.names[c]: scaled(self.votes[c], PLACES) for c in self.standing},
                changes={self.names[c]: scaled(self.votes[c] - before[c], PLACES) for c in self.standing},
                non_transferable=scaled(self.nt + self.loss, PLACES),
                non_transferable_stage=scaled(nt_stage + loss_stage, PLACES),
                loss=scaled(self.loss, PLACES),
                loss_stage=scaled(loss_stage, PLACES),
                non_transferable_papers=scaled(self.nt, PLACES),
                elected=tuple(elected_now),
                excluded=tuple(excluded),
                ties=tuple(ties),
                transfer_values=tuple(tvs),
                threshold=scaled(self.q, PLACES),
            )
        )

    def ordered(self, group: list[int], ties: list[Tie], purpose: str, rule: str) -> list[int]:
        """Highest votes first; equal votes settled by rule 49(2)/(3)."""
        out: list[int] = []
        rest = list(group)
        while rest:
            top = max(self.votes[c] for c in rest)
            tied = [c for c in rest if self.votes[c] == top]
            if len(tied) == 1:
                pick = tied[0]
            else:
                pick, how = break_tie(tied, self.history, lowest=False, rng=self.rng)
                ties.append(
                    Tie(
                        tuple(self.names[c] for c in sorted(tied)),
                        purpose,
                        self.names[pick],
                        how,
                        rule,
                        self.seed if how == "lot" else None,
                    )
                )
            out.append(pick)
            rest.remove(pick)
        return out

    def elect_reaching_quota(self, ties: list[Tie]) -> list[Event]:
        reached = [c for c in self.continuing() if self.votes[c] >= self.q]
        events = []
        for c in self.ordered(reached, ties, "election order", "rule 47"):
            if len(self.elected) >= self.seats:
                break
            self.status[c] = _ELECTED
            self.elected.append(c)
            events.append(Event(self.names[c], "reached the quota (rule 47)"))
        return events

    def first_stage(self) -> None:
        rank = self.p.rankings
        rows = np.arange(rank.shape[0])
        pos = np.zeros(rank.shape[0], dtype=np.int64)
        counts = self.hold.deal(rows, pos, rank[:, 0].astype(np.int64), UNIT)
        for c in self.standing:
            self.votes[c] = int(counts[c]) * UNIT
        self.record("first preferences", None, [0] * self.n, 0, 0, [], [], [])

    def transfer_surplus(self, e: int, ties: list[Tie]) -> None:
        before = list(self.votes)
        total = self.votes[e]
        surplus = total - self.q
        stops = self.stops()
        moved = 0
        nt_stage = 0
        tvs = []
        for value, rows, pos in self.hold.take(e):
            tv = surplus * value // total
            holder, npos = advance(self.hold.rankings, rows, pos, stops)
            counts = self.hold.deal(rows, npos, holder, tv)
            for c in range(self.n):
                if counts[c]:
                    self.votes[c] += int(counts[c]) * tv
                    moved += int(counts[c]) * tv
            nt_stage += int(counts[self.n]) * tv
            tvs.append(TransferValue(scaled(value, PLACES), scaled(tv, PLACES), int(counts.sum())))
        loss_stage = surplus - moved - nt_stage
        self.votes[e] = self.q
        self.nt += nt_stage
        self.loss += loss_stage
        self.transferred.add(e)
        self.record("surplus", e, before, nt_stage, loss_stage, ties, [], tvs)

    def exclude(self, x: int, ties: list[Tie], reason: str) -> None:
        before = list(self.votes)
        self.status[x] = _EXCLUDED
        stops = self.stops()
        nt_stage = 0
        for value, rows, pos in self.hold.take(x):
            holder, npos = advance(self.hold.rankings, rows, pos, stops)
            counts = self.hold.deal(rows, npos, holder, value)
            for c in range(self.n):
                if counts[c]:
                    self.votes[c] += int(counts[c]) * value
            nt_stage += int(counts[self.n]) * value
        self.votes[x] = 0
        self.nt += nt_stage
        self.record("exclusion", x, before, nt_stage, 0, ties, [Event(self.names[x], reason)], [])

    def fill_last_vacancies(self, cont: list[int], ties: list[Tie], excluded: Event | None) -> None:
        """Rule 52: the continuing candidates fill the last vacancies; recorded on the last stage."""
        last = self.stages[-1]
        all_ties = [*last.ties, *ties]
        events = []
        for c in self.ordered(cont, all_ties, "election order", "rule 52"):
            self.status[c] = _ELECTED
            self.elected.append(c)
            events.append(Event(self.names[c], "continuing candidates equal the vacancies (rule 52)"))
        note = None
        if excluded is not None:
            note = f"{excluded.candidate} excluded after this stage; rule 52 then filled the last vacancies"
        self.stages[-1] = Stage(
            **{
                **last.__dict__,
                "elected": last.elected + tuple(events),
                "excluded": last.excluded + ((excluded,) if excluded else ()),
                "ties": tuple(all_ties),
                "note": note,
            }
        )

    def run(self) -> CountResult:
        self.first_stage()
        while len(self.elected) < self.seats:
            cont = self.continuing()
            vacancies = self.seats - len(self.elected)
            if len(cont) <= vacancies:
                self.fill_last_vacancies(cont, [], None)
                break
            ties = []
            pending = [c for c in self.elected if c not in self.transferred and self.votes[c] > self.q]
            if pending:
                top = max(self.votes[c] for c in pending)
                tied = [c for c in pending if self.votes[c] == top]
                e = tied[0]
                if len(tied) > 1:
                    e, how = break_tie(tied, self.history, lowest=False, rng=self.rng)
                    ties.append(
                        Tie(
                            tuple(self.names[c] for c in sorted(tied)),
                            "surplus order",
                            self.names[e],
                            how,
                            "rule 49",
                            self.seed if how == "lot" else None,
                        )
                    )
                self.transfer_surplus(e, ties)
                continue
            low = min(self.votes[c] for c in cont)
            tied = [c for c in cont if self.votes[c] == low]
            x = tied[0]
            if len(tied) > 1:
                x, how = break_tie(tied, self.history, lowest=True, rng=self.rng)
                ties.append(
                    Tie(
                        tuple(self.names[c] for c in sorted(tied)),
                        "exclusion",
                        self.names[x],
                        how,
                        "rule 51",
                        self.seed if how == "lot" else None,
                    )
                )
            if len(cont) - 1 <= vacancies:
                # Rule 52(2): excluding x leaves as many continuing candidates as vacancies, so
                # they are elected and x's papers are not transferred - no further stage.
                self.status[x] = _EXCLUDED
                excluded = Event(self.names[x], "fewest votes (rule 50); not transferred (rule 52(2))")
                self.fill_last_vacancies([c for c in cont if c != x], ties, excluded)
                break
            self.exclude(x, ties, "fewest votes (rule 50)")
        notes = []
        if len(self.elected) < self.seats:
            notes.append(f"only {len(self.elected)} of {count_of(self.seats, 'seat')} could be filled")
        return CountResult(
            method="scottish",
            seats=self.seats,
            candidates=self.names,
            quota=scaled(self.q, PLACES),
            valid=scaled(self.valid * UNIT, PLACES),
            elected=tuple(self.names[c] for c in self.elected),
            stages=tuple(self.stages),
            seed=self.seed,
            places=PLACES,
            title=self.p.title,
            withdrawn=tuple(self.names[c] for c in sorted(self.p.withdrawn)),
            notes=tuple(notes),
            descriptions=self.p.descriptions,
        )


def count_scottish(profile: Profile, seats: int | None = None, seed: int = 0) -> CountResult:
    """Count a profile under the Scottish rules; `seats` defaults to the file's."""
    n_seats = seats if seats is not None else profile.seats
    if not n_seats or n_seats < 1:
        raise ValueError("the number of seats must be a positive whole number")
    if profile.papers == 0:
        raise ValueError("there are no valid ballots to count")
    return _Count(profile, n_seats, seed).run()
