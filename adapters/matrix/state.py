"""What the Matrix adapter remembers across restarts: the sync position, its device, DM rooms.

The sync token is saved only after every event of that sync has been handled, so a crash
replays the last sync rather than skipping it; the replay is harmless because each event
carries its Matrix event id and the core applies an event id once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiosqlite

from bot.poll import iso

if TYPE_CHECKING:
    from bot.core import Quorum


@dataclass
class Saved:
    next_batch: str | None = None
    device_id: str | None = None
    direct_rooms: dict[str, str] = field(default_factory=dict)


class MatrixState:
    def __init__(self, core: Quorum, account: str) -> None:
        self.core = core
        self.account = account

    async def load(self) -> Saved:
        db = self.core.db
        assert db is not None, "start the core before the Matrix adapter"
        saved = Saved()
        async with db.execute(
            "SELECT next_batch, device_id FROM matrix_accounts WHERE account = ?", (self.account,)
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            saved.next_batch, saved.device_id = row[0], row[1]
        async with db.execute(
            "SELECT user_id, room_id FROM matrix_direct_rooms WHERE account = ?", (self.account,)
        ) as cur:
            saved.direct_rooms = {user: room for user, room in await cur.fetchall()}
        return saved

    async def _upsert(self, column: str, value: str) -> None:
        now = iso(self.core.clock.now())

        async def write(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                f"INSERT INTO matrix_accounts(account, {column}, updated_at) VALUES (?, ?, ?)"
                f" ON CONFLICT(account) DO UPDATE SET {column} = excluded.{column},"
                " updated_at = excluded.updated_at",
                (self.account, value, now),
            )

        assert self.core.writer is not None
        await self.core.writer.run(write)

    async def save_token(self, next_batch: str) -> None:
        await self._upsert("next_batch", next_batch)

    async def save_device(self, device_id: str) -> None:
        await self._upsert("device_id", device_id)

    async def save_direct_room(self, user_id: str, room_id: str) -> None:
        async def write(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO matrix_direct_rooms(account, user_id, room_id) VALUES (?, ?, ?)"
                " ON CONFLICT(account, user_id) DO UPDATE SET room_id = excluded.room_id",
                (self.account, user_id, room_id),
            )

        assert self.core.writer is not None
        await self.core.writer.run(write)
