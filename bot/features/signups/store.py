"""Sign-up forms and supporters' details in the database.

Erasure deletes the rows (never blanks them); the writer's connection has ``secure_delete`` on,
so SQLite overwrites the freed space, and the write-ahead log is truncated afterwards (see
bot/storage/database.py) so no older copy of the pages survives in it.
"""

from __future__ import annotations

from bot.features.signups.model import Form
from bot.kernel.ports import Conn


async def load_form(conn: Conn, form_id: int) -> Form | None:
    rows = await conn.execute_fetchall("SELECT id, room, title, closed_at FROM signup_forms WHERE id = ?", (form_id,))
    return Form(rows[0][0], rows[0][1], rows[0][2], rows[0][3] is not None) if rows else None


async def insert_form(conn: Conn, room: str, title: str, opened_by: str, at: str) -> int:
    inserted = await conn.execute_fetchall(
        "INSERT INTO signup_forms(room, title, opened_by, opened_at) VALUES (?, ?, ?, ?) RETURNING id",
        (room, title, opened_by, at),
    )
    return int(inserted[0][0])


async def close_form(conn: Conn, form_id: int, at: str) -> bool:
    """Close it; False if it was closed already."""
    cur = await conn.execute("UPDATE signup_forms SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (at, form_id))
    return bool(cur.rowcount)


async def signed_up(conn: Conn, form_id: int, identity: str) -> bool:
    rows = await conn.execute_fetchall("SELECT 1 FROM signups WHERE form_id = ? AND identity = ?", (form_id, identity))
    return bool(rows)


async def insert_signup(
    conn: Conn, form_id: int, identity: str, name: str, area: str, contact: str | None, at: str
) -> None:
    await conn.execute(
        "INSERT INTO signups(form_id, identity, name, area, contact, consent, signed_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
        (form_id, identity, name, area, contact, at),
    )


async def delete_signup(conn: Conn, form_id: int, identity: str) -> bool:
    cur = await conn.execute("DELETE FROM signups WHERE form_id = ? AND identity = ?", (form_id, identity))
    return bool(cur.rowcount)


async def signup_list(conn: Conn, form_id: int) -> list[tuple[str, str, str | None, str, str]]:
    """(name, area, contact, signed at, consent) of every sign-up, for export."""
    rows = await conn.execute_fetchall(
        "SELECT name, area, contact, signed_at, consent FROM signups WHERE form_id = ? ORDER BY signed_at, name",
        (form_id,),
    )
    return [(r[0], r[1], r[2], r[3], "yes" if r[4] else "no") for r in rows]


async def signups_of(conn: Conn, identity: str) -> list[tuple[int, str, str, str, str | None, str]]:
    """(form, its title, name, area, contact, signed at) of a person's sign-ups."""
    rows = await conn.execute_fetchall(
        "SELECT s.form_id, f.title, s.name, s.area, s.contact, s.signed_at FROM signups s"
        " JOIN signup_forms f ON f.id = s.form_id WHERE s.identity = ? ORDER BY s.form_id",
        (identity,),
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


async def erase_signups(conn: Conn, identity: str) -> int:
    cur = await conn.execute("DELETE FROM signups WHERE identity = ?", (identity,))
    return int(cur.rowcount)


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Sign-up forms of room OLD now belong to room NEW; how many moved."""
    cur = await conn.execute("UPDATE signup_forms SET room = ? WHERE room = ?", (new, old))
    return int(cur.rowcount)
