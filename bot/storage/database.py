"""Opening the database (a SQLite file here; a PostgreSQL server in postgres.py) and applying
the numbered migrations in ``migrations/``.

Migrations are forward only: each file runs once, in order, inside a transaction together
with the row that records it, so a crash mid-migration leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.kernel.errors import StartError
from bot.storage.dialect import is_postgresql
from bot.storage.newer import refuse_newer
from bot.storage.rows import Pending, Rows

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
PING_TIMEOUT = 2.0  # seconds a health check waits for the database to answer
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found: dict[int, Path] = {}
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise RuntimeError(f"migration file name {path.name} is not NNNN_name.sql")
        version = int(m.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version}: {found[version].name}, {path.name}")
        found[version] = path
    return sorted(found.items())


async def _apply(conn: aiosqlite.Connection, directory: Path) -> list[str]:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    await conn.commit()
    async with conn.execute("SELECT version FROM schema_migrations") as cur:
        done = {row[0] for row in await cur.fetchall()}
    files = migration_files(directory)
    refuse_newer(done, files)
    applied = []
    for version, path in files:
        if version in done:
            continue
        script = path.read_text(encoding="utf-8")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        # executescript would commit on its own; run statements one by one in one transaction.
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                (version, path.name, now),
            )
            await conn.commit()
        except sqlite3.Error as e:
            await conn.rollback()
            raise StartError(f"The database cannot be brought up to date: migration {path.name} failed on it ({e}); "
                             "set bot.database to a Quorum database, or to a new file.") from None
        except BaseException:
            await conn.rollback()
            raise
        applied.append(path.name)
    return applied


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (sqlite3 knows where one ends)."""
    out: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current.strip())
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        raise RuntimeError(f"incomplete SQL statement at the end of a migration: {current[:60]!r}")
    return out


def _check_opens(path: Path | str) -> None:
    """Open PATH once with the standard library, or raise a StartError that says in one
    sentence why it cannot be opened and what to do. (Done before aiosqlite opens it: a
    connection aiosqlite fails to open leaves its thread to report after the loop has gone.)"""
    folder = Path(path).absolute().parent
    if not folder.is_dir():
        raise StartError(f"The database's folder {folder} does not exist: create it, or set "
                         "bot.database (or QUORUM_DATABASE) to a file in a folder that does.")
    try:
        with closing(sqlite3.connect(str(path))) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as e:
        raise StartError(f"The database {path} cannot be opened ({e}): check that it is a Quorum "
                         "database and that this user may read and write it and its folder.") from None


async def _open(path: Path | str) -> aiosqlite.Connection:
    """A connection to PATH in WAL mode, or a StartError saying why there is none."""
    if str(path) != ":memory:":
        await asyncio.to_thread(_check_opens, path)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    return conn


async def connect(path: Path | str, directory: Path = MIGRATIONS_DIR, writer: bool = False) -> aiosqlite.Connection:
    """Open the database in WAL mode, migrated to the newest version.

    The WRITER connection does not checkpoint the log itself: a checkpoint inside a commit
    stalls every vote waiting for that commit. ``checkpoints`` does it on a reader instead.
    """
    conn = await _open(path)
    try:
        conn.row_factory = aiosqlite.Row
        # FULL: a vote is acknowledged only after its commit is on disk.
        await conn.execute("PRAGMA synchronous=FULL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await _apply(conn, directory)
        if writer:
            await conn.execute("PRAGMA wal_autocheckpoint=0")
            # Erasure deletes rows; with secure_delete SQLite also overwrites the space they held,
            # here and wherever an earlier update or page split left an old copy of a row.
            await conn.execute("PRAGMA secure_delete=ON")
    except BaseException:
        # Closed on the way out: its thread left running would keep the process from exiting.
        await conn.close()
        raise
    return conn


async def in_one_step(conn: aiosqlite.Connection, step: Callable[[sqlite3.Connection], T]) -> T:
    """STEP run on CONN's own thread with the sqlite3 connection it wraps: its statements back
    to back, in one trip there and back. Each awaited statement is a trip of its own, and its
    way back waits for the event loop to come round, behind whatever the loop is doing: a batch
    of votes written statement by statement took three times as long, under load, as its disk.

    aiosqlite runs everything this way (each public call is ``_execute`` of a sqlite3 method);
    it has no public name for running a function of one's own. The writer's every vote batch
    goes through here, so the test suite fails at once should that ever change."""
    return await conn._execute(lambda: step(conn._conn))


QUIET_S = 5.0
"""Seconds without a commit after which the writer counts as idle (``checkpoints``)."""
LOG_KEPT = 32 * 1024 * 1024
"""Bytes of write-ahead log file left as they are once the writer is idle. With a checkpoint
every second the log holds about a second of writes (a few MB at 5,000 votes a second), which
SQLite reuses from its beginning; only a burst without a pause grows it beyond this."""
QUIET_CUT_WAIT_MS = 100
"""How long cutting the log after a quiet spell waits for a commit or read in the way."""


async def checkpoints(
    conn: aiosqlite.Connection, path: Path | str, every_s: float = 1.0, *, quiet_s: float = QUIET_S,
    kept: int = LOG_KEPT,
) -> None:
    """Copy the write-ahead log into the database file now and then, beside the writer (a
    PASSIVE checkpoint never blocks it), so the log stays small without stalling commits.

    A checkpoint beside a writer that never pauses cannot let the log start again from its
    beginning, so a long burst grows the file (200,000 votes: 500–700 MB), and SQLite keeps a
    log file at its largest size. Cutting it holds the writer up while the file is cut (a vote
    that came just then, after a 535 MB log, waited 0.1–0.2 s; SQLite's ``journal_size_limit``
    does the same inside a commit, mid-burst), so it is cut only once no commit has come for
    QUIET_S (``PRAGMA data_version`` on CONN changes with every commit of another connection)
    and the file is larger than KEPT: after a burst, not in it."""
    log_file = Path(f"{path}-wal")
    version: int | None = None
    quiet_since = time.monotonic()
    while True:
        await asyncio.sleep(every_s)
        try:
            await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            now_version = (await conn.execute_fetchall("PRAGMA data_version"))[0][0]
        except sqlite3.OperationalError as e:  # a read on this connection is mid-way: next time
            log.debug("checkpoint skipped: %s", e)
            continue
        now = time.monotonic()
        if now_version != version:
            version, quiet_since = now_version, now
        elif now - quiet_since >= quiet_s and await asyncio.to_thread(_size, log_file) > kept:
            quiet_since = now  # cut, busy or failed: not again before another quiet spell
            try:
                if not await cut_log(path, busy_ms=QUIET_CUT_WAIT_MS):
                    log.debug("the log was not cut: the database was busy")
            except (sqlite3.Error, OSError):
                log.exception("cutting the write-ahead log failed")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


async def cut_log(path: Path | str, busy_ms: int) -> bool:
    """Checkpoint the whole write-ahead log of the database at PATH into its file and cut the
    log file to zero bytes (a TRUNCATE checkpoint, on a connection of its own so that no read
    of the bot waits behind it), waiting at most BUSY_MS for a writer or reader in the way.
    Whether it was done."""
    async with aiosqlite.connect(str(path)) as conn:
        await conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        rows = await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
    return not (rows and next(iter(rows))[0])


async def migrate(path: Path | str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    if is_postgresql(path):
        from bot.storage import postgres

        return await postgres.migrate(str(path), migration_files(directory), _statements)
    conn = await _open(path)
    try:
        return await _apply(conn, directory)
    finally:
        await conn.close()


class Reader:
    """The read side of the database, for everything but the writer.

    Each read runs to its last row in one call on the connection's thread. With a cursor kept
    open across an await instead, any read that ran meanwhile on the same connection would
    share that cursor's (older) snapshot, and a tally could lag behind committed votes.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.connection = conn

    def execute(self, sql: str, params: Any = ()) -> Pending:
        async def run() -> Rows:
            return Rows(list(await self.connection.execute_fetchall(sql, params)))

        return Pending(run)

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        return list(await self.connection.execute_fetchall(sql, params))

    async def close(self) -> None:
        await self.connection.close()


class Database:
    """The connections of a running bot: the writer's, and one for reads (the same one for an
    in-memory database, where a second connection would be another database), with the WAL
    checkpoints running beside the writer."""

    def __init__(self, path: Path | str, wconn: aiosqlite.Connection, reader: Reader) -> None:
        self.path = path
        self.wconn = wconn
        self.reader = reader
        self._checkpoints: asyncio.Task[None] | None = None
        # Off when a replicator such as Litestream checkpoints the log itself (bot.wal_checkpoints).
        self.checkpointing = True

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """The database at PATH: a SQLite file, or a ``postgresql://`` server (bot/storage/postgres.py)."""
        if is_postgresql(path):
            from bot.storage import postgres

            return await postgres.Database.open(  # type: ignore[return-value]
                str(path), migration_files(), _statements)
        wconn = await connect(path, writer=True)
        if str(path) == ":memory:":
            return cls(path, wconn, Reader(wconn))
        try:
            return cls(path, wconn, Reader(await connect(path)))
        except BaseException:
            await wconn.close()
            raise

    def listen(self, channel: str, wake: object) -> None:
        """Nothing to listen for: on SQLite this process is the only one, and wakes itself."""
        del channel, wake

    def start(self) -> None:
        if self.checkpointing and self.reader.connection is not self.wconn:
            self._checkpoints = asyncio.create_task(
                checkpoints(self.reader.connection, self.path), name="quorum-checkpoints")

    @property
    def checkpoints_running(self) -> bool:
        return self._checkpoints is not None and not self._checkpoints.done()

    async def ping(self) -> bool:
        """Whether the database answers a read and its file is still where it was opened (a
        deleted or unmounted file goes on answering from the open handle, but nothing written
        now would survive a restart)."""
        if str(self.path) != ":memory:" and not await asyncio.to_thread(Path(self.path).exists):
            return False
        try:
            async with asyncio.timeout(PING_TIMEOUT):
                rows = await self.reader.execute_fetchall("SELECT 1")
        except (TimeoutError, sqlite3.Error, ValueError):  # ValueError: the connection was closed
            return False
        return bool(rows) and rows[0][0] == 1

    async def vacuum(self, tables: Sequence[str], *, full: bool = False) -> None:
        """After TABLES were rewritten (a closed secret poll's ballots, in key order): deleted
        rows and freed pages are overwritten as they go (``secure_delete``), so what is left of
        their old pages is in the write-ahead log, which is checkpointed into the file and cut."""
        del tables, full
        if str(self.path) == ":memory:":
            return
        if not await cut_log(self.path, busy_ms=5000):
            raise sqlite3.OperationalError("the database was busy: the log keeps the old pages until written over")

    async def forget_erased(self) -> None:
        """After an erasure or a withdrawal: checkpoint the write-ahead log into the database
        file and cut it to zero bytes, so erased rows (and a destroyed data key) do not linger
        in older page copies there."""
        if str(self.path) == ":memory:":
            return
        try:
            if not await cut_log(self.path, busy_ms=5000):
                log.warning("the log could not be truncated after an erasure (busy); it will be at the next one")
        except Exception:
            log.exception("checkpoint after erasure failed")

    async def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            await asyncio.gather(self._checkpoints, return_exceptions=True)
            self._checkpoints = None
        if self.reader.connection is not self.wconn:
            await self.reader.close()
        await self.wconn.close()
