"""Trigger campaigns in the database: the campaign, its fixed electorate, and its signatures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.features.triggers.model import Ballot, Standing, Threshold, Trigger, TriggerSpec, standing
from bot.kernel.ports import Conn
from bot.kernel.times import parse_iso
from bot.storage import dialect
from bot.storage.rows import from_row, marks


def _trigger(row: Any) -> Trigger:
    return from_row(Trigger, row, threshold=Threshold.from_json(row["threshold"]),
                    ballot=Ballot.from_json(row["ballot"]), closes_at=datetime.fromisoformat(row["closes_at"]),
                    fired_at=parse_iso(row["fired_at"]))


async def load_trigger(conn: Conn, trigger_id: int, *, lock: bool = False) -> Trigger | None:
    """Campaign TRIGGER_ID; with LOCK (in the writer), its row stays locked until the commit, so
    on a database other processes share the signatures of one campaign are counted one after
    another and exactly one finds the threshold newly crossed."""
    rows = await conn.execute_fetchall(
        "SELECT * FROM triggers WHERE id = ?" + (dialect.locking(conn) if lock else ""), (trigger_id,))
    return _trigger(rows[0]) if rows else None


async def live_triggers(conn: Conn) -> list[Trigger]:
    """Campaigns still open, or fired (whose ballot may not have opened yet)."""
    rows = await conn.execute_fetchall("SELECT * FROM triggers WHERE status IN ('open', 'fired')")
    return [_trigger(r) for r in rows]


async def recent_triggers(conn: Conn, limit: int = 50) -> list[Trigger]:
    return [_trigger(r) for r in await conn.execute_fetchall("SELECT * FROM triggers ORDER BY id DESC LIMIT ?",
                                                             (limit,))]


async def insert_trigger(
    conn: Conn, room: str, spec: TriggerSpec, opened_by: str, at: str, closes_at: str,
    electorate: list[tuple[int, str | None]],
) -> int:
    inserted = await conn.execute_fetchall(
        "INSERT INTO triggers(room, kind, office, threshold, branch, ballot, opened_by, opened_at, closes_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (room, spec.kind, spec.office, spec.threshold.to_json(), spec.branch, spec.ballot.to_json(),
         opened_by, at, closes_at),
    )
    trigger_id = inserted[0][0]
    assert trigger_id is not None
    await conn.executemany(
        "INSERT INTO trigger_electorate(trigger_id, member_id, branch) VALUES (?, ?, ?)",
        [(trigger_id, m, br) for m, br in electorate],
    )
    return int(trigger_id)


async def set_status(conn: Conn, trigger_id: int, status: str, at: str, *, closing_by: str | None = None) -> bool:
    """Move an open campaign to STATUS (fired, expired or cancelled) at AT; False if it was not
    open any more (or, with CLOSING_BY, if its deadline is after that time)."""
    column = "fired_at" if status == "fired" else "ended_at"
    sql = f"UPDATE triggers SET status = ?, {column} = ? WHERE id = ? AND status = 'open'"
    params: tuple[Any, ...] = (status, at, trigger_id)
    if closing_by is not None:
        sql += " AND closes_at <= ?"
        params += (closing_by,)
    cur = await conn.execute(sql, params)
    return cur.rowcount == 1


async def link_ballot(conn: Conn, trigger_id: int, poll_id: int) -> None:
    await conn.execute("UPDATE triggers SET ballot_poll_id = ? WHERE id = ?", (poll_id, trigger_id))


async def electorate_branch(conn: Conn, trigger_id: int, member: int) -> tuple[bool, str | None]:
    """(whether MEMBER is in the campaign's electorate, their branch as fixed at the opening)."""
    rows = await conn.execute_fetchall(
        "SELECT branch FROM trigger_electorate WHERE trigger_id = ? AND member_id = ?", (trigger_id, member)
    )
    return (True, rows[0][0]) if rows else (False, None)


async def current(conn: Conn, t: Trigger) -> Standing:
    """Where T stands: its electorate (fixed when it opened) against its signatures, by branch."""
    sizes = await conn.execute_fetchall(
        "SELECT branch, count(*) FROM trigger_electorate WHERE trigger_id = ? GROUP BY branch", (t.id,)
    )
    signed = await conn.execute_fetchall(
        "SELECT branch, count(*) FROM trigger_signatures WHERE trigger_id = ? GROUP BY branch", (t.id,)
    )
    return standing(
        t.threshold,
        sum(r[1] for r in sizes), {r[0]: r[1] for r in sizes if r[0] is not None},
        sum(r[1] for r in signed), {r[0]: r[1] for r in signed if r[0] is not None},
    )


async def signed_at(conn: Conn, trigger_id: int, member: int) -> str | None:
    rows = await conn.execute_fetchall(
        "SELECT signed_at FROM trigger_signatures WHERE trigger_id = ? AND member_id = ?", (trigger_id, member)
    )
    return rows[0][0] if rows else None


async def insert_signature(
    conn: Conn, trigger_id: int, member: int, identity: str, branch: str | None, at: str
) -> None:
    await conn.execute(
        "INSERT INTO trigger_signatures(trigger_id, member_id, identity, branch, consent, signed_at)"
        " VALUES (?, ?, ?, ?, 1, ?)",
        (trigger_id, member, identity, branch, at),
    )


async def delete_signature(conn: Conn, trigger_id: int, member: int) -> bool:
    cur = await conn.execute(
        "DELETE FROM trigger_signatures WHERE trigger_id = ? AND member_id = ?", (trigger_id, member)
    )
    return bool(cur.rowcount)


async def signature_list(conn: Conn, trigger_id: int) -> list[tuple[str, str | None, str | None, str]]:
    """(member's name, member number, branch, signed at) of every signature, for export."""
    rows = await conn.execute_fetchall(
        "SELECT m.name, m.number, s.branch, s.signed_at FROM trigger_signatures s JOIN members m"
        " ON m.id = s.member_id WHERE s.trigger_id = ? ORDER BY s.signed_at, m.name",
        (trigger_id,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def signatures_of(conn: Conn, identities: Sequence[str], member: int | None) -> list[tuple[int, str, str]]:
    """(campaign, signed at, the campaign's status) of each of a person's signatures: the
    member's, from whichever of their accounts (IDENTITIES) each was given."""
    rows = await conn.execute_fetchall(
        "SELECT s.trigger_id, s.signed_at, t.status FROM trigger_signatures s JOIN triggers t ON t.id = s.trigger_id"
        f" WHERE s.identity IN ({marks(identities)}) OR s.member_id IS NOT DISTINCT FROM ? ORDER BY s.trigger_id",
        (*identities, member),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def erase_signatures(conn: Conn, identities: Sequence[str], member: int | None) -> int:
    """A person's signatures (see ``signatures_of``) on every campaign but those that fired
    (open, cancelled or expired): a fired campaign's signatures are the record of why its ballot
    was held, and stay. On a database other processes share, the open campaigns signed are
    locked first (in id order, as each signature locks its own), so a signature that may fire
    one waits for the erasure, or the erasure for it, and then finds it fired and keeps its
    signatures. The counts are the rows: an open campaign counts one fewer at once."""
    theirs = f"(identity IN ({marks(identities)}) OR member_id IS NOT DISTINCT FROM ?)"
    if dialect.shared(conn):
        await conn.execute_fetchall(
            "SELECT id FROM triggers WHERE status = 'open' AND id IN (SELECT trigger_id FROM trigger_signatures"
            f" WHERE {theirs}) ORDER BY id" + dialect.locking(conn),
            (*identities, member),
        )
    cur = await conn.execute(
        f"DELETE FROM trigger_signatures WHERE {theirs} AND trigger_id IN"
        " (SELECT id FROM triggers WHERE status <> 'fired')",
        (*identities, member),
    )
    return int(cur.rowcount)


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Trigger campaigns of room OLD now belong to room NEW; how many moved."""
    cur = await conn.execute("UPDATE triggers SET room = ? WHERE room = ?", (new, old))
    return int(cur.rowcount)
