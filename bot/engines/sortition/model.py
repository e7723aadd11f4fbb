"""Plain-data inputs of a draw: the frozen pool and the quotas.

Everything here is immutable and free of chat or storage concepts, so the chat layer can build
these from its tables and the command line can build them from CSV files, and both get the same
draw for the same data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.engines.sortition.words import N_, Words, ngettext


def counted(n: int, noun: str) -> str:
    """N and NOUN in agreement ("1 volunteer", "3 seats"), in the English said to operators only
    (the command line, a damaged document); what an organiser reads is `Words`."""
    return f"{n} {noun if n == 1 else noun + 's'}"


class SortitionError(ValueError):
    """A pool, quota set or published draw that cannot be used, with the reason in LINES: `Words`
    for what an organiser is told (the chat layer says them in the reader's language), a `str` for
    what only operators read (see bot/engines/sortition/words.py). `message` is the English."""

    def __init__(self, *lines: Words | str) -> None:
        self.lines = lines
        self.message = "\n".join(line.english() if isinstance(line, Words) else line for line in lines)
        super().__init__(self.message)


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
            line = f"{bound.feature}={bound.value}"
            if not self.bounds:
                raise SortitionError(N_("There is no quota line {line} to relax: the panel has no quotas.", line=line))
            lines = ", ".join(f"{b.feature}={b.value}" for b in self.bounds)
            raise SortitionError(N_("There is no quota line {line} to relax; the quota lines are: {lines}.",
                                    line=line, lines=lines))
        now = same[0]
        if bound.min > bound.max:
            raise SortitionError(N_("The minimum {min} is above the maximum {max}.", min=bound.min, max=bound.max))
        if bound.min > now.min or bound.max < now.max:
            raise SortitionError(N_("{line} is {now}: relaxing it can only lower the minimum or raise the maximum, "
                                    "not make it {wanted}.", line=f"{now.feature}={now.value}",
                                    now=f"{now.min}-{now.max}", wanted=f"{bound.min}-{bound.max}"))
        if bound == now:
            raise SortitionError(N_("{line} is {now} already; nothing to relax.", line=f"{now.feature}={now.value}",
                                    now=f"{now.min}-{now.max}"))
        return Quotas.of(self.panel_size, [bound if b == now else b for b in self.bounds])


def validate(pool: Sequence[Volunteer], quotas: Quotas) -> None:
    """Refuse malformed input with one message naming what is wrong and how to fix it.

    Only shape is checked here; whether the quotas can be met at all is the job of
    `feasibility.check`, which needs a solver.
    """
    if quotas.panel_size < 1:
        raise SortitionError(N_("The panel size must be at least 1, not {size}.", size=quotas.panel_size))
    if len(pool) < quotas.panel_size:
        raise SortitionError(N_("The pool has {volunteers} but the panel needs {size}: find {more} or shrink the "
                                "panel.", volunteers=ngettext("{n} volunteer", "{n} volunteers", len(pool)),
                                size=quotas.panel_size, more=ngettext("{n} more volunteer", "{n} more volunteers",
                                                                     quotas.panel_size - len(pool))))
    seen_ids: set[str] = set()
    for volunteer in pool:
        if volunteer.id in seen_ids:
            raise SortitionError(N_("Volunteer {id} is in the pool twice.", id=repr(volunteer.id)))
        seen_ids.add(volunteer.id)
    seen_bounds: set[tuple[str, str]] = set()
    for bound in quotas.bounds:
        key = (bound.feature, bound.value)
        if key in seen_bounds:
            raise SortitionError(N_("{line} has two quota lines; keep one.", line=f"{bound.feature}={bound.value}"))
        seen_bounds.add(key)
        if bound.min < 0 or bound.max < 0:
            raise SortitionError(N_("{line}: quotas cannot be negative.", line=f"{bound.feature}={bound.value}"))
        if bound.min > bound.max:
            raise SortitionError(N_("{line}: the minimum {min} is above the maximum {max}; swap them or make them "
                                    "equal.", line=f"{bound.feature}={bound.value}", min=bound.min, max=bound.max))
    for feature in quotas.features:
        for volunteer in pool:
            if feature not in volunteer.features:
                raise SortitionError(N_("Volunteer {id} has no answer for {question}, which has quotas.",
                                        id=repr(volunteer.id), question=repr(feature)))
