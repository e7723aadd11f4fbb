"""The languages chosen with /language (table ``languages``)."""

from __future__ import annotations

from bot.features.language.model import Choice
from bot.kernel.ports import Conn, Reader


async def chosen(reader: Reader, subject: str) -> Choice | None:
    rows = await reader.execute_fetchall("SELECT subject, code FROM languages WHERE subject = ?", (subject,))
    return Choice(rows[0][0], rows[0][1]) if rows else None


async def choose(conn: Conn, subject: str, code: str, at: str) -> None:
    await conn.execute(
        "INSERT INTO languages(subject, code, chosen_at) VALUES (?, ?, ?) "
        "ON CONFLICT(subject) DO UPDATE SET code = excluded.code, chosen_at = excluded.chosen_at",
        (subject, code, at),
    )


async def forget(conn: Conn, subject: str) -> int:
    cur = await conn.execute("DELETE FROM languages WHERE subject = ?", (subject,))
    return int(cur.rowcount)


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Room OLD's choice now belongs to room NEW (unless NEW has its own)."""
    cur = await conn.execute(
        "UPDATE languages SET subject = ? WHERE subject = ? AND NOT EXISTS "
        "(SELECT 1 FROM languages WHERE subject = ?)", (new, old, new))
    return int(cur.rowcount)
