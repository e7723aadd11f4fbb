"""The bot's database on a PostgreSQL server, through asyncpg.

The stores and the writer see the connection interface they have on SQLite (``execute``,
``execute_fetchall``, ``executemany``; rows by column name and by index; ``rowcount``), with the
SQL translated by ``bot/storage/dialect.py``. The writer keeps one connection of its own and runs
its transactions on it exactly as on SQLite (group commit, a savepoint per change, secret
changes in transactions of their own); reads go through a small pool, each read on a connection
that sees only what is committed.

Several processes may run on one database. What a single writer guaranteed by being alone
comes from the server instead (each connection says so with ``shared``, which the writer and the
stores ask through ``dialect.shared``/``dialect.locking``): a close is an ``UPDATE … WHERE
closed_at IS NULL`` under the poll row's lock, vote batches take those locks (shared) in poll
order, an update's id is claimed by the unique key of ``seen_events``, the outbox and timed work
are claimed with ``SKIP LOCKED`` under a lease, and what must run in one process per bot token
(the outbox's sender) holds a lease in ``leases``.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bot.kernel.errors import StartError
from bot.storage import dialect, sealing
from bot.storage.newer import refuse_newer
from bot.storage.rows import Pending, Rows

log = logging.getLogger(__name__)
PING_TIMEOUT = 2.0
MIGRATION_LOCK = zlib.crc32(b"quorum migrate")
"""The advisory lock `quorum migrate` (and every start) holds while it migrates, so two
processes starting at once apply each migration once."""


def _rowcount(status: str) -> int:
    """The number of rows an ``INSERT 0 3`` / ``UPDATE 2`` / ``DELETE 1`` status names."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


async def _run(conn: asyncpg.Connection, sql: str, params: Sequence[Any]) -> Rows:
    text = dialect.statement(sql)
    if dialect.returns_rows(text):
        rows = list(await conn.fetch(text, *params))
        # As sqlite3's: a change's RETURNING rows are the rows it changed; a query has no count.
        return Rows(rows, len(rows) if dialect.is_change(text) else -1)  # no row ids: stores ask RETURNING id
    status = await conn.execute(text, *params)
    return Rows([], _rowcount(status))


class Connection:
    """One connection (the writer's), used as the stores use SQLite's. One statement at a time."""

    shared = True  # other processes may write the same database (see the module docstring)
    heap = True  # rows stay where they arrived (see dialect.in_arrival_order)

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn
        self._lock = asyncio.Lock()

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Pending:
        async def run() -> Rows:
            async with self._lock:
                return await _run(self.raw, sql, tuple(parameters))

        return Pending(run)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        cur = await self.execute(sql, parameters)
        return await cur.fetchall()

    async def executemany(self, sql: str, parameters: Any) -> None:
        rows = [tuple(p) for p in parameters]
        if not rows:
            return
        async with self._lock:
            await self.raw.executemany(dialect.statement(sql), rows)

    async def close(self) -> None:
        await self.raw.close()


class Reader:
    """The read side: each read on a pooled connection, seeing what is committed."""

    shared = True
    heap = True

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Pending:
        async def run() -> Rows:
            async with self.pool.acquire() as conn:
                return await _run(conn, sql, tuple(parameters))

        return Pending(run)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        cur = await self.execute(sql, parameters)
        return await cur.fetchall()

    async def executemany(self, sql: str, parameters: Any) -> None:
        async with self.pool.acquire() as conn:
            await Connection(conn).executemany(sql, parameters)

    async def close(self) -> None:
        await self.pool.close()


async def _connect(url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as e:
        raise StartError(f"The PostgreSQL database in bot.database cannot be reached ({e}): check that the "
                         "server runs, and the host, port, user, password and database name.") from None


Migrations = list[tuple[int, Path]]
"""The numbered migration files (bot/storage/database.py finds them)."""
Split = Callable[[str], list[str]]
"""A migration script cut into its statements."""


async def _server_logs_rows(conn: asyncpg.Connection) -> str | None:
    """What to warn of, at each start, when the server would write a refused row into its own
    log; None when it would not.

    PostgreSQL's error for a refused row carries a DETAIL quoting the row ("Failing row contains
    …"): for a write of secret ballots, a ballot's key beside its choice. The bot logs only such
    an error's type and SQLSTATE, but the server keeps its own log, and only a superuser may tell
    it to leave the DETAIL out (README, *Secret ballots*), so the bot says how. Said once the bot
    has started: a start that fails says one sentence, its reason, and nothing else."""
    verbosity = await conn.fetchval("SHOW log_error_verbosity")
    if verbosity == "terse":
        return None
    database = await conn.fetchval("SELECT current_database()")
    return (f"the PostgreSQL server writes errors' DETAIL into its log (log_error_verbosity = {verbosity}), which "
            f"can quote a refused row, a secret ballot among them; as a superuser, run: ALTER DATABASE {database} "
            "SET log_error_verbosity = terse")


async def apply_migrations(conn: asyncpg.Connection, files: Migrations, split: Split) -> list[str]:
    """Apply the migrations not yet applied, each in a transaction with the row that records
    it, holding the advisory lock so that processes starting together take turns. A migration
    with a file of the same name in ``postgresql/`` beside it runs that file instead."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        refuse_newer(done, files)
        applied = []
        for version, path in files:
            if version in done:
                continue
            own = path.parent / "postgresql" / path.name
            if own.exists():
                statements = split(own.read_text(encoding="utf-8"))
            else:
                translated = (dialect.schema(s) for s in split(path.read_text(encoding="utf-8")))
                statements = [s for s in translated if s is not None]
            now = datetime.now(UTC).isoformat(timespec="seconds")
            try:
                async with conn.transaction():
                    for text in statements:
                        await conn.execute(text)
                    await conn.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)",
                        version, path.name, now,
                    )
            except asyncpg.PostgresError as e:
                raise StartError(f"The database cannot be brought up to date: migration {path.name} failed on it "
                                 f"({e}); set bot.database to a Quorum database, or to a new one.") from None
            applied.append(path.name)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def migrate(url: str, files: Migrations, split: Split) -> list[str]:
    conn = await _connect(url)
    try:
        return await apply_migrations(conn, files, split)
    finally:
        await conn.close()


class Database:
    """The connections of a running bot on PostgreSQL: the writer's, and a pool for reads.
    The server keeps its own write-ahead log, so there is nothing to checkpoint here."""

    checkpoints_running = False

    def __init__(self, url: str, wconn: Connection, reader: Reader) -> None:
        self.path = url
        self.wconn = wconn
        self.reader = reader
        self.checkpointing = False
        self._listeners: list[tuple[str, Callable[[], None]]] = []
        self._listening: asyncio.Task[None] | None = None
        self.logs_rows: str | None = None  # the server's own log would quote a refused row (see open)

    def listen(self, channel: str, wake: Callable[[], None]) -> None:
        """Call WAKE whenever another process's committed transaction notifies CHANNEL (from start)."""
        self._listeners.append((channel, wake))

    async def _listen(self) -> None:
        """Listen on a connection of its own; a lost one is opened again (meanwhile the
        listeners' own polling, every few seconds, finds what was notified)."""
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("listening for notifications failed (%s); trying again", e)
            await asyncio.sleep(1.0)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(self.path)
        try:
            closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            conn.add_termination_listener(lambda _c: closed.done() or closed.set_result(None))
            # Not for this process's own commits: its code wakes itself when it is ready (a fired
            # trigger's room hears first, then the organisers' notes are sent), as on SQLite.
            own = self.wconn.raw.get_server_pid()
            for channel, wake in self._listeners:
                await conn.add_listener(channel, lambda _c, pid, _ch, _p, wake=wake: pid == own or wake())
            await closed
        finally:
            await conn.close()

    @classmethod
    async def open(cls, url: str, files: Migrations, split: Split) -> Database:
        raw = await _connect(url)
        try:
            await apply_migrations(raw, files, split)
            logs_rows = await _server_logs_rows(raw)
            pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
        except BaseException:
            await raw.close()
            raise
        database = cls(url, Connection(raw), Reader(pool))
        database.logs_rows = logs_rows
        return database

    def start(self) -> None:
        if self.logs_rows is not None:
            log.warning("%s", self.logs_rows)
        if self._listeners and self._listening is None:
            self._listening = asyncio.create_task(self._listen(), name="quorum-listen")

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT):
                rows = await self.reader.execute_fetchall("SELECT 1")
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return bool(rows) and rows[0][0] == 1

    async def forget_erased(self) -> None:
        """After an erasure or a withdrawal: rewrite the (small) table of data keys, so a
        destroyed key's bytes, which stay in its dead row version until a vacuum and are not
        zeroed even then, leave the table's file. The erased rows' own old versions go at the
        server's next vacuum; they are ciphertext whose key is gone. What WAL archives,
        replicas and backups keep is the operator's (see the README)."""
        try:
            await self.vacuum([sealing.KEYS_TABLE], full=True)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.exception("rewriting the data keys' table after an erasure failed; it will be at the next one")

    async def vacuum(self, tables: Sequence[str], *, full: bool = False) -> None:
        """Free the old versions of TABLES' changed and deleted rows now, rather than at the
        server's next autovacuum; FULL rewrites the tables into new files, so the bytes of those
        versions leave them too (plain VACUUM frees their space but leaves the bytes until it is
        reused). FULL locks the tables while it runs: callers ask for it when nothing is being
        written there. On a connection of its own (VACUUM runs outside a transaction), giving up
        after a few seconds' wait for a lock rather than stalling those who wait behind it."""
        assert all(t.isidentifier() for t in tables), tables  # the code's own table names
        names = ", ".join(tables)
        conn = await asyncpg.connect(self.path, server_settings={"lock_timeout": "5s"})
        try:
            await conn.execute(f"VACUUM {'(FULL) ' if full else ''}{names}")
        finally:
            await conn.close()

    async def close(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            await asyncio.gather(self._listening, return_exceptions=True)
            self._listening = None
        await self.reader.close()
        await self.wconn.close()
