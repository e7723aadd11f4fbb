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
every quota met.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engines.sortition.groups import quota_rows
from bot.engines.sortition.model import SortitionError
from bot.engines.sortition.published import PublishedDraw
from bot.engines.sortition.randomness import RandomStream
from bot.engines.sortition.simple import simple_draw


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


def replace(
    draw: PublishedDraw,
    panel: Sequence[int],
    declined: Iterable[int],
    randomness: str,
    round_number: int,
    declined_before: Iterable[int] = (),
) -> tuple[list[int], list[Replacement]]:
    """Replace every ticket in `declined` (one round, ascending ticket order)."""
    current = set(panel)
    refused = set(declined_before)
    stream = RandomStream(draw.commitment, f"replacement {round_number}", randomness)
    made: list[Replacement] = []
    for ticket in sorted(set(declined)):
        if ticket not in current:
            raise SortitionError(f"Ticket {ticket} is not on the panel, so it cannot decline.")
        current.discard(ticket)
        refused.add(ticket)
        group = draw.groups[draw.group_of(ticket)]
        same = [t for t in group.tickets if t not in current and t not in refused]
        candidates = same or _quota_keeping(draw, current, refused)
        if not candidates:
            raise SortitionError(
                f"Nobody left in the pool can take ticket {ticket}'s seat without breaking a "
                "quota; the organisers must decide whether to leave the seat empty."
            )
        chosen = candidates[stream.below(len(candidates))]
        current.add(chosen)
        made.append(Replacement(ticket, chosen, bool(same)))
    return sorted(current), made


def _quota_keeping(draw: PublishedDraw, current: set[int], refused: set[int]) -> list[int]:
    rows = quota_rows(draw.groups, draw.quotas)
    counts = [sum(t in current for t in g.tickets) for g in draw.groups]
    result = []
    for g, group in enumerate(draw.groups):
        counts[g] += 1
        fits = all(
            b.min <= sum(counts[i] for i in row) <= b.max for b, row in zip(draw.quotas.bounds, rows, strict=True)
        )
        counts[g] -= 1
        if fits:
            result += [t for t in group.tickets if t not in current and t not in refused]
    return sorted(result)
