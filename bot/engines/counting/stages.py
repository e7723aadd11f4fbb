"""The stage table: what a returning officer publishes, stage by stage.

Every value is an exact Decimal (made from integers scaled to the rule's decimal places), so the
table can be rendered, compared and summed without any binary rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


def count_of(n: int, noun: str) -> str:
    """N and its noun in agreement ("1 seat", "3 seats"): the rule of bot.kernel.wording.count_of,
    which the engines may not import (they import nothing of the bot)."""
    return f"{n} {noun if n == 1 else noun + 's'}"


def scaled(value: int, places: int) -> Decimal:
    """An integer count of 10**-places units as an exact Decimal with that many places."""
    digits = tuple(int(d) for d in str(abs(value)))
    return Decimal((1 if value < 0 else 0, digits, -places))


@dataclass(frozen=True)
class Tie:
    """Two or more candidates equal where a rule needed one of them, and how it was settled."""

    candidates: tuple[str, ...]
    purpose: str
    """'exclusion', 'surplus order' or 'election order'."""
    chosen: str
    method: str
    """'stage N' (the most recent preceding stage where they differed) or 'lot'."""
    rule: str
    seed: int | None = None


@dataclass(frozen=True)
class Event:
    """A candidate elected or excluded, with the reason in the words of the rule."""

    candidate: str
    reason: str


@dataclass(frozen=True)
class TransferValue:
    """Papers of one value when received, and the value they carried on (surplus transfers)."""

    value_received: Decimal
    transfer_value: Decimal
    papers: int


@dataclass(frozen=True)
class Stage:
    number: int
    action: str
    """'first preferences', 'surplus', 'exclusion' (or 'iteration' for Meek)."""
    candidate: str | None
    votes: dict[str, Decimal]
    """Every candidate's votes at the end of the stage."""
    changes: dict[str, Decimal]
    """What each candidate gained (or lost) at this stage."""
    non_transferable: Decimal
    """Votes no longer with any candidate, cumulative: the value of non-transferable papers plus
    what truncating transfer values left of surpluses - the figure official stage tables show,
    so that candidates' votes + non_transferable = valid, exactly, at every stage."""
    non_transferable_stage: Decimal
    loss: Decimal
    """The truncation part of `non_transferable` (cumulative); zero except in Scottish STV."""
    loss_stage: Decimal
    non_transferable_papers: Decimal
    """The papers part of `non_transferable` (cumulative): value of papers with no next
    available preference."""
    elected: tuple[Event, ...] = ()
    excluded: tuple[Event, ...] = ()
    ties: tuple[Tie, ...] = ()
    transfer_values: tuple[TransferValue, ...] = ()
    threshold: Decimal | None = None
    """The quota (STV) or the majority needed (IRV) at this stage: fixed in Scottish STV,
    recomputed every iteration in Meek, falling in IRV as papers exhaust."""
    note: str | None = None


@dataclass(frozen=True)
class CountResult:
    method: str
    seats: int
    candidates: tuple[str, ...]
    quota: Decimal | None
    """The quota; where it changes from stage to stage (Meek, IRV), the final stage's - each
    stage carries its own as `threshold`."""
    valid: Decimal
    elected: tuple[str, ...]
    stages: tuple[Stage, ...]
    seed: int
    places: int
    title: str | None = None
    withdrawn: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    descriptions: tuple[str, ...] = field(default=())
    """Per candidate, in the order of `candidates`, the text the file gave after the name (a
    party), or empty."""
