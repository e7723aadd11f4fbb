"""A poll as the core holds it while deciding whether a vote counts, and its result.

Every rule of DOMAIN.md about a single ballot that needs no database lives here: a late vote is
refused, secret and ranked ballots are cast privately, a vote is one member's (a linked member
votes under the member's key), and the result is computed from the ballots by the counting
engine, exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.engines.counting.choice import Majority, QuorumRule, abstain_index, decide, quorum_check, tally
from bot.kernel.language import _, ngettext


@dataclass(frozen=True)
class PollSpec:
    """A poll as asked for, checked, before it exists."""

    question: str
    options: tuple[str, ...]
    kind: str  # proposal | choice | ranked
    max_choices: int = 1
    seats: int = 1
    secret: bool = False
    hidden: bool = False
    card: bool = False
    native: bool = False
    quorum: QuorumRule | None = None
    majority: Majority | None = None
    closes_at: datetime | None = None
    electorate: str = "room"  # room | roll | branch
    branch: str | None = None
    proxies: int | None = None  # the most proxies one member may hold; None: no proxies


SECRET_AT_LEAST = 3
"""The fewest members who may vote for a secret ballot to be able to stay secret. With one, the
count is their vote, for everyone to read; with two, each learns from the count how the other
voted (and everyone does, should they agree). From three on, only a unanimous result shows every
choice (as on paper): a voter in a 2-1 minority cannot tell which of the other two voted with
them. Below it the organiser is warned once, at /poll; the poll is opened all the same."""


@dataclass
class Poll:
    id: int
    room: str
    creator: str
    question: str
    options: tuple[str, ...]
    kind: str
    max_choices: int
    seats: int
    secret: bool
    hidden: bool
    card: bool
    native: bool
    quorum: QuorumRule | None
    majority: Majority | None
    electorate_kind: str
    branch: str | None
    electorate_size: int | None
    electorate_weight: int | None
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None = None
    result: dict[str, Any] | None = None
    # member id -> weight, for roll and branch electorates of open polls
    electorate: dict[int, int] | None = field(default=None, repr=False)
    proxies: int | None = None  # the most proxies one member may hold; None: the poll takes none
    # A secret poll opened before receipts were made from ballots keeps the stored ones its
    # voters were given (migrations/0032_receipts_from_ballots.sql).
    receipts_stored: bool = False

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def ranked(self) -> bool:
        return self.kind == "ranked"

    @property
    def private_voting(self) -> bool:
        """Secret and ranked ballots are cast in a private chat, never in the group."""
        return self.secret or self.ranked

    @property
    def too_few_for_secrecy(self) -> bool:
        """A secret ballot whose known electorate is under SECRET_AT_LEAST members: its count
        alone shows how they voted (see SECRET_AT_LEAST). Unknown for a poll open to the room."""
        return self.secret and self.electorate_size is not None and self.electorate_size < SECRET_AT_LEAST

    @property
    def live_tally(self) -> bool:
        """Whether the ballot message shows the tally while open: never for hidden or secret polls."""
        return not (self.hidden or self.private_voting)

    def refusal(self, now: datetime) -> str | None:
        if self.closed_at is not None:
            return _("Poll {id} is closed; late votes are not counted.").format(id=self.id)
        if self.closes_at is not None and now >= self.closes_at:
            return _("Poll {id} closed at its deadline; late votes are not counted.").format(id=self.id)
        return None

    def refusal_at(self, now: Callable[[], datetime]) -> str | None:
        """As refusal, reading the clock only when a deadline makes it matter (a hot path)."""
        if self.closed_at is None and self.closes_at is None:
            return None
        return self.refusal(now())


@dataclass(frozen=True)
class PollClosed:
    """Published once a poll has closed and its result is announced (e.g. to settle a motion)."""

    poll: Poll


def ends_with_close(poll_id: int) -> str:
    """The outbox's ``ends_with`` for messages that have nothing to say once POLL_ID is closed
    (its reminders: given up if still waiting), and its ``forget_with`` for those that must not
    outlive it (a secret poll's reminders, each naming one who had not voted: deleted, sent or
    not)."""
    return f"poll:{poll_id}"


def needs_change(opened_at: datetime, at: datetime, joined: bool) -> bool:
    """Whether a room poll opened at OPENED_AT needs a join (JOINED) or a leave at AT to know who
    was there when it opened. Both are stamped to the second, so one in the opening's own second
    may have come before the opening or after it, and is read in the member's favour: a leave
    then says they were there (it is needed), a join says nothing (they may have come just
    before). Any change after that second is needed. (store.py keeps changes by the same rule.)"""
    opened = opened_at.replace(microsecond=0)
    return opened < at or (opened == at and not joined)


def voter_key(member: int | None, identity: str) -> str:
    """Whose vote it is: a member linked to the roll votes once, from whichever account."""
    return f"m:{member}" if member is not None else identity


def result_of(poll: Poll, ballots: Sequence[tuple[tuple[int, ...], int]]) -> dict[str, Any]:
    """The result record of POLL from its BALLOTS (choices, weight), as stored at the close."""
    electorate = poll.electorate_weight if poll.card else poll.electorate_size
    if poll.ranked:
        return count_ranked(poll, ballots, electorate)
    t = tally(poll.options, ballots)
    # A card vote is weighed by weight, but its quorum and its turnout count people too.
    members = poll.electorate_size if poll.card else None
    d = decide(
        t,
        proposal=poll.kind == "proposal",
        majority=poll.majority,
        quorum=poll.quorum,
        electorate=electorate,
        members=members,
        max_choices=poll.max_choices,
    )
    return {
        "kind": poll.kind,
        "counts": list(t.counts),
        "ballots": t.ballots,
        "weight": t.weight,
        "counted": d.counted,
        "abstain": abstain_index(poll.options),
        "electorate": electorate,
        "members": members,
        "outcome": d.outcome.value,
        "winners": list(d.winners),
        "turnout": str(d.turnout) if d.turnout is not None else None,
        "quorum_met": d.quorum_met,
        "reasons": list(d.reasons),
        "met": list(d.met),
    }


def count_ranked(poll: Poll, ballots: Sequence[tuple[tuple[int, ...], int]], electorate: int | None) -> dict[str, Any]:
    """A ranked election counted by the STV/IRV engine.

    The seed for any tie that only lot can break is derived from the ballots themselves (a hash
    of the BLT file), so it is fixed before anyone could know it matters, nobody can choose it,
    and anyone holding the published BLT can re-run the count and get the same result.
    """
    # The counting engine is imported here: only elections need it, and it is not light.
    from bot.engines.counting.blt import write_blt
    from bot.engines.counting.methods import count
    from bot.engines.counting.profile import build_profile
    from bot.engines.counting.render import to_dict, to_text

    weight = sum(w for _, w in ballots)
    base: dict[str, Any] = {
        "kind": "ranked",
        "ballots": len(ballots),
        "weight": weight,
        "electorate": electorate,
        "members": poll.electorate_size if poll.card else None,  # a card vote's head count
        "seats": poll.seats,
    }
    quorum: tuple[bool, str] | None = None
    if poll.quorum is not None:  # as any poll's: people who took part, also in a card vote
        quorum = quorum_check(poll.quorum, len(ballots), poll.electorate_size, card=poll.card)
        base["quorum_met"], base["reasons"] = quorum[0], [quorum[1]]
    if not ballots:
        return {**base, "outcome": "no votes", "elected": [], "text": "", "blt": ""}
    profile = build_profile(
        poll.options, [list(r) for r, _ in ballots], [w for _, w in ballots], seats=poll.seats, title=poll.question
    )
    blt = write_blt(profile, poll.seats)
    # A card vote's ballots are never kept nor published: each carries its delegate's weight,
    # which the roll gives, so the file would show how each of them ranked (the secret ballots
    # themselves are stored without it). Its stage table is published, as its totals are.
    published = "" if poll.card else blt
    if poll.card:
        base["ballots_withheld"] = True
    if quorum is not None and not quorum[0]:
        # Nobody is elected, so nothing is counted (a count would name a winner); the ballots
        # are still published, as a poll short of its quorum still shows its tally.
        return {**base, "outcome": "not quorate", "elected": [], "text": "", "blt": published}
    seed = int.from_bytes(hashlib.sha256(blt.encode()).digest()[:8], "big")
    result = count(profile, None, poll.seats, seed=seed)
    return {
        **base,
        "outcome": "elected",
        "elected": list(result.elected),
        "count": to_dict(result),
        "text": to_text(result),
        "blt": published,
    }


# -- proxies -----------------------------------------------------------------------------------
#
# A member may give another member of the poll's electorate their vote in one ballot, where the
# poll allows it (--proxies N: the most one member may hold). Every rule is here:
#   give    by a member of the electorate who has not voted, to another, once per poll;
#           no chains: a holder gives none, a giver holds none (a proxy cannot be passed on);
#           a holder holds at most the poll's cap.
#   revoke  by the giver, until the holder has cast it.
#   cast    by the holder, for a giver whose proxy they hold, while the giver has not voted
#           themselves; the ballot counts as the giver's (their weight, their turnout).
#   vote    the giver's own vote always counts: it replaces a vote the holder cast for them, and
#           once they have voted the proxy can no longer be cast (it is cancelled, and stays so
#           should they withdraw their vote); nor can they withdraw a vote the holder cast.


@dataclass(frozen=True)
class Proxy:
    poll_id: int
    giver: int  # member ids
    holder: int
    giver_name: str
    holder_name: str
    giver_number: str | None = None  # the giver's membership number, which tells namesakes apart
    cancelled: bool = False  # by the giver's own vote, for good (see refuse_cast), before migration 31
    given_at: str = ""  # when it was given: a proxy given again after a revoke is another


def refuse_give(poll: Poll, giver: int, holder: int, holder_name: str, proxies: list[Proxy],
                giver_voted: bool) -> str | None:
    """Why GIVER may not give HOLDER their proxy in POLL, whose proxies so far are PROXIES."""
    assert poll.electorate is not None
    if poll.proxies is None:
        return _("Poll {id} takes no proxies. An organiser allows them when opening a roll poll, e.g. {example}.") \
            .format(id=poll.id, example="--roll --proxies 2")
    if giver == holder:
        return _("You cannot give your proxy to yourself: vote yourself with /vote.")
    if holder not in poll.electorate:
        return _("{name} is not in the electorate of poll {id}; a proxy goes to a member who may vote in it.").format(
            name=holder_name, id=poll.id)
    given = next((p for p in proxies if p.giver == giver), None)
    if given is not None:
        return _("You have given your proxy for poll {id} to {name} already. Take it back first: /proxy {id} revoke") \
            .format(id=poll.id, name=given.holder_name)
    if giver_voted:
        return _("You have voted in poll {id} yourself, and your vote stands; a proxy is for a member who will not "
                 "vote.").format(id=poll.id)
    held = [p.giver_name for p in proxies if p.holder == giver]
    if held:
        return _("You hold proxies for poll {id} ({names}); a proxy cannot be passed on, so you cannot give yours. "
                 "Vote yourself, and cast theirs with /vote {id} OPTION --for NAME.").format(id=poll.id,
                                                                                             names=", ".join(held))
    if any(p.giver == holder for p in proxies):
        return _("{name} has given their own proxy for poll {id}, so cannot hold one (a proxy cannot be passed on).") \
            .format(name=holder_name, id=poll.id)
    if sum(1 for p in proxies if p.holder == holder) >= poll.proxies:
        return ngettext("{name} holds {n} proxy for poll {id} already, the most it allows; give yours to someone else.",
                        "{name} holds {n} proxies for poll {id} already, the most it allows; give yours to someone "
                        "else.", poll.proxies).format(name=holder_name, n=poll.proxies, id=poll.id)
    return None


def refuse_cast(poll: Poll, proxy: Proxy | None, name: str, cancelled: bool) -> str | None:
    """Why the holder may not cast a vote for NAME in POLL (PROXY: the proxy NAME names, if the
    holder holds it; CANCELLED: its giver has voted themselves, now or before)."""
    if poll.proxies is None:
        return _("Poll {id} takes no proxies: vote for yourself with /vote {id} OPTION.").format(id=poll.id)
    if proxy is None:
        return _("You hold no proxy from {name} for poll {id}. Send /proxy {id} to see the proxies you hold.").format(
            name=name, id=poll.id)
    if cancelled:
        return _("{name} has voted in poll {id} themselves, which cancels their proxy; nothing was cast for them.") \
            .format(name=proxy.giver_name, id=poll.id)
    return None
