"""From a frozen pool and quotas to a sealed document: the whole commit phase in one call.

This is the seam the chat layer uses: it passes volunteers in registration order (ticket n is
the n-th volunteer, so each volunteer can be told their ticket when the pool is frozen) and
stores the returned document, whose commitment it announces before the randomness exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.engines.sortition.document import Document, build_body, exact_chances, seal
from bot.engines.sortition.feasibility import check
from bot.engines.sortition.leximin import leximin
from bot.engines.sortition.model import Quotas, SortitionError, Volunteer

METHODS = ("leximin", "simple")


@dataclass(frozen=True)
class PreparedDraw:
    document: Document
    tickets: dict[str, int]
    chances: dict[str, Fraction]

    @property
    def commitment(self) -> str:
        return str(self.document["commitment"])


def prepare(pool: Sequence[Volunteer], quotas: Quotas, method: str = "leximin", title: str = "") -> PreparedDraw:
    """Check the quotas, compute the lottery (leximin) and seal the document.

    Raises `InfeasibleQuotas` (saying which quota to relax) before anything is computed.
    `chances` is empty for the simple method, whose chances have no closed form.
    """
    if method not in METHODS:
        raise SortitionError(f"Unknown method {method!r}; use one of {', '.join(METHODS)}.")
    groups = check(pool, quotas)
    if method == "leximin":
        result = leximin(groups, quotas)
        body = build_body(groups, quotas, method, title, result.profiles, result.probabilities)
    else:
        body = build_body(groups, quotas, method, title)
    tickets = {v.id: position + 1 for position, v in enumerate(pool)}
    chances: dict[str, Fraction] = {}
    if method == "leximin":
        by_group = exact_chances(groups, body["lottery"])
        for group, chance in zip(groups, by_group, strict=True):
            for ticket in group.tickets:
                chances[pool[ticket - 1].id] = chance
    return PreparedDraw(seal(body), tickets, chances)
