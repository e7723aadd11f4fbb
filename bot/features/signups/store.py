"""Sign-up forms and supporters' details in the database.

A supporter's name, area and contact are stored sealed under their own data key
(bot/storage/sealing.py) and opened here when read. Erasure deletes the rows (never blanks them)
and the signups service destroys the key in the same transaction; on SQLite the writer's
connection also has ``secure_delete`` on, so the freed space is overwritten, and the write-ahead
log is truncated afterwards (see bot/storage/database.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.features.signups.model import Form
from bot.kernel.ports import Conn
from bot.storage.rows import marks
from bot.storage.sealing import Sealed, Sealer

SEALED = Sealed("signups", identity="identity", row=("form_id", "identity"), columns=("name", "area", "contact"))


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
    conn: Conn, sealer: Sealer, form_id: int, identity: str, name: str, area: str, contact: str | None, at: str
) -> bool:
    """Store the sign-up; False if IDENTITY is signed up to the form already (on a shared
    database, by an answer another process took while this transaction ran: the key decides)."""
    key = await sealer.key(conn, identity)
    cur = await conn.execute(
        "INSERT INTO signups(form_id, identity, name, area, contact, consent, signed_at) VALUES (?, ?, ?, ?, ?, 1, ?)"
        " ON CONFLICT (form_id, identity) DO NOTHING",
        (form_id, identity, key.seal(SEALED.place("name"), name), key.seal(SEALED.place("area"), area),
         key.seal(SEALED.place("contact"), contact), at),
    )
    return bool(cur.rowcount)


async def delete_signup(conn: Conn, form_id: int, identity: str) -> bool:
    cur = await conn.execute("DELETE FROM signups WHERE form_id = ? AND identity = ?", (form_id, identity))
    return bool(cur.rowcount)


async def signup_list(conn: Conn, sealer: Sealer, form_id: int) -> list[tuple[str, str, str | None, str, str]]:
    """(name, area, contact, signed at, consent) of every sign-up, for export, by time signed
    and name (sorted here: the names are sealed in the table)."""
    rows = await sealer.open_rows(conn, await conn.execute_fetchall(
        "SELECT identity, name, area, contact, signed_at, consent FROM signups WHERE form_id = ?", (form_id,),
    ), SEALED)
    return sorted(((r["name"], r["area"], r["contact"], r["signed_at"], "yes" if r["consent"] else "no") for r in rows),
                  key=lambda r: (r[3], r[0]))


async def signups_of(
    conn: Conn, sealer: Sealer, identities: Sequence[str]
) -> list[tuple[int, str, str, str, str | None, str]]:
    """(form, its title, name, area, contact, signed at) of a person's sign-ups, from any of
    IDENTITIES (their chat accounts)."""
    rows = await sealer.open_rows(conn, await conn.execute_fetchall(
        "SELECT s.form_id, f.title, s.identity, s.name, s.area, s.contact, s.signed_at FROM signups s"
        f" JOIN signup_forms f ON f.id = s.form_id WHERE s.identity IN ({marks(identities)})"
        " ORDER BY s.form_id, s.signed_at",
        tuple(identities),
    ), SEALED)
    return [(r["form_id"], r["title"], r["name"], r["area"], r["contact"], r["signed_at"]) for r in rows]


async def erase_signups(conn: Conn, identities: Sequence[str]) -> int:
    cur = await conn.execute(f"DELETE FROM signups WHERE identity IN ({marks(identities)})", tuple(identities))
    return int(cur.rowcount)


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Sign-up forms of room OLD now belong to room NEW; how many moved."""
    cur = await conn.execute("UPDATE signup_forms SET room = ? WHERE room = ?", (new, old))
    return int(cur.rowcount)
