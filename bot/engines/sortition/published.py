"""Reading a published draw document back, refusing anything altered or malformed.

Verification must rest on the file alone, so every derived field is recomputed and compared:
the commitment, the ticket numbering, the groups, the panels' quotas, the weights and chances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engines.sortition.document import (
    DIGITS,
    FORMAT,
    Document,
    commitment_of,
    exact_chances,
)
from bot.engines.sortition.groups import Group, quota_rows
from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, counted
from bot.engines.sortition.panel_ip import Profile
from bot.engines.sortition.rounding import as_decimal
from bot.engines.sortition.words import N_


class TamperedDocument(SortitionError):
    """The document is not the one that was committed to, or is not a valid draw document."""


@dataclass(frozen=True)
class PublishedDraw:
    commitment: str
    method: str
    title: str
    quotas: Quotas
    groups: list[Group]
    profiles: list[Profile]
    weights: list[int]
    total_weight: int

    def group_of(self, ticket: int) -> int:
        for g, group in enumerate(self.groups):
            if ticket in group.tickets:
                return g
        raise SortitionError(N_("There is no ticket {ticket} in this pool.", ticket=ticket))


def open_document(document: Any, expected_commitment: str | None = None) -> PublishedDraw:
    if not isinstance(document, dict) or not isinstance(document.get("commitment"), str):
        raise TamperedDocument("This is not a sortition draw document (no commitment found).")
    body = {k: v for k, v in document.items() if k != "commitment"}
    stated = document["commitment"]
    actual = commitment_of(body)
    if actual != stated:
        raise TamperedDocument(
            f"The file was changed after it was sealed: its content hashes to {actual}, "
            f"but it states the commitment {stated}."
        )
    if expected_commitment is not None and expected_commitment.strip().lower() != actual:
        raise TamperedDocument(
            f"This file's commitment is {actual}, not the published {expected_commitment}: "
            "it is not the document that was committed before the draw."
        )
    try:
        return _parse(body, actual)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise TamperedDocument(f"The draw document is malformed ({error!r}).") from error


def _parse(body: Document, commitment: str) -> PublishedDraw:
    if body["format"] != FORMAT:
        raise TamperedDocument(f"Unknown document format {body['format']!r}; expected {FORMAT}.")
    features = tuple(body["features"])
    bounds = [QuotaBound(str(q["feature"]), str(q["value"]), int(q["min"]), int(q["max"])) for q in body["quotas"]]
    quotas = Quotas.of(int(body["panel_size"]), bounds)
    if quotas.features != features or list(quotas.bounds) != bounds:
        raise TamperedDocument("The quota list is not in canonical order.")
    groups: list[Group] = []
    for number, entry in enumerate(body["groups"], start=1):
        if entry["group"] != number or tuple(entry["answers"]) != features:
            raise TamperedDocument(f"Group {number} is numbered or labelled wrongly.")
        groups.append(Group(tuple(entry["answers"][f] for f in features), tuple(entry["tickets"])))
    tickets = sorted(t for g in groups for t in g.tickets)
    if tickets != list(range(1, int(body["pool_size"]) + 1)):
        raise TamperedDocument("The tickets are not exactly 1 to the pool size, once each.")
    if [g.values for g in groups] != sorted({g.values for g in groups}):
        raise TamperedDocument("The groups are not distinct and in canonical order.")
    if any(list(g.tickets) != sorted(g.tickets) for g in groups):
        raise TamperedDocument("Tickets within a group are not in ascending order.")
    method = body["method"]
    profiles: list[Profile] = []
    weights: list[int] = []
    total = 0
    if method == "leximin":
        profiles, weights, total = _parse_lottery(body, groups, quotas)
    elif method != "simple":
        raise TamperedDocument(f"Unknown draw method {method!r}.")
    return PublishedDraw(commitment, method, str(body["title"]), quotas, groups, profiles, weights, total)


def _parse_lottery(body: Document, groups: list[Group], quotas: Quotas) -> tuple[list[Profile], list[int], int]:
    lottery = body["lottery"]
    total = lottery["total_weight"]
    if total != 10**DIGITS:
        raise TamperedDocument(f"The total weight must be 10**{DIGITS}.")
    rows = quota_rows(groups, quotas)
    profiles: list[Profile] = []
    weights: list[int] = []
    for number, panel in enumerate(lottery["panels"], start=1):
        weight = panel["weight"]
        if not isinstance(weight, int) or weight <= 0:
            raise TamperedDocument(f"Panel {number} has a weight that is not a positive integer.")
        if panel["probability"] != as_decimal(weight, DIGITS):
            raise TamperedDocument(f"Panel {number}'s probability does not match its weight.")
        counts = [0] * len(groups)
        for group, count in panel["members"]:
            if not 1 <= group <= len(groups) or counts[group - 1] or not 1 <= count:
                raise TamperedDocument(f"Panel {number} lists an invalid group or count.")
            if count > groups[group - 1].size:
                raise TamperedDocument(f"Panel {number} takes more from group {group} than exist.")
            counts[group - 1] = count
        if sum(counts) != quotas.panel_size:
            raise TamperedDocument(f"Panel {number} does not have {counted(quotas.panel_size, 'seat')}.")
        for bound, row in zip(quotas.bounds, rows, strict=True):
            seats = sum(counts[g] for g in row)
            if not bound.min <= seats <= bound.max:
                raise TamperedDocument(f"Panel {number} breaks the quota {bound.feature}={bound.value}.")
        profiles.append(tuple(counts))
        weights.append(weight)
    if profiles != sorted(profiles) or len(set(profiles)) != len(profiles):
        raise TamperedDocument("The panels are not distinct and in canonical order.")
    if sum(weights) != total:
        raise TamperedDocument(f"The panel weights add up to {sum(weights)}, not {total}.")
    chances = exact_chances(groups, lottery)
    for entry, chance in zip(body["groups"], chances, strict=True):
        if entry["chance"] != f"{chance.numerator}/{chance.denominator}":
            raise TamperedDocument(f"Group {entry['group']}'s stated chance is wrong.")
    return profiles, weights, total
