"""Leases: what must run in one process at a time when several share a database.

The outbox's sender (one per bot token, so Telegram's global and per-chat rates hold however
many processes there are) and a Matrix account's sync loop each hold a named lease in the
``leases`` table. A lease is taken or renewed by one statement: an insert that, on the name's
conflict, takes the row over only if this process holds it already or it has expired. A holder
renews well before the end (every ``ttl / 3``); a process that dies stops renewing, and another
takes the lease once it expires, so the work stops for ``ttl`` at most.

On SQLite there is one process: it holds every lease without asking, so a restart after a
crash goes on at once rather than waiting for its dead predecessor's leases to expire.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from bot.kernel.clock import Clock
from bot.kernel.ports import Conn, Reader, Writer
from bot.kernel.times import iso

TTL = timedelta(seconds=30)
"""How long a lease lasts unless renewed: the longest a dead holder's work waits for another."""

def holder() -> str:
    """A new holder's name: this host and process, and a random part (each bot is its own holder)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """The lease NAME, as held (or not) by this process."""

    def __init__(
        self, writer: Writer, clock: Clock, name: str, *, shared: bool, ttl: timedelta = TTL, by: str | None = None
    ) -> None:
        self._writer = writer
        self.shared = shared  # other processes share the database (see dialect.shared)
        self._clock = clock
        self.name = name
        self.ttl = ttl
        self.holder = by or holder()
        self._until: datetime | None = None
        self.taken = False  # whether the latest hold() took the lease (this process did not hold it before)

    @property
    def held(self) -> bool:
        """Whether this process holds the lease now (as of its latest renewal)."""
        return self._until is not None and self._clock.now() < self._until

    async def hold(self) -> bool:
        """Take the lease, or renew it, if it is free, expired or ours; whether we hold it. A
        lease held with more than two thirds of its time left is not written again."""
        now = self._clock.now()
        self.taken = not self.held
        if not self.shared:
            self._until = now + self.ttl
            return True
        if self._until is not None and self._until - now > self.ttl * 2 / 3:
            return True
        until = now + self.ttl

        async def op(conn: Conn) -> bool:
            rows = await conn.execute_fetchall(
                "INSERT INTO leases(name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at <= ? RETURNING holder",
                (self.name, self.holder, iso(until), iso(now)),
            )
            return bool(rows)

        self._until = until if await self._writer.run(op) else None
        return self._until is not None

    async def release(self) -> None:
        """Give the lease up now (a clean stop), so another process need not wait for it to expire."""
        if self._until is None or not self.shared:
            self._until = None
            return
        self._until = None

        async def op(conn: Conn) -> None:
            await conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (self.name, self.holder))

        await self._writer.run(op)


class Presence:
    """This process among those sharing the database: a lease of its own (``process:…``), held
    while it runs, so that each can count the processes alive. Platforms count a bot's messages
    per token whichever process sends them, so each paces itself to its share (see
    bot/app/transports.py). A process that stops is counted until its lease expires."""

    PREFIX = "process:"

    def __init__(self, writer: Writer, reader: Reader, clock: Clock, *, shared: bool, ttl: timedelta = TTL) -> None:
        self._reader = reader
        self._clock = clock
        self._lease = Lease(writer, clock, self.PREFIX + holder(), shared=shared, ttl=ttl)
        self.ttl = ttl

    async def count(self) -> int:
        """Say that this process is alive; how many are (this one included, so at least one)."""
        if not self._lease.shared or not await self._lease.hold():
            return 1
        rows = await self._reader.execute_fetchall(
            "SELECT count(*) FROM leases WHERE name LIKE ? AND expires_at > ?",
            (self.PREFIX + "%", iso(self._clock.now())))
        return max(1, int(rows[0][0]))

    async def leave(self) -> None:
        """A clean stop: the others need not wait for this process's lease to expire."""
        await self._lease.release()
