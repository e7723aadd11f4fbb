"""A chat harness: the real bot (built by bootstrap), a file database, a manual clock and the
console adapter.

Scenario tests speak through the console notation (``ann: /vote 1 Pizza``) and read back what
the bot answered, exactly as a person at the terminal would.
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.console.adapter import ConsoleSession, ConsoleTransport
from bot.app import App, Transports, bootstrap
from bot.features.campaigns.store import SEALED as SIGNATURES_SEALED
from bot.features.pools.store import SEALED as VOLUNTEERS_SEALED
from bot.features.roll.parse import parse_roll_csv
from bot.features.signups.store import SEALED as SIGNUPS_SEALED
from bot.kernel.clock import ManualClock
from bot.kernel.config import Config, parse_config
from bot.kernel.durations import parse_duration
from bot.storage.sealing import Sealer
from tests.peers.postgresql import shared, use_postgresql


def database_url_for(tmp_path: Path) -> str | None:
    """Where a test's bot keeps its data: None for the SQLite file in TMP_PATH, or, with
    QUORUM_TEST_DATABASE=postgresql, a database of TMP_PATH's own on the suite's PostgreSQL
    (the same one again when the bot is restarted on TMP_PATH)."""
    return shared().database_for(str(tmp_path)) if use_postgresql() else None


def database_env(tmp_path: Path) -> dict[str, str]:
    """What points a ``quorum`` process started in TMP_PATH at the test's database: nothing for
    the SQLite file there, QUORUM_DATABASE for the test's database on PostgreSQL."""
    url = database_url_for(tmp_path)
    return {"QUORUM_DATABASE": url} if url else {}


def database_rows(tmp_path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """SQL (as the stores write it, with ``?``) run on the database of the bot in TMP_PATH, from
    a test that is not async (one driving ``quorum`` processes); its rows, committed."""
    url = database_url_for(tmp_path)
    if url is None:
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(tmp_path / "quorum.db")) as db, db:
            return [tuple(row) for row in db.execute(sql, args)]
    import asyncio

    import asyncpg

    from bot.storage.dialect import statement

    async def run() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await conn.fetch(statement(sql), *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


async def database_run(tmp_path: Path, sql: str, *args: Any) -> None:
    """SQL (with ``?``) run and committed on the database of the bot in TMP_PATH, the bot not
    running, from an async test (``database_rows`` is for those that are not)."""
    url = database_url_for(tmp_path)
    if url is None:
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(tmp_path / "quorum.db")) as db, db:
            db.execute(sql, args)
        return
    import asyncpg

    from bot.storage.dialect import statement

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement(sql), *args)
    finally:
        await conn.close()


async def migrate_until(tmp_path: Path, version: int) -> None:
    """The database of the bot in TMP_PATH as a release that knew the migrations before
    VERSION left it: the next start of the bot applies VERSION and those after to what a test
    puts in it meanwhile."""
    import shutil

    from bot.storage.database import migrate, migration_files

    older = tmp_path / "older"
    (older / "postgresql").mkdir(parents=True)
    for number, path in migration_files():
        if number < version:
            shutil.copy(path, older / path.name)
            if (path.parent / "postgresql" / path.name).exists():
                shutil.copy(path.parent / "postgresql" / path.name, older / "postgresql" / path.name)
    await migrate(database_url_for(tmp_path) or tmp_path / "quorum.db", older)

MARKUP_SHOWN = re.compile(r"</?(?:b|i|code|pre)>|&(?:lt|gt|amp|quot);")
"""What a console reader must never see unless somebody typed it: the core's own tags, or text
escaped twice (the console shows what a Telegram or Matrix member would read)."""


def assert_rendered_once(shown: str, typed: str) -> None:
    """Every tag and entity in SHOWN came from TYPED: none leaked from the core's markup, and
    nothing a member wrote was escaped into visible entities."""
    leaked = sorted({m for m in MARKUP_SHOWN.findall(shown) if m not in typed})
    assert not leaked, f"markup shown as text: {leaked}\n{shown}"


EXPORTED = re.compile(r"^\s*file: (.+)$", re.MULTILINE)


def exported(out: str) -> list[bytes]:
    """The contents of the files the bot sent in OUT (the console writes each into its
    exports folder and prints its path), in order."""
    return [Path(path).read_bytes() for path in EXPORTED.findall(out)]


def exported_csv(out: str) -> list[list[str]]:
    """The rows of the one CSV file the bot sent in OUT."""
    import csv

    files = exported(out)
    assert len(files) == 1, out
    return list(csv.reader(io.StringIO(files[0].decode("utf-8"))))


class Chat:
    def __init__(self, app: App, transport: ConsoleTransport, out: io.StringIO) -> None:
        self.app = app
        self.transport = transport
        self.out = out
        self.session = ConsoleSession(app, transport, out, echo=False)
        self.typed: list[str] = []

    @classmethod
    async def start(
        cls, tmp_path: Path, config: Config | None = None, clock: ManualClock | None = None, **overrides: Any
    ) -> Chat:
        config = config or parse_config({})
        # Scripts play a whole meeting in an instant from a few speakers: fair-use limits are
        # tested on their own (tests/scenarios/test_fair_use.py), not in every scenario.
        overrides = {"commands_burst": 1_000_000, "commands_per_minute": 1_000_000, **overrides}
        if "database_url" not in overrides:  # a test may name its own server
            overrides["database_url"] = database_url_for(tmp_path)
        config = replace(config, database=tmp_path / "quorum.db", secret="test-secret-for-tests", **overrides)
        out = io.StringIO()
        transport = ConsoleTransport(config, out)
        app = await bootstrap(config, clock or ManualClock(), Transports(transport))
        await app.start()
        return cls(app, transport, out)

    async def say(self, *lines: str) -> str:
        """Play LINES; return everything the bot printed in answer, as plain text."""
        start = len(self.transport.transcript)
        self.typed.extend(lines)
        for line in lines:
            await self.session.play(line)
        await self.settle()
        said = "\n".join(self.transport.transcript[start:])
        assert_rendered_once(said, "\n".join(self.typed))
        return said

    async def settle(self) -> None:
        import asyncio

        for _ in range(5):
            await asyncio.sleep(0)

    async def wait_for(self, fragment: str, attempts: int = 500) -> str:
        """The transcript once FRAGMENT appears in it (for work the bot does on its own)."""
        import asyncio

        for _ in range(attempts):
            text = "\n".join(self.transport.transcript)
            if fragment in text:
                return text
            await asyncio.sleep(0.01)
        raise AssertionError(f"{fragment!r} never appeared:\n{text}")

    async def advance(self, duration: str) -> str:
        delta = parse_duration(duration)
        assert delta is not None
        return await self.say(f":advance {duration}") if delta else ""

    def tick(self, delta: timedelta) -> None:
        self.app.clock.advance(delta)

    async def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self.app.reader.execute(sql, args) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows, to show an error changed nothing: but the log of seen events, the
        record of when each migration ran (wall-clock time when the database was created), the
        leases (named after the process that holds them), and the private conversations people
        are in, with their keys (bot/storage/dialogues.py: where a form is up to, which a question
        asked or ended moves without changing any record; tests/reliability/test_forms.py checks
        them). What is queued in the outbox is sent first, so that its delivery, under way in the
        background, is not taken for a change."""
        await self.app.outbox.drain()
        listed = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                  if use_postgresql() else "SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [r[0] for r in await self.query(listed)
                  if r[0] not in ("seen_events", "schema_migrations", "leases", "dialogues")]
        snapshot = {t: sorted(await self.query(f"SELECT * FROM {t}"), key=repr) for t in tables}
        # Sealed details as they open, and the data keys by whose they are: sealing draws a new key
        # and nonce each time, so two databases that hold the same differ in those bytes only.
        sealer = Sealer(self.app.config.secret or "")
        for spec in (SIGNUPS_SEALED, SIGNATURES_SEALED, VOLUNTEERS_SEALED):
            rows = await sealer.open_rows(self.app.reader, await self.app.reader.execute_fetchall(
                f"SELECT * FROM {spec.table}"), spec)
            snapshot[spec.table] = sorted((tuple(r.values()) for r in rows), key=repr)
        snapshot["data_keys"] = sorted(await self.query(
            "SELECT holder FROM data_keys WHERE holder NOT IN (SELECT holder FROM dialogues)"))
        return snapshot

    async def stop(self) -> None:
        await self.app.stop()
        assert_rendered_once("\n".join(self.transport.transcript), "\n".join(self.typed))


class DiesInChart:
    """Stands in for the chart drawing of each of CHATS: what follows a close (which has
    committed by then) gets no further in that bot, as if its process died there."""

    def __init__(self, *chats: Chat) -> None:
        self._reached = asyncio.Event()
        for chat in chats:
            chat.app.services.polls._send_chart = self  # type: ignore[method-assign]

    async def __call__(self, poll: object) -> None:
        self._reached.set()
        await asyncio.Event().wait()

    async def reached(self) -> None:
        """Once a follow-up has got this far (again, after an earlier time)."""
        await asyncio.wait_for(self._reached.wait(), 10)
        self._reached.clear()


async def add_members(chat: Chat, members: list[tuple[str, str | None]]) -> None:
    """Put MEMBERS (name, branch) on the roll and link each to the console account of that name,
    as /join would; quicker than playing a /join per member in the big scenarios."""
    app = chat.app

    links: list[tuple[str, int]] = []

    async def op(conn) -> None:  # type: ignore[no-untyped-def]
        links.clear()
        for n, (name, branch) in enumerate(members):
            inserted = await conn.execute_fetchall(
                "INSERT INTO members(name, branch, join_code, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00')"
                " RETURNING id",
                (name, branch, f"CODE-{name}-{n}"),
            )
            await conn.execute(
                "INSERT INTO identities(identity, display_name, member_id, linked_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(identity) DO UPDATE SET member_id = excluded.member_id",
                (f"console:{name}", name, inserted[0][0], "2026-01-01T00:00:00"),
            )
            links.append((f"console:{name}", inserted[0][0]))

    assert app.writer is not None
    await app.writer.run(op)
    for identity, member_id in links:
        app.services.roll.linked(identity, member_id)


async def transcript_after_outbox(chat: Chat) -> str:
    """The whole transcript once the outbox (announcements queued with a decision) is sent."""
    await chat.app.outbox.drain()
    await chat.settle()
    return "\n".join(chat.transport.transcript)


ROLL = "name,number,branch,weight\nAnn Smith,1001,North,120\nBob Jones,1002,North,80\nCat Lee,1003,South,300\n"


async def import_roll(chat: Chat, text: str = ROLL) -> dict[str, str]:
    """Put ROLL (Ann, Bob, Cat) on the roll; the join codes by first name, lower case."""
    imported = await chat.app.services.roll.import_entries(parse_roll_csv(text))
    return {name.split()[0].lower(): code for _, name, _, code in imported.rows}


async def invite_drafters(chat: Chat, drafter: str, ref: str, *people: str) -> None:
    """DRAFTER invites PEOPLE to draft motion REF, with the code the bot sends them privately."""
    out = await chat.say(f"{drafter}: /motion {ref} invite")
    found = re.search(rf"/motion {ref} draft (\S+)", out)
    assert found is not None, out
    for person in people:
        said = await chat.say(f"{person}: /motion {ref} draft {found.group(1)}")
        assert "drafter of" in said, said
