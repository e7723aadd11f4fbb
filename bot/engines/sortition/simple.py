"""The simple stratified draw: shuffle the tickets, walk down, keep whoever still fits.

Easy to explain at a meeting and fast for small pools: the public randomness shuffles the
tickets; going down the shuffled list, each person joins the panel unless taking them would
make some quota impossible to meet with the people still available. The result always meets
the quotas. Unlike leximin it does not equalise chances: people in groups that quotas favour
are picked more often, so leximin is the default and this is an option for small pools.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engines.sortition.groups import Group, quota_rows
from bot.engines.sortition.model import Quotas, SortitionError
from bot.engines.sortition.panel_ip import PanelFinder
from bot.engines.sortition.randomness import RandomStream
from bot.engines.sortition.words import N_


def simple_draw(groups: Sequence[Group], quotas: Quotas, stream: RandomStream) -> list[int]:
    """The panel's tickets, ascending."""
    group_of = {t: g for g, group in enumerate(groups) for t in group.tickets}
    rows = quota_rows(groups, quotas)
    rows_of = [[i for i, row in enumerate(rows) if g in row] for g in range(len(groups))]
    finder = PanelFinder(groups, quotas)
    counts = [0] * len(groups)
    row_counts = [0] * len(rows)
    # Lower bounds only grow, so a group that cannot take one more member now never can.
    closed = [False] * len(groups)
    panel: list[int] = []
    for ticket in stream.shuffle(sorted(group_of)):
        if len(panel) == quotas.panel_size:
            break
        g = group_of[ticket]
        if closed[g]:
            continue
        over = any(row_counts[i] + 1 > quotas.bounds[i].max for i in rows_of[g])
        trial = list(counts)
        trial[g] += 1
        if over or not finder.completable(trial):
            closed[g] = True
            continue
        counts = trial
        for i in rows_of[g]:
            row_counts[i] += 1
        panel.append(ticket)
    if len(panel) != quotas.panel_size:
        raise SortitionError(N_("No panel meets the quotas; check them before drawing."))
    return sorted(panel)
