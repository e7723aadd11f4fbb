"""The outbox: broadcasts (reminders, announcements) that must survive a crash.

Messages are first written to the ``outbox`` table, in the same transaction as the decision to
send them, and only then delivered by the adapters' rate-limited senders. Each is marked sent
as soon as its platform accepted it; after a crash the drainer resumes with what is unmarked, so
a 10,000-message reminder is neither lost nor restarted from the top. A message the platform
accepted in the instant before a crash, not yet marked, is sent again: at most IN_FLIGHT of them,
since each of the IN_FLIGHT senders marks its message sent before it takes the next. A text too
long for one message goes in parts: when a later part fails, the parts the platform took are
recorded with the retry (``parts_sent``), and the retry, in this process or after a restart,
resumes with the first part not yet sent, so no reader sees a part twice. Eight keep
Telegram's 30 messages a second flowing at a round trip of up to a quarter of a second.

A message the platform could not take for now (it was unreachable, timed out, failed with a 5xx,
or asked the bot to slow down) is tried again 5 seconds later, then twice as long each time up to
RETRY_CAP (or as long as a 429 asked), for as long as GIVE_UP_AFTER from its first failure: an
outage is waited out, not counted in tries. While a platform is down (``platform_down``), the
drain begins no other chat's message to it until that message's next try (the platform is
``paused``, and its messages are neither claimed nor released meanwhile): an outage with
thousands of messages waiting costs a few tries every few minutes, not thousands, and once the
platform is back every chat's messages flow again. A failure that concerns one chat (a 429, or
any other that is no outage) holds back that chat only.

A chat's messages arrive in the order they were queued: a drain gives each chat's messages to
one sender, one after another, and a message that waits for a retry (the platform was down, or
asked to slow down: then for as long as it asked) holds back those queued after it to the same
chat, while every other chat's go on. A message the platform refuses for good (the bot was
blocked, the room is gone) is given up at once and holds back nothing. A stop lets the messages
under way finish (up to STOP_GRACE) and marks them, so a clean stop re-sends none.

When several processes share the database (PostgreSQL), one of them sends: the one holding the
lease ``outbox`` (bot/storage/leases.py), so the platforms' rates for the bot's token hold
across processes, and another takes over within the lease's length if it dies. The sender
claims the due messages it is about to send (``FOR UPDATE SKIP LOCKED``, then ``claimed_until``)
so that no other process sends them meanwhile, should the lease change hands; a claim that
outlives its process expires after CLAIM. A message queued in any process wakes the sender at
once (the database notifies channel ``quorum_outbox`` at the commit; ``Outbox.poke``). On
SQLite the one process holds the lease and claims through the same statements.

A *walk* is a round of private messages to a large list worked out as it goes (a poll's reminder
round): its row (``outbox_walks``, queued by ``enqueue_walk``) names nobody, and the walker of
its kind (a feature's, registered with ``Outbox.walker``) works out a page (WALK_PAGE steps) at
a time the steps it walks (the poll's electorate, by member id, voters and non-voters alike) and
the message, if any, for each: however large the list, only a page of it is ever in memory. Its
progress is ``done_to``, the last step dealt with: "every member up to N", a point fixed by the
electorate alone, which tells nothing of who voted. A walk whose poll closed (its walker has
nothing left) or whose ``forget_with`` ended is deleted.

A *queued* walk (an open poll's round: who has not voted there is no secret) queues each page's
messages as messages of their own, in one transaction with its ``done_to``, whenever fewer than
a page of messages are due: each is then sent, tried again and kept in its chat's order as any
message, a crash neither repeats nor skips a member, and what was queued meanwhile goes between
its pages rather than after the whole round. Each page adds its messages to the walk's count
(``messages``, in the same transaction), logged when the walk is over: the round's size, right
across restarts, naming nobody. A walk that is not queued logs no count: see below.

A walk that is not queued (a secret poll's round, whose recipients are exactly those who had
not voted) stores no message at all, not even while it waits: the sender goes through each page
in blocks of WALK_STEP and records ``done_to`` after each block. Why not the alternatives: a
row per recipient names every non-voter until it is sent; a cursor moved to the last member
actually reminded would jump over those who voted, and the log of its values would list them;
a cursor moved after every member would be as safe but cost a commit per member. A crash in a
block sends that block again: at most WALK_STEP = IN_FLIGHT messages, the guarantee above. A
delivery that fails for now holds its block, judged as a message's failure is (``trouble``: as
long as a 429 asked, or the backoff; an outage rests the platform), and what the rest of the
block took is remembered in memory, so is not sent twice but after a crash; the only trace of
that is a retry of the walk, which says no more than that one of a block's members was being
reminded.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from bot.kernel.clock import Clock
from bot.kernel.effects import Delivered, Effect, Send, SendPrivate
from bot.kernel.events import platform_of
from bot.kernel.markup import Markup, to_html
from bot.kernel.ports import (
    Conn,
    DeliveryRefused,
    NoRightToSend,
    PartlyDelivered,
    PlatformDown,
    Reader,
    Writer,
)
from bot.kernel.routing import Duty
from bot.kernel.times import iso, parse_iso
from bot.storage import dialect
from bot.storage.leases import Lease

log = logging.getLogger(__name__)

IN_FLIGHT = 8  # at most this many are re-sent after a crash (see the module docstring)


class _Queued(NamedTuple):
    """A message taken from the table to be sent."""

    id: int
    target: str
    private: int
    text: str
    attempts: int
    failing_since: datetime | None  # its first failure for now (not a refusal), if it has failed
    parts: int = 0  # of a text sent in parts, those the platform took before (see PartlyDelivered)


def _queued(row: Any) -> _Queued:
    """A row of (id, target, private, text, attempts, failing_since, parts_sent)."""
    msg_id, target, private, text, attempts, since, parts = row
    return _Queued(msg_id, target, private, text, attempts, parse_iso(since), parts)


class _Outcome(NamedTuple):
    """How sending a message went."""

    sent: bool  # the platform took it
    later: bool = False  # to be tried again: what was queued after it to the same chat waits


class Walked(NamedTuple):
    """A page of a walk, as its walker works it out when the walk gets that far."""

    steps: list[int]  # the page's steps, in order, after the last one done: none once the walk is over
    messages: dict[int, tuple[str, str]]  # step -> (the identity it goes to privately, its text), if any


Walker = Callable[[str, int | None, int], Awaitable[Walked | None]]
"""A feature's: from a walk's subject, the next page of its steps, those after a step (None:
from the first) and at most a number of them, with their messages; None when it has nothing
left to send (a poll closed)."""

WALK_STEP = IN_FLIGHT
"""Steps of a walk sent between two records of its progress: what a crash may send again."""

WALK_PAGE = 500
"""Steps of a walk worked out at once: all a walker holds in memory, however large the walk;
and of a queued walk, the steps whose messages are queued in one transaction."""


def backoff(attempts: int, cap: timedelta = timedelta(minutes=10)) -> timedelta:
    """The wait before try ATTEMPTS + 1: 5 seconds after the first, doubling, at most CAP."""
    return min(cap, timedelta(seconds=5 * 2 ** min(attempts - 1, 20)))


RETRY_CAP = timedelta(minutes=5)
"""The longest wait between two tries of a message the platform could not take for now: once
an outage ends, every waiting message goes within this."""

GIVE_UP_AFTER = timedelta(days=3)
"""How long a message the platform keeps failing to take for now (network errors, timeouts, 5xx,
429) is tried, from its first failure, before it is given up. A message says something its
readers need (a result, an acknowledgement, a ballot's close): late is better than never, so the
horizon covers the outages that happen, not only the ones that are short. Telegram's worst last
hours; a self-hosted homeserver may be down from a Friday evening until its admin is back on
Monday (about 60 hours), and the operator is told all along (``quorum_outbox_oldest_seconds``).
Past three days a message is more likely to confuse than to inform, and to hold back its chat's
later ones. What stops mattering sooner ends then: a reminder at its poll's close (``end``).
It is counted while a sender tries: the first drain of a process that starts sending counts
it again from then for the messages still failing, so a stop during an outage never cuts one
short."""


def asked_to_wait(error: Exception) -> timedelta | None:
    """How long the platform asked to be left alone (a 429's ``retry_after``: seconds, or a
    timedelta as python-telegram-bot gives it), if it did."""
    wait = getattr(error, "retry_after", None)
    if isinstance(wait, timedelta):
        return max(wait, timedelta(0))
    if isinstance(wait, int | float) and not isinstance(wait, bool):
        return timedelta(seconds=max(0.0, float(wait)))
    return None


def slowed_down(error: Exception) -> bool:
    """Whether ERROR is the platform asking the bot to slow down (a 429), with a wait or not."""
    return asked_to_wait(error) is not None or "RetryAfter" in type(error).__name__


def platform_down(error: BaseException | None) -> bool:
    """Whether ERROR (or what caused it) says the platform itself cannot take messages now: it
    is unreachable, timing out, failing with a 5xx (``PlatformDown``, as the adapters say it, or
    a builtin ``OSError`` or ``TimeoutError``). Anything else worth a retry concerns one chat."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, PlatformDown | OSError | TimeoutError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class _Trouble(NamedTuple):
    """What a delivery that failed for now (not a refusal for good) calls for."""

    wait: timedelta  # before it is tried again: as long as the platform asked, or the backoff
    limited: bool  # the platform asked the bot to slow down (a 429)
    rests: bool  # the platform is down: no message to it is begun for WAIT, whichever chat


def trouble(error: Exception, attempts: int) -> _Trouble:
    """How a delivery failing with ERROR at try ATTEMPTS is tried again, for a message and a
    walk's block alike. A 429 is waited out for as long as it asked, and holds back only what it
    concerned (Telegram's limits are per chat as well as overall, and the adapter's limiter
    already paces everything after an overall one). An outage (``platform_down``) rests the
    platform: every chat's try would fail alike. Any other failure concerns the chat it was
    sent to (say one room's encryption could not be set up): that chat waits, the rest go on."""
    asked = asked_to_wait(error)
    limited = slowed_down(error)
    wait = asked if asked is not None else backoff(attempts + 1, RETRY_CAP)
    return _Trouble(wait, limited, not limited and platform_down(error))


STOP_GRACE = 10.0
"""Seconds a stop waits for the messages under way to be taken and marked, so that a clean stop
sends none of them twice; after that they are cut off (and may be, once)."""


CLAIM = timedelta(minutes=2)
"""How long a message claimed for sending is left to its sender: the longest a message claimed
by a process that then died waits for another."""

CLAIMED_AT_ONCE = 1000
"""Messages claimed at once: sent well within CLAIM at Telegram's 30 a second."""

CHANNEL = "quorum_outbox"
"""What the database notifies when messages are queued (PostgreSQL; see the migrations)."""

KEEP_PRIVATE = timedelta(days=30)
"""How long a private message stays in the table once sent or given up. It says something of one
person (that they had not voted by a reminder in an open ballot, their ticket in a draw) and
nothing needs it later: every private message is queued once because of a decision recorded
elsewhere (a reminder round, a trigger's firing, a pool's round), never because its dedupe key
was missing. A secret poll's reminders are never stored (walks, below)."""

PRUNE_EVERY = timedelta(days=1)

HOLD = timedelta(minutes=5)
"""How long a message queued with ``hold`` waits for its sender to deliver it with ``send_now``
before the drainer sends it instead (the sender failed, or the bot stopped first)."""


async def enqueue(
    conn: Conn, *, dedupe: str, target: str, private: bool, text: str, now: datetime, hold: bool = False,
    ends_with: str | None = None,
) -> None:
    """Queue a message inside the caller's writer transaction; a repeated DEDUPE is ignored. The
    text is stored as the HTML it will be sent as (plain text escaped here, see bot/kernel/markup.py).

    HOLD queues a message its caller will deliver at once with ``Outbox.send_now`` once the
    transaction has committed (an answer someone is waiting for): the drainer leaves it alone
    for HOLD, so it is sent once, and sent even if the caller never gets that far.

    ENDS_WITH (e.g. a poll's ``poll:12``) marks a message that has nothing left to say once that
    ends (a reminder, once its poll is closed): ``end(ENDS_WITH)`` gives it up if still waiting."""
    await conn.execute(
        "INSERT INTO outbox(dedupe, target, private, text, created_at, not_before, ends_with)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (dedupe, target, int(private), to_html(text), iso(now), iso(now + HOLD if hold else now), ends_with),
    )


ENDED = "what it belonged to ended first"
"""Why a message queued with ``ends_with`` was given up by ``end``."""

NO_RIGHT = "no right to post there: "
"""How the reason of a message given up for ``NoRightToSend`` begins (see ``refused_again``)."""


async def end(conn: Conn, ends_with: str) -> int:
    """Give up the messages queued with ENDS_WITH that still wait to be sent (a reminder of a
    poll that has closed, whether at its deadline or early, would tell its reader to vote in a
    poll they no longer can); how many."""
    cur = await conn.execute(
        "UPDATE outbox SET failed = ?, claimed_until = NULL WHERE ends_with = ? AND sent_at IS NULL"
        " AND (failed IS NULL OR substr(failed, 1, ?) = ?)",  # one refused for want of a right waits for it
        (ENDED, ends_with, len(NO_RIGHT), NO_RIGHT),
    )
    return int(cur.rowcount)


async def enqueue_walk(conn: Conn, *, dedupe: str, kind: str, subject: str, now: datetime,
                       forget_with: str | None = None, queued: bool = False) -> None:
    """Queue a walk (see the module docstring) inside the caller's writer transaction; a repeated
    DEDUPE is ignored. SUBJECT is what the walker of KIND is handed at send time; FORGET_WITH
    deletes the walk, sent or not, with ``forget``. QUEUED: its messages may be stored (an open
    poll's reminders): each is queued as a message of its own, a page at a time, to be tried
    on its own, and given up with ``end(FORGET_WITH)`` if still waiting."""
    await conn.execute(
        "INSERT INTO outbox_walks(dedupe, kind, subject, created_at, not_before, forget_with, queued)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (dedupe, kind, subject, iso(now), iso(now), forget_with, int(queued)),
    )


async def forget(conn: Conn, forget_with: str) -> int:
    """Delete the walks queued with FORGET_WITH, whatever they have sent (what they belong to
    has ended: a round of reminders of a closed poll has nothing left to say); how many."""
    cur = await conn.execute("DELETE FROM outbox_walks WHERE forget_with = ?", (forget_with,))
    return int(cur.rowcount)


async def delivery(conn: Conn, dedupe: str) -> str | None:
    """Where the message queued as DEDUPE stands: "sent" (its platform took it), "waiting" (to be
    sent, or tried again), or "failed" (given up); None if none was queued under that key."""
    rows = await conn.execute_fetchall("SELECT sent_at, failed FROM outbox WHERE dedupe = ?", (dedupe,))
    if not rows:
        return None
    return "sent" if rows[0][0] is not None else "failed" if rows[0][1] is not None else "waiting"


async def send_again(conn: Conn, dedupe: str, now: datetime) -> None:
    """The message queued as DEDUPE and given up is to be tried again from now, as if new (its
    caller needs it sent before it can go on)."""
    await conn.execute(
        "UPDATE outbox SET failed = NULL, attempts = 0, failing_since = NULL, not_before = ?, claimed_until = NULL"
        " WHERE dedupe = ? AND failed IS NOT NULL AND sent_at IS NULL",
        (iso(now), dedupe),
    )


async def refused_again(conn: Conn, target: str, now: datetime) -> int:
    """The bot may post in room TARGET again: its messages given up there, or in one of its
    parts (``TARGET/PART``: a forum's topic, where the right to post is the group's), for want
    of that right (``NoRightToSend``), queued within GIVE_UP_AFTER, are tried again as if new,
    in the order they were queued; how many.

    Why: in a group where only administrators may write, a bot demoted for a while (often by
    mistake, or while roles are rearranged) would otherwise never post the results, closes and
    announcements it was refused meanwhile, and nobody would know to ask for them again. They
    are still true, and in their order they read as a catch-up. Why not all of them: a message
    older than GIVE_UP_AFTER would be given up even had the platform only been down that long,
    and a reminder whose poll has since closed was ended with it (``end`` ends those that wait
    for a right too), so nothing that has become untrue is sent. A message refused for good
    for any other reason (the bot removed, blocked, a room gone) is not asked again here."""
    cur = await conn.execute(
        "UPDATE outbox SET failed = NULL, attempts = 0, failing_since = NULL, not_before = ?, claimed_until = NULL"
        " WHERE (target = ? OR substr(target, 1, ?) = ?) AND private = 0 AND sent_at IS NULL"
        " AND substr(failed, 1, ?) = ? AND created_at >= ?",
        (iso(now), target, len(target) + 1, target + "/", len(NO_RIGHT), NO_RIGHT, iso(now - GIVE_UP_AFTER)),
    )
    return int(cur.rowcount)


async def move_target(conn: Conn, old: str, new: str) -> int:
    """Messages still waiting to go to room OLD go to room NEW (a room that moved); how many."""
    cur = await conn.execute(
        "UPDATE outbox SET target = ? WHERE target = ? AND private = 0 AND sent_at IS NULL AND failed IS NULL",
        (new, old),
    )
    return int(cur.rowcount)


async def forget_private(conn: Conn, target: str, dedupe_prefix: str) -> int:
    """Inside an erasure's transaction: delete the private messages to TARGET queued under
    dedupe keys beginning DEDUPE_PREFIX, sent or not (a sent one stays in the table, and would
    still say what it told the person); how many."""
    cur = await conn.execute(
        "DELETE FROM outbox WHERE target = ? AND private = 1 AND substr(dedupe, 1, ?) = ?",
        (target, len(dedupe_prefix), dedupe_prefix),
    )
    return int(cur.rowcount)


async def prune_private(conn: Conn, before: str) -> int:
    """Delete the private messages queued before BEFORE (an ISO time) that were sent or given
    up (see KEEP_PRIVATE); how many. One still to be sent stays, however old."""
    cur = await conn.execute(
        "DELETE FROM outbox WHERE private = 1 AND created_at < ? AND (sent_at IS NOT NULL OR failed IS NOT NULL)",
        (before,),
    )
    return int(cur.rowcount)


async def _release(conn: Conn, ids: list[int]) -> None:
    """The claims on messages IDS are given up: this sender stops before it begins them."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        await conn.execute(f"UPDATE outbox SET claimed_until = NULL WHERE id IN ({', '.join('?' * len(chunk))})"
                           " AND sent_at IS NULL", tuple(chunk))


async def _restart_failing(conn: Conn, now: datetime) -> None:
    """The messages still failing are counted as failing from NOW: this process begins sending,
    and the time before (a stop, perhaps long) was no sender's trying (see GIVE_UP_AFTER)."""
    await conn.execute("UPDATE outbox SET failing_since = ? WHERE failing_since IS NOT NULL AND sent_at IS NULL"
                       " AND failed IS NULL", (iso(now),))
    await conn.execute("UPDATE outbox_walks SET failing_since = ? WHERE failing_since IS NOT NULL", (iso(now),))


async def _void_claims(conn: Conn) -> None:
    """The claims of the previous sender are void: the lease, which only a sender holds, has
    passed to this process, and the earlier holder stops before its next message."""
    await conn.execute("UPDATE outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL AND sent_at IS NULL")
    await conn.execute("UPDATE outbox_walks SET claimed_until = NULL WHERE claimed_until IS NOT NULL")


class _Walk(NamedTuple):
    """A walk taken from the table to be sent."""

    id: int
    kind: str
    subject: str
    done_to: int | None
    attempts: int
    failing_since: datetime | None  # its held block's first failure for now, if it failed
    dedupe: str = ""  # its messages' keys begin with it (a queued walk's)
    forget_with: str | None = None  # its queued messages end with it
    queued: bool = False  # its messages are queued, a page at a time (see ``enqueue_walk``)


class Outbox:
    """Drains the table through DELIVER (which raises when a platform refuses or fails)."""

    def __init__(
        self, reader: Reader, writer: Writer, deliver: Callable[[Effect], Awaitable[Delivered | None]], clock: Clock,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._deliver = deliver
        # Whether every platform can send from this process now: a Matrix account sends only
        # from the process running its sync (its lease), so only that one may be the sender.
        self._ready = ready
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False  # a stop is under way: no message is begun
        self._lock = asyncio.Lock()  # one drain at a time, or two would send the same rows
        self.lease = Lease(writer, clock, "outbox", shared=dialect.shared(reader))  # the one sender
        # Per platform, for /metrics: deliveries to be tried again, and of those the ones the
        # platform refused as too many (a 429 that outlasted the adapter's own waiting).
        self.retries: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        self._next_prune = clock.now()  # due at the first look: a restart never delays it a day
        self._walkers: dict[str, Walker] = {}
        # Per walk whose block is held by a failed delivery: the steps of that block already taken
        # by their platform, so a retry does not send them again (lost with the process: a crash
        # re-sends at most the block, WALK_STEP messages).
        self._walked: dict[int, tuple[int | None, set[int]]] = {}

    def walker(self, kind: str, walker: Walker) -> None:
        """WALKER works out the walks of KIND (see the module docstring)."""
        self._walkers[kind] = walker
        self._counting = False  # whether this process counts its failing messages' time (GIVE_UP_AFTER)
        # Per platform, until when no message to it is begun: it failed (down, timing out), and
        # the message that failed is tried first, at its next try. In memory: a restart tries at once.
        self.paused: dict[str, datetime] = {}

    def pruning(self) -> Duty:
        """Delete, daily, the private messages sent or given up over KEEP_PRIVATE ago."""
        return Duty(lambda: self._next_prune, self._prune)

    async def _prune(self) -> None:
        now = self._clock.now()
        self._next_prune = now + PRUNE_EVERY
        cutoff = iso(now - KEEP_PRIVATE)

        async def op(conn: Conn) -> int:
            return await prune_private(conn, cutoff)

        pruned = await self._writer.run(op)
        if pruned:
            log.info("outbox: %d private messages older than %d days deleted", pruned, KEEP_PRIVATE.days)

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    async def backlog(self) -> tuple[int, float]:
        """How many messages wait to be sent, and how many seconds the oldest has waited."""
        rows = await self._reader.execute_fetchall(
            "SELECT count(*), min(created_at) FROM outbox WHERE sent_at IS NULL AND failed IS NULL")
        waiting, oldest = rows[0][0], parse_iso(rows[0][1])
        age = (self._clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        return int(waiting), max(0.0, age)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="quorum-outbox")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop sending: the messages under way are let finish and marked (for up to GRACE
        seconds), and no other is begun."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            _, under_way = await asyncio.wait({self._task}, timeout=grace)
            if under_way:
                log.warning("outbox messages still under way after %ss are cut off; any the platform took is "
                            "sent again at the next start", grace)
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
            self._stopping = False  # stopped: a drain asked for explicitly (the benchmark's) sends again
            try:  # so another process sends at once, not after the lease expires
                await self.lease.release()
            except Exception:
                log.warning("giving up the outbox's lease failed; it expires on its own")

    def poke(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                sent = await self.drain()
            except Exception:
                log.exception("draining the outbox failed")
                sent = 0
            if sent == 0 and not self._stopping:
                try:
                    await asyncio.wait_for(self._wake.wait(), 5)
                except TimeoutError:
                    pass

    async def send_now(self, dedupe: str) -> None:
        """Deliver the message queued as DEDUPE (with ``hold``) now, unless it has been sent; a
        failure leaves it to the drainer's retries."""
        rows = await self._reader.execute_fetchall(
            "SELECT id, target, private, text, attempts, failing_since, parts_sent"
            " FROM outbox WHERE dedupe = ? AND sent_at IS NULL AND failed IS NULL",
            (dedupe,),
        )
        for r in rows:
            await self._deliver_one(_queued(r))

    async def drain(self) -> int:
        """Deliver every message that is due; returns how many were attempted."""
        async with self._lock:
            return await self._drain()

    async def _claim(self) -> list[_Queued]:
        """The due messages, claimed for CLAIM: none that another process has claimed."""
        now = self._clock.now()

        async def op(conn: Conn) -> list[_Queued]:
            # On SQLite the claims of an earlier process (one that crashed) are void: it is gone.
            free = " AND (claimed_until IS NULL OR claimed_until <= ?)" if dialect.shared(conn) else ""
            awake, resting = self._awake()
            rows = await conn.execute_fetchall(
                "UPDATE outbox SET claimed_until = ? WHERE id IN (SELECT id FROM outbox"
                " WHERE sent_at IS NULL AND failed IS NULL AND not_before <= ?" + free + awake + _IN_ORDER
                + " ORDER BY id LIMIT ?"
                + dialect.locking(conn, skip_locked=True) + ")"
                " RETURNING id, target, private, text, attempts, failing_since, parts_sent",
                (iso(now + CLAIM), iso(now), *([iso(now)] if free else []), *resting, iso(now), CLAIMED_AT_ONCE),
            )
            return sorted(_queued(r) for r in rows)

        return await self._writer.run(op)

    def _awake(self) -> tuple[str, list[object]]:
        """SQL leaving out the messages to the platforms that rest now (see ``paused``), and its
        parameters: while a platform is down its messages are neither claimed nor released."""
        resting = [platform for platform in list(self.paused) if self._resting(platform)]
        return "".join(" AND substr(target, 1, ?) <> ?" for _ in resting), [
            p for platform in resting for p in (len(platform) + 1, f"{platform}:")]

    async def _drain(self) -> int:
        now = iso(self._clock.now())
        awake, resting = self._awake()
        due = await self._reader.execute_fetchall(
            "SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND not_before <= ?" + awake + " LIMIT 1",
            (now, *resting))
        walks = await self._reader.execute_fetchall("SELECT 1 FROM outbox_walks WHERE not_before <= ? LIMIT 1", (now,))
        if not due and not walks:
            return 0  # nothing to send: nothing written either
        if not self._ready() or not await self.lease.hold():
            return 0  # another process sends
        if self.lease.taken:
            await self._writer.run(_void_claims)  # a sender before us (a process now dead) claimed them
        if not self._counting:
            started = self._clock.now()
            await self._writer.run(lambda conn: _restart_failing(conn, started))
            self._counting = True
        claimed = await self._claim_walks() if walks else []
        queued = await self._feed([w for w in claimed if w.queued])  # pages of rounds, as the queue runs low
        sent = await self._send_messages() if due or queued else 0
        return sent + await self._walks([w for w in claimed if not w.queued])

    async def _send_messages(self) -> int:
        rows = await self._claim()
        if not rows:
            return 0
        chats: dict[str, list[_Queued]] = {}  # each chat's messages, in the order they were queued
        for row in rows:
            chats.setdefault(row.target, []).append(row)
        pending = iter(chats.values())

        outcomes: list[_Outcome] = []
        begun: set[int] = set()

        async def worker() -> None:
            for chat in pending:
                platform = platform_of(chat[0].target)
                for row in chat:
                    if self._stopping or not await self.lease.hold():  # stopping, or the lease is lost
                        return
                    if self._resting(platform):  # left for after its rest, unbegun
                        break
                    begun.add(row.id)
                    outcomes.append(outcome := await self._deliver_one(row))
                    if outcome.later:  # the chat's later messages wait behind it (released by its mark)
                        break

        # Every sender finishes (or fails) before the drain ends: none is left sending what the
        # next drain claims again.
        failures = [e for e in await asyncio.gather(*(worker() for _ in range(min(IN_FLIGHT, len(chats)))),
                                                     return_exceptions=True) if isinstance(e, BaseException)]
        unbegun = [row.id for row in rows if row.id not in begun]
        if unbegun:  # free at once for whoever sends next (after a platform's rest)
            await self._writer.run(lambda conn: _release(conn, unbegun))
        if failures:
            raise failures[0]
        log.info("outbox: %d of %d messages sent (the rest wait for a retry, failed, or wait for their "
                 "platform to be back)", sum(o.sent for o in outcomes), len(rows))
        return len(begun)

    def _resting(self, platform: str) -> bool:
        """Whether PLATFORM failed lately and is left alone until its failed message's next try."""
        until = self.paused.get(platform)
        if until is None:
            return False
        if self._clock.now() < until:
            return True
        del self.paused[platform]
        return False

    def _rest(self, platform: str, wait: timedelta) -> None:
        """PLATFORM is down: no message to it is begun for WAIT (see ``trouble``)."""
        now = self._clock.now()
        self.paused[platform] = max(self.paused.get(platform, now), now + wait)

    async def _claim_walks(self) -> list[_Walk]:
        """The due walks, claimed for CLAIM as messages are."""
        now = self._clock.now()

        async def op(conn: Conn) -> list[_Walk]:
            free = " AND (claimed_until IS NULL OR claimed_until <= ?)" if dialect.shared(conn) else ""
            rows = await conn.execute_fetchall(
                "UPDATE outbox_walks SET claimed_until = ? WHERE id IN (SELECT id FROM outbox_walks"
                " WHERE not_before <= ?" + free + " ORDER BY id" + dialect.locking(conn, skip_locked=True) + ")"
                " RETURNING id, kind, subject, done_to, attempts, failing_since, dedupe, forget_with, queued",
                (iso(now + CLAIM), iso(now), *([iso(now)] if free else [])),
            )
            return sorted(_Walk(*r[:5], parse_iso(r[5]), r[6], r[7], bool(r[8])) for r in rows)

        return await self._writer.run(op)

    def _walker(self, walk: _Walk) -> Walker | None:
        walker = self._walkers.get(walk.kind)
        if walker is None:  # its feature is not running here: left to its claim's expiry
            log.warning("outbox walk %s: nothing here walks a %r", walk.id, walk.kind)
        return walker

    async def _backlog(self) -> int:
        """How many messages (up to WALK_PAGE) are due now: a queued walk adds a page only below it."""
        now = iso(self._clock.now())
        rows = await self._reader.execute_fetchall(
            "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND not_before <= ?"
            + _IN_ORDER + " LIMIT ?) AS due", (now, now, WALK_PAGE))
        return int(rows[0][0])

    async def _feed(self, walks: list[_Walk]) -> int:
        """Queue the next pages of the queued WALKS (an open poll's reminder rounds) while fewer
        than a page of messages are due, each page with its walk's progress in one transaction:
        the round is never in memory or in one transaction whole, waits its turn behind what
        was queued before its page, and a crash neither repeats nor skips a member (the page and
        its ``done_to`` commit together). How many messages were queued."""
        queued = 0
        for walk in walks:
            walker = self._walker(walk)
            if walker is None:
                continue
            while not self._stopping and await self._backlog() < WALK_PAGE:
                page = await walker(walk.subject, walk.done_to, WALK_PAGE)
                if page is None or not page.steps:  # its poll closed, or every member was dealt with
                    await self._end_queued(walk, over=page is not None)
                    break
                added = await self._writer.run(lambda conn, w=walk, p=page: _queue_page(conn, w, p, self._clock.now()))
                if added is None:  # the walk went meanwhile (its poll closed): nothing of it is queued
                    break
                queued += added
                walk = walk._replace(done_to=page.steps[-1])
            else:
                if not self._stopping:  # the queue is deep enough: its claim lapses, and a later drain goes on
                    await self._write("UPDATE outbox_walks SET claimed_until = NULL WHERE id = ?", walk.id)
        return queued

    async def _end_queued(self, walk: _Walk, *, over: bool) -> None:
        """Delete the queued WALK; if it is OVER (not cut short by its subject's end), log how
        many messages it queued in all: an open poll's round size, a count that names nobody
        (a walk that is not queued logs none, see ``_walk``)."""
        rows = await self._writer.run(lambda conn: conn.execute_fetchall(
            "DELETE FROM outbox_walks WHERE id = ? RETURNING messages", (walk.id,)))
        if over and rows:
            log.info("outbox: walk %s (%s %s) is over: %d messages queued in all", walk.id, walk.kind,
                     walk.subject, rows[0][0])

    async def _walks(self, walks: list[_Walk]) -> int:
        """Send the due walks that are not queued, block by block; how many messages were attempted."""
        attempted = 0
        for walk in walks:
            walker = self._walker(walk)
            if walker is not None:
                attempted += await self._walk(walk, walker)
        return attempted

    async def _walk(self, walk: _Walk, walker: Walker) -> int:
        """Send WALK page by page, each in blocks of WALK_STEP, recording its progress after each."""
        attempted = 0
        while True:
            page = await walker(walk.subject, walk.done_to, WALK_PAGE)
            if page is None or not page.steps:  # its poll closed, or it is over
                await self._write("DELETE FROM outbox_walks WHERE id = ?", walk.id)
                if page is not None:
                    log.info("outbox: walk %s sent", walk.id)  # no count: per walk it would be the round's turnout
                return attempted
            for at in range(0, len(page.steps), WALK_STEP):
                block = page.steps[at:at + WALK_STEP]
                if self._stopping or not await self.lease.hold():  # lost: its claim lapses, the new sender goes on
                    return attempted
                sent, walk = await self._walk_block(walk, block, page.messages)
                attempted += sent
                if walk is None:  # held for a retry
                    return attempted

    async def _walk_block(self, walk: _Walk, block: list[int],
                          messages: dict[int, tuple[str, str]]) -> tuple[int, _Walk | None]:
        """Send a block of WALK: how many were attempted, and the walk moved past it (None: the
        block is held for a retry, as a message would be, for as long as ``trouble`` says)."""
        held_at, taken = self._walked.get(walk.id, (None, set()))
        if held_at != block[0]:
            taken = set()
        steps = [s for s in block if s in messages and s not in taken]
        resting = [s for s in steps if self._resting(platform_of(messages[s][0]))]  # begun after its rest
        steps = [s for s in steps if s not in resting]
        failures = await asyncio.gather(*(self._deliver_step(*messages[s]) for s in steps))
        taken |= {s for s, failure in zip(steps, failures, strict=True) if failure is None}
        now = self._clock.now()
        waits = [self.paused[platform_of(messages[s][0])] - now for s in resting]
        failed = False
        for s, failure in zip(steps, failures, strict=True):
            if failure is not None:
                failed, how = True, trouble(failure, walk.attempts)
                waits.append(how.wait)
                if how.rests:
                    self._rest(platform_of(messages[s][0]), how.wait)
        since = (walk.failing_since or now) if failed else walk.failing_since
        if resting or (failed and since is not None and now - since < GIVE_UP_AFTER):  # held, as a message is
            self._walked[walk.id] = (block[0], taken)
            await self._write(
                "UPDATE outbox_walks SET attempts = attempts + ?, not_before = ?, failing_since = ?,"
                " claimed_until = NULL WHERE id = ?",
                int(failed), iso(now + max(waits)), iso(since) if since is not None else None, walk.id)
            return len(steps), None
        self._walked.pop(walk.id, None)
        await self._write("UPDATE outbox_walks SET done_to = ?, attempts = 0, failing_since = NULL WHERE id = ?",
                          block[-1], walk.id)
        return len(steps), walk._replace(done_to=block[-1], attempts=0, failing_since=None)

    async def _write(self, sql: str, *args: object) -> None:
        async def op(conn: Conn) -> None:
            await conn.execute(sql, args)

        await self._writer.run(op)

    async def _deliver_step(self, target: str, text: str) -> Exception | None:
        """Send a walk's private message: None if its platform took it or refused it for good,
        else the failure worth a retry. What fails is logged without its address: it would say
        whom the walk was reminding."""
        try:
            await self._deliver(SendPrivate(target, text))  # markup as the walker made it, or plain text
            return None
        except DeliveryRefused:
            return None
        except Exception as e:
            self.retries[platform_of(target)] += 1
            if slowed_down(e):
                self.rate_limited[platform_of(target)] += 1
            log.warning("a message of an outbox walk was not delivered (%s); its block is tried again",
                        type(e).__name__)
            return e

    async def _deliver_one(self, queued: _Queued) -> _Outcome:
        """Send QUEUED and record how it went."""
        msg_id, target, private, text, attempts, failing_since, parts = queued
        html = Markup(text)  # stored as markup by enqueue
        effect = SendPrivate(target, html, from_part=parts) if private else Send(target, html, from_part=parts)
        error: str | None = None
        permanent = False
        how: _Trouble | None = None
        failure: Exception | None = None
        try:
            await self._deliver(effect)
        except PartlyDelivered as e:  # the parts that went are recorded: a retry resumes after them
            parts, failure = e.parts, e.cause
        except Exception as e:
            failure = e
        if isinstance(failure, DeliveryRefused):
            error, permanent = str(failure) or "refused", True
            if isinstance(failure, NoRightToSend):  # sent again once the right is back (``refused_again``)
                error = NO_RIGHT + error
        elif failure is not None:  # network trouble, rate limits beyond the sender's retries
            error = f"{type(failure).__name__}: {failure}"
            self.retries[platform_of(target)] += 1
            how = trouble(failure, attempts)
            if how.limited:
                self.rate_limited[platform_of(target)] += 1
        now = self._clock.now()
        since = failing_since or now
        # Sent, or given up: refused for good, or failing for too long (an outage outlived).
        done = error is None or permanent or now - since >= GIVE_UP_AFTER

        async def mark(conn: Conn) -> None:
            if error is None:
                await conn.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                                   (iso(now), msg_id))
            elif done or how is None:
                await conn.execute("UPDATE outbox SET failed = ?, attempts = attempts + 1, parts_sent = ?"
                                   " WHERE id = ?", (error, parts, msg_id))
            else:  # tried again once the platform's wait (or ours) is over; the chat's later ones wait too
                await conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, not_before = ?, failing_since = ?,"
                    " claimed_until = NULL, parts_sent = ? WHERE id = ?",
                    (iso(now + how.wait), iso(since), parts, msg_id),
                )
                await conn.execute(
                    "UPDATE outbox SET claimed_until = NULL WHERE target = ? AND id > ? AND sent_at IS NULL"
                    " AND failed IS NULL", (target, msg_id))

        await self._writer.run(mark)
        if error is not None:
            log.warning("outbox message %s not delivered (%s)%s", msg_id, error,
                        "" if not done or permanent else f"; given up after failing for {now - since}")
        if how is not None and how.rests and not done:
            self._rest(platform_of(target), how.wait)
        return _Outcome(sent=error is None, later=not done)


_IN_ORDER = (" AND NOT EXISTS (SELECT 1 FROM outbox AS ahead WHERE ahead.target = outbox.target"
             " AND ahead.id < outbox.id AND ahead.sent_at IS NULL AND ahead.failed IS NULL"
             " AND ahead.not_before > ?)")
"""A message waiting for a retry (or held for send_now) holds back the later ones to its chat."""


async def _queue_page(conn: Conn, walk: _Walk, page: Walked, now: datetime) -> int | None:
    """Inside one transaction: PAGE's messages queued, each a message of its own ending with the
    walk's FORGET_WITH, and WALK moved past the page and counting them (``messages``, logged
    when it is over); how many, or None if the walk is gone."""
    count = sum(step in page.messages for step in page.steps)
    moved = await conn.execute_fetchall(
        "UPDATE outbox_walks SET done_to = ?, messages = messages + ? WHERE id = ? RETURNING id",
        (page.steps[-1], count, walk.id))
    if not moved:
        return None
    for step in page.steps:
        if step in page.messages:
            target, text = page.messages[step]
            await enqueue(conn, dedupe=f"{walk.dedupe}:{step}", target=target, private=True, text=text, now=now,
                          ends_with=walk.forget_with)
    return count
