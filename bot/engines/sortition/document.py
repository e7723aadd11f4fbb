"""The published draw document: canonical JSON and its SHA-256 commitment.

The document holds only anonymous ticket numbers and answers, the quotas and the lottery, never
names or chat ids. Canonical form (sorted keys, no spaces, UTF-8, integers and strings only, no
floats) means the commitment is a function of the content alone, whatever wrote it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from bot.engines.sortition.groups import Group
from bot.engines.sortition.model import Quotas
from bot.engines.sortition.panel_ip import Profile
from bot.engines.sortition.rounding import as_decimal, round_to_total

FORMAT = "quorum-sortition/1"
DIGITS = 15  # exact multiples of 10**-15; 10**15 < 2**53, so any JSON reader keeps them exact

Document = dict[str, Any]


def canonical_bytes(body: Document) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment_of(body: Document) -> str:
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def seal(body: Document) -> Document:
    """The body with its commitment added under the key "commitment"."""
    return {**body, "commitment": commitment_of(body)}


def build_body(
    groups: Sequence[Group],
    quotas: Quotas,
    method: str,
    title: str = "",
    profiles: Sequence[Profile] = (),
    probabilities: Sequence[float] = (),
) -> Document:
    """The document body. For leximin, `profiles`/`probabilities` are the solver's lottery."""
    features = quotas.features
    body: Document = {
        "format": FORMAT,
        "title": title,
        "method": method,
        "panel_size": quotas.panel_size,
        "pool_size": sum(g.size for g in groups),
        "features": list(features),
        "quotas": [{"feature": b.feature, "value": b.value, "min": b.min, "max": b.max} for b in quotas.bounds],
        "groups": [
            {
                "group": number,
                "answers": dict(zip(features, group.values, strict=True)),
                "tickets": list(group.tickets),
            }
            for number, group in enumerate(groups, start=1)
        ],
    }
    if method == "leximin":
        body["lottery"] = lottery_section(profiles, probabilities)
        chances = exact_chances(groups, body["lottery"])
        for entry, chance in zip(body["groups"], chances, strict=True):
            entry["chance"] = f"{chance.numerator}/{chance.denominator}"
    return body


def lottery_section(profiles: Sequence[Profile], probabilities: Sequence[float]) -> Document:
    """Panels in canonical order with exact weights out of 10**DIGITS; zero weights dropped."""
    ordered = sorted(zip(profiles, probabilities, strict=True))
    weights = round_to_total([q for _, q in ordered], DIGITS)
    panels = [
        {
            "weight": w,
            "probability": as_decimal(w, DIGITS),
            "members": [[g + 1, count] for g, count in enumerate(profile) if count],
        }
        for (profile, _), w in zip(ordered, weights, strict=True)
        if w > 0
    ]
    return {"total_weight": 10**DIGITS, "panels": panels}


def exact_chances(groups: Sequence[Group], lottery: Document) -> list[Fraction]:
    """Each group member's exact chance of selection under the published weights."""
    seats = [0] * len(groups)
    for panel in lottery["panels"]:
        for group, count in panel["members"]:
            seats[group - 1] += panel["weight"] * count
    total = lottery["total_weight"]
    return [Fraction(s, total * g.size) for s, g in zip(seats, groups, strict=True)]
