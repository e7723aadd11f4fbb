"""The three kinds of trigger threshold, in exact arithmetic.

* ``signatures``: at least N members sign.
* ``electorate``: at least a share P of the electorate (fixed when the campaign opened) signs.
* ``branches``: at least a share B of the branches count, where a branch counts once its own
  signatures reach its own threshold (a number, or a share of that branch's members).

Shares are Fractions ("33.3%" is 333/1000, "1/3" is one third); "at least" is the rule, so a
threshold of one third of 9 branches is crossed at 3. Pure functions of the counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

from bot.poll_render import percent


class ThresholdError(ValueError):
    pass


def parse_share(text: str) -> Fraction:
    """'20%', '33.3%' or '1/3' -> a Fraction in (0, 1]."""
    t = text.strip()
    try:
        if t.endswith("%"):
            value = Fraction(t[:-1].strip()) / 100
        elif "/" in t:
            value = Fraction(t)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ThresholdError(
            f"{t[:20]!r} is not a share: write a percentage such as 20% or a fraction such as 1/3") from None
    if not 0 < value <= 1:
        raise ThresholdError(f"{t[:20]} must be more than 0% and at most 100%")
    return value


def parse_count(text: str, what: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 10_000_000:
        raise ThresholdError(f"{what} takes a whole number of at least 1")
    return int(text)


def needed(share: Fraction, size: int) -> int:
    """The fewest of SIZE that make at least SHARE (at least 1)."""
    return max(1, ceil(share * size))


def _show(share: Fraction) -> str:
    return percent(share.numerator, share.denominator)


@dataclass(frozen=True)
class Threshold:
    kind: str  # signatures | electorate | branches
    count: int | None = None  # signatures: N
    share: Fraction | None = None  # electorate: P; branches: B
    branch_count: int | None = None  # branches: each branch needs this many …
    branch_share: Fraction | None = None  # … or this share of its members

    def to_json(self) -> str:
        def frac(f: Fraction | None) -> str | None:
            return None if f is None else f"{f.numerator}/{f.denominator}"

        return json.dumps({"kind": self.kind, "count": self.count, "share": frac(self.share),
                           "branch_count": self.branch_count, "branch_share": frac(self.branch_share)})

    @classmethod
    def from_json(cls, raw: str) -> Threshold:
        d = json.loads(raw)

        def frac(s: str | None) -> Fraction | None:
            return None if s is None else Fraction(s)

        return cls(d["kind"], d["count"], frac(d["share"]), d["branch_count"], frac(d["branch_share"]))

    def branch_needs(self, size: int) -> int:
        if self.branch_count is not None:
            return self.branch_count
        assert self.branch_share is not None
        return needed(self.branch_share, size)

    def describe(self) -> str:
        if self.kind == "signatures":
            return f"{self.count} signatures"
        assert self.share is not None
        if self.kind == "electorate":
            return f"{_show(self.share)} of the electorate"
        per = f"{self.branch_count} signatures" if self.branch_count is not None else \
            f"{_show(self.branch_share or Fraction(0))} of its members"
        return f"{_show(self.share)} of branches (a branch counts at {per})"


@dataclass(frozen=True)
class Standing:
    crossed: bool
    have: int  # signatures, or branches that count
    need: int
    counted_branches: tuple[str, ...] = ()


def standing(t: Threshold, electorate: int, branch_sizes: dict[str, int], signatures: int,
             by_branch: dict[str, int]) -> Standing:
    """Whether T is crossed by these counts, and how far it has got."""
    if t.kind == "signatures":
        assert t.count is not None
        return Standing(signatures >= t.count, signatures, t.count)
    assert t.share is not None
    if t.kind == "electorate":
        need = needed(t.share, electorate)
        return Standing(signatures >= need, signatures, need)
    counted = tuple(sorted(b for b, size in branch_sizes.items() if by_branch.get(b, 0) >= t.branch_needs(size)))
    need = needed(t.share, len(branch_sizes))
    return Standing(len(counted) >= need, len(counted), need, counted)


def check_reachable(t: Threshold, electorate: int, branch_sizes: dict[str, int]) -> None:
    """Refuse a threshold that no number of signatures from this electorate could cross."""
    if t.kind == "signatures" and (t.count or 0) > electorate:
        raise ThresholdError(f"{t.count} signatures are more than the {electorate} members of the electorate")
    if t.kind == "branches":
        if not branch_sizes:
            raise ThresholdError("nobody in the electorate has a branch on the roll, so no branch can count")
        assert t.share is not None
        reachable = [b for b, size in branch_sizes.items() if t.branch_needs(size) <= size]
        if len(reachable) < needed(t.share, len(branch_sizes)):
            raise ThresholdError("too few branches have enough members to reach the per-branch threshold")
