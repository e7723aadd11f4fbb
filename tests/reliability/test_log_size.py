"""The write-ahead log after a burst: cut back to nothing once the writer has been quiet, never
while it writes (bot/storage/database.py: checkpoints; README: Replication).

A burst without a pause grows the log file (200,000 votes: 700 MB), and SQLite keeps a log file
at its largest size; an open read does the same here on a small scale, as the writer's ceaseless
commits do in a burst: the checkpoint beside it cannot let the log start again from its beginning.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import aiosqlite
import pytest

from bot.storage.database import checkpoints, connect, cut_log

pytestmark = pytest.mark.not_on_postgresql("SQLite's write-ahead log; a PostgreSQL server keeps its own")

KEPT = 256 * 1024
QUIET_S = 0.6


def _log_size(db: Path) -> int:
    log = Path(f"{db}-wal")
    return log.stat().st_size if log.exists() else 0


async def _write(conn: aiosqlite.Connection, rows: int) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    await conn.executemany("INSERT INTO seen_events(event_id, seen_at) VALUES (?, '2026-11-30T12:00:00Z')",
                           [(f"k:{secrets.token_hex(16)}",) for _ in range(rows)])
    await conn.execute("COMMIT")


async def test_a_log_grown_by_a_burst_is_cut_once_the_writer_is_quiet_and_not_before(tmp_path: Path) -> None:
    db = tmp_path / "quorum.db"
    writer = await connect(db, writer=True)
    reader = await connect(db)
    holder = await aiosqlite.connect(str(db))
    try:
        await holder.execute("BEGIN")
        await holder.execute_fetchall("SELECT count(*) FROM seen_events")  # a read that stays open
        for _ in range(20):
            await _write(writer, 500)
        await holder.execute("COMMIT")
        grown = await asyncio.to_thread(_log_size, db)
        assert grown > 4 * KEPT

        task = asyncio.create_task(checkpoints(reader, db, 0.05, quiet_s=QUIET_S, kept=KEPT))
        try:
            # Writes keep coming, a little more often than the quiet spell: the file is left alone.
            until, written, last_write = time.monotonic() + 3 * QUIET_S, 20 * 500, 0.0
            while time.monotonic() < until:
                await _write(writer, 5)
                written, last_write = written + 5, time.monotonic()
                await asyncio.sleep(QUIET_S / 3)
                assert await asyncio.to_thread(_log_size, db) >= grown, "the log was cut while the writer wrote"
            # Then nothing: the log is checkpointed and cut to zero bytes, after the quiet spell.
            for _ in range(int(10 * QUIET_S / 0.02)):
                if not await asyncio.to_thread(_log_size, db):
                    break
                await asyncio.sleep(0.02)
            assert await asyncio.to_thread(_log_size, db) == 0, "the log was never cut after the writer went quiet"
            assert time.monotonic() - last_write >= QUIET_S
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        # Nothing was lost on the way, and the writer goes on as before.
        await _write(writer, 1)
        rows = await reader.execute_fetchall("SELECT count(*) FROM seen_events")
        assert next(iter(rows))[0] == written + 1
    finally:
        await holder.close()
        await reader.close()
        await writer.close()


async def test_the_log_is_not_cut_under_a_transaction_and_the_writer_is_not_held_up(tmp_path: Path) -> None:
    db = tmp_path / "quorum.db"
    writer = await connect(db, writer=True)
    try:
        await _write(writer, 100)
        await writer.execute("BEGIN IMMEDIATE")
        assert not await cut_log(db, busy_ms=0)  # a commit under way: left for the next quiet spell
        await writer.execute("COMMIT")
        assert await cut_log(db, busy_ms=0)
        assert await asyncio.to_thread(_log_size, db) == 0
    finally:
        await writer.close()
