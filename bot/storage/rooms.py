"""Rooms that moved to a new id, kept as aliases (see migrations/0015_room_moves.sql)."""

from __future__ import annotations

from bot.kernel.ports import Conn


async def moves(conn: Conn) -> dict[str, str]:
    """Every recorded move: old room id -> new room id."""
    rows = await conn.execute_fetchall("SELECT old_room, new_room FROM room_moves")
    return {old: new for old, new in rows}


async def record_move(conn: Conn, old: str, new: str, at: str) -> bool:
    """Record that OLD moved to NEW; False if that move was recorded before."""
    cur = await conn.execute(
        "INSERT INTO room_moves(old_room, new_room, moved_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (old, new, at)
    )
    return cur.rowcount > 0
