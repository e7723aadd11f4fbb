"""Pools in the database: the pool, its quotas, the volunteers who consented, and the steps the
organisers took after the draw."""

from __future__ import annotations

import json
from typing import Any

from bot.features.pools.model import Pool, Registration, Step
from bot.kernel.ports import Conn
from bot.storage.rows import from_row


def _pool(row: Any) -> Pool:
    return from_row(Pool, row, questions=json.loads(row["questions"]),
                  document=json.loads(row["document"]) if row["document"] else None,
                  panel=json.loads(row["panel"]) if row["panel"] else [])


async def load_pool(conn: Conn, pool_id: int) -> Pool | None:
    rows = await conn.execute_fetchall("SELECT * FROM pools WHERE id = ?", (pool_id,))
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
    rows = await conn.execute_fetchall("SELECT status, rounds FROM pools WHERE id = ?", (pool_id,))
    return rows[0][0], rows[0][1]


async def seat(conn: Conn, pool_id: int, panel: list[int], round_number: int, randomness: str) -> None:
    await conn.execute(
        "UPDATE pools SET status = 'drawn', panel = ?, rounds = ?, randomness = coalesce(randomness, ?) WHERE id = ?",
        (json.dumps(panel), round_number, randomness, pool_id),
    )


# -- volunteers --------------------------------------------------------------------------------


async def registrations(conn: Conn, pool_id: int) -> list[Registration]:
    rows = await conn.execute_fetchall(
        "SELECT identity, name, answers, ticket, declined FROM pool_volunteers WHERE pool_id = ? ORDER BY seq",
        (pool_id,),
    )
    return [Registration(r[0], r[1], json.loads(r[2]), r[3], bool(r[4])) for r in rows]


async def registration(conn: Conn, pool_id: int, identity: str) -> Registration | None:
    rows = await conn.execute_fetchall(
        "SELECT identity, name, answers, ticket, declined FROM pool_volunteers WHERE pool_id = ? AND identity = ?",
        (pool_id, identity),
    )
    return Registration(rows[0][0], rows[0][1], json.loads(rows[0][2]), rows[0][3], bool(rows[0][4])) if rows else None


async def volunteer_count(conn: Conn, pool_id: int) -> int:
    rows = await conn.execute_fetchall("SELECT count(*) FROM pool_volunteers WHERE pool_id = ?", (pool_id,))
    return int(rows[0][0])


async def register(conn: Conn, pool_id: int, identity: str, name: str, answers: dict[str, str], at: str) -> None:
    """Store a consented registration; ticket order follows registration order."""
    rows = await conn.execute_fetchall(
        "SELECT coalesce(max(seq), 0) + 1 FROM pool_volunteers WHERE pool_id = ?", (pool_id,)
    )
    await conn.execute(
        "INSERT INTO pool_volunteers(pool_id, identity, name, answers, consent_at, seq) VALUES (?, ?, ?, ?, ?, ?)",
        (pool_id, identity, name, json.dumps(answers), at, rows[0][0]),
    )


async def unregister(conn: Conn, pool_id: int, identity: str) -> bool:
    cur = await conn.execute("DELETE FROM pool_volunteers WHERE pool_id = ? AND identity = ?", (pool_id, identity))
    return bool(cur.rowcount)


async def decline(conn: Conn, pool_id: int, identity: str) -> None:
    await conn.execute(
        "UPDATE pool_volunteers SET declined = 1 WHERE pool_id = ? AND identity = ?", (pool_id, identity)
    )


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
