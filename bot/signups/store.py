"""Sign-up forms and supporters' data in the database, and erasing it for good.

Erasure deletes the rows (never blanks them), on a connection with ``secure_delete`` on so
SQLite overwrites the freed space, and then truncates the write-ahead log so no older copy of
the pages survives in it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.kernel.errors import UserError

if TYPE_CHECKING:
    from bot.core import Quorum

log = logging.getLogger(__name__)


@dataclass
class Form:
    id: int
    room: str
    title: str
    closed: bool

    @classmethod
    def from_row(cls, row: Any) -> Form:
        return cls(row["id"], row["room"], row["title"], row["closed_at"] is not None)


async def load_form(conn: aiosqlite.Connection, form_id: int) -> Form:
    async with conn.execute("SELECT * FROM signup_forms WHERE id = ?", (form_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UserError(f"There is no sign-up form S{form_id}. Ask the organisers for the right link.")
    return Form.from_row(row)


async def signed_up(conn: aiosqlite.Connection, form_id: int, identity: str) -> bool:
    async with conn.execute("SELECT 1 FROM signups WHERE form_id = ? AND identity = ?", (form_id, identity)) as cur:
        return await cur.fetchone() is not None


async def erase_identity(conn: aiosqlite.Connection, identity: str, member_id: int | None) -> dict[str, int]:
    """Delete every personal record IDENTITY left, but the signatures of triggers that already
    fired (they are the record of why a ballot was held); how many rows went, per kind."""
    gone: dict[str, int] = {}
    cur = await conn.execute("DELETE FROM signups WHERE identity = ?", (identity,))
    gone["sign-ups"] = cur.rowcount
    cur = await conn.execute(
        "DELETE FROM campaign_signatures WHERE identity = ? OR signer = ?", (identity, f"m:{member_id}")
    )
    gone["model-motion signatures"] = cur.rowcount
    cur = await conn.execute(
        "DELETE FROM trigger_signatures WHERE (identity = ? OR member_id IS ?) AND trigger_id IN"
        " (SELECT id FROM triggers WHERE status = 'open')",
        (identity, member_id),
    )
    gone["trigger signatures"] = cur.rowcount
    return gone


async def truncate_log(core: Quorum) -> None:
    """Checkpoint the write-ahead log into the database file and cut it to zero bytes, so
    erased rows do not linger in older page copies there."""
    path = str(core.config.database)
    if path == ":memory:":
        return
    try:
        async with aiosqlite.connect(path) as conn:
            await conn.execute("PRAGMA busy_timeout=5000")
            async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                row = await cur.fetchone()
            if row and row[0]:
                log.warning("the log could not be truncated after an erasure (busy); it will be at the next one")
    except Exception:
        log.exception("checkpoint after erasure failed")
