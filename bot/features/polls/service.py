"""Polls: opening them, taking votes, closing them and announcing results.

Every rule of DOMAIN.md about a single ballot lives here or in the pure modules it calls:
the electorate is fixed at opening; one member, one vote (linked identities share a key);
a later vote replaces an earlier one until the close; late votes are refused; secret ballots
are stored under keyed hashes and their choices are never shown per voter.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.engines.charts import BarChart, ChartError, draw_bars, draw_stages, find_font
from bot.features.polls import store
from bot.features.polls.model import (
    Poll,
    PollClosed,
    PollSpec,
    Proxy,
    ends_with_close,
    needs_change,
    refuse_cast,
    refuse_give,
    result_of,
    voter_key,
)
from bot.features.polls.parse import ChoiceError, is_withdrawal, parse_choice
from bot.features.polls.render import (
    audit_note,
    ballot_buttons,
    ballot_text,
    changeable_until,
    chart_of,
    confirmation,
    late_note,
    private_ballot,
    proxy_cancelled,
    proxy_confirmation,
    proxy_given,
    proxy_revoked,
    result_text,
    withdrawn,
)
from bot.features.roll.model import number_key
from bot.features.roll.service import RollService
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.effects import CloseNativePoll, Edit, Keyboard, Send, SendFile, SendNativePoll, SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.events import Actor, ButtonPress, Joined, Left, Message, NativePollAnswer, Room
from bot.kernel.grammar import is_number
from bot.kernel.language import _, current, ngettext, speaking
from bot.kernel.markup import Markup, markup
from bot.kernel.ports import Conn, Directory, Languages, Publish, Reader, Sender, Vacuum, Writer
from bot.kernel.secrecy import ballot_receipt, cancel_mark, caster_hash, receipt, voter_hash
from bot.kernel.times import iso
from bot.kernel.weblinks import PageLinks
from bot.kernel.wording import number, quoted, when, zoned
from bot.storage import dialect
from bot.storage.outbox import Outbox, backoff, end, enqueue, forget
from bot.storage.scheduler import Scheduler
from bot.storage.writer import DUPLICATE, Duplicate, VoteWrite

log = logging.getLogger(__name__)

SECRET_TABLES = ("secret_ballots", "receipts")
"""The tables a secret poll's ballots leave traces in."""

PUBLISHED_KEPT = 16
"""Closed secret polls whose receipt codes are kept in memory once made (100,000 take a few
tenths of a second): a page that checks a code asks for them each time."""

SYNC = timedelta(seconds=15)
"""On a shared database, how often the open polls are compared with what other processes did."""

FOLLOW_UP_GRACE = timedelta(minutes=10)
"""On a shared database, how long after a close another process waits before it does what
follows the close itself (the closing process does it at once, unless it died); and how long
that process's claim on it lasts, should it die too."""

POST_CLAIM = timedelta(minutes=2)
"""How long a process's claim on posting a poll's ballot outlasts its next attempt: should the
process die, another posts the ballot once the claim has run out (a shared database)."""

LATE_NOTE_AFTER = timedelta(minutes=2)

NOT_COUNTED, NOTHING_CHANGED = "not counted", "nothing changed"
"""What became of what a member sent to a secret ballot from the group (see ``_voter``)."""


DRAWN_KEPT = 32
"""Charts kept once drawn: the auditor's pages ask for them again, and each takes a while to draw."""


def _announcement(poll: Poll) -> str:
    """The outbox key of POLL's result announcement: queued once, with the close."""
    return ":".join(("poll", str(poll.id), "result"))  # a key, not a text


@dataclass
class _JoinRound:
    """The joins and leaves asked for while a read of them was under way: read together in the next."""

    asked: set[tuple[str, str]] = field(default_factory=set)  # (group, member)
    found: store.Changes = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    error: BaseException | None = None


class PollService:
    def __init__(
        self,
        reader: Reader,
        writer: Writer,
        clock: Clock,
        tz: ZoneInfo,
        send: Sender,
        directory: Directory,
        roll: RollService,
        secret: str,
        scheduler: Scheduler,
        publish: Publish,
        outbox: Outbox,
        links: PageLinks | None = None,
        charts: bool = True,
        chart_font: str | None = None, *, languages: Languages, vacuum: Vacuum | None = None,
    ) -> None:
        self._languages = languages
        self._vacuum = vacuum
        self._charts = charts
        self._chart_font = chart_font
        self._chart_trouble: str | None = None  # why charts cannot be drawn here, once known
        # the latest charts drawn, by poll and language (every word on a chart is in its reader's)
        self._drawn: OrderedDict[tuple[int, str], tuple[str, bytes]] = OrderedDict()
        self._published: OrderedDict[int, list[str]] = OrderedDict()  # closed polls' receipt codes
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._tz = tz
        self._send = send
        self._directory = directory
        self._roll = roll
        self._secret = secret
        self._scheduler = scheduler
        self._publish = publish
        self._outbox = outbox
        self._links = links
        self.open: dict[int, Poll] = {}
        self._messages: dict[int, list[tuple[str, str, str | None]]] = {}
        self._native: dict[str, int] = {}
        self._posting: set[asyncio.Future[None]] = set()  # native polls being posted
        # Ballots not yet in their room: poll -> (when to try again, the attempt that will be);
        # and the claims on posting them this process holds (see ``_claim_post``).
        self._unposted: dict[int, tuple[datetime, int]] = {}
        self._post_claims: dict[int, datetime] = {}
        self._refreshing: set[int] = set()
        self._stale: set[int] = set()  # polls voted in while their ballot's edit was under way
        self._editing: dict[int, asyncio.Lock] = {}  # held while a poll's ballot messages are edited
        self._tasks: set[asyncio.Task[None]] = set()
        self._drafts: dict[tuple[str, int], list[int]] = {}
        self._dropped: dict[str, list[Poll]] = {}  # open polls where a link dropped an account's vote
        self._close_lock = asyncio.Lock()
        self._shared = dialect.shared(reader)  # other processes share the database
        self._synced = clock.now()
        # Whether any join or leave may be kept (room_changes): until one is, a vote in a room poll
        # needs no look at them (the common case, at every vote). On a shared database another
        # process may keep one, so there every such vote looks, in reads shared by a burst
        # (``_changes_of``).
        self._joins_kept = self._shared
        self._join_round: _JoinRound | None = None
        self._join_reading: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the open polls, and close those whose deadline passed while the bot was down,
        before anyone can read or vote in them as if they were open.

        Their results are queued in the outbox in the same transaction as each close (so each
        is announced once, also after another crash); the outbox delivers them once the
        platforms are up. The rest of a close (closing the ballot messages, telling the other
        features) runs in the background, since a platform may not answer before start-up ends.
        """
        for poll in await store.open_polls(self._reader):
            self.open[poll.id] = poll
        self._joins_kept = self._shared or await store.any_change_kept(self._reader)
        for poll_id, room, ref, native_ref in await store.open_messages(self._reader):
            self._remember_message(poll_id, room, ref, native_ref)
        await self._finish_moves()
        await self._follow_up_missed()  # closes whose follow-up a crash cut short
        closed = []
        for poll in self._due():
            try:
                await self._close(poll, "deadline", None, hold=False)
            except Exception:  # left open: the deadline timer tries again
                log.exception("closing poll %s at start failed", poll.id)
            else:
                closed.append(poll)
        if closed:
            self._spawn(self._after_closes(closed))
        for poll_id in await store.unsettled_polls(self._reader):  # a rewrite cut short
            await self._settle(poll_id)
        await self._find_unposted()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after_closes(self, polls: list[Poll]) -> None:
        for poll in polls:
            try:
                await self._follow_up(poll)
            except Exception:
                log.exception("finishing the close of poll %s failed", poll.id)

    async def _follow_up_missed(self) -> None:
        """Do, in the background, what follows the closes a crash cut short: those of this
        process's last run (SQLite), or on a shared database those not done FOLLOW_UP_GRACE
        after the close, each claimed first (for FOLLOW_UP_GRACE) so that one process does it."""
        now = self._clock.now()
        if self._shared:
            missed = []
            for poll_id in await store.not_followed_up(self._reader, now, now - FOLLOW_UP_GRACE):

                async def claim(conn: Conn, poll_id: int = poll_id) -> bool:
                    return await store.claim_follow_up(conn, poll_id, now, now + FOLLOW_UP_GRACE)

                if await self._writer.run(claim):  # a taker that dies in turn leaves it to the next
                    missed.append(await self.get(poll_id))
        else:
            missed = [await self.get(poll_id) for poll_id in await store.not_followed_up(self._reader, now)]
        if missed:
            log.info("finishing the close of %d poll(s) that a stop cut short", len(missed))
            self._spawn(self._after_closes(missed))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _remember_message(self, poll_id: int, room: str, ref: str, native_ref: str | None) -> None:
        self._messages.setdefault(poll_id, []).append((room, ref, native_ref))
        if native_ref:
            self._native[native_ref] = poll_id

    def next_deadline(self) -> datetime | None:
        deadlines = [p.closes_at for p in self.open.values() if p.closes_at is not None]
        if self._shared:  # also look, now and then, for polls other processes opened or closed
            deadlines.append(self._synced + SYNC)
        return min(deadlines) if deadlines else None

    async def _sync(self) -> None:
        """On a database other processes share: learn the open polls opened elsewhere (so their
        deadlines are kept here too, should their own process be down) and forget those closed
        elsewhere. Whichever process comes first closes a poll; the others find it closed."""
        self._synced = self._clock.now()
        await self._learn_open()
        for poll_id in await store.unsettled_polls(self._reader):  # another process's, cut short
            await self._settle(poll_id)
        await self._follow_up_missed()  # another process's, cut short
        await self._find_unposted()  # another process's, cut short

    async def _learn_open(self) -> bool:
        """Make ``open`` what the database says is open: polls opened by other processes join
        it, those they closed leave it. True if one joined (its deadline is kept here too)."""
        ids = set(await store.open_poll_ids(self._reader))
        for poll_id in [p for p in self.open if p not in ids]:
            self.open.pop(poll_id, None)
        learnt = False
        for poll_id in sorted(ids - self.open.keys()):
            poll = await store.load_poll(self._reader, poll_id)
            if poll is not None and poll.is_open and poll.id not in self.open:
                self.open[poll.id] = poll
                learnt = True
        return learnt

    # -- lookups -----------------------------------------------------------------------------

    async def get(self, poll_id: int) -> Poll:
        poll = self.open.get(poll_id)
        if poll is not None:
            return poll
        poll = await store.load_poll(self._reader, poll_id)
        if poll is None:
            raise UserError(_("There is no poll {id}. Send /polls to see the open polls.").format(id=poll_id))
        if poll.is_open:  # opened by another process on a shared database
            self.open.setdefault(poll.id, poll)
            self._scheduler.poke()
        return poll

    def open_polls(self) -> list[Poll]:
        return sorted(self.open.values(), key=lambda p: p.id)

    async def listed_polls(self) -> list[Poll]:
        """The open polls as a member asking for them should see them: on a database other
        processes share, read afresh, since a poll opened or closed elsewhere a moment ago is
        learnt here only at the next sync (and not at all while this process waits to send)."""
        if self._shared and await self._learn_open():
            self._scheduler.poke()
        return self.open_polls()

    async def find_opened(self, room: str, question: str, since: datetime) -> int | None:
        return await store.latest_opened(self._reader, room, question, since)

    # -- opening -----------------------------------------------------------------------------

    async def open_poll(self, room: str, creator: str, spec: PollSpec, event_id: str | None = None, *,
                        link: Callable[[Conn, int], Awaitable[None]] | None = None) -> Poll:
        """Open a poll in ROOM and post its ballot. Used by /poll and by features that open
        ballots themselves (amendments, fired triggers); EVENT_ID makes a redelivery harmless.
        LINK records what the poll decides in the same transaction as the poll (or refuses it)."""
        now = self._clock.now()
        electorate: dict[int, int] | None = None
        if spec.electorate == "branch" and spec.branch is not None:  # named as the roll names it, in any case
            spec = replace(spec, branch=await self._roll.branch_named(spec.branch))
        if spec.electorate in ("roll", "branch"):
            electorate = await self._roll.electorate(spec.branch if spec.electorate == "branch" else None)
            if not electorate:
                if spec.electorate == "roll":
                    raise UserError(_("The membership roll is empty: import it first ({how}).").format(
                        how="quorum members import FILE"))
                raise UserError(_("No member on the roll is in branch {branch}; check the name.").format(
                    branch=quoted(spec.branch)))

        claim = now + backoff(1) + POST_CLAIM

        async def insert(conn: Conn) -> int:
            poll_id = await store.insert_poll(conn, room, creator, spec, now, electorate)
            if link is not None:
                await link(conn, poll_id)
            await store.claim_post(conn, poll_id, now, claim, force=True)
            return poll_id

        poll_id = await self._writer.run(insert, event_id)
        poll = Poll(
            id=poll_id, room=room, creator=creator, question=spec.question,
            options=spec.options, kind=spec.kind, max_choices=spec.max_choices, seats=spec.seats,
            secret=spec.secret, hidden=spec.hidden, card=spec.card, native=spec.native,
            quorum=spec.quorum, majority=spec.majority, electorate_kind=spec.electorate,
            branch=spec.branch, electorate_size=len(electorate) if electorate is not None else None,
            electorate_weight=sum(electorate.values()) if electorate is not None else None,
            opened_at=now, closes_at=spec.closes_at, electorate=electorate, proxies=spec.proxies,
        )
        self.open[poll_id] = poll
        self._post_claims[poll_id] = claim
        self._scheduler.poke()
        await self._post_or_retry(poll, None, 1)
        return poll

    # -- ballot messages ---------------------------------------------------------------------

    async def _post_or_retry(self, poll: Poll, result: dict[str, Any] | None, attempt: int) -> None:
        """Post POLL's ballot (attempt ATTEMPT); if the platform did not take it, try again later
        (``post_due``), until it is in the poll's room or the poll is closed: members can vote only
        by what they see, and a ballot fired by a trigger has nobody to open it again."""
        try:
            posted = await self._post(poll, result)
        except Exception:
            log.exception("posting the ballot of poll %s failed", poll.id)
            posted = False
        if posted:
            self._unposted.pop(poll.id, None)
            self._post_claims.pop(poll.id, None)
            return
        due = self._clock.now() + backoff(attempt)
        log.warning("the ballot of poll %s is not in its room yet; trying again at %s", poll.id, iso(due))
        self._unposted[poll.id] = (due, attempt + 1)
        self._scheduler.poke()

    def next_post(self) -> datetime | None:
        return min((due for due, _attempt in self._unposted.values()), default=None)

    async def post_due(self) -> None:
        """Post again the ballots whose platform did not take them, as they fall due."""
        now = self._clock.now()
        for poll_id, (due, attempt) in sorted(self._unposted.items()):
            if due > now:
                continue
            poll = self.open.get(poll_id)
            if poll is None or not await self._claim_post(poll_id, attempt):  # closed, posted, or taken over
                self._unposted.pop(poll_id, None)
                self._post_claims.pop(poll_id, None)
                continue
            await self._post_or_retry(poll, await self.tally(poll), attempt)

    async def _claim_post(self, poll_id: int, attempt: int, *, force: bool = False) -> bool:
        """Claim the posting of POLL_ID's ballot (attempt ATTEMPT) until the attempt after it is
        due, and POST_CLAIM more: False if its message is in its room, or another process is
        posting it. FORCE takes over what a process that stopped claimed."""
        now = self._clock.now()
        until = now + backoff(attempt) + POST_CLAIM
        held = self._post_claims.get(poll_id)

        async def op(conn: Conn) -> bool:
            return await store.claim_post(conn, poll_id, now, until, held, force=force)

        if not await self._writer.run(op):
            return False
        self._post_claims[poll_id] = until
        return True

    async def _find_unposted(self) -> None:
        """Take over the ballots that are not in their room, and that nobody is posting: those a
        stop cut short (this process's last run), or on a shared database another process's
        whose claim has run out. They are posted as soon as the scheduler looks."""
        now = self._clock.now()
        for poll_id in await store.unposted(self._reader, now if self._shared else None):
            if poll_id in self._unposted or poll_id not in self.open:
                continue
            if await self._claim_post(poll_id, 1, force=not self._shared):
                self._unposted[poll_id] = (now, 1)
                self._scheduler.poke()

    async def _post(self, poll: Poll, result: dict[str, Any] | None = None) -> bool:
        """Post POLL's ballot (with RESULT, the tally so far, when posted again); whether its
        platform took it. While a native poll is being posted, answers to it may arrive before
        its reference is remembered: they wait for the post (see ``on_native_answer``) rather
        than be dropped."""
        if not poll.native:
            return await self._post_ballot(poll, result)
        posting = asyncio.get_running_loop().create_future()
        self._posting.add(posting)
        try:
            return await self._post_ballot(poll, result)
        finally:
            self._posting.discard(posting)
            posting.set_result(None)

    async def _post_ballot(self, poll: Poll, result: dict[str, Any] | None) -> bool:
        with speaking(await self._languages.speech_for(poll.room)):
            return await self._post_ballot_here(poll, result)

    async def _post_ballot_here(self, poll: Poll, result: dict[str, Any] | None) -> bool:
        if poll.native:
            delivered = await self._send(
                SendNativePoll(poll.room, poll.question, poll.options, poll.max_choices,
                               text=ballot_text(poll, self._tz, None, now=self._clock.now()))
            )
        else:
            delivered = await self._send(
                Send(poll.room, ballot_text(poll, self._tz, self._live(poll, result), now=self._clock.now()),
                     ballot_buttons(poll))
            )
        if delivered is not None and delivered.ref is not None:
            ref, native_ref = delivered.ref, delivered.native_ref

            async def remember(conn: Conn) -> None:
                await store.remember_message(conn, poll.id, poll.room, ref, native_ref)

            await self._writer.run(remember)
            self._remember_message(poll.id, poll.room, ref, native_ref)
            return True
        return False

    @staticmethod
    def _live(poll: Poll, result: dict[str, Any] | None) -> tuple[list[int], int] | None:
        """The tally shown on the ballot message while open: never for hidden or secret polls."""
        if not poll.live_tally:
            return None
        if result is None:
            return ([0] * len(poll.options), 0)
        return (result["counts"], result["ballots"])

    # -- voting ------------------------------------------------------------------------------

    @staticmethod
    def voted_from(poll: Poll, room: Room) -> None:
        """Refuse a vote in POLL sent in ROOM, a group other than the poll's, where the poll's
        electorate is its room's. Said before anything about the vote itself (an option, a
        ranking): the vote belongs in the poll's room, and what is wrong with it is said there."""
        if poll.electorate_kind == "room" and room.id != poll.room and not room.private:
            raise UserError(_("Poll {id} belongs to another room: vote there, or privately with me.").format(
                id=poll.id))

    async def eligibility(self, actor: Actor, room: Room, poll: Poll) -> tuple[str, int]:
        """The key under which ACTOR votes in POLL, and the weight of their vote."""
        member = self._roll.member(actor.id)
        if poll.electorate_kind != "room":
            if member is None:
                raise UserError(_("Poll {id} is for members on the roll. Link your account first: send me /join CODE "
                                  "privately (your organiser has your code).").format(id=poll.id))
            assert poll.electorate is not None
            weight = poll.electorate.get(member)
            if weight is None:
                raise UserError(_("You are not in the electorate of poll {id} (it was fixed when the poll opened).")
                                .format(id=poll.id))
            return f"m:{member}", (weight if poll.card else 1)
        if room.id != poll.room:
            self.voted_from(poll, room)
            if not await self._directory.is_member(actor.id, poll.room):
                raise UserError(_("Only people in the room where poll {id} was started can vote in it.").format(
                    id=poll.id))
        await self._there_when_opened(actor, poll)
        return voter_key(member, actor.id), 1

    async def _there_when_opened(self, actor: Actor, poll: Poll) -> None:
        """Refuse ACTOR in POLL, open to anyone in its room, if they were not in the room when
        the poll opened: its electorate is the room as it was then (a vote cannot be swung by
        inviting friends in). The bot cannot list a group's members, only see them come and go,
        so the first change it saw of them after the opening says it: a join, and they were not
        there (also if they left and came back since); a leave, and they were (they may come back
        and vote); none, and they count as there. One in the opening's own second is read in their
        favour (``needs_change``). A room that moved keeps its changes under its
        new id (store.move_room), and whoever joins the new id after the opening joined late,
        unless they followed the room there as its member (an upgraded Matrix room, which its
        adapter does not report as a join)."""
        if not self._joins_kept:
            return
        group = poll.room.split("/", 1)[0]  # a forum topic's members are its group's
        changes = await self._changes_of(group, actor.id)
        if not next((joined for at, joined in changes if needs_change(poll.opened_at, at, joined)), False):
            return
        raise UserError(_("The electorate of poll {id} was fixed when it opened, {when}, and you joined the room "
                          "after that: you cannot vote in it.").format(
            id=poll.id, when=zoned(when(poll.opened_at, self._tz, self._clock.now()), self._tz)))

    async def _changes_of(self, group: str, member: str) -> list[tuple[datetime, bool]]:
        """MEMBER's kept joins and leaves of GROUP, in order. A vote flood asks this for every
        vote, so the questions are pooled as the roll's links are (``RollService.learn``): each
        is answered by a read that starts after it was asked (so a join committed before the
        vote arrived is seen), and all asked meanwhile share that read, keeping a burst's votes
        together for the writer's one commit."""
        if self._join_round is None:
            self._join_round = _JoinRound()
            if self._join_reading is None or self._join_reading.done():
                self._join_reading = asyncio.create_task(self._read_joins(), name="quorum-room-joins")
        round_ = self._join_round
        round_.asked.add((group, member))
        await round_.done.wait()
        if round_.error is not None:
            raise round_.error
        return round_.found.get((group, member), [])

    async def _read_joins(self) -> None:
        """Read the joins and leaves asked for, a round at a time, until none are left."""
        while self._join_round is not None:
            round_, self._join_round = self._join_round, None
            try:
                round_.found = await store.changes_of(self._reader, round_.asked)
            except Exception as e:
                round_.error = e
            round_.done.set()

    async def note_change(self, event: Joined | Left) -> None:
        """EVENT's member joined a group or left it: kept while an open poll of that room,
        opened before, needs to know (store.record_change). A change is about a person, and once
        no open poll opened before it remains, it tells the bot nothing it needs, so it is
        deleted with that close (``_close``) rather than kept until the member asks for erasure;
        erasing it while the poll is open would let a member who came late vote after all."""
        at = event.at.astimezone(UTC).replace(microsecond=0)
        group, joined = event.room.id, isinstance(event, Joined)

        def needs(poll: Poll) -> bool:
            return (poll.electorate_kind == "room" and needs_change(poll.opened_at, at, joined)
                    and (poll.room == group or poll.room.startswith(group + "/")))

        if event.room.private or not (self._shared or any(needs(p) for p in self.open.values())):
            return  # nothing open here that opened before: the common case, without a write

        async def op(conn: Conn) -> bool:
            return await store.record_change(conn, group, event.actor.id, at, joined)

        self._joins_kept = True  # before the write: a vote read meanwhile looks
        await self._writer.run(op)

    def _key(self, poll: Poll, voter: str) -> str:
        """The row a voter's ballot is stored under: for a secret ballot, a keyed hash."""
        return voter_hash(self._secret, poll.id, voter) if poll.secret else voter

    async def _voter(self, ctx: Context, poll: Poll, room: Room, refused: str) -> tuple[str, int]:
        """Who is voting and with what weight, once the poll takes votes from ROOM (REFUSED: what
        happened to what they sent, said when a secret ballot is voted in the group)."""
        refusal = poll.refusal_at(self._clock.now)
        if refusal:
            raise UserError(refusal)
        if poll.private_voting and not room.private:
            how = f"/rank {poll.id} …" if poll.ranked else f"/vote {poll.id} …"
            if refused == NOT_COUNTED:
                said = _("Poll {id} is a secret ballot: your vote was not counted here. Message me privately: "
                         "{how}").format(id=poll.id, how=how)
            else:
                said = _("Poll {id} is a secret ballot: nothing was changed here. Message me privately: {how}"
                         ).format(id=poll.id, how=how)
            if refused == NOT_COUNTED and isinstance(ctx.event, Message) and room.id == ctx.room.id:  # a choice, shown
                said += "\n" + (_("I deleted your message, so your choice is no longer shown here.")
                                 if await ctx.take_down() else
                                 _("I may not delete your message here: please delete it yourself, so that your "
                                   "choice is no longer shown."))
            raise UserError(said)
        if poll.electorate_kind == "room" and room.id == poll.room:  # the common case: in the room itself
            await self._there_when_opened(ctx.actor, poll)
            return voter_key(self._roll.member(ctx.actor.id), ctx.actor.id), 1
        return await self.eligibility(ctx.actor, room, poll)

    async def cast(self, ctx: Context, poll: Poll, chosen: tuple[int, ...], *, room: Room | None = None) -> str:
        """Record a vote once committed; return the confirmation. An empty CHOSEN (a button
        pressed again, an answer retracted on the platform) withdraws the vote."""
        room = room or ctx.room
        if not chosen:
            return await self.withdraw(ctx, poll, room=room)
        clock = self._clock
        voter, weight = await self._voter(ctx, poll, room, NOT_COUNTED)
        cancels = await self._proxy_cancelled_by(poll, voter) if poll.proxies is not None else None
        code = await self._stored_receipt(poll, voter)
        outcome = await self._writer.vote(
            VoteWrite(
                poll_id=poll.id,
                voter=self._key(poll, voter),
                choice=",".join(map(str, chosen)) if chosen else None,
                weight=self._stored_weight(poll, weight),
                secret=poll.secret,
                event_id=ctx.event_id,
                check=lambda: poll.refusal_at(clock.now),  # the writer says it in the voter's language
                late=lambda: self._closed_elsewhere(poll),
                identity=(ctx.actor.id, ctx.actor.name) if ctx.actor.name and not poll.secret else None,
                receipt=code,
                cast_by=self._cast_by(poll, voter, proxy=False),
                # Marked in the vote's own commit: a commit of its own just after it, naming the
                # giver, would sit next to her secret ballot in the log's order.
                cancels=self._cancel_mark(poll, cancels[0]) if cancels is not None else None,
            )
        )
        if outcome == DUPLICATE:
            raise Duplicate()
        if outcome is not None:
            raise UserError(outcome)
        self.schedule_refresh(poll)
        if cancels is not None:
            proxy, was_cast = cancels
            await self._tell_holder(poll, proxy.holder, lambda: proxy_cancelled(poll, proxy.giver_name, was_cast))
        return confirmation(poll, chosen, changeable_until(poll, self._tz, clock.now))

    async def _proxy_cancelled_by(self, poll: Poll, voter: str) -> tuple[Proxy, bool] | None:
        """Before VOTER's own vote in POLL (a poll that takes proxies): the proxy it cancels, and
        whether its holder had cast it; None if they gave none, or cancelled it by voting before
        (their holder was told then)."""
        if not voter.startswith("m:"):
            return None
        member = int(voter.removeprefix("m:"))
        given = next((p for p in await store.proxies_of(self._reader, poll.id) if p.giver == member), None)
        if given is None or await self._cancelled(self._reader, poll, given):
            return None
        return given, await self._proxy_cast(self._reader, poll, given)

    async def withdraw(self, ctx: Context, poll: Poll, *, room: Room | None = None) -> str:
        """Take the speaker's vote back, with a secret ballot's receipt; say whether there was
        one. With none, nothing is stored (not even the update), and the answer says so."""
        room = room or ctx.room
        voter, _weight = await self._voter(ctx, poll, room, NOTHING_CHANGED)
        clock = self._clock
        key = self._key(poll, voter)
        code = await self._stored_receipt(poll, voter)

        async def op(conn: Conn) -> None:
            await self._still_open(conn, poll)  # checked again in order with the close
            if poll.proxies is not None:
                await self._not_by_proxy(conn, poll, voter)
            if not await store.withdraw_vote(conn, poll, key, code):
                raise UserError(withdrawn(poll, False, self._tz, clock.now()))
            await self._still_open(conn, poll, "SHARE")

        await self._writer.run(op, ctx.event_id, secret=poll.secret)
        self.schedule_refresh(poll)
        return withdrawn(poll, True, self._tz, clock.now())

    async def _still_open(self, conn: Conn, poll: Poll, lock: str | None = None) -> None:
        """Inside a change to POLL's ballots: refuse it if the poll has closed, by its deadline or
        in the database (a close queued before this change, here or in another process). With
        LOCK ("SHARE"), once nothing else refuses the change: the poll is held open until it
        is committed (on a database other processes share)."""
        refusal = poll.refusal_at(self._clock.now)
        if refusal is None and not await store.still_open(conn, poll.id, lock):
            refusal = self._closed_elsewhere(poll)
        if refusal:
            raise UserError(refusal)

    def _closed_elsewhere(self, poll: Poll) -> str:
        """The refusal of a vote in POLL, which the database has closed though this process had
        it open (another process closed it): it is read afresh from the database from now on."""
        if self.open.get(poll.id) is poll:
            del self.open[poll.id]
        return replace(poll, closed_at=poll.closed_at or self._clock.now()).refusal(self._clock.now()) or ""

    async def current_choice(self, poll: Poll, actor: Actor, room: Room) -> tuple[int, ...]:
        voter, _weight = await self.eligibility(actor, room, poll)
        return await store.choice_of(self._reader, poll, self._key(poll, voter)) or ()

    async def vote_text(self, ctx: Context, poll_id: int, text: str, *, ranked: bool, proxy_for: str | None = None
                        ) -> str:
        """A vote typed as /vote or /rank: checked, recorded, and the confirmation. PROXY_FOR:
        the name of the member whose proxy the speaker casts (``--for NAME``)."""
        poll = await self.get(poll_id)
        if poll.private_voting and not ctx.room.private:  # said first: such a ballot is cast privately only
            refused = NOTHING_CHANGED if is_withdrawal(text, poll.options) else NOT_COUNTED
            await self._voter(ctx, poll, ctx.room, refused)
        self.voted_from(poll, ctx.room)
        if poll.ranked and not ranked:
            raise UserError(_("Poll {id} is a ranked election: use /rank {id} followed by option numbers in order.")
                            .format(id=poll_id))
        if ranked and not poll.ranked:
            raise UserError(_("Poll {id} is not ranked: use /vote {id} OPTION.").format(id=poll_id))
        refusal = poll.refusal(self._clock.now())
        if refusal:
            raise UserError(refusal)
        if is_withdrawal(text, poll.options):
            if proxy_for is not None:
                return await self.cast_proxy(ctx, poll, (), proxy_for)
            return await self.withdraw(ctx, poll)
        try:
            chosen = parse_choice(text, poll.options, poll.max_choices, ranked=poll.ranked)
        except ChoiceError as e:
            raise UserError(_("Poll {id}: {problem}.").format(id=poll_id, problem=e)) from None
        if proxy_for is not None:
            return await self.cast_proxy(ctx, poll, chosen, proxy_for)
        return await self.cast(ctx, poll, chosen)

    async def on_press(self, ctx: Context, data: str) -> str | None:
        """A ballot button: ``v:POLL:OPTION`` votes (toggles, in a multi-choice poll),
        ``r:POLL:…`` builds a ranking one press at a time."""
        kind, _sep, rest = data.partition(":")
        parts = rest.split(":")
        if kind not in ("v", "r") or len(parts) != 2 or not is_number(parts[0]):
            return _("This button is no longer valid.")
        poll = self.open.get(int(parts[0])) or await self.get(int(parts[0]))
        refusal = poll.refusal_at(self._clock.now)
        if refusal:
            return refusal
        room = await self._pressed_in(ctx, poll)
        if kind == "r":
            return await self._rank_press(ctx, poll, parts[1])
        if not is_number(parts[1]) or int(parts[1]) >= len(poll.options) or poll.ranked:
            return _("This button is no longer valid.")
        idx = int(parts[1])
        chosen: tuple[int, ...] = (idx,)
        if poll.max_choices > 1:
            current = await self.current_choice(poll, ctx.actor, room)
            if idx in current:
                chosen = tuple(c for c in current if c != idx)
            elif len(current) >= poll.max_choices:
                return _("You have chosen {n} already: tap one again to remove it first.").format(
                    n=number(poll.max_choices))
            else:
                chosen = (*current, idx)
        return await self.cast(ctx, poll, chosen, room=room)

    async def _pressed_in(self, ctx: Context, poll: Poll) -> Room:
        """The room a press on POLL's ballot was made in: the room the bot posted the pressed
        message in. A platform may name only the group for a press on an older message
        (Telegram sends it "inaccessible", without its forum topic: a week's ballot in a topic
        would take no press after a day or two); a message's id names it within its group."""
        ref = ctx.event.message_ref if isinstance(ctx.event, ButtonPress) else None
        if ref is None or ctx.room.private or ctx.room.id == poll.room or poll.room.split("/", 1)[0] != ctx.room.id:
            return ctx.room
        if any(room == poll.room and posted == ref for room, posted, _native in
               await store.messages_of(self._reader, poll.id)):
            return Room(poll.room, title=ctx.room.title)
        return ctx.room

    async def _rank_press(self, ctx: Context, poll: Poll, what: str) -> str | None:
        """Build a ranking one press at a time; only the confirmed ranking is recorded."""
        if not poll.ranked or not ctx.room.private:
            return _("This button is no longer valid.")
        key = (ctx.actor.id, poll.id)
        draft = self._drafts.setdefault(key, [])
        if what == "reset":
            draft.clear()
        elif what == "ok":
            if not draft:
                return _("Pick at least one candidate first.")
            answer = await self.cast(ctx, poll, tuple(draft))
            self._drafts.pop(key, None)
            await self._show_draft(ctx, poll, [], done=answer)
            return answer
        elif is_number(what) and int(what) < len(poll.options):
            if int(what) not in draft:
                draft.append(int(what))
        else:
            return _("This button is no longer valid.")
        await self._show_draft(ctx, poll, draft)
        if draft:
            return _("Ranked {n} so far.").format(n=number(len(draft)))
        return _("Start again: pick your first choice.")

    async def _show_draft(self, ctx: Context, poll: Poll, draft: list[int], done: str | None = None) -> None:
        ref = getattr(ctx.event, "message_ref", None)
        text, buttons = self.private_ballot(poll, draft, done)
        if ref:
            await self._send(Edit(ctx.room.id, ref, text, buttons))
        else:
            await ctx.reply(text, buttons)

    def private_ballot(
        self, poll: Poll, draft: list[int] | None = None, done: str | None = None
    ) -> tuple[str, Keyboard]:
        return private_ballot(poll, self._tz, draft, done, now=self._clock.now())

    async def open_private_ballot(self, ctx: Context, poll_id: int) -> None:
        """The ballot, privately, with its buttons (a deep link from the group's ballot)."""
        if not ctx.room.private:
            raise UserError(_("Open ballots privately: tap the bot's 'Vote privately' button."))
        poll = await self.get(poll_id)
        refusal = poll.refusal(self._clock.now())
        if refusal:
            raise UserError(refusal)
        await self.eligibility(ctx.actor, ctx.room, poll)
        text, buttons = self.private_ballot(poll)
        await ctx.reply(text, buttons)

    async def on_native_answer(self, event: NativePollAnswer) -> None:
        poll_id = self._native.get(event.native_ref)
        if poll_id is None and self._posting:  # an answer faster than the post's own bookkeeping
            await asyncio.gather(*self._posting)
            poll_id = self._native.get(event.native_ref)
        if poll_id is None:
            poll_id = await store.poll_of_native(self._reader, event.native_ref)
            if poll_id is None:
                log.info("answer to an unknown native poll %s ignored", event.native_ref)
                return
        if event.ended:
            # Ended on the platform by someone entitled to: it closes here too, with the result,
            # so no later answer counts where the platform shows the poll as ended.
            try:
                await self.close(poll_id, event.actor.id, event.event_id)
            except UserError:
                pass  # already closed
            return
        poll = await self.get(poll_id)
        ctx = Context(event.actor, Room(poll.room), event, self._send, self._directory, self._languages)
        with speaking(await self._languages.speech_for(event.actor.id, room=poll.room)):
            try:
                if len(event.options) > poll.max_choices or any(not 0 <= o < len(poll.options) for o in event.options):
                    raise UserError(ngettext("Poll {id}: choose at most {n} option.",
                                             "Poll {id}: choose at most {n} options.", poll.max_choices)
                                    .format(id=poll.id, n=number(poll.max_choices)))
                await self.cast(ctx, poll, tuple(event.options))
            except UserError as e:
                await self._not_counted(event, poll_id, e.message)

    async def _not_counted(self, event: NativePollAnswer, poll_id: int, reason: str) -> None:
        """Tell the member, privately and once per answer, that their answer was not counted.

        An answer sent before its poll closed may reach the bot only after (the platform held it
        back: on Matrix it waits while the homeserver fails to give what reading it needs, see
        ``_hold`` in adapters/matrix/adapter.py). It is not counted: the result was announced at
        the close, and a result that changes once announced is worse than one answer missing
        from it; nor can a close wait for answers the platform may never give. Its sender is
        told plainly that it was sent in time but read too late, rather than that it was late.
        (The database keeps the close to the second: an answer sent in that very second cannot
        be told from one sent just after it, and is told that the poll is closed.)

        The message is queued under the answer's id, so an answer read again (after a restart,
        or released once more) is never told twice."""
        poll = await self.get(poll_id)
        now = self._clock.now()
        closed = poll.closed_at or (poll.closes_at if poll.closes_at is not None and now >= poll.closes_at else None)
        if event.sent_at is not None and closed is not None and event.sent_at.replace(microsecond=0) < closed:
            text = _("Your answer to poll {id} was sent before the poll closed, but it reached me only after it had "
                     "closed, too late to be counted: the result was announced without it.").format(id=poll.id)
        else:
            text = _("Your answer was not counted. {reason}").format(reason=reason)
        if event.event_id is None:
            await self._send(SendPrivate(event.actor.id, text))
            return
        dedupe = f"not-counted:{event.event_id}"

        async def queue(conn: Conn) -> None:
            await enqueue(conn, dedupe=dedupe, target=event.actor.id, private=True, text=text, now=now, hold=True)

        await self._writer.run(queue)
        await self._outbox.send_now(dedupe)

    # -- live tally --------------------------------------------------------------------------

    def schedule_refresh(self, poll: Poll) -> None:
        """Show POLL's tally on its ballot soon: votes coming while an edit is awaited or being
        sent are shown together by the next one (``_refresh``)."""
        if not poll.live_tally or not self._messages.get(poll.id):
            return
        if poll.id in self._refreshing:
            self._stale.add(poll.id)
            return
        self._refreshing.add(poll.id)
        self._spawn(self._refresh(poll))

    async def _refresh(self, poll: Poll) -> None:
        """Edit the ballot with the tally, at most once an edit interval, one edit at a time.
        One at a time, because an edit held back (flood control, a network failure tried again)
        and sent after a later one would leave the ballot showing an older tally for good.

        For the same reason the close's edit waits for a refresh under way (``_ballot_edits``),
        and a refresh asks whether the poll is still open right before each edit (``_shown_open``),
        not of the poll it was scheduled with: a live tally and its buttons sent after the
        "Closed." edit would put them back on a closed ballot for good. That lock is this
        process's: on a shared database another process may close the poll, and edit its ballot,
        while an edit of this one is on its way, and this edit may land last. So there each edit
        is followed by the same question, and a poll found closed gets its closed ballot again
        (``_show_closed``): whichever edit lands last, the last to land shows it closed."""
        try:
            while True:
                await asyncio.sleep(self._directory.edit_interval(poll.room))
                async with self._ballot_edits(poll.id):
                    if poll.native or not await self._shown_open(poll):
                        return
                    self._stale.discard(poll.id)  # what is committed from here on may be missing below
                    result = await self.tally(poll)
                    with speaking(await self._languages.speech_for(poll.room)):  # not the voter's who set it off
                        text = ballot_text(poll, self._tz, self._live(poll, result), now=self._clock.now())
                    for room, ref, _native in list(self._messages.get(poll.id, [])):
                        if not await self._shown_open(poll):
                            return
                        await self._send(Edit(room, ref, text, ballot_buttons(poll)))
                        if self._shared and not await store.still_open(self._reader, poll.id):
                            await self._show_closed(poll.id)  # closed elsewhere while this edit went
                            return
                if poll.id not in self._stale:  # no vote since the tally was read
                    return
        finally:
            self._refreshing.discard(poll.id)
            self._stale.discard(poll.id)

    async def _show_closed(self, poll_id: int) -> None:
        """Edit POLL_ID's ballot messages (closed, by another process) as its close did, over a
        live tally of this process's that may have landed after them."""
        poll = await store.load_poll(self._reader, poll_id)  # as closed, not as this process had it open
        if poll is None or poll.result is None:
            return
        text = await self._closed_text(poll)
        for room, ref, native_ref in await store.messages_of(self._reader, poll_id):
            if not native_ref:
                await self._send(Edit(room, ref, text))

    async def _closed_text(self, poll: Poll) -> Markup:
        """Closed POLL's ballot, in its room's language."""
        assert poll.result is not None
        with speaking(await self._languages.speech_for(poll.room)):
            return ballot_text(poll, self._tz, self._live(poll, poll.result), now=self._clock.now())

    def _ballot_edits(self, poll_id: int) -> asyncio.Lock:
        """Held while POLL_ID's ballot messages are edited, by a refresh or by the close."""
        return self._editing.setdefault(poll_id, asyncio.Lock())

    async def _shown_open(self, poll: Poll) -> bool:
        """Whether POLL is open as this process and the database see it now: closed here, or
        by another process sharing the database, its ballot shows no live tally again."""
        current = self.open.get(poll.id)
        return (current is not None and current.is_open and poll.is_open
                and await store.still_open(self._reader, poll.id))

    # -- counting and closing ----------------------------------------------------------------

    async def tally(self, poll: Poll, conn: Conn | None = None) -> dict[str, Any]:
        """POLL's result as its committed ballots stand (or as CONN, the writer's, sees them),
        with how many of them were cast by proxy where the poll takes proxies."""
        conn = conn or self._reader
        if poll.secret and poll.card:
            ballots = await self._weighed(conn, poll)
        else:
            ballots = await store.ballots(conn, poll)
        result = result_of(poll, ballots)
        if poll.proxies is not None:
            proxies = await store.proxies_of(conn, poll.id)
            result["proxy_votes"] = sum([await self._proxy_cast(conn, poll, p) for p in proxies])
        return result

    @staticmethod
    def _stored_weight(poll: Poll, weight: int) -> int:
        """A secret card vote's ballot is stored without its weight: a member's weight may be
        theirs alone, and would name them beside their choice. The count finds it again from
        the electorate through the ballot's keyed hash (``_weighed``)."""
        return 1 if poll.secret and poll.card else weight

    async def _weighed(self, conn: Conn, poll: Poll) -> list[tuple[tuple[int, ...], int]]:
        """A secret card vote's ballots with the weight of each voter, found with the key."""
        assert poll.electorate is not None
        weights = {voter_hash(self._secret, poll.id, f"m:{m}"): w for m, w in poll.electorate.items()}
        return [(choice, weights[voter]) for voter, choice in await store.secret_choices(conn, poll)]

    async def close(self, poll_id: int, by: str, event_id: str | None = None) -> Poll:
        """Close POLL_ID now and announce its result (BY: who closed it, or "deadline")."""
        poll = await self.get(poll_id)
        if not poll.is_open:
            self.open.pop(poll_id, None)
            raise UserError(_("Poll {id} is already closed. Send /results {id} to see the result.").format(id=poll_id))
        await self._close(poll, by, event_id, hold=True)
        await self._outbox.send_now(_announcement(poll))
        await self._follow_up(poll)
        return poll

    async def _follow_up(self, poll: Poll) -> None:
        """What follows closed POLL's announcement: its chart, then ``_after_close``; recorded
        once done, so that what a crash cut short is done at the next start. (A crash between
        the doing and the record has it done twice: a second chart, edits that change nothing.)"""
        await self._send_chart(poll)
        await self._after_close(poll)

        async def done(conn: Conn) -> None:
            await store.followed_up(conn, poll.id)

        await self._writer.run(done)

    async def _close(self, poll: Poll, by: str, event_id: str | None, *, hold: bool) -> None:
        """Freeze POLL's result and queue its announcement, in one transaction: a closed poll
        is always announced, and once. HOLD: the caller sends it at once (``send_now``)."""

        speech = await self._languages.speech_for(poll.room)  # the room's, whoever closed it and wherever

        if poll.electorate_kind == "room" and poll.secret:  # in a secret transaction, before the close
            await self._finish_moves([poll])

        async def op(conn: Conn) -> tuple[datetime, dict[str, Any]] | None:
            # The row lock first: the votes committed before it are all counted, and any vote
            # queued behind this close (here or in another process) finds the poll closed.
            if not await store.still_open(conn, poll.id, "UPDATE"):
                return None
            if poll.electorate_kind == "room" and not poll.secret:  # a member's votes count once
                for account, member in await store.linked_account_votes(conn, poll.id):
                    await store.move_vote(conn, poll, account, f"m:{member}", None)
            result = await self.tally(poll, conn)
            now = self._clock.now()
            if not await store.close_poll(conn, poll.id, now, by, result):
                return None
            closing = replace(poll, closed_at=now, result=result)
            with speaking(speech):
                text = self.result_text(closing, final=True)
                if by == "deadline" and poll.closes_at and now - poll.closes_at > LATE_NOTE_AFTER:
                    text += late_note(poll, self._tz, now)
                page = self._links.url("poll", poll.id) if self._links else None
                if page:
                    text += audit_note(page)
            await enqueue(conn, dedupe=_announcement(poll), target=poll.room, private=False, text=text, now=now,
                          hold=hold)
            # Its reminders still waiting are given up: the poll they ask to vote in is closed.
            await end(conn, ends_with_close(poll.id))
            if poll.electorate_kind == "room":  # the changes only this poll needed (store.record_change)
                await store.forget_changes(conn, poll.room.split("/", 1)[0])
            # Its rounds of reminders not walked to the end go with the close (bot/storage/outbox.py).
            await forget(conn, ends_with_close(poll.id))
            return now, result

        closed = await self._writer.run(op, event_id)
        self.open.pop(poll.id, None)
        if closed is None:
            raise UserError(_("Poll {id} is already closed.").format(id=poll.id))
        poll.closed_at, poll.result = closed
        self._scheduler.poke()
        log.info("poll %s closed (%s)", poll.id, "at its deadline" if by == "deadline" else "by an organiser")

    def _due(self) -> list[Poll]:
        """The open polls whose deadline has passed, in the order they fell due."""
        now = self._clock.now()
        return sorted(
            (p for p in self.open.values() if p.closes_at is not None and p.closes_at <= now),
            key=lambda p: (p.closes_at, p.id),
        )

    async def close_due(self) -> None:
        """Close every poll whose deadline has passed."""
        async with self._close_lock:
            if self._shared:
                await self._sync()
            for poll in self._due():
                try:
                    await self.close(poll.id, "deadline")
                except UserError:
                    pass

    async def current(self, poll_id: int) -> Poll:
        """POLL_ID as it stands now: a poll whose deadline has passed is closed first (the
        deadline's timer may not have fired yet), so nobody reads it as open."""
        poll = await self.get(poll_id)
        if poll.is_open and poll.refusal_at(self._clock.now) is not None:
            await self.close_due()
            poll = await self.get(poll_id)
        return poll

    async def _after_close(self, poll: Poll) -> None:
        """What follows a close once its result is announced: the ballot messages show it is
        closed, and the features waiting on it (a motion's vote) hear of it."""
        closed_text = await self._closed_text(poll)
        try:
            async with self._ballot_edits(poll.id):  # after a live tally's edit under way, never before it
                messages = self._messages.pop(poll.id, [])  # and those posted elsewhere:
                messages += [m for m in await store.messages_of(self._reader, poll.id) if m not in messages]
                for room, ref, native_ref in messages:
                    if native_ref:
                        self._native.pop(native_ref, None)
                        await self._send(CloseNativePoll(room, ref, native_ref, text=closed_text))
                    else:
                        await self._send(Edit(room, ref, closed_text))
        finally:
            self._editing.pop(poll.id, None)
        await self._publish(PollClosed(poll))
        if poll.secret:
            await self._settle(poll.id)

    async def _settle(self, poll_id: int) -> None:
        """Rewrite a closed secret poll's ballots and receipts in key order, since the database
        keeps rows where they arrived (see store.settle_secret_ballots); then have their old
        versions freed, in the background. On PostgreSQL the tables are rewritten whole
        (``full``) only while no secret poll is open here, since that locks them for its length."""

        async def op(conn: Conn) -> bool:
            return await store.settle_secret_ballots(conn, poll_id)

        if not await self._writer.run(op, secret=True):  # it writes ballots, so with nothing that names anyone
            return
        log.info("poll %s: secret ballots rewritten in key order", poll_id)
        if self._vacuum is not None:
            self._spawn(self._free(SECRET_TABLES, full=not any(p.secret for p in self.open.values())))

    async def _free(self, tables: Sequence[str], *, full: bool = False) -> None:
        """Free the old versions of TABLES' changed and deleted rows (the database's ``vacuum``)."""
        assert self._vacuum is not None
        try:
            await self._vacuum(tables, full=full)
        except Exception as e:  # the server's autovacuum frees them later
            log.warning("freeing the old versions of rows in %s failed (%s)", ", ".join(tables), e)

    async def settled(self) -> None:
        """Wait for the work a close left running in the background (for a test to look at it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def result_text(self, poll: Poll, final: bool, result: dict[str, Any] | None = None,
                    names: dict[int, list[str]] | None = None) -> str:
        r = result if result is not None else poll.result
        assert r is not None
        return result_text(poll, r, final, names)

    # -- what the other commands read --------------------------------------------------------

    async def voter_names(self, poll: Poll) -> dict[int, list[str]]:
        """Who chose what, for open (non-secret) ballots only."""
        if poll.secret:
            raise UserError(_("Poll {id} is a secret ballot: who voted what is never shown.").format(id=poll.id))
        names: dict[int, list[str]] = {}
        for choice, name in await store.choices_by_name(self._reader, poll.id):
            for c in choice.split(","):
                names.setdefault(int(c), []).append(name)
        return names

    async def count_votes(self, poll: Poll) -> int:
        return await store.vote_count(self._reader, poll)

    async def voters(self, poll: Poll) -> set[str]:
        return await store.voters(self._reader, poll)

    async def voted_among(self, poll: Poll, keys: list[str]) -> set[str]:
        """Those of KEYS (``stored_key``) that have voted in POLL."""
        return await store.voted_among(self._reader, poll, keys)

    async def electorate_page(self, poll: Poll, after: int | None, limit: int) -> list[int]:
        """The next LIMIT members of POLL's (roll or branch) electorate after member AFTER (None:
        from the first), in member-id order, read from where the electorate is stored: a page
        costs its own rows, never a pass over the whole electorate (see store.electorate_page)."""
        return await store.electorate_page(self._reader, poll.id, after, limit)

    def stored_key(self, poll: Poll, member: int) -> str:
        """The key MEMBER's vote in POLL is stored under (to see whether they have voted)."""
        return self._key(poll, f"m:{member}")

    async def receipt(self, ctx: Context, poll: Poll) -> tuple[str, bool, bool]:
        """A secret ballot's receipt for the speaker: (code, whether they voted, whether it is
        among the receipts)."""
        voter, _weight = await self.eligibility(ctx.actor, ctx.room, poll)
        key = self._key(poll, voter)
        if not poll.receipts_stored:
            made_from = await store.receipt_key(self._reader, poll.id, key)
            return ballot_receipt(self._secret, poll.id, made_from or key), made_from is not None, made_from is not None
        code = await self._stored_receipt(poll, voter)
        assert code is not None
        voted = await store.choice_of(self._reader, poll, key) is not None
        return code, voted, voted and await store.has_receipt(self._reader, poll.id, code)

    async def receipts(self, poll: Poll) -> list[str]:
        """Every counted ballot's receipt code, in code order: each made from its ballot's key
        when asked for (kept for a closed poll, whose ballots no longer change), or, for a poll
        opened before that, as stored."""
        if poll.receipts_stored:
            return await store.receipt_codes(self._reader, poll.id)
        if poll.id in self._published:
            self._published.move_to_end(poll.id)
            return self._published[poll.id]
        codes = sorted(ballot_receipt(self._secret, poll.id, key)
                       for key in await store.receipt_keys(self._reader, poll.id))
        if not poll.is_open:
            self._published[poll.id] = codes
            while len(self._published) > PUBLISHED_KEPT:
                self._published.popitem(last=False)
        return codes

    async def _stored_receipt(self, poll: Poll, voter: str) -> str | None:
        """The stored receipt code of VOTER's ballot in POLL, a secret poll opened before receipts
        were made from ballots (None for any other poll): the code of the key it is cast under,
        or, for a member in a poll of a room, the code of the account that cast it before it was
        linked (a ballot keeps the code its voter was given: see store.move_vote). Found among
        the published codes, each the keyed hash of one key."""
        if not (poll.secret and poll.receipts_stored):
            return None
        own = receipt(self._secret, poll.id, voter)
        if poll.electorate_kind != "room" or not voter.startswith("m:"):
            return own
        codes = [own, *(receipt(self._secret, poll.id, account)
                        for account in await self._roll.accounts(int(voter.removeprefix("m:"))))]
        found = await store.receipts_among(self._reader, poll.id, codes)
        return next((c for c in codes if c in found), own)

    async def move_votes(self, conn: Conn, old: str, new: str) -> None:
        """Inside a link's transaction: the votes account key OLD cast in open polls (not secret
        ones: see move_secret_votes) now count as the member's (key NEW), once. The polls where
        the member had voted already, from another account, are kept for ``move_secret_votes``
        (called once the link has committed) to tell them of."""
        dropped = self._dropped[old] = []
        for poll in self.open.values():
            if poll.electorate_kind == "room" and not poll.secret:
                if await store.move_vote(conn, poll, old, new, None) == store.DROPPED:
                    dropped.append(poll)

    async def move_secret_votes(self, moves: list[tuple[str, str]], polls: list[Poll] | None = None) -> None:
        """After a link has committed: the secret ballots accounts cast before linking now count
        as their members', in a secret transaction of their own (the link names the person, so
        the two never share a commit). Should the bot stop in between, ``start`` finishes it.
        POLLS: those to look in (every open secret poll of a room by default)."""
        if polls is None:
            polls = [p for p in self.open.values() if p.electorate_kind == "room" and p.secret]
        if not moves:
            return

        async def op(conn: Conn) -> list[tuple[str, Poll]]:
            dropped = []
            for poll in polls:
                for old, new in moves:
                    stored = receipt(self._secret, poll.id, old) if poll.receipts_stored else None
                    moved = await store.move_vote(conn, poll, self._key(poll, old), self._key(poll, new), stored)
                    if moved == store.DROPPED:
                        dropped.append((old, poll))
            return dropped

        dropped = await self._writer.run(op, secret=True) if polls else []
        await self._tell_dropped(dropped + [(old, poll) for old, _new in moves for poll in self._dropped.pop(old, [])])

    async def _tell_dropped(self, dropped: list[tuple[str, Poll]]) -> None:
        """Tell each account of DROPPED, privately, that the vote it cast in the poll before it
        was linked is not counted, since its member had voted already (never what either vote
        was). Best effort: the link and the moves are committed."""
        for account, poll in dropped:
            try:
                with speaking(await self._languages.speech_for(account, room=poll.room)):
                    text = markup(_("Poll {id} ({question}): the vote this account cast before it was linked is not "
                                    "counted, since your membership had voted in it already from another account; "
                                    "that vote stands. Vote again to change it."), id=poll.id, question=poll.question)
                await self._send(SendPrivate(account, text))
            except Exception:
                log.warning("telling a member of a vote not counted in poll %s failed", poll.id)

    async def _finish_moves(self, polls: list[Poll] | None = None) -> None:
        """Secret ballots cast before a link made while their poll was open, not yet moved: the
        bot stopped between the link and the move, or (several processes) the ballot was keyed
        in one before it learned of the link made in another, and committed after the move.
        At the start, for every open secret poll of a room; before a close, for the poll closed."""
        if polls is None:
            polls = [p for p in self.open.values() if p.electorate_kind == "room" and p.secret]
        for poll in polls:
            linked = await self._roll.linked_since(poll.opened_at)
            await self.move_secret_votes([(identity, f"m:{member}") for identity, member in linked], [poll])

    # -- proxies (the rules: model.py) ---------------------------------------------------------

    def _cast_by(self, poll: Poll, caster: str, *, proxy: bool) -> str | None:
        """What a ballot of POLL keeps of who cast it (CASTER: their voter key): nothing unless
        the poll takes proxies; in a secret ballot a keyed hash on every ballot, so a proxy's
        ballot looks like any other without the key; in an open one the holder's key, and
        nothing (NULL) for a voter's own ballot."""
        if poll.proxies is None:
            return None
        if poll.secret:
            return caster_hash(self._secret, poll.id, caster)
        return caster if proxy else None

    async def _ballot_of(self, conn: Conn, poll: Poll, member: int) -> tuple[bool, str | None]:
        return await store.cast_by(conn, poll, self._key(poll, f"m:{member}"))

    async def _voted_self(self, conn: Conn, poll: Poll, member: int) -> bool:
        exists, by = await self._ballot_of(conn, poll, member)
        return exists and by == self._cast_by(poll, f"m:{member}", proxy=False)

    async def _cancelled(self, conn: Conn, poll: Poll, p: Proxy) -> bool:
        """Whether the giver of P has cancelled it by voting themselves (now, or before)."""
        return (p.cancelled or await self._voted_self(conn, poll, p.giver)
                or await store.cancelled_proxy(conn, poll.id, self._cancel_mark(poll, p)))

    def _cancel_mark(self, poll: Poll, p: Proxy) -> str:
        """The keyed mark of proxy P's cancellation by its giver's vote (this giving of it: one
        given again after a revoke is another)."""
        return cancel_mark(self._secret, poll.id, f"m:{p.giver}\x00{p.given_at}")

    async def _not_by_proxy(self, conn: Conn, poll: Poll, voter: str) -> None:
        """Refuse VOTER's withdrawal of their vote in POLL if the holder of their proxy cast it:
        it is the holder's to take back, as the proxy is no longer the giver's to revoke."""
        if not voter.startswith("m:"):
            return
        member = int(voter.removeprefix("m:"))
        given = next((p for p in await store.proxies_of(conn, poll.id) if p.giver == member), None)
        if given is not None and await self._proxy_cast(conn, poll, given):
            raise UserError(_("{name} cast your vote in poll {id} with your proxy, so you have no vote of your own to "
                              "withdraw; nothing changed. You can still vote yourself: your own vote replaces "
                              "theirs.").format(name=given.holder_name, id=poll.id))

    async def _proxy_cast(self, conn: Conn, poll: Poll, p: Proxy) -> bool:
        """Whether the holder of P has cast the giver's ballot (and it still stands)."""
        exists, by = await self._ballot_of(conn, poll, p.giver)
        return exists and by == self._cast_by(poll, f"m:{p.holder}", proxy=True)

    async def _member_voting(self, ctx: Context, poll: Poll) -> int:
        """The speaker as a member of POLL's electorate (proxies are for roll polls only)."""
        if poll.proxies is None:
            raise UserError(refuse_cast(poll, None, "", False) or "")
        key, _weight = await self.eligibility(ctx.actor, ctx.room, poll)
        return int(key.removeprefix("m:"))

    async def _named_member(self, poll: Poll, name: str) -> tuple[int, str]:
        """The member of POLL's electorate NAME names: their name on the roll, their membership
        number, or a linked account's display name (a leading @ ignored), in any case."""
        wanted = name.strip().removeprefix("@").strip().casefold()
        electorate = await store.electorate_names(self._reader, poll.id)
        found = {
            (member, roll_name)
            for member, roll_name, number, shown in electorate
            if wanted in (roll_name.casefold(), shown.removeprefix("@").casefold())
            or (number is not None and number_key(number) == number_key(wanted))
        }
        # A roll imported before 7 and 007 were one number may hold both: the one typed is meant.
        exact = {(member, roll_name) for member, roll_name, number, _ in electorate
                 if number is not None and number.casefold() == wanted}
        found = exact or found
        if not found:
            raise UserError(_("Nobody called {name} is in the electorate of poll {id}. Name the member as on the roll, "
                              "or give their membership number.").format(name=name.strip()[:60], id=poll.id))
        if len(found) > 1:
            raise UserError(_("More than one member of poll {id}'s electorate is called {name}; give the membership "
                              "number of the one you mean.").format(id=poll.id, name=name.strip()[:60]))
        return found.pop()

    async def proxy_poll(self, ctx: Context, poll_id: int) -> Poll:
        """POLL_ID, for /proxy: refused first, whatever follows, to a speaker it does not reach
        (``Context.reaches``: not in its room, nor one of the room's organisers) unless they are
        in its electorate (a roll member votes privately from anywhere). Such a speaker learns
        nothing more of it than that it belongs to another room, which its id already tells:
        not whether it takes proxies, is closed, or whom they could name."""
        poll = await self.get(poll_id)
        member = self._roll.member(ctx.actor.id)
        in_electorate = poll.electorate is not None and member is not None and member in poll.electorate
        if not in_electorate and not await ctx.reaches(poll.room):
            raise UserError(_("Poll {id} belongs to another room; ask there.").format(id=poll.id))
        return poll

    async def give_proxy(self, ctx: Context, poll_id: int, name: str) -> tuple[str, bool]:
        """The speaker gives NAME their proxy in POLL_ID; the holder is told, if they have linked an
        account. Returns the holder's name, and whether they were told."""
        poll = await self.proxy_poll(ctx, poll_id)
        refusal = poll.refusal(self._clock.now())
        if refusal:
            raise UserError(refusal)
        giver = await self._member_voting(ctx, poll)
        holder, holder_name = await self._named_member(poll, name)
        now = self._clock.now()

        async def op(conn: Conn) -> None:
            await self._still_open(conn, poll)  # checked again in order with the close
            voted, _by = await self._ballot_of(conn, poll, giver)
            proxies = await store.proxies_of(conn, poll.id)
            refused = refuse_give(poll, giver, holder, holder_name, proxies, voted)
            if refused:
                raise UserError(refused)
            await self._still_open(conn, poll, "SHARE")
            await store.give_proxy(conn, poll.id, giver, holder, iso(now))

        await self._writer.run(op, ctx.event_id)
        member = await self._roll.info(giver)
        giver_name = member.name if member else ctx.actor.label
        told = await self._tell_holder(poll, holder, lambda: proxy_given(poll, giver_name))
        return holder_name, told

    async def _tell_holder(self, poll: Poll, holder: int, told: Callable[[], Markup]) -> bool:
        """Tell the holder of a proxy in POLL (a member) what became of it, privately, in their
        language (or, if they chose none, the poll's room's), not the giver's. Best effort: the
        change is committed, and the holder sees where each proxy stands with /proxy POLL. False
        if they have no linked account to tell."""
        for account in (await self._roll.accounts(holder))[:1]:
            try:
                with speaking(await self._languages.speech_for(account, room=poll.room)):
                    text = told()
                await self._send(SendPrivate(account, text))
            except Exception:
                log.warning("telling the holder of a proxy in poll %s failed", poll.id)
            return True
        return False

    async def revoke_proxy(self, ctx: Context, poll_id: int) -> str:
        """The speaker takes back their proxy in POLL_ID, unless its holder has cast it; the holder's name."""
        poll = await self.proxy_poll(ctx, poll_id)
        refusal = poll.refusal(self._clock.now())
        if refusal:
            raise UserError(refusal)
        giver = await self._member_voting(ctx, poll)

        async def op(conn: Conn) -> str:
            mine = next((p for p in await store.proxies_of(conn, poll.id) if p.giver == giver), None)
            if mine is None:
                raise UserError(_("You have given no proxy in poll {id}; nothing changed.").format(id=poll.id))
            if await self._proxy_cast(conn, poll, mine):
                raise UserError(_("{name} has cast your proxy vote in poll {id} already, so it can no longer be taken "
                                  "back. You can still vote yourself: your own vote replaces it.").format(
                    name=mine.holder_name, id=poll.id))
            await store.revoke_proxy(conn, poll.id, giver)
            return mine

        mine = await self._writer.run(op, ctx.event_id)
        await self._tell_holder(poll, mine.holder, lambda: proxy_revoked(poll, mine.giver_name))
        return mine.holder_name

    async def proxies_status(self, ctx: Context, poll_id: int) -> tuple[Poll, Proxy | None, list[tuple[Proxy, str]]]:
        """The proxy the speaker gave in POLL_ID, and those they hold, each with where it stands
        ("cast", "not cast yet", or "cancelled: they voted themselves")."""
        poll = await self.proxy_poll(ctx, poll_id)
        me = await self._member_voting(ctx, poll)
        proxies = await store.proxies_of(self._reader, poll.id)
        given = next((p for p in proxies if p.giver == me), None)
        held = []
        for p in proxies:
            if p.holder == me:
                state = (_("cast") if await self._proxy_cast(self._reader, poll, p) else
                         _("cancelled: they voted themselves") if await self._cancelled(self._reader, poll, p)
                         else _("not cast yet"))
                held.append((p, state))
        return poll, given, held

    async def proxies_to_cast(self, poll: Poll, among: Collection[int] | None = None) -> list[Proxy]:
        """The proxies of POLL still to be cast: standing (not cancelled) and their giver has no
        ballot yet, by their own hand or their holder's. What reminders tell giver and holder.
        AMONG: only those given or held by these members (a page of the electorate), and only
        those read: a page of a large poll reads its own proxies, not the poll's list."""
        if poll.proxies is None:
            return []
        given = (await store.proxies_of(self._reader, poll.id) if among is None
                 else await store.proxies_among(self._reader, poll.id, sorted(among)))
        return [p for p in given
                if not (await self._ballot_of(self._reader, poll, p.giver))[0]
                and not await self._cancelled(self._reader, poll, p)]

    async def cast_proxy(self, ctx: Context, poll: Poll, chosen: tuple[int, ...], name: str) -> str:
        """The speaker casts (or, with no CHOSEN, takes back) the vote of the member NAME whose
        proxy they hold. The ballot is the giver's: their key, weight and receipt; it is stored
        as any ballot of the poll, and for a secret one in a transaction that names nobody."""
        if poll.proxies is None:
            raise UserError(refuse_cast(poll, None, name, False) or "")
        voter, _weight = await self._voter(ctx, poll, ctx.room, NOT_COUNTED)
        holder = int(voter.removeprefix("m:"))  # a roll poll: proxies need one
        wanted = name.strip().removeprefix("@").strip().casefold()
        held = [p for p in await store.proxies_of(self._reader, poll.id) if p.holder == holder]
        matching = ([p for p in held if p.giver_name.casefold() == wanted]
                    or [p for p in held if p.giver_number is not None
                        and number_key(p.giver_number) == number_key(wanted)]
                    or [p for p in held if p.giver_name.split()[:1] and p.giver_name.split()[0].casefold() == wanted])
        if len(matching) > 1:
            if all(p.giver_number for p in matching):
                raise UserError(_("You hold proxies in poll {id} from more than one member called {name}; say whose "
                                  "you cast by their membership number: {choices}.").format(
                    id=poll.id, name=name.strip()[:60],
                    choices=", ".join(f"--for {p.giver_number} ({p.giver_name})" for p in matching)))
            raise UserError(_("You hold proxies in poll {id} from more than one member called {name}; ask them to give "
                              "them again under their membership numbers.").format(id=poll.id, name=name.strip()[:60]))
        proxy = matching[0] if matching else None
        clock = self._clock
        giver_key = f"m:{proxy.giver}" if proxy else ""

        async def op(conn: Conn) -> None:
            await self._still_open(conn, poll)
            current = None
            if proxy is not None:
                current = next((p for p in await store.proxies_of(conn, poll.id)
                                if p.giver == proxy.giver and p.holder == holder), None)
            cancelled = current is not None and await self._cancelled(conn, poll, current)
            refused = refuse_cast(poll, current, name.strip()[:60], cancelled)
            if refused:
                raise UserError(refused)
            assert current is not None and poll.electorate is not None
            key = self._key(poll, giver_key)
            code = receipt(self._secret, poll.id, giver_key) if poll.secret and poll.receipts_stored else None
            if not chosen:
                if not await self._proxy_cast(conn, poll, current):
                    raise UserError(_("You have cast no vote for {name} in poll {id}; nothing changed.").format(
                        name=current.giver_name, id=poll.id))
                await self._still_open(conn, poll, "SHARE")
                await store.withdraw_vote(conn, poll, key, code)
                return
            await self._still_open(conn, poll, "SHARE")
            weight = self._stored_weight(poll, poll.electorate.get(current.giver, 1) if poll.card else 1)
            await store.put_ballot(conn, poll, key, ",".join(map(str, chosen)), weight,
                                   self._cast_by(poll, f"m:{holder}", proxy=True), iso(clock.now()), code)

        await self._writer.run(op, ctx.event_id, secret=poll.secret)
        self.schedule_refresh(poll)
        assert proxy is not None
        if not chosen:
            return _("Your vote for {name} in poll {id} is withdrawn; you can cast it again while the poll is open.") \
                .format(name=proxy.giver_name, id=poll.id)
        return proxy_confirmation(poll, chosen, proxy.giver_name, changeable_until(poll, self._tz, clock.now))

    # -- a room that moved -------------------------------------------------------------------

    async def move_room(self, conn: Conn, old: str, new: str) -> list[int]:
        """Inside a room move's transaction (bot/app/rooms.py): the polls of room OLD now belong
        to room NEW. Returns the open ones, whose ballots ``room_moved`` posts again."""
        moved = await store.move_room(conn, old, new)
        now = self._clock.now()
        claim = now + backoff(1) + POST_CLAIM
        for poll_id in moved:  # posted again in NEW by this process (``room_moved``), or taken over
            await store.claim_post(conn, poll_id, now, claim, force=True)
            self._post_claims[poll_id] = claim
        return moved

    async def room_moved(self, old: str, new: str, moved: list[int]) -> None:
        """Once the move has committed: the open polls MOVED now live in NEW, and their ballots,
        shown by messages in OLD that can no longer be edited (nor a native poll stopped there),
        are posted again in NEW, so members vote and the close edits or stops them there."""
        for poll_id in moved:
            poll = self.open.get(poll_id)
            if poll is None:
                continue
            poll.room = new
            for _room, _ref, native_ref in self._messages.pop(poll_id, []):
                if native_ref:
                    self._native.pop(native_ref, None)
            await self._post_or_retry(poll, await self.tally(poll), 1)

    # -- charts ----------------------------------------------------------------------------------

    async def chart(self, poll: Poll) -> tuple[str, bytes] | None:
        """The chart of closed POLL's result as (file name, PNG) in the language being written in,
        drawn off the event loop; None when nothing was cast, or charts cannot be drawn here (no
        font: said once in the log)."""
        assert poll.result is not None
        key = (poll.id, current().code)
        drawn = self._drawn.get(key)
        if drawn is not None:  # a closed poll's result never changes, nor its chart in one language
            self._drawn.move_to_end(key)
            return drawn
        spec = chart_of(poll, poll.result)
        if spec is None or self._chart_trouble is not None:
            return None
        try:
            font = find_font(self._chart_font)
            draw = draw_bars if isinstance(spec, BarChart) else draw_stages
            data = await asyncio.to_thread(draw, spec, font)  # type: ignore[arg-type]
        except (ChartError, ImportError, OSError) as e:
            self._chart_trouble = str(e)
            log.warning("results are announced without charts: %s", e)
            return None
        self._drawn[key] = drawn = (f"poll-{poll.id}-result.png", data)
        while len(self._drawn) > DRAWN_KEPT:
            self._drawn.popitem(last=False)
        return drawn

    def no_chart_reason(self, poll: Poll) -> str:
        """Why ``chart`` gave nothing for closed POLL."""
        if self._chart_trouble is not None:
            return _("charts cannot be drawn here ({trouble}).").format(trouble=self._chart_trouble)
        if poll.result is not None and poll.result["outcome"] == "not quorate" and poll.ranked:
            return _("the election was not quorate, so nothing was counted.")
        if poll.result is not None and poll.result.get("ballots"):
            return _("nobody voted for any option.")
        return _("nothing was cast.")

    async def charts_on(self, room: str) -> bool:
        """Whether results in ROOM come with a chart: the configuration's, unless the room said otherwise."""
        setting = await store.room_setting(self._reader, room, "charts")
        return self._charts if setting is None else setting == "on"

    async def set_charts(self, ctx: Context, on: bool) -> None:
        async def op(conn: Conn) -> None:
            await store.set_room_setting(conn, ctx.room.id, "charts", "on" if on else "off")

        await self._writer.run(op, ctx.event_id)

    async def _send_chart(self, poll: Poll) -> None:
        """A closed poll's chart, after its result: an illustration of the announced text, so a
        chart that cannot be drawn or sent never holds up or undoes the result."""
        try:
            if not await self.charts_on(poll.room):
                return
            with speaking(await self._languages.speech_for(poll.room)):
                chart = await self.chart(poll)
                caption = markup(_("Poll {id}: {question}"), id=poll.id, question=poll.question)
            if chart is not None:
                await self._send(SendFile(poll.room, chart[0], chart[1], caption))
        except Exception:
            log.exception("sending the chart of poll %s failed", poll.id)
