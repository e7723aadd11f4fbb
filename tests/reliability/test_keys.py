"""The key of secret ballots and sealed data is the database's own: a voter's ballot is found by
a keyed hash of her, so a bot started with another key (a lost key file made anew, a key file
from elsewhere, a changed bot.secret) would count her a second time. Such a start is refused in
one sentence; a new key is made only for a database with nothing keyed yet. On SQLite and, with
QUORUM_TEST_DATABASE=postgresql, on PostgreSQL."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.console import ConsoleTransport
from bot.app import App, Transports, bootstrap
from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
from bot.kernel.errors import StartError
from bot.storage.database import Database
from bot.storage.keyfile import CHECK, check_value
from tests.helpers import Chat, database_env, database_url_for

ROOT = Path(__file__).resolve().parents[2]
OTHER = "another-key-of-enough-length"


async def _chat(tmp_path: Path, secret: str | None = None) -> Chat:
    config = replace(parse_config({}), database=tmp_path / "quorum.db", database_url=database_url_for(tmp_path),
                     secret=secret)
    out = io.StringIO()
    transport = ConsoleTransport(config, out)
    app = await bootstrap(config, ManualClock(), Transports(transport))
    await app.start()
    return Chat(app, transport, out)


async def _start(tmp_path: Path, secret: str | None = None) -> App:
    chat = await _chat(tmp_path, secret)
    await chat.app.stop()
    return chat.app


async def _voted(tmp_path: Path, secret: str | None = None) -> None:
    """A secret poll with ann's and bob's ballots in it, and the bot stopped."""
    chat = await _chat(tmp_path, secret)
    await chat.say("chair: /poll Strike? --secret", "ann (private): /vote 1 yes", "bob (private): /vote 1 no")
    await chat.app.stop()


async def _sql(tmp_path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    database = await Database.open(database_url_for(tmp_path) or tmp_path / "quorum.db")
    try:
        return [tuple(r) for r in await database.wconn.execute_fetchall(sql, args)]
    finally:
        await database.close()


async def _stored(tmp_path: Path) -> list[tuple[object, ...]]:
    return await _sql(tmp_path, "SELECT value FROM settings WHERE key = ?", CHECK)


async def test_a_new_database_makes_its_key_and_keeps_its_check(tmp_path: Path) -> None:
    app = await _start(tmp_path)
    key = (tmp_path / "quorum.db.key").read_text().strip()
    assert len(key) == 64 and app.secret == key
    assert await _stored(tmp_path) == [(check_value(key),)]
    assert check_value(key) != key and key not in check_value(key)
    assert (await _start(tmp_path)).secret == key  # the next start reads it back


async def test_a_lost_key_file_is_not_made_anew(tmp_path: Path) -> None:
    await _voted(tmp_path)
    (tmp_path / "quorum.db.key").rename(tmp_path / "kept.key")
    with pytest.raises(StartError, match=r"quorum\.db\.key is missing .* count secret voters twice"):
        await _start(tmp_path)
    assert not (tmp_path / "quorum.db.key").exists()
    (tmp_path / "kept.key").rename(tmp_path / "quorum.db.key")
    chat = await _chat(tmp_path)
    await chat.say("ann (private): /vote 1 yes", "chair: /close 1")
    assert "Votes cast: 2" in chat.out.getvalue()
    await chat.app.stop()


async def test_a_replaced_key_file_is_refused(tmp_path: Path) -> None:
    await _voted(tmp_path)
    (tmp_path / "quorum.db.key").write_text(OTHER + "\n")
    with pytest.raises(StartError, match=r"another key than the key file .*quorum\.db\.key"):
        await _start(tmp_path)


async def test_a_changed_secret_is_refused(tmp_path: Path) -> None:
    await _voted(tmp_path, secret="the-first-secret-of-this-bot")
    with pytest.raises(StartError, match=r"another key than bot\.secret \(or QUORUM_SECRET\)"):
        await _start(tmp_path, secret=OTHER)
    with pytest.raises(StartError, match=r"is missing"):  # nor does a new key file stand in for it
        await _start(tmp_path)


async def test_a_lost_key_is_refused_on_a_database_from_before_the_check(tmp_path: Path) -> None:
    await _voted(tmp_path)
    await _sql(tmp_path, "DELETE FROM settings WHERE key = ?", CHECK)
    (tmp_path / "quorum.db.key").unlink()
    with pytest.raises(StartError, match="is missing"):
        await _start(tmp_path)


async def test_sealed_data_under_another_key_is_refused_on_a_database_from_before_the_check(tmp_path: Path) -> None:
    chat = await _chat(tmp_path, secret="the-first-secret-of-this-bot")
    await chat.say("chair: /signup open Assembly", "zed (private): /signup S1", "zed (private): Zofia",
                   "zed (private): Riverside", "zed (private): skip", "zed (private): yes")
    await chat.app.stop()
    assert await _sql(tmp_path, "SELECT count(*) FROM data_keys") == [(1,)]
    await _sql(tmp_path, "DELETE FROM settings WHERE key = ?", CHECK)
    with pytest.raises(StartError, match="another key"):
        await _start(tmp_path, secret=OTHER)
    assert await _stored(tmp_path) == []
    await _start(tmp_path, secret="the-first-secret-of-this-bot")
    assert await _stored(tmp_path) == [(check_value("the-first-secret-of-this-bot"),)]


async def test_a_database_from_before_the_check_gets_one(tmp_path: Path) -> None:
    await _voted(tmp_path)
    await _sql(tmp_path, "DELETE FROM settings WHERE key = ?", CHECK)
    key = (tmp_path / "quorum.db.key").read_text().strip()
    await _start(tmp_path)
    assert await _stored(tmp_path) == [(check_value(key),)]


@pytest.mark.parametrize("text", ["", "\n", "short-key\n"])
async def test_a_short_key_file_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "quorum.db.key").write_text(text)
    with pytest.raises(StartError, match="at least 16"):
        await _start(tmp_path)
    assert await _stored(tmp_path) == []


async def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StartError, match=r"bot\.secret \(or QUORUM_SECRET\) holds a key of 6 characters.*at least 16"):
        await _start(tmp_path, secret="s3cret")


async def test_a_key_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "quorum.db.key").mkdir()
    with pytest.raises(StartError, match="cannot be read"):
        await _start(tmp_path)


def _quorum(cwd: Path, stdin: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "console"], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), **database_env(cwd),
                                                     **env})


def _key_file(cwd: Path) -> Path:
    """The key file of a ``quorum`` started in CWD: beside quorum.db, or quorum.key for PostgreSQL."""
    return cwd / ("quorum.key" if database_env(cwd) else "quorum.db.key")


def test_quorum_refuses_a_lost_or_changed_key_in_one_sentence(tmp_path: Path) -> None:
    first = _quorum(tmp_path, "chair: /poll Strike? --secret\nann (private): /vote 1 yes\nbob (private): /vote 1 no\n")
    assert first.returncode == 0, first.stderr
    _key_file(tmp_path).rename(tmp_path / "kept.key")
    for env in ({}, {"QUORUM_SECRET": OTHER}):
        again = _quorum(tmp_path, "ann (private): /vote 1 yes\nchair: /close 1\n", **env)
        assert again.returncode == 1 and again.stdout == ""
        assert again.stderr.count("\n") == 1 and again.stderr.startswith("quorum: ")
        assert "count secret voters twice" in again.stderr and "Traceback" not in again.stderr
    assert not (tmp_path / "quorum.db.key").exists()


def test_quorum_exits_when_the_key_file_cannot_be_read(tmp_path: Path) -> None:
    _key_file(tmp_path).mkdir()
    proc = _quorum(tmp_path, "chair: /polls\n")
    assert proc.returncode == 1 and "cannot be read" in proc.stderr and "Traceback" not in proc.stderr


async def test_a_start_that_fails_closes_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections left open (aiosqlite's threads) would keep the process from exiting."""
    opened: list[Database] = []
    real_open = Database.open

    async def open_and_note(path: object) -> Database:
        database = await real_open(path)  # type: ignore[arg-type]
        opened.append(database)
        return database

    monkeypatch.setattr(Database, "open", open_and_note)
    (tmp_path / "quorum.db.key").mkdir()
    with pytest.raises(StartError):
        await _start(tmp_path)  # refused after the database was opened
    (tmp_path / "quorum.db.key").rmdir()
    config = replace(parse_config({}), database=tmp_path / "quorum.db", database_url=database_url_for(tmp_path))
    app = await bootstrap(config, ManualClock(), Transports(ConsoleTransport(config, io.StringIO())))

    async def fails() -> None:
        raise RuntimeError("a start-up step failed")

    monkeypatch.setattr(app.rooms, "start", fails)
    with pytest.raises(RuntimeError):
        await app.start()
    assert len(opened) == 2
    for database in opened:
        with pytest.raises(Exception):  # noqa: B017, PT011 - closed: sqlite3's ValueError, asyncpg's InterfaceError
            await database.reader.execute_fetchall("SELECT 1")
