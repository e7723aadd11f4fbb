"""Counting single-choice polls, multiple-choice (approval) polls and yes/no proposals.

The rules are the ones the movement's standing orders use: abstentions count towards turnout
but not towards the majority; a quorum is measured on turnout; ties are reported as ties and
never broken silently. Everything is integer or Fraction arithmetic, so "two-thirds" means
exactly two-thirds: 66 for and 34 against is not enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction


class Majority(Enum):
    SIMPLE = "simple"  # more for than against
    ABSOLUTE = "absolute"  # more than half of the whole electorate for
    TWO_THIRDS = "two-thirds"  # at least two-thirds of the votes cast for or against
    INDUSTRIAL = "industrial"  # Trade Union Act 2016: turnout at least 50%, more for than against
    INDUSTRIAL_40 = "industrial-40"  # ...and, for important public services, 40% of all in favour

    @property
    def needs_electorate(self) -> bool:
        return self in (Majority.ABSOLUTE, Majority.INDUSTRIAL, Majority.INDUSTRIAL_40)


@dataclass(frozen=True)
class QuorumRule:
    """A minimum turnout: a percentage of the electorate or a head count."""

    value: int
    percent: bool

    def __str__(self) -> str:
        return f"{self.value}%" if self.percent else str(self.value)

    @classmethod
    def parse(cls, text: str) -> QuorumRule:
        t = text.strip()
        percent = t.endswith("%")
        digits = t[:-1] if percent else t
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
            raise ValueError(f"quorum {t!r} is not a number; write e.g. 40% or 25")
        value = int(digits)
        if percent and not 1 <= value <= 100:
            raise ValueError("a quorum percentage is between 1% and 100%")
        if not percent and value < 1:
            raise ValueError("a quorum head count is at least 1")
        return cls(value, percent)


YES_WORDS = frozenset({"yes", "for", "aye", "agree"})
NO_WORDS = frozenset({"no", "against", "nay", "disagree"})
ABSTAIN_WORDS = frozenset({"abstain", "abstention"})


def abstain_index(options: Sequence[str]) -> int | None:
    for i, label in enumerate(options):
        if label.strip().lower() in ABSTAIN_WORDS:
            return i
    return None


def proposal_roles(options: Sequence[str]) -> tuple[int, int, int | None] | None:
    """(yes, no, abstain) indexes if OPTIONS are those of a yes/no proposal, else None."""
    words = [o.strip().lower() for o in options]
    if len(words) not in (2, 3):
        return None
    yes = [i for i, w in enumerate(words) if w in YES_WORDS]
    no = [i for i, w in enumerate(words) if w in NO_WORDS]
    abst = [i for i, w in enumerate(words) if w in ABSTAIN_WORDS]
    if len(yes) != 1 or len(no) != 1 or len(abst) != len(words) - 2:
        return None
    return yes[0], no[0], (abst[0] if abst else None)


@dataclass(frozen=True)
class Tally:
    """Weighted counts per option. ``ballots`` is the number of voters (a head count);
    ``weight`` the sum of their weights (equal to ballots unless it is a card vote)."""

    options: tuple[str, ...]
    counts: tuple[int, ...]
    ballots: int
    weight: int


def tally(options: Sequence[str], ballots: Iterable[tuple[Sequence[int], int]]) -> Tally:
    counts = [0] * len(options)
    n = 0
    total = 0
    for choice, weight in ballots:
        if weight <= 0:
            raise ValueError("a ballot's weight must be positive")
        if len(set(choice)) != len(choice):
            raise ValueError("a ballot names an option twice")
        for idx in choice:
            if not 0 <= idx < len(options):
                raise ValueError(f"option index {idx} out of range")
            counts[idx] += weight
        n += 1
        total += weight
    return Tally(tuple(options), tuple(counts), n, total)


class Outcome(Enum):
    PASSED = "passed"
    FAILED = "failed"
    TIE = "tie"
    WINNER = "winner"
    NO_MAJORITY = "no majority"
    NOT_QUORATE = "not quorate"
    NO_VOTES = "no votes"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    winners: tuple[int, ...]  # leading option(s); several means a tie
    turnout: Fraction | None  # share of the electorate that voted, when it is known
    quorum_met: bool | None
    counted: int  # the votes the majority is measured on (abstentions excluded)
    reasons: tuple[str, ...]


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def decide(
    t: Tally,
    *,
    proposal: bool,
    majority: Majority | None = None,
    quorum: QuorumRule | None = None,
    electorate: int | None = None,
    max_choices: int = 1,
) -> Decision:
    """Apply the poll's rules to its tally. ELECTORATE is the headcount (or, for a card vote,
    the total weight) of those entitled to vote, when it is known."""
    turnout_n = t.weight
    turnout = _share(turnout_n, electorate) if electorate else None
    reasons: list[str] = []
    quorum_met: bool | None = None
    if quorum is not None:
        if quorum.percent:
            if not electorate:
                raise ValueError("a percentage quorum needs a known electorate")
            quorum_met = turnout_n * 100 >= quorum.value * electorate
        else:
            quorum_met = turnout_n >= quorum.value
        reasons.append(f"quorum {quorum} {'met' if quorum_met else 'not met'}")

    if majority is not None and majority.needs_electorate and not electorate:
        raise ValueError(f"a {majority.value} majority needs a known electorate")

    if proposal:
        roles = proposal_roles(t.options)
        if roles is None:
            raise ValueError("not a yes/no proposal")
        yes_i, no_i, _ = roles
        yes, no = t.counts[yes_i], t.counts[no_i]
        counted = yes + no
        if t.ballots == 0:
            return Decision(Outcome.NO_VOTES, (), turnout, quorum_met, 0, tuple(reasons))
        if quorum_met is False:
            return Decision(Outcome.NOT_QUORATE, (), turnout, False, counted, tuple(reasons))
        rule = majority or Majority.SIMPLE
        passed: bool
        if rule is Majority.SIMPLE:
            if yes == no:
                reasons.append(f"tie: {yes} for, {no} against")
                return Decision(Outcome.TIE, (yes_i, no_i), turnout, quorum_met, counted, tuple(reasons))
            passed = yes > no
            reasons.append("more for than against" if passed else "not more for than against")
        elif rule is Majority.ABSOLUTE:
            assert electorate
            passed = yes * 2 > electorate
            reasons.append(f"{'more' if passed else 'not more'} than half of the electorate ({electorate}) for")
        elif rule is Majority.TWO_THIRDS:
            passed = counted > 0 and yes * 3 >= counted * 2
            reasons.append(f"{'at least' if passed else 'less than'} two-thirds of votes cast for")
        else:
            assert electorate
            turnout_ok = turnout_n * 2 >= electorate
            reasons.append(f"turnout {'at least' if turnout_ok else 'below'} 50% of the electorate")
            passed = turnout_ok and yes > no
            if turnout_ok:
                reasons.append("more for than against" if yes > no else "not more for than against")
            if rule is Majority.INDUSTRIAL_40:
                forty = yes * 10 >= electorate * 4
                reasons.append(f"{'at least' if forty else 'less than'} 40% of the electorate for")
                passed = passed and forty
        outcome = Outcome.PASSED if passed else Outcome.FAILED
        return Decision(outcome, (yes_i,) if passed else (), turnout, quorum_met, counted, tuple(reasons))

    abst = abstain_index(t.options)
    counted = t.weight - (t.counts[abst] if abst is not None and max_choices == 1 else 0)
    candidates = [i for i in range(len(t.options)) if i != abst]
    if t.ballots == 0:
        return Decision(Outcome.NO_VOTES, (), turnout, quorum_met, 0, tuple(reasons))
    if quorum_met is False:
        return Decision(Outcome.NOT_QUORATE, (), turnout, False, counted, tuple(reasons))
    top = max(t.counts[i] for i in candidates)
    leaders = tuple(i for i in candidates if t.counts[i] == top)
    if top == 0:
        return Decision(Outcome.NO_VOTES, (), turnout, quorum_met, counted, tuple(reasons))
    if len(leaders) > 1:
        reasons.append("tie for first place")
        return Decision(Outcome.TIE, leaders, turnout, quorum_met, counted, tuple(reasons))
    if majority is None:
        return Decision(Outcome.WINNER, leaders, turnout, quorum_met, counted, tuple(reasons))
    if majority is Majority.SIMPLE:
        ok = top * 2 > counted
        reasons.append("more than half of the votes cast" if ok else "not more than half of the votes cast")
    elif majority is Majority.TWO_THIRDS:
        ok = top * 3 >= counted * 2
        reasons.append("at least two-thirds of the votes cast" if ok else "less than two-thirds of the votes cast")
    else:
        assert electorate
        ok = top * 2 > electorate
        reasons.append("more than half of the electorate" if ok else "not more than half of the electorate")
    return Decision(
        Outcome.WINNER if ok else Outcome.NO_MAJORITY, leaders, turnout, quorum_met, counted, tuple(reasons)
    )
