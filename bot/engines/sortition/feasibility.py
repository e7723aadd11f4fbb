"""Can the quotas be met at all? Asked before anything is drawn, answered in words.

When they cannot, a small integer program finds the smallest total change to the quotas (with
the panel size held fixed) that makes a panel possible, so the organiser is told exactly which
quota to move and by how much, not merely that "the quotas are infeasible".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from bot.engines.sortition.groups import Group, group_pool, quota_rows
from bot.engines.sortition.highs import add_columns, add_row, is_optimal, new_solver, set_costs
from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, Volunteer, validate
from bot.engines.sortition.words import N_, Words, bullet, ngettext


@dataclass(frozen=True)
class Relaxation:
    """Move `bound`'s minimum down by `lower_min_by` or its maximum up by `raise_max_by`."""

    bound: QuotaBound
    lower_min_by: int
    raise_max_by: int
    available: int

    def describe(self, panel_size: int) -> Words:
        b = self.bound
        name = f"{b.feature}={b.value}"
        seats = ngettext("{n} seat", "{n} seats", panel_size)
        if self.lower_min_by:
            if self.available < b.min:
                return ngettext("{line}: minimum {min} but only {n} volunteer gave that answer - lower the minimum "
                                "by {by} (to {to}).", "{line}: minimum {min} but only {n} volunteers gave that "
                                "answer - lower the minimum by {by} (to {to}).", self.available, line=name, min=b.min,
                                by=self.lower_min_by, to=b.min - self.lower_min_by)
            return N_("{line}: minimum {min} but that cannot be met together with the other quotas and {seats} - "
                      "lower the minimum by {by} (to {to}).", line=name, min=b.min, seats=seats,
                      by=self.lower_min_by, to=b.min - self.lower_min_by)
        return N_("{line}: maximum {max} cannot be kept with the other quotas and {seats} - raise the maximum by "
                  "{by} (to {to}).", line=name, max=b.max, seats=seats, by=self.raise_max_by,
                  to=b.max + self.raise_max_by)


class InfeasibleQuotas(SortitionError):
    """No panel meets the quotas; `relaxations` is a smallest set of changes that fixes it."""

    def __init__(self, reasons: list[Words], relaxations: list[Relaxation], panel_size: int) -> None:
        lines = [N_("No panel can meet these quotas."), *reasons]
        if relaxations:
            lines.append(N_("The smallest change that makes a draw possible:"))
            lines += [bullet(r.describe(panel_size)) for r in relaxations]
        super().__init__(*lines)
        self.reasons = reasons
        self.relaxations = relaxations


def check(pool: Sequence[Volunteer], quotas: Quotas) -> list[Group]:
    """Validate and return the pool's groups, or raise `InfeasibleQuotas` explaining why not."""
    validate(pool, quotas)
    groups = group_pool(pool, quotas)
    relaxations = minimal_relaxation(groups, quotas)
    if relaxations:
        raise InfeasibleQuotas(_reasons(groups, quotas), relaxations, quotas.panel_size)
    return groups


def _reasons(groups: Sequence[Group], quotas: Quotas) -> list[Words]:
    """Plain arithmetic conflicts, one feature at a time, to explain the suggested changes."""
    k = quotas.panel_size
    reasons: list[Words] = []
    seats = ngettext("{n} seat", "{n} seats", k)
    rows = quota_rows(groups, quotas)
    available = [sum(groups[g].size for g in row) for row in rows]
    for feature in quotas.features:
        idx = [i for i, b in enumerate(quotas.bounds) if b.feature == feature]
        mins = sum(quotas.bounds[i].min for i in idx)
        if mins > k:
            reasons.append(N_("The minimums for {question} add up to {sum}, more than {seats}.", question=feature,
                              sum=mins, seats=seats))
        bounded = {quotas.bounds[i].value for i in idx}
        position = quotas.features.index(feature)
        others = sum(g.size for g in groups if g.values[position] not in bounded)
        most = sum(min(quotas.bounds[i].max, available[i]) for i in idx) + others
        if most < k:
            most_seats = ngettext("{n} seat", "{n} seats", most - others)
            if others:
                reasons.append(N_("At most {most} can go to the answers for {question} (and {others} with other "
                                  "answers), fewer than {seats}.", most=most_seats, question=feature,
                                  others=ngettext("{n} volunteer", "{n} volunteers", others), seats=seats))
            else:
                reasons.append(N_("At most {most} can go to the answers for {question}, fewer than {seats}.",
                                  most=most_seats, question=feature, seats=seats))
    for i, bound in enumerate(quotas.bounds):
        if available[i] < bound.min:
            reasons.append(ngettext("{line} needs at least {min} but only {n} volunteer gave that answer.",
                                    "{line} needs at least {min} but only {n} volunteers gave that answer.",
                                    available[i], line=f"{bound.feature}={bound.value}", min=bound.min))
    return reasons


def minimal_relaxation(groups: Sequence[Group], quotas: Quotas) -> list[Relaxation]:
    """Smallest total quota change (integer program with slack) making a panel exist.

    Empty when the quotas are feasible as they are.
    """
    g_count = len(groups)
    b_count = len(quotas.bounds)
    h = new_solver()
    h.setOptionValue("mip_rel_gap", 0.0)
    add_columns(h, [0.0] * g_count, [float(g.size) for g in groups], integer=True)
    # One "lower the minimum" and one "raise the maximum" slack per bound.
    add_columns(h, [0.0] * (2 * b_count), [float(quotas.panel_size)] * (2 * b_count), True)
    add_row(h, quotas.panel_size, quotas.panel_size, list(range(g_count)), [1.0] * g_count)
    rows = quota_rows(groups, quotas)
    inf = highspy.kHighsInf
    for i, (bound, members) in enumerate(zip(quotas.bounds, rows, strict=True)):
        lower_slack = g_count + 2 * i
        upper_slack = lower_slack + 1
        add_row(h, bound.min, inf, [*members, lower_slack], [1.0] * len(members) + [1.0])
        add_row(h, -inf, bound.max, [*members, upper_slack], [1.0] * len(members) + [-1.0])
    set_costs(h, [0.0] * g_count + [1.0] * (2 * b_count))
    h.run()
    if not is_optimal(h):  # cannot happen once validate() has passed; kept as a guard
        raise SortitionError(N_("The quota check failed to run; please report this."))
    values = np.rint(np.asarray(h.getSolution().col_value)).astype(int)
    result = []
    for i, (bound, members) in enumerate(zip(quotas.bounds, rows, strict=True)):
        lower = int(values[g_count + 2 * i])
        upper = int(values[g_count + 2 * i + 1])
        if lower or upper:
            available = sum(groups[g].size for g in members)
            result.append(Relaxation(bound, lower, upper, available))
    return result
