"""The outbox: broadcasts (reminders, announcements) that must survive a crash.

Messages are first written to the ``outbox`` table, in the same transaction as the decision to
send them, and only then delivered by the adapters' rate-limited senders. Each is marked sent
as soon as its platform accepted it; after a crash the drainer resumes with what is unmarked, so
a 10,000-message reminder is neither lost nor restarted from the top. A message the platform
accepted in the instant before a crash, not yet marked, is sent again: at most IN_FLIGHT of them,
since each of the IN_FLIGHT senders marks its message sent before it takes the next. Eight keep
Telegram's 30 messages a second flowing at a round trip of up to a quarter of a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.kernel.clock import Clock
from bot.kernel.effects import Delivered, Effect, Send, SendPrivate
from bot.kernel.events import platform_of
from bot.kernel.markup import Markup, to_html
from bot.kernel.ports import Conn, DeliveryRefused, Reader, Writer
from bot.kernel.times import iso, parse_iso

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
IN_FLIGHT = 8  # at most this many are re-sent after a crash (see the module docstring)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(600, 5 * 2 ** (attempts - 1)))


HOLD = timedelta(minutes=5)
"""How long a message queued with ``hold`` waits for its sender to deliver it with ``send_now``
before the drainer sends it instead (the sender failed, or the bot stopped first)."""


async def enqueue(
    conn: Conn, *, dedupe: str, target: str, private: bool, text: str, now: datetime, hold: bool = False
) -> None:
    """Queue a message inside the caller's writer transaction; a repeated DEDUPE is ignored. The
    text is stored as the HTML it will be sent as (plain text escaped here, see bot/kernel/markup.py).

    HOLD queues a message its caller will deliver at once with ``Outbox.send_now`` once the
    transaction has committed (an answer someone is waiting for): the drainer leaves it alone
    for HOLD, so it is sent once, and sent even if the caller never gets that far."""
    await conn.execute(
        "INSERT INTO outbox(dedupe, target, private, text, created_at, not_before)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (dedupe, target, int(private), to_html(text), iso(now), iso(now + HOLD if hold else now)),
    )


async def move_target(conn: Conn, old: str, new: str) -> int:
    """Messages still waiting to go to room OLD go to room NEW (a room that moved); how many."""
    cur = await conn.execute(
        "UPDATE outbox SET target = ? WHERE target = ? AND private = 0 AND sent_at IS NULL AND failed IS NULL",
        (new, old),
    )
    return int(cur.rowcount)


class Outbox:
    """Drains the table through DELIVER (which raises when a platform refuses or fails)."""

    def __init__(
        self, reader: Reader, writer: Writer, deliver: Callable[[Effect], Awaitable[Delivered | None]], clock: Clock
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._deliver = deliver
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one drain at a time, or two would send the same rows
        # Per platform, for /metrics: deliveries to be tried again, and of those the ones the
        # platform refused as too many (a 429 that outlasted the adapter's own waiting).
        self.retries: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()

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

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def poke(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                sent = await self.drain()
            except Exception:
                log.exception("draining the outbox failed")
                sent = 0
            if sent == 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), 5)
                except TimeoutError:
                    pass

    async def send_now(self, dedupe: str) -> None:
        """Deliver the message queued as DEDUPE (with ``hold``) now, unless it has been sent; a
        failure leaves it to the drainer's retries."""
        rows = await self._reader.execute_fetchall(
            "SELECT id, target, private, text, attempts FROM outbox"
            " WHERE dedupe = ? AND sent_at IS NULL AND failed IS NULL",
            (dedupe,),
        )
        for row in rows:
            await self._deliver_one(*row)

    async def drain(self) -> int:
        """Deliver every message that is due; returns how many were attempted."""
        async with self._lock:
            return await self._drain()

    async def _drain(self) -> int:
        now = self._clock.now()
        async with self._reader.execute(
            "SELECT id, target, private, text, attempts FROM outbox"
            " WHERE sent_at IS NULL AND failed IS NULL AND not_before <= ? ORDER BY id LIMIT 2000",
            (iso(now),),
        ) as cur:
            rows = list(await cur.fetchall())
        if not rows:
            return 0
        pending = iter(rows)

        failures = 0

        async def worker() -> None:
            nonlocal failures
            for row in pending:
                failures += not await self._deliver_one(*row)

        await asyncio.gather(*(worker() for _ in range(min(IN_FLIGHT, len(rows)))))
        log.info("outbox: %d of %d messages sent (the rest wait for a retry or failed)", len(rows) - failures,
                 len(rows))
        return len(rows)

    async def _deliver_one(self, msg_id: int, target: str, private: int, text: str, attempts: int) -> bool:
        html = Markup(text)  # stored as markup by enqueue
        effect = SendPrivate(target, html) if private else Send(target, html)
        error: str | None = None
        permanent = False
        try:
            await self._deliver(effect)
        except DeliveryRefused as e:
            error, permanent = str(e) or "refused", True
        except Exception as e:  # network trouble, rate limits beyond the sender's retries
            error = f"{type(e).__name__}: {e}"
            self.retries[platform_of(target)] += 1
            if getattr(e, "retry_after", None) is not None or "RetryAfter" in type(e).__name__:
                self.rate_limited[platform_of(target)] += 1
        now = self._clock.now()

        async def mark(conn: Conn) -> None:
            if error is None:
                await conn.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                                   (iso(now), msg_id))
            elif permanent or attempts + 1 >= MAX_ATTEMPTS:
                await conn.execute("UPDATE outbox SET failed = ?, attempts = attempts + 1 WHERE id = ?",
                                   (error, msg_id))
            else:
                await conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ?",
                    (iso(now + backoff(attempts + 1)), msg_id),
                )

        await self._writer.run(mark)
        if error is not None:
            log.warning("outbox message %s not delivered (%s)", msg_id, error)
        return error is None
