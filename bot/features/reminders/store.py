"""Reminder rounds already queued, and who asked for no reminders."""

from __future__ import annotations

from bot.kernel.ports import Conn
from bot.storage.rows import marks


async def rounds_of_open_polls(conn: Conn) -> list[tuple[int, str]]:
    rows = await conn.execute_fetchall(
        "SELECT r.poll_id, r.round FROM reminder_rounds r JOIN polls p ON p.id = r.poll_id WHERE p.closed_at IS NULL"
    )
    return [(r[0], r[1]) for r in rows]


async def manual_rounds(conn: Conn, poll_id: int) -> int:
    """How many rounds organisers asked for by hand in POLL_ID (in any process)."""
    rows = await conn.execute_fetchall(
        "SELECT count(*) FROM reminder_rounds WHERE poll_id = ? AND round LIKE 'manual-%'", (poll_id,))
    return int(rows[0][0])


async def record_round(conn: Conn, poll_id: int, name: str, at: str) -> bool:
    """Record round NAME of POLL_ID as queued; False if it was already (by another process)."""
    rows = await conn.execute_fetchall(
        "INSERT INTO reminder_rounds(poll_id, round, queued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        " RETURNING round",
        (poll_id, name, at),
    )
    return bool(rows)


async def opted_out(conn: Conn, identities: list[str]) -> set[str]:
    """Those of IDENTITIES that asked for no reminders."""
    out: set[str] = set()
    for at in range(0, len(identities), 500):
        chunk = identities[at:at + 500]
        rows = await conn.execute_fetchall(
            f"SELECT identity FROM reminder_optout WHERE identity IN ({marks(chunk)})", tuple(chunk))
        out |= {row[0] for row in rows}
    return out


async def set_opt_out(conn: Conn, identity: str, off: bool) -> None:
    if off:
        await conn.execute("INSERT INTO reminder_optout(identity) VALUES (?) ON CONFLICT DO NOTHING", (identity,))
    else:
        await conn.execute("DELETE FROM reminder_optout WHERE identity = ?", (identity,))
