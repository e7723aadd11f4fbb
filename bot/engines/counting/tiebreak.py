"""Breaking ties the Scottish way: look back, then draw lots with a recorded seed.

Rules 49(2)-(3) and 51 of the Scottish Local Government Elections Rules 2007 settle an equality by
the most recent preceding stage at which the tied candidates had unequal votes, and by lot when
they were equal at every stage. With three or more tied candidates we go back to the most recent
stage at which they were not all equal, keep those lowest (or highest) there, and if several
remain keep going back with just those; only if that never separates them is a lot drawn.
The lot is a draw from a generator seeded with the count's announced seed, so anyone can repeat it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Lot:
    """The count's lot: random.Random(seed), made when a tie first comes to a lot. Most counts
    draw none, and importing random is a measurable part of starting `quorum count`; the draws
    are those of random.Random(seed) all the same."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rng: Any = None

    def choice(self, seq: Sequence[int]) -> int:
        if self._rng is None:
            import random

            self._rng = random.Random(self.seed)
        return int(self._rng.choice(seq))


def break_tie(
    tied: Sequence[int],
    history: Sequence[Sequence[int]],
    *,
    lowest: bool,
    rng: Lot,
) -> tuple[int, str]:
    """The candidate a rule picks among `tied`, and how ('stage N' 1-based, or 'lot').

    `history[k]` holds every candidate's votes at the end of stage k+1, the current stage last.
    """
    remaining = sorted(tied)
    for k in range(len(history) - 1, -1, -1):
        row = history[k]
        values = {row[c] for c in remaining}
        if len(values) > 1:
            target = min(values) if lowest else max(values)
            remaining = [c for c in remaining if row[c] == target]
            if len(remaining) == 1:
                return remaining[0], f"stage {k + 1}"
    return rng.choice(remaining), "lot"
