"""No log line, at any level, links a voter of a secret ballot to their choice.

A secret poll is played with every logger of the bot at DEBUG (as ``-v`` runs it): votes,
a changed vote, a withdrawal, a proxy vote, an account linked after voting, the close. No
line (nor the traceback it carries) may name a voter beside an option of the ballot.
"""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.runtime import configure_logging
from bot.kernel.secrecy import voter_hash
from bot.storage import writer
from tests.helpers import Chat, import_roll
from tests.peers.postgresql import use_postgresql
from tests.reliability.test_secret_at_rest import SECRET


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, as ``quorum -v`` would write it."""
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in ("bot", "adapters")}
    stream = io.StringIO()
    configure_logging(True, stream)
    for handler in root.handlers:
        if handler not in before[0]:
            handler.setFormatter(_Everything())
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            if handler not in before[0]:
                root.removeHandler(handler)
        root.setLevel(before[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class _Everything(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        return line


VOTERS = ("ann", "bob", "cat", "dai", "Ann Smith", "Bob Jones", "Cat Lee", "1001", "1002", "1003")
OPTIONS = ("quokka", "wombat")


def _linking(lines: list[str]) -> list[str]:
    return [line for line in lines
            if any(v.lower() in line.lower() for v in VOTERS) and any(o in line.lower() for o in OPTIONS)]


async def test_a_secret_ballots_path_logs_no_voter_beside_a_choice(tmp_path: Path, logged: io.StringIO) -> None:
    chat = await Chat.start(tmp_path)
    try:
        codes = await import_roll(chat)
        for who in ("ann", "bob"):
            await chat.say(f"{who} (private): /join {codes[who]}")
        await chat.say("chair: /poll Mascot? | Quokka | Wombat --secret --roll --proxies 1",
                       "chair: /poll Colour? | Quokka | Wombat --secret",
                       "ann (private): /proxy 1 Bob Jones",
                       "bob (private): /vote 1 Quokka",
                       "bob (private): /vote 1 Wombat --for Ann Smith",
                       "bob (private): /vote 1 Quokka --for Ann Smith",
                       "dai (private): /vote 2 Wombat",
                       f"dai (private): /join {codes['cat']}",
                       "dai (private): /vote 2 Quokka",
                       "dai (private): /vote 1 Wombat",
                       "bob (private): /vote 1 withdraw",
                       "bob (private): /vote 1 Wombat",
                       "bob (private): /receipt 1",
                       "chair: /close 1",
                       "chair: /close 2",
                       "bob (private): /receipts 1",
                       "bob (private): /mydata")
        await chat.app.outbox.drain()
    finally:
        await chat.stop()
    assert "poll 1 closed" in logged.getvalue()  # the bot's own lines were caught
    assert _linking(logged.getvalue().splitlines()) == []


async def _refuse_wombat(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the database refuse a secret ballot for Wombat, with an error that quotes the row it
    refused, as PostgreSQL's does for a violated constraint ("Failing row contains (…)"); SQLite's
    own words quote no row, so there the writer's step is made to fail in the same words."""
    if not use_postgresql():
        write = writer._write_sqlite

        def refusing(c: sqlite3.Connection, secret: bool, rows: Any, now: str) -> None:
            for v in rows.keep:
                if secret and v.choice == "1":
                    raise sqlite3.IntegrityError(f"Failing row contains ({v.poll_id}, {v.voter}, {v.choice})")
            write(c, secret, rows, now)

        monkeypatch.setattr(writer, "_write_sqlite", refusing)
        return

    async def op(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("ALTER TABLE secret_ballots ADD CONSTRAINT no_wombat CHECK (choice <> '1') NOT VALID")

    assert chat.app.writer is not None
    await chat.app.writer.run(op)


async def test_a_failed_batch_of_secret_ballots_logs_no_ballot(
    tmp_path: Path, logged: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch the database refuses is logged (the writer's line, and the dispatcher's for each
    vote in it, at the moment its voter is told to try again), but not what it held: the error's
    own words may quote the row, a ballot's key beside its choice, which the time of the line
    would tie to the member whose message failed."""
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /poll Mascot? | Quokka | Wombat --secret")
        await _refuse_wombat(chat, monkeypatch)
        assert "something went wrong" in await chat.say("bob (private): /vote 1 Wombat")
        assert "Your vote in poll 1: Quokka" in await chat.say("bob (private): /vote 1 Quokka")
    finally:
        await chat.stop()
    log = logged.getvalue()
    assert "commit failed" in log and "failed to handle Message" in log  # the failure is still told
    ballot = voter_hash(SECRET, 1, "console:bob")[:20]  # PostgreSQL cuts a long value short
    assert ballot not in log and "Failing row contains (1" not in log, log
