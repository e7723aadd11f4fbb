"""The write-ahead log file is cut back to a bounded size once a burst of writes is over."""

from __future__ import annotations

import os
from pathlib import Path

from bot.storage.database import WAL_KEPT, connect


def _size(path: Path) -> int:
    return path.stat().st_size


async def test_the_log_is_cut_back_after_a_burst(tmp_path: Path) -> None:
    path = tmp_path / "quorum.db"
    writer = await connect(path, writer=True)
    reader = await connect(path)
    wal = Path(f"{path}-wal")
    try:
        await writer.execute("CREATE TABLE burst(data BLOB)")
        chunk = os.urandom(1024 * 1024)
        for _ in range(WAL_KEPT // len(chunk) + 16):  # a burst: the writer alone, no checkpoint in it
            await writer.execute("INSERT INTO burst VALUES (?)", (chunk,))
        assert _size(wal) > WAL_KEPT
        await reader.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")  # as the checkpoints beside the writer do
        await writer.execute("INSERT INTO burst VALUES (x'00')")  # the log starts again from its beginning
        assert _size(wal) <= WAL_KEPT
        rows = await reader.execute_fetchall("SELECT count(*) FROM burst")
        assert [tuple(r) for r in rows] == [(WAL_KEPT // len(chunk) + 17,)]  # nothing lost on the way
    finally:
        await reader.close()
        await writer.close()
