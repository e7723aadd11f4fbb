"""What the Matrix adapter remembers across restarts: the sync position, its device, DM rooms.

The adapter saves the sync token only after every event of that sync has been handled, so a
crash replays the last sync rather than skipping it; the replay is harmless because each event
carries its Matrix event id and the core applies an event id once.

When several processes share the database, an account syncs in the one holding the lease
``matrix:<user id>`` (``lease``). The holder saves its sync token together with its sealed
encryption store, and only while the database still names it as the lease's holder: a process
that stalled past its lease and wakes up after another took over cannot move the token back
or overwrite the newer keys.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import timedelta

from bot.kernel.clock import Clock
from bot.kernel.ports import Conn, MatrixSaved, Reader, Writer
from bot.kernel.times import iso
from bot.storage import dialect
from bot.storage.leases import TTL, Lease

NOTICES_KEPT = timedelta(days=3)
"""How long the adapter remembers a notice it sent about an event: events are read again only
from the saved sync token, which waits at most a day for what is held."""


class MatrixState:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, account: str, secret: str, *, lease_ttl: timedelta = TTL
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self.account = account
        self.shared = dialect.shared(reader)
        """Whether other processes may run this account (then its keys are kept here too)."""
        self.lease = Lease(writer, clock, f"matrix:{account}", shared=self.shared, ttl=lease_ttl)
        self.sealing_key = hmac.digest(secret.encode(), b"quorum matrix encryption store", "sha256")
        """The key the encryption store is sealed with in the database: derived from the bot's
        secret, which a copy of the database does not hold."""

    async def load(self) -> MatrixSaved:
        saved = MatrixSaved()
        rows = await self._reader.execute_fetchall(
            "SELECT next_batch, device_id FROM matrix_accounts WHERE account = ?", (self.account,)
        )
        for next_batch, device_id in rows:
            saved.next_batch, saved.device_id = next_batch, device_id
        rows = await self._reader.execute_fetchall(
            "SELECT user_id, room_id FROM matrix_direct_rooms WHERE account = ?", (self.account,)
        )
        saved.direct_rooms = {user: room for user, room in rows}
        return saved

    async def _upsert(self, column: str, value: str) -> None:
        now = iso(self._clock.now())

        async def write(conn: Conn) -> None:
            await conn.execute(
                f"INSERT INTO matrix_accounts(account, {column}, updated_at) VALUES (?, ?, ?)"
                f" ON CONFLICT(account) DO UPDATE SET {column} = excluded.{column},"
                " updated_at = excluded.updated_at",
                (self.account, value, now),
            )

        await self._writer.run(write)

    async def save_token(self, next_batch: str, keys: tuple[str, str] | None = None) -> bool:
        """Save the sync token NEXT_BATCH and, if given, KEYS (device id, sealed encryption
        store), in one transaction, dropping the sealed stores of the account's other devices;
        on a shared database only while this process holds the lease. Whether they were saved."""
        now = self._clock.now()
        lease = self.lease

        async def write(conn: Conn) -> bool:
            if self.shared:
                rows = await conn.execute_fetchall(
                    "SELECT 1 FROM leases WHERE name = ? AND holder = ? AND expires_at > ?",
                    (lease.name, lease.holder, iso(now)))
                if not rows:
                    return False
            await conn.execute(
                "INSERT INTO matrix_accounts(account, next_batch, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(account) DO UPDATE SET next_batch = excluded.next_batch,"
                " updated_at = excluded.updated_at",
                (self.account, next_batch, iso(now)),
            )
            if keys is not None:
                await conn.execute(
                    "INSERT INTO matrix_crypto_stores(account, device_id, sealed, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(account, device_id) DO UPDATE SET sealed = excluded.sealed,"
                    " updated_at = excluded.updated_at",
                    (self.account, keys[0], keys[1], iso(now)),
                )
                # The account's other devices (signed out and replaced) no longer read anything;
                # their keys would decrypt past messages: gone once the device in use is saved.
                await conn.execute("DELETE FROM matrix_crypto_stores WHERE account = ? AND device_id <> ?",
                                   (self.account, keys[0]))
            return True

        return bool(await self._writer.run(write))

    async def crypto_store(self, device_id: str) -> str | None:
        """The sealed encryption store of DEVICE_ID as its last holder saved it, if any."""
        rows = await self._reader.execute_fetchall(
            "SELECT sealed FROM matrix_crypto_stores WHERE account = ? AND device_id = ?", (self.account, device_id))
        return str(rows[0][0]) if rows else None

    async def save_device(self, device_id: str) -> None:
        await self._upsert("device_id", device_id)

    async def save_direct_room(self, user_id: str, room_id: str) -> None:
        async def write(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO matrix_direct_rooms(account, user_id, room_id) VALUES (?, ?, ?)"
                " ON CONFLICT(account, user_id) DO UPDATE SET room_id = excluded.room_id",
                (self.account, user_id, room_id),
            )

        await self._writer.run(write)

    async def save_poll_responses(self, responses: Sequence[tuple[str, str, str]]) -> None:
        """Remember (response event id, poll, sender) of responses to the bot's native polls."""
        if not responses:
            return

        async def write(conn: Conn) -> None:
            await conn.executemany(
                "INSERT INTO matrix_poll_responses(account, event_id, poll, sender) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(self.account, *r) for r in responses],
            )

        await self._writer.run(write)

    async def poll_response(self, event_id: str) -> tuple[str, str] | None:
        """(poll, sender) of the response EVENT_ID, if it answered one of the bot's polls."""
        rows = await self._reader.execute_fetchall(
            "SELECT poll, sender FROM matrix_poll_responses WHERE account = ? AND event_id = ?",
            (self.account, event_id),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    async def noticed(self, event_id: str) -> bool:
        """Whether the adapter already sent its notice about the event EVENT_ID."""
        rows = await self._reader.execute_fetchall(
            "SELECT 1 FROM matrix_notices WHERE account = ? AND event_id = ?", (self.account, event_id))
        return bool(rows)

    async def save_notice(self, event_id: str) -> None:
        """Remember that the adapter sent its notice about EVENT_ID (and forget those sent
        longer ago than NOTICES_KEPT, which no replay reaches)."""
        now = self._clock.now()

        async def write(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO matrix_notices(account, event_id, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (self.account, event_id, iso(now)))
            await conn.execute("DELETE FROM matrix_notices WHERE sent_at < ?", (iso(now - NOTICES_KEPT),))

        await self._writer.run(write)

    async def save_unread(self, events: Sequence[tuple[str, str, str]]) -> None:
        """Remember (event id, room, sender) of events held past the sync token saved: a
        restart does not read them again (``unread`` tells it whom to tell)."""
        if not events:
            return
        now = iso(self._clock.now())

        async def write(conn: Conn) -> None:
            await conn.executemany(
                "INSERT INTO matrix_unread(account, event_id, room_id, sender, held_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(self.account, *e, now) for e in events],
            )

        await self._writer.run(write)

    async def read_at_last(self, event_ids: Sequence[str]) -> None:
        """Forget EVENT_IDS as unread: they were handled after all, or their senders told."""
        if not event_ids:
            return

        async def write(conn: Conn) -> None:
            await conn.executemany("DELETE FROM matrix_unread WHERE account = ? AND event_id = ?",
                                   [(self.account, e) for e in event_ids])

        await self._writer.run(write)

    async def unread(self) -> list[tuple[str, str, str]]:
        """(event id, room, sender) of the events held past the saved sync token and never
        handled, oldest first."""
        rows = await self._reader.execute_fetchall(
            "SELECT event_id, room_id, sender FROM matrix_unread WHERE account = ? ORDER BY held_at, event_id",
            (self.account,))
        return [(str(e), str(r), str(s)) for e, r, s in rows]
