"""Turn solver probabilities into exact integer weights that add up to exactly 10**digits.

The published lottery must be exact and canonical: anyone re-adding the weights gets exactly
the stated total, and the same solver output always rounds the same way. Largest remainder
(Hamilton) rounding moves each probability by less than 10**-digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def round_to_total(probabilities: Sequence[float], digits: int) -> list[int]:
    """Weights out of 10**digits; ties for the last units go to the earlier entry."""
    total = 10**digits
    raw = [Fraction(p) * total / sum(Fraction(q) for q in probabilities) for p in probabilities]
    weights = [int(r) for r in raw]
    missing = total - sum(weights)
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - weights[i]), i))
    for i in by_remainder[:missing]:
        weights[i] += 1
    return weights


def as_decimal(weight: int, digits: int) -> str:
    """The exact decimal string of weight / 10**digits, e.g. 1234 with 6 digits -> 0.001234."""
    whole, fraction = divmod(weight, 10**digits)
    return f"{whole}.{fraction:0{digits}d}"
