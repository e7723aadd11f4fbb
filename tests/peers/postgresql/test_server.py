"""The PostgreSQL peer itself: it starts, gives each key a database of its own, and the bot's
migrations apply there once, under the advisory lock, also when two processes start together."""

from __future__ import annotations

import asyncio

import asyncpg

from bot.storage.database import migrate, migration_files

from .server import PostgresServer


async def test_one_database_per_key(postgresql: PostgresServer) -> None:
    first, again, other = (postgresql.database_for(k) for k in ("a", "a", "b"))
    assert first == again != other
    conn = await asyncpg.connect(first)
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()


async def test_migrations_apply_once_when_started_together(postgresql: PostgresServer) -> None:
    url = postgresql.database_for("migrate-together")
    results = await asyncio.gather(*(migrate(url) for _ in range(3)))
    names = [p.name for _, p in migration_files()]
    assert sorted(results, key=len) == [[], [], names]  # one applied them all, the others found them done
    assert await migrate(url) == []
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()
    assert [r[0] for r in rows] == [v for v, _ in migration_files()]
