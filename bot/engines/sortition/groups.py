"""Volunteers with the same answers to every quota question form one group.

Members of a group are interchangeable for every quota, so any fair distribution gives them the
same chance. The solvers therefore work with a few hundred groups instead of thousands of
people, which is what makes large pools fast; individuals only reappear when the drawn panel
profile is turned into tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.engines.sortition.model import Quotas, Volunteer


@dataclass(frozen=True)
class Group:
    """Tickets (1-based pool positions) that share the answers `values` (in feature order)."""

    values: tuple[str, ...]
    tickets: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.tickets)


def group_pool(pool: Sequence[Volunteer], quotas: Quotas) -> list[Group]:
    """Groups in canonical order (sorted by answers), tickets ascending within each group.

    The order depends only on the pool's list order and the answers, never on hashing, so the
    same pool always yields the same groups in every process.
    """
    features = quotas.features
    by_values: dict[tuple[str, ...], list[int]] = {}
    for position, volunteer in enumerate(pool):
        values = tuple(volunteer.features[f] for f in features)
        by_values.setdefault(values, []).append(position + 1)
    return [Group(values, tuple(by_values[values])) for values in sorted(by_values)]


def quota_rows(groups: Sequence[Group], quotas: Quotas) -> list[list[int]]:
    """For each bound (in `quotas.bounds` order), the indices of the groups it counts."""
    index = {f: i for i, f in enumerate(quotas.features)}
    return [[g for g, group in enumerate(groups) if group.values[index[b.feature]] == b.value] for b in quotas.bounds]
