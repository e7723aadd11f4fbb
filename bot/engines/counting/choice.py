"""Counting single-choice polls, multiple-choice (approval) polls and yes/no proposals.

The rules are the ones the movement's standing orders use: abstentions count towards turnout
but not towards the majority; a quorum is measured on turnout, in people (also in a card vote,
whose weights decide the question but not whether enough members took part); ties are reported
as ties and never broken silently. Everything is integer or Fraction arithmetic, so "two-thirds"
means exactly two-thirds (66 for and 34 against is not enough), and a quorum of 33.3% means
exactly that. A result gives the rules it was measured against with their figures, the failed
ones first, so a chair can say why a question fell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
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


NUMBER = re.compile(r"\d{1,9}(?:\.\d{1,6})?", re.ASCII)
"""A number as people type it in an option: digits, and a decimal point if they want one."""
DIGITS = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
"""A number of any length: one NUMBER refuses for its length, not for not being a number."""


def exact(text: str) -> Fraction | None:
    """TEXT as an exact number (``40.5`` is 81/2), or None if it is not a plain decimal number.
    Never a float: a quorum of 33.3% must mean exactly that, not 33.29999…"""
    t = text.strip()
    return Fraction(t) if NUMBER.fullmatch(t) else None


def decimal_text(value: Fraction) -> str:
    """VALUE written back as the decimal it was typed as: 81/2 is ``40.5``, 40 is ``40``."""
    if value.denominator == 1:
        return str(value.numerator)
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return format(d.normalize(), "f")


@dataclass(frozen=True)
class QuorumRule:
    """A minimum turnout: a percentage of the electorate or a head count.

    A quorum is a count of people, as standing orders measure attendance: a head count is that
    many members voting, and a percentage is a share of the members entitled to vote, also in a
    card vote, where the weight of each vote decides the question but not whether enough people
    took part (see ``decide``).
    """

    value: Fraction
    percent: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", Fraction(self.value))

    def __str__(self) -> str:
        return f"{decimal_text(self.value)}{'%' if self.percent else ''}"

    def needed(self, members: int) -> int:
        """The fewest voters that meet this quorum when MEMBERS are entitled to vote."""
        if not self.percent:
            return int(self.value)
        return math.ceil(self.value * members / 100)

    @classmethod
    def parse(cls, text: str) -> QuorumRule:
        t = text.strip()
        percent = t.endswith("%")
        value = exact(t[:-1] if percent else t)
        if value is None and DIGITS.fullmatch(t[:-1] if percent else t):
            raise QuorumError("digits", t, "a quorum has at most 9 digits before the decimal point and 6 after it")
        if value is None:
            raise QuorumError("number", t, f"quorum {t!r} is not a number; write e.g. 40%, 33.3% or 25")
        if percent and not 1 <= value <= 100:
            raise QuorumError("percent", t, "a quorum percentage is between 1% and 100%")
        if not percent and value.denominator != 1:
            raise QuorumError("whole", t, f"a quorum head count is a whole number of people, not {t}; "
                                          "for a share of the electorate write e.g. 40%")
        if not percent and value < 1:
            raise QuorumError("least", t, "a quorum head count is at least 1")
        return cls(value, percent)


class QuorumError(ValueError):
    """A quorum that cannot be read. The message is the English an operator reads; REASON names
    the rule broken ("number", "digits", "percent", "whole", "least") and TEXT is what was typed, so that
    the chat layer can say it in the reader's language (the engines have no catalogues)."""

    def __init__(self, reason: str, text: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.text = text


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
    reasons: tuple[str, ...]  # the conditions that decided it: those that failed first
    met: tuple[str, ...] = ()  # the conditions met, when the question failed on another


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


class _Conditions:
    """The rules a result was measured against, each met or not, with its figures; a failure
    is explained by what failed first, then by what was met."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.met: list[str] = []

    def check(self, ok: bool, met: str, failed: str) -> bool:
        (self.met if ok else self.failed).append(met if ok else failed)
        return ok

    def decision(
        self, outcome: Outcome, winners: tuple[int, ...], turnout: Fraction | None, quorum_met: bool | None,
        counted: int,
    ) -> Decision:
        if self.failed:
            return Decision(outcome, winners, turnout, quorum_met, counted, tuple(self.failed), tuple(self.met))
        return Decision(outcome, winners, turnout, quorum_met, counted, tuple(self.met))


def _for_against(yes: int, no: int) -> str:
    return f"{yes} for, {no} against"


def quorum_check(quorum: QuorumRule, ballots: int, heads: int | None, *, card: bool = False) -> tuple[bool, str]:
    """Whether BALLOTS voters (people) meet QUORUM when HEADS are entitled to vote (None: not
    known), and the sentence that says so with its figures. Any ballot's quorum, an election's
    too: it is measured on who took part, before anything is counted."""
    unit = " (a quorum counts people, not card votes)" if card else ""
    if quorum.percent:
        if not heads:
            raise ValueError("a percentage quorum needs a known electorate")
        need = quorum.needed(heads)
        if ballots >= need:
            return True, f"quorum {quorum} met: {ballots} of {heads} voted{unit}"
        return False, f"quorum {quorum} not met: {ballots} of {heads} voted, {need} needed{unit}"
    if ballots >= quorum.needed(0):
        return True, f"quorum {quorum} met: {ballots} voted{unit}"
    return False, f"quorum {quorum} not met: {ballots} voted{unit}"


def decide(
    t: Tally,
    *,
    proposal: bool,
    majority: Majority | None = None,
    quorum: QuorumRule | None = None,
    electorate: int | None = None,
    members: int | None = None,
    max_choices: int = 1,
) -> Decision:
    """Apply the poll's rules to its tally.

    ELECTORATE is the size of the electorate in the unit votes are counted in, when it is known:
    the number of people entitled to vote, or, in a card vote, their total weight. A card vote
    also gives MEMBERS, the number of people: a quorum counts people (a head count is that many
    voters, a percentage a share of MEMBERS), while the majorities weigh each vote by its card.
    The statutory industrial-action thresholds count members one by one, so they refuse a card
    vote.
    """
    card = members is not None
    heads = members if card else electorate
    if not card and t.weight != t.ballots and quorum is not None and quorum.percent:
        raise ValueError("a weighted (card) vote needs MEMBERS to measure a percentage quorum")
    turnout = _share(t.weight, electorate) if electorate else None
    rules = _Conditions()
    quorum_met: bool | None = None
    if quorum is not None:
        quorum_met, said = quorum_check(quorum, t.ballots, heads, card=card)
        (rules.met if quorum_met else rules.failed).append(said)

    if majority is not None and majority.needs_electorate and not electorate:
        raise ValueError(f"the {majority.value} rule needs a known electorate")
    if card and majority in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40):
        raise ValueError("the industrial-action thresholds count members one by one, never a card vote")

    if proposal:
        roles = proposal_roles(t.options)
        if roles is None:
            raise ValueError("not a yes/no proposal")
        yes_i, no_i, _ = roles
        yes, no = t.counts[yes_i], t.counts[no_i]
        counted = yes + no
        if t.ballots == 0:
            return rules.decision(Outcome.NO_VOTES, (), turnout, quorum_met, 0)
        if quorum_met is False:
            return rules.decision(Outcome.NOT_QUORATE, (), turnout, False, counted)
        if counted == 0:  # everyone abstained: no rule has anything to measure, nor a tie to report
            rules.check(False, "", f"nobody voted for or against ({t.ballots} abstained)")
            return rules.decision(Outcome.FAILED, (), turnout, quorum_met, 0)
        rule = majority or Majority.SIMPLE
        if rule is Majority.SIMPLE:
            if yes == no:  # reported as a tie (the figures are in the tally), never broken
                return rules.decision(Outcome.TIE, (yes_i, no_i), turnout, quorum_met, counted)
            passed = rules.check(yes > no, f"more for than against ({_for_against(yes, no)})",
                                 f"more against than for ({_for_against(yes, no)})")
        elif rule is Majority.ABSOLUTE:
            assert electorate
            passed = rules.check(
                yes * 2 > electorate,
                f"more than half of the electorate for ({yes} of {electorate})",
                f"not more than half of the electorate for ({yes} of {electorate}, {electorate // 2 + 1} needed)",
            )
        elif rule is Majority.TWO_THIRDS:
            need = math.ceil(Fraction(counted * 2, 3))
            passed = rules.check(
                counted > 0 and yes * 3 >= counted * 2,
                f"at least two-thirds of the votes cast for ({yes} of {counted})",
                f"less than two-thirds of the votes cast for ({yes} of {counted}, {need} needed)",
            )
        else:
            assert electorate
            half = math.ceil(Fraction(electorate, 2))
            turnout_ok = rules.check(
                t.ballots * 2 >= electorate,
                f"turnout at least 50% of the electorate ({t.ballots} of {electorate})",
                f"turnout below 50% of the electorate ({t.ballots} of {electorate}, {half} needed)",
            )
            more = rules.check(yes > no, f"more for than against ({_for_against(yes, no)})",
                               f"not more for than against ({_for_against(yes, no)})")
            passed = turnout_ok and more
            if rule is Majority.INDUSTRIAL_40:
                forty = math.ceil(Fraction(electorate * 4, 10))
                passed = rules.check(
                    yes * 10 >= electorate * 4,
                    f"at least 40% of the electorate for ({yes} of {electorate})",
                    f"less than 40% of the electorate for ({yes} of {electorate}, {forty} needed)",
                ) and passed
        outcome = Outcome.PASSED if passed else Outcome.FAILED
        return rules.decision(outcome, (yes_i,) if passed else (), turnout, quorum_met, counted)

    abst = abstain_index(t.options)
    counted = t.weight - (t.counts[abst] if abst is not None and max_choices == 1 else 0)
    candidates = [i for i in range(len(t.options)) if i != abst]
    if t.ballots == 0:
        return rules.decision(Outcome.NO_VOTES, (), turnout, quorum_met, 0)
    if quorum_met is False:
        return rules.decision(Outcome.NOT_QUORATE, (), turnout, False, counted)
    top = max(t.counts[i] for i in candidates)
    leaders = tuple(i for i in candidates if t.counts[i] == top)
    if top == 0:  # every ballot an abstention: votes were cast (turnout), none for any option
        rules.check(False, "", f"no votes for any option ({t.ballots} abstained)")
        return rules.decision(Outcome.NO_VOTES, (), turnout, quorum_met, counted)
    if len(leaders) > 1:
        return rules.decision(Outcome.TIE, leaders, turnout, quorum_met, counted)
    if majority is None:
        return rules.decision(Outcome.WINNER, leaders, turnout, quorum_met, counted)
    if majority is Majority.SIMPLE:
        ok = rules.check(
            top * 2 > counted,
            f"more than half of the votes cast ({top} of {counted})",
            f"not more than half of the votes cast ({top} of {counted}, {counted // 2 + 1} needed)",
        )
    elif majority is Majority.TWO_THIRDS:
        ok = rules.check(
            top * 3 >= counted * 2,
            f"at least two-thirds of the votes cast ({top} of {counted})",
            f"less than two-thirds of the votes cast ({top} of {counted}, "
            f"{math.ceil(Fraction(counted * 2, 3))} needed)",
        )
    else:
        assert electorate
        ok = rules.check(
            top * 2 > electorate,
            f"more than half of the electorate ({top} of {electorate})",
            f"not more than half of the electorate ({top} of {electorate}, {electorate // 2 + 1} needed)",
        )
    return rules.decision(Outcome.WINNER if ok else Outcome.NO_MAJORITY, leaders, turnout, quorum_met, counted)
