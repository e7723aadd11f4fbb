"""Pools in the database: the pool, its quotas, the volunteers who consented, and the steps the
organisers took after the draw.

A volunteer's name and answers are stored sealed under their own data key
(bot/storage/sealing.py), bound to this table, the column and the volunteer, and opened here when
read. Erasure (the pools service decides how, by the pool's status) either deletes the row or,
once the pool is frozen, keeps the ticket and blanks everything else of the person.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.features.pools.model import Kept, Pool, Registration, Step, erased_identity
from bot.kernel.ports import Conn
from bot.storage import dialect
from bot.storage.rows import from_row, marks
from bot.storage.sealing import Sealed, Sealer

SEALED = Sealed("pool_volunteers", identity="identity", row=("pool_id", "identity"), columns=("name", "answers"))


def _pool(row: Any) -> Pool:
    return from_row(Pool, row, questions=json.loads(row["questions"]),
                  document=json.loads(row["document"]) if row["document"] else None,
                  panel=json.loads(row["panel"]) if row["panel"] else [])


async def load_pool(conn: Conn, pool_id: int, lock: bool = False) -> Pool | None:
    """The pool; with LOCK (inside a change) its row is held until the commit on a shared
    database, so that a draw and an erasure touching the pool take turns."""
    rows = await conn.execute_fetchall("SELECT * FROM pools WHERE id = ?" + (dialect.locking(conn) if lock else ""),
                                       (pool_id,))
    return _pool(rows[0]) if rows else None


async def insert_pool(conn: Conn, room: str, title: str, questions: list[dict[str, Any]], by: str, at: str) -> int:
    inserted = await conn.execute_fetchall(
        "INSERT INTO pools(room, title, questions, status, created_by, created_at) VALUES (?, ?, ?, 'open', ?, ?)"
        " RETURNING id",
        (room, title, json.dumps(questions), by, at),
    )
    return int(inserted[0][0])


async def set_panel_size(conn: Conn, pool_id: int, size: int) -> None:
    await conn.execute("UPDATE pools SET panel_size = ? WHERE id = ?", (size, pool_id))


async def set_quota(conn: Conn, pool_id: int, feature: str, value: str, low: int, high: int) -> None:
    await conn.execute(
        "INSERT INTO pool_quotas(pool_id, feature, value, min, max) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(pool_id, feature, value) DO UPDATE SET min = excluded.min, max = excluded.max",
        (pool_id, feature, value, low, high),
    )


async def quotas(conn: Conn, pool_id: int) -> list[tuple[str, str, int, int]]:
    rows = await conn.execute_fetchall(
        "SELECT feature, value, min, max FROM pool_quotas WHERE pool_id = ? ORDER BY feature, value", (pool_id,)
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def commit(conn: Conn, pool_id: int, document: str, commitment: str, tickets: dict[str, int]) -> bool:
    """Freeze an open pool with its published document, and give each volunteer their ticket."""
    cur = await conn.execute(
        "UPDATE pools SET status = 'committed', document = ?, commitment = ? WHERE id = ? AND status = 'open'",
        (document, commitment, pool_id),
    )
    if cur.rowcount != 1:
        return False
    await conn.executemany(
        "UPDATE pool_volunteers SET ticket = ? WHERE pool_id = ? AND identity = ?",
        [(ticket, pool_id, identity) for identity, ticket in tickets.items()],
    )
    return True


async def status_and_rounds(conn: Conn, pool_id: int) -> tuple[str, int]:
    """Inside a change: where the pool stands, its row held until the commit (see load_pool)."""
    rows = await conn.execute_fetchall("SELECT status, rounds FROM pools WHERE id = ?" + dialect.locking(conn),
                                       (pool_id,))
    return rows[0][0], rows[0][1]


async def seat(conn: Conn, pool_id: int, panel: list[int], round_number: int, randomness: str) -> None:
    await conn.execute(
        "UPDATE pools SET status = 'drawn', panel = ?, rounds = ?, randomness = coalesce(randomness, ?) WHERE id = ?",
        (json.dumps(panel), round_number, randomness, pool_id),
    )


# -- volunteers --------------------------------------------------------------------------------


_VOLUNTEER = "SELECT identity, name, answers, ticket, declined, erased FROM pool_volunteers"


async def _registrations(conn: Conn, sealer: Sealer, rows: list[Any]) -> list[Registration]:
    opened = await sealer.open_rows(conn, rows, SEALED)
    return [Registration(r["identity"], r["name"], json.loads(r["answers"]) if r["answers"] else {}, r["ticket"],
                         bool(r["declined"]), bool(r["erased"])) for r in opened]


async def registrations(conn: Conn, sealer: Sealer, pool_id: int) -> list[Registration]:
    """Every volunteer of the pool in registration order, names and answers opened (an erased
    one's are gone: None and {})."""
    rows = await conn.execute_fetchall(f"{_VOLUNTEER} WHERE pool_id = ? ORDER BY seq", (pool_id,))
    return await _registrations(conn, sealer, list(rows))


async def registration(conn: Conn, sealer: Sealer, pool_id: int, identity: str) -> Registration | None:
    rows = await conn.execute_fetchall(f"{_VOLUNTEER} WHERE pool_id = ? AND identity = ?", (pool_id, identity))
    found = await _registrations(conn, sealer, list(rows))
    return found[0] if found else None


async def ticket_holders(conn: Conn, pool_id: int) -> dict[int, tuple[str, bool]]:
    """Each ticket's (identity, erased), to tell the newly seated (nothing is opened)."""
    rows = await conn.execute_fetchall(
        "SELECT ticket, identity, erased FROM pool_volunteers WHERE pool_id = ? AND ticket IS NOT NULL", (pool_id,))
    return {r[0]: (r[1], bool(r[2])) for r in rows}


async def registered(conn: Conn, pool_id: int) -> list[str]:
    """The identities registered in the pool, in registration order (nothing is opened)."""
    rows = await conn.execute_fetchall("SELECT identity FROM pool_volunteers WHERE pool_id = ? ORDER BY seq",
                                       (pool_id,))
    return [r[0] for r in rows]


async def any_registered(conn: Conn, pool_id: int, identities: list[str]) -> bool:
    """Whether any of IDENTITIES is registered in the pool."""
    for identity in identities:
        rows = await conn.execute_fetchall("SELECT 1 FROM pool_volunteers WHERE pool_id = ? AND identity = ?",
                                           (pool_id, identity))
        if rows:
            return True
    return False


async def open_registrations_among(conn: Conn, identities: list[str]) -> list[tuple[int, str]]:
    """(pool, identity) of every registration of IDENTITIES in a pool still open, by pool and in
    registration order."""
    found: list[tuple[int, str, int]] = []
    for identity in identities:
        rows = await conn.execute_fetchall(
            "SELECT v.pool_id, v.seq FROM pool_volunteers v JOIN pools p ON p.id = v.pool_id"
            " WHERE v.identity = ? AND p.status = 'open'", (identity,))
        found += [(r[0], identity, r[1]) for r in rows]
    return [(pool_id, identity) for pool_id, identity, _seq in sorted(found, key=lambda f: (f[0], f[2]))]


async def volunteer_count(conn: Conn, pool_id: int) -> int:
    rows = await conn.execute_fetchall("SELECT count(*) FROM pool_volunteers WHERE pool_id = ?", (pool_id,))
    return int(rows[0][0])


async def register(conn: Conn, sealer: Sealer, pool_id: int, identity: str, name: str, answers: dict[str, str],
                   at: str) -> None:
    """Store a consented registration, sealed; ticket order follows registration order."""
    rows = await conn.execute_fetchall(
        "SELECT coalesce(max(seq), 0) + 1 FROM pool_volunteers WHERE pool_id = ?", (pool_id,)
    )
    key = await sealer.key(conn, identity)
    await conn.execute(
        "INSERT INTO pool_volunteers(pool_id, identity, name, answers, consent_at, seq) VALUES (?, ?, ?, ?, ?, ?)",
        (pool_id, identity, key.seal(SEALED.place("name"), name),
         key.seal(SEALED.place("answers"), json.dumps(answers)), at, rows[0][0]),
    )


async def kept_of(conn: Conn, sealer: Sealer, identities: Sequence[str]) -> list[Kept]:
    """A person's registrations, from any of IDENTITIES (their chat accounts), with their pools'
    titles, for /mydata (erased ones are no longer theirs: their identity was replaced)."""
    rows = await sealer.open_rows(conn, list(await conn.execute_fetchall(
        "SELECT v.pool_id, p.title, v.identity, v.name, v.answers, v.ticket, v.consent_at, v.declined"
        f" FROM pool_volunteers v JOIN pools p ON p.id = v.pool_id WHERE v.identity IN ({marks(identities)})"
        " ORDER BY v.pool_id, v.consent_at", tuple(identities))), SEALED)
    return [Kept(r["pool_id"], r["title"], r["name"], json.loads(r["answers"]), r["ticket"], r["consent_at"],
                 bool(r["declined"])) for r in rows]


async def standings_of(conn: Conn, identity: str) -> list[tuple[Pool, int | None, bool]]:
    """Inside an erasure: each pool the person is registered in (its row held, in pool order),
    with their ticket and whether they declined (nothing is opened)."""
    rows = await conn.execute_fetchall(
        "SELECT pool_id FROM pool_volunteers WHERE identity = ? ORDER BY pool_id", (identity,))
    found = []
    for (pool_id,) in rows:
        pool = await load_pool(conn, pool_id, lock=True)
        mine = await conn.execute_fetchall(
            "SELECT ticket, declined FROM pool_volunteers WHERE pool_id = ? AND identity = ?", (pool_id, identity))
        ticket, declined = mine[0]
        assert pool is not None  # the row references it
        found.append((pool, ticket, bool(declined)))
    return found


async def erase_keeping_ticket(conn: Conn, pool_id: int, identity: str, ticket: int | None, declined: bool) -> None:
    """What stays of an erased volunteer of a frozen pool: the ticket (with the published
    document, the draw's record), whether the seat was declined, and nothing of the person."""
    await conn.execute(
        "UPDATE pool_volunteers SET identity = ?, name = NULL, answers = NULL, erased = 1, declined = ?"
        " WHERE pool_id = ? AND identity = ?",
        (erased_identity(ticket), int(declined), pool_id, identity),
    )


async def unregister(conn: Conn, pool_id: int, identity: str) -> bool:
    cur = await conn.execute("DELETE FROM pool_volunteers WHERE pool_id = ? AND identity = ?", (pool_id, identity))
    return bool(cur.rowcount)


async def decline(conn: Conn, pool_id: int, identity: str) -> None:
    await conn.execute(
        "UPDATE pool_volunteers SET declined = 1 WHERE pool_id = ? AND identity = ?", (pool_id, identity)
    )


async def decline_ticket(conn: Conn, pool_id: int, ticket: int) -> None:
    """Ticket TICKET's seat is declined (its holder erased their registration)."""
    await conn.execute("UPDATE pool_volunteers SET declined = 1 WHERE pool_id = ? AND ticket = ?", (pool_id, ticket))


async def declined_tickets(conn: Conn, pool_id: int) -> set[int]:
    rows = await conn.execute_fetchall("SELECT ticket FROM pool_volunteers WHERE pool_id = ? AND declined = 1",
                                       (pool_id,))
    return {r[0] for r in rows}


# -- after the draw ----------------------------------------------------------------------------


async def steps(conn: Conn, pool_id: int) -> list[Step]:
    """The published steps since the draw, in the order they were taken."""
    rows = await conn.execute_fetchall("SELECT kind, detail FROM pool_steps WHERE pool_id = ? ORDER BY seq",
                                       (pool_id,))
    return [Step(r[0], json.loads(r[1])) for r in rows]


async def step_count(conn: Conn, pool_id: int) -> int:
    rows = await conn.execute_fetchall("SELECT count(*) FROM pool_steps WHERE pool_id = ?", (pool_id,))
    return int(rows[0][0])


async def add_step(conn: Conn, pool_id: int, step: Step, at: str) -> None:
    await conn.execute(
        "INSERT INTO pool_steps(pool_id, seq, kind, detail, at)"
        " VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM pool_steps WHERE pool_id = ?), ?, ?, ?)",
        (pool_id, pool_id, step.kind, json.dumps(step.detail, sort_keys=True), at),
    )


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Pools of room OLD now belong to room NEW; how many moved."""
    cur = await conn.execute("UPDATE pools SET room = ? WHERE room = ?", (new, old))
    return int(cur.rowcount)
