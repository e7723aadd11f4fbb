"""Trigger campaigns as the core holds them: the threshold, the standing, and every rule of
their status.

The three kinds of trigger threshold, in exact arithmetic:

* ``signatures``: at least N members sign.
* ``electorate``: at least a share P of the electorate (fixed when the campaign opened) signs.
* ``branches``: at least a share B of the branches count, where a branch counts once its own
  signatures reach its own threshold (a number, or a share of that branch's members).

Shares are Fractions ("33.3%" is 333/1000, "1/3" is one third); "at least" is the rule, so a
threshold of one third of 9 branches is crossed at 3. Pure functions of the counts.

A campaign is open until it fires (a signature crosses the threshold), expires (its deadline
passes first) or is cancelled by an organiser; those three are final. The status rules are here,
in one table, as h11 keeps its state machine in one file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from math import ceil

from bot.kernel.durations import Span
from bot.kernel.errors import ParseError
from bot.kernel.language import _, ngettext, pgettext
from bot.kernel.wording import number, percent

OPEN, FIRED, EXPIRED, CANCELLED = "open", "fired", "expired", "cancelled"

# action -> (the statuses that allow it, the status it leads to; None: unchanged)
TRIGGER_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "sign": (frozenset({OPEN}), None),  # the signature that crosses the threshold leads to FIRED
    "fire": (frozenset({OPEN}), FIRED),
    "unsign": (frozenset({OPEN}), None),
    "expire": (frozenset({OPEN}), EXPIRED),
    "cancel": (frozenset({OPEN}), CANCELLED),
}


def allows(status: str, action: str) -> bool:
    return status in TRIGGER_TRANSITIONS[action][0]


class ThresholdError(ParseError):
    pass


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
        """The threshold as a phrase ("3 signatures", "25.0% of the electorate"), in the language
        being written in."""
        if self.kind == "signatures":
            n = self.count or 0
            return ngettext("{n} signature", "{n} signatures", n).format(n=number(n))
        assert self.share is not None
        if self.kind == "electorate":
            return _("{share} of the electorate").format(share=_show(self.share))
        if self.branch_count is not None:
            return ngettext("{share} of branches (a branch counts at {n} signature)",
                            "{share} of branches (a branch counts at {n} signatures)", self.branch_count).format(
                share=_show(self.share), n=number(self.branch_count))
        return _("{share} of branches (a branch counts at {per} of its members)").format(
            share=_show(self.share), per=_show(self.branch_share or Fraction(0)))


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
        n = t.count or 0
        # TRANSLATORS: completes "That threshold can never be reached: …".
        raise ThresholdError(_("it needs {signatures} but the electorate has only {members}").format(
            signatures=ngettext("{n} signature", "{n} signatures", n).format(n=number(n)),
            members=ngettext("{n} member", "{n} members", electorate).format(n=number(electorate))))
    if t.kind == "branches":
        if not branch_sizes:
            # TRANSLATORS: completes "That threshold can never be reached: …".
            raise ThresholdError(_("nobody in the electorate has a branch on the roll, so no branch can count"))
        assert t.share is not None
        reachable = [b for b, size in branch_sizes.items() if t.branch_needs(size) <= size]
        if len(reachable) < needed(t.share, len(branch_sizes)):
            # TRANSLATORS: completes "That threshold can never be reached: …".
            raise ThresholdError(_("too few branches have enough members to reach the per-branch threshold"))


@dataclass(frozen=True)
class Ballot:
    """The follow-up ballot, opened automatically when the trigger fires, open for LENGTH (its
    days calendar days, as ``--closes`` reads them: bot/kernel/durations.py)."""

    question: str
    secret: bool
    length: Span

    def to_json(self) -> str:
        # "seconds" is the whole length, as it was kept before "days" was: a process of an earlier
        # release sharing the database still opens the ballot for about as long.
        return json.dumps({"question": self.question, "secret": self.secret,
                           "seconds": int(self.length.length.total_seconds()), "days": self.length.days})

    @classmethod
    def from_json(cls, raw: str) -> Ballot:
        d = json.loads(raw)
        days = d.get("days", 0)  # kept before lengths had calendar days: all of it elapsed time
        return cls(d["question"], d["secret"], Span(days, timedelta(seconds=d["seconds"] - days * 86400)))


@dataclass(frozen=True)
class TriggerSpec:
    kind: str
    office: str
    threshold: Threshold
    closes_at: datetime
    branch: str | None
    ballot: Ballot


def kind_label(kind: str) -> str:
    """What a kind of campaign is called in a sentence ("recall: Cllr Smith")."""
    labels = {"open-selection": pgettext("trigger", "open selection"), "recall": pgettext("trigger", "recall"),
              "no-confidence": pgettext("trigger", "no confidence")}
    return labels.get(kind, kind)


def status_label(status: str) -> str:
    """A campaign's status as a word of the language being written in."""
    labels = {OPEN: pgettext("trigger", "open"), FIRED: pgettext("trigger", "fired"),
              EXPIRED: pgettext("trigger", "expired"), CANCELLED: pgettext("trigger", "cancelled")}
    return labels.get(status, status)


@dataclass
class Trigger:
    id: int
    room: str
    kind: str
    office: str
    threshold: Threshold
    branch: str | None
    ballot: Ballot
    opened_by: str
    closes_at: datetime
    status: str
    fired_at: datetime | None
    ballot_poll_id: int | None

    @property
    def ref(self) -> str:
        return f"T{self.id}"

    @property
    def title(self) -> str:
        # TRANSLATORS: a trigger campaign's title: its kind ("recall") and the office ("Cllr Smith").
        return _("{kind}: {office}").format(kind=kind_label(self.kind), office=self.office)

    def refusal(self, now: datetime) -> str | None:
        """Why it takes no signatures now, if it does not."""
        if self.status == "fired":
            if self.ballot_poll_id:
                return _("Trigger {ref} has already fired; its ballot is open (poll {poll}). No more signatures are "
                         "needed.").format(ref=self.ref, poll=self.ballot_poll_id)
            return _("Trigger {ref} has already fired; its ballot is open. No more signatures are needed.").format(
                ref=self.ref)
        if self.status == "cancelled":
            return _("Trigger {ref} was cancelled by an organiser.").format(ref=self.ref)
        if self.status == "expired" or now >= self.closes_at:
            return _("Trigger {ref} closed at its deadline; it takes no more signatures.").format(ref=self.ref)
        return None

    def unsign_refusal(self, now: datetime) -> str | None:
        """Why a signature can no longer be withdrawn, if it cannot."""
        if self.status == FIRED:
            return _("Trigger {ref} has fired; signatures can no longer be withdrawn.").format(ref=self.ref)
        if not allows(self.status, "unsign") or now >= self.closes_at:
            return _("Trigger {ref} is closed; its list is final.").format(ref=self.ref)
        return None

    def cancel_refusal(self) -> str | None:
        if allows(self.status, "cancel"):
            return None
        return _("Trigger {ref} is {status}; only an open campaign can be cancelled.").format(
            ref=self.ref, status=status_label(self.status))


@dataclass(frozen=True)
class TriggerFired:
    """Published once a campaign has fired (and again at start-up if its ballot never opened)."""

    trigger_id: int
