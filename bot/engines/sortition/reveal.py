"""The reveal: public randomness plus the commitment picks the panel; replacements likewise.

Leximin draws are two-step. The first number picks one panel profile, each with exactly its
published weight out of the total. Then, group by group in ascending group number, the needed
number of tickets is taken from the group uniformly (partial Fisher-Yates). Because members of a
group are interchangeable for every quota, this gives each of them exactly the group's chance.

A volunteer who declines is replaced by another member of the same group who is neither on the
panel nor has declined, chosen uniformly with fresh randomness announced for that round. That is
exactly how the original draw would have continued within the group, so chances stay as
published and the panel profile (and every quota) is unchanged. Only when the group has nobody
left is the replacement chosen uniformly among all remaining volunteers whose joining keeps
every quota in force met (the published quotas, or the ones the organisers relaxed after the
draw). When there is nobody at all, the round draws nothing and says so (`SeatUnfillable`): the
organisers then leave that seat empty or relax a quota, and the next round goes on.

A seat whose replacement is still to come, or that the organisers left empty, keeps counting for
the quotas as held by the volunteer who declined it. So a seat left empty never blocks later
replacements (a minimum it leaves one short is not held against them), nor makes room under a
maximum that the published panel did not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engines.sortition.groups import quota_rows
from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError
from bot.engines.sortition.published import PublishedDraw
from bot.engines.sortition.randomness import RandomStream
from bot.engines.sortition.simple import simple_draw
from bot.engines.sortition.words import N_


@dataclass(frozen=True)
class Replacement:
    declined: int
    replacement: int
    same_group: bool


def draw_panel(draw: PublishedDraw, randomness: str) -> list[int]:
    """The panel's tickets, ascending, for this announced randomness."""
    stream = RandomStream(draw.commitment, "panel", randomness)
    if draw.method == "simple":
        return simple_draw(draw.groups, draw.quotas, stream)
    profile = draw.profiles[_weighted_index(draw.weights, stream.below(draw.total_weight))]
    panel: list[int] = []
    for group, count in zip(draw.groups, profile, strict=True):
        if count:
            panel += stream.sample(list(group.tickets), count)
    return sorted(panel)


def _weighted_index(weights: Sequence[int], pick: int) -> int:
    """The entry whose cumulative weight interval [before, before + weight) contains pick."""
    for index, weight in enumerate(weights):
        if pick < weight:
            return index
        pick -= weight
    raise SortitionError("The pick lies beyond the total weight.")


class SeatUnfillable(SortitionError):
    """Nobody left in the pool can take declined ticket TICKET's seat without breaking a quota in
    force, so the round draws nothing. RELAX is the smallest loosening of the quota lines that
    would let someone take it (empty when nobody is left in the pool at all)."""

    def __init__(self, ticket: int, relax: tuple[QuotaBound, ...]) -> None:
        change = ", ".join(f"{b.feature}={b.value} {b.min}-{b.max}" for b in relax)
        how = f"relax {change}, or leave the seat empty" if relax else "leave the seat empty"
        super().__init__(
            f"Nobody left in the pool can take ticket {ticket}'s seat without breaking a quota; the organisers "
            f"must decide: {how}. Nothing was drawn."
        )
        self.ticket = ticket
        self.relax = relax


def replace(
    draw: PublishedDraw,
    panel: Sequence[int],
    declined: Iterable[int],
    randomness: str,
    round_number: int,
    declined_before: Iterable[int] = (),
    quotas: Quotas | None = None,
) -> tuple[list[int], list[Replacement]]:
    """Replace every ticket in `declined` (one round, ascending ticket order).

    PANEL is every ticket holding a seat, including declined tickets whose seats are open or were
    left empty (they count for the quotas as held); DECLINED_BEFORE are the tickets that declined
    in earlier rounds (never drawn again); QUOTAS are the quotas in force, the published ones
    unless the organisers relaxed a line. Raises `SeatUnfillable`, and draws nothing, when a seat
    cannot be filled.
    """
    quotas = quotas or draw.quotas
    current = set(panel)
    refused = set(declined_before)
    stream = RandomStream(draw.commitment, f"replacement {round_number}", randomness)
    made: list[Replacement] = []
    for ticket in sorted(set(declined)):
        if ticket not in current:
            raise SortitionError(N_("Ticket {ticket} is not on the panel, so it cannot decline.", ticket=ticket))
        current.discard(ticket)
        refused.add(ticket)
        group = draw.groups[draw.group_of(ticket)]
        same = [t for t in group.tickets if t not in current and t not in refused]
        candidates = same or _quota_keeping(draw, quotas, current, refused)
        if not candidates:
            raise SeatUnfillable(ticket, _nearest_relaxation(draw, quotas, current, refused))
        chosen = candidates[stream.below(len(candidates))]
        current.add(chosen)
        made.append(Replacement(ticket, chosen, bool(same)))
    return sorted(current), made


def _joined(draw: PublishedDraw, quotas: Quotas, current: set[int]) -> list[list[int]]:
    """For each group, the seat counts of every quota line if one of its members joined CURRENT."""
    rows = quota_rows(draw.groups, quotas)
    counts = [sum(t in current for t in g.tickets) for g in draw.groups]
    return [[sum(counts[i] for i in row) + (g in row) for row in rows] for g in range(len(draw.groups))]


def _available(draw: PublishedDraw, g: int, current: set[int], refused: set[int]) -> list[int]:
    return [t for t in draw.groups[g].tickets if t not in current and t not in refused]


def _quota_keeping(draw: PublishedDraw, quotas: Quotas, current: set[int], refused: set[int]) -> list[int]:
    result = []
    for g, seats in enumerate(_joined(draw, quotas, current)):
        if all(b.min <= n <= b.max for b, n in zip(quotas.bounds, seats, strict=True)):
            result += _available(draw, g, current, refused)
    return sorted(result)


def _nearest_relaxation(
    draw: PublishedDraw, quotas: Quotas, current: set[int], refused: set[int]
) -> tuple[QuotaBound, ...]:
    """The quota lines, loosened as little as possible in total, that would let a member of some
    group with volunteers left take the seat (the first such group on a tie); none if nobody is
    left. Advice for the organisers only: it uses no randomness and draws nothing."""
    best: tuple[int, tuple[QuotaBound, ...]] | None = None
    for g, seats in enumerate(_joined(draw, quotas, current)):
        if not _available(draw, g, current, refused):
            continue
        loosened = tuple(
            QuotaBound(b.feature, b.value, min(b.min, n), max(b.max, n))
            for b, n in zip(quotas.bounds, seats, strict=True)
            if not b.min <= n <= b.max
        )
        cost = sum((b.min - n if n < b.min else n - b.max) for b, n in zip(quotas.bounds, seats, strict=True)
                   if not b.min <= n <= b.max)
        if best is None or cost < best[0]:
            best = (cost, loosened)
    return best[1] if best else ()
