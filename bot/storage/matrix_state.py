"""What the Matrix adapter remembers across restarts: the sync position, its device, DM rooms.

The adapter saves the sync token only after every event of that sync has been handled, so a
crash replays the last sync rather than skipping it; the replay is harmless because each event
carries its Matrix event id and the core applies an event id once.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.kernel.clock import Clock
from bot.kernel.ports import Conn, MatrixSaved, Reader, Writer
from bot.kernel.times import iso


class MatrixState:
    def __init__(self, reader: Reader, writer: Writer, clock: Clock, account: str) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self.account = account

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

    async def save_token(self, next_batch: str) -> None:
        await self._upsert("next_batch", next_batch)

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
