"""Plain-data inputs of a draw: the frozen pool and the quotas.

Everything here is immutable and free of chat or storage concepts, so the chat layer can build
these from its tables and the command line can build them from CSV files, and both get the same
draw for the same data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType


def counted(n: int, noun: str) -> str:
    """N and NOUN in agreement ("1 volunteer", "3 seats"). The bot's messages use
    bot.kernel.wording.count_of; the engines import nothing of the bot, so they keep this copy of
    the same rule (tests/unit/sortition checks that the two agree)."""
    return f"{n} {noun if n == 1 else noun + 's'}"


class SortitionError(ValueError):
    """A pool, quota set or published draw that cannot be used, with the reason in words (a
    sentence fit to show the organiser as it is; the chat layer passes it on)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Volunteer:
    """One person in the pool: an opaque id and their answers (feature -> value)."""

    id: str
    # Excluded from hashing (a read-only mapping is unhashable); equality still compares it.
    features: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A read-only copy: a pool must not change under a draw once frozen.
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))


@dataclass(frozen=True, order=True)
class QuotaBound:
    """How many panel members may have `feature == value`: at least `min`, at most `max`."""

    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Quotas:
    """The panel size and the bounds. Values without a bound are unconstrained."""

    panel_size: int
    bounds: tuple[QuotaBound, ...] = ()

    @classmethod
    def of(cls, panel_size: int, bounds: Iterable[QuotaBound]) -> Quotas:
        return cls(panel_size, tuple(sorted(bounds)))

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(sorted({b.feature for b in self.bounds}))

    def relaxed(self, bound: QuotaBound) -> Quotas:
        """These quotas with one of their lines loosened to BOUND: a lower minimum, a higher
        maximum, or both. Replacement rounds after the draw may need it when nobody left keeps
        a quota; only loosening is allowed, so a relaxation can never be used to steer who
        replaces whom by adding a constraint the published draw did not have."""
        same = [b for b in self.bounds if (b.feature, b.value) == (bound.feature, bound.value)]
        if not same:
            lines = ", ".join(f"{b.feature}={b.value}" for b in self.bounds) or "none"
            raise SortitionError(
                f"There is no quota line {bound.feature}={bound.value} to relax; the quota lines are: {lines}."
            )
        now = same[0]
        if bound.min > bound.max:
            raise SortitionError(f"The minimum {bound.min} is above the maximum {bound.max}.")
        if bound.min > now.min or bound.max < now.max:
            raise SortitionError(
                f"{now.feature}={now.value} is {now.min}-{now.max}: relaxing it can only lower the minimum "
                f"or raise the maximum, not make it {bound.min}-{bound.max}."
            )
        if bound == now:
            raise SortitionError(f"{now.feature}={now.value} is {now.min}-{now.max} already; nothing to relax.")
        return Quotas.of(self.panel_size, [bound if b == now else b for b in self.bounds])


def validate(pool: Sequence[Volunteer], quotas: Quotas) -> None:
    """Refuse malformed input with one message naming what is wrong and how to fix it.

    Only shape is checked here; whether the quotas can be met at all is the job of
    `feasibility.check`, which needs a solver.
    """
    if quotas.panel_size < 1:
        raise SortitionError(f"The panel size must be at least 1, not {quotas.panel_size}.")
    if len(pool) < quotas.panel_size:
        raise SortitionError(
            f"The pool has {counted(len(pool), 'volunteer')} but the panel needs {quotas.panel_size}: "
            f"find {counted(quotas.panel_size - len(pool), 'more volunteer')} or shrink the panel."
        )
    seen_ids: set[str] = set()
    for volunteer in pool:
        if volunteer.id in seen_ids:
            raise SortitionError(f"Volunteer {volunteer.id!r} is in the pool twice.")
        seen_ids.add(volunteer.id)
    seen_bounds: set[tuple[str, str]] = set()
    for bound in quotas.bounds:
        key = (bound.feature, bound.value)
        if key in seen_bounds:
            raise SortitionError(f"{bound.feature}={bound.value} has two quota lines; keep one.")
        seen_bounds.add(key)
        if bound.min < 0 or bound.max < 0:
            raise SortitionError(f"{bound.feature}={bound.value}: quotas cannot be negative.")
        if bound.min > bound.max:
            raise SortitionError(
                f"{bound.feature}={bound.value}: the minimum {bound.min} is above the maximum "
                f"{bound.max}; swap them or make them equal."
            )
    for feature in quotas.features:
        for volunteer in pool:
            if feature not in volunteer.features:
                raise SortitionError(f"Volunteer {volunteer.id!r} has no answer for {feature!r}, which has quotas.")
