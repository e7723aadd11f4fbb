"""On PostgreSQL, too, no transaction that writes a secret ballot writes anything that names its
voter.

Every row PostgreSQL stores carries ``xmin``, the id of the transaction that wrote it, and keeps
it (frozen or not, its transaction is still the same for rows written together): had a ballot
and its voter's name been written in one transaction, ``xmin`` would join them for as long as
both rows are unchanged. So after each vote, every row written by the ballot's transaction, in
every table, is read and must hold none of the voter's identifiers. This runs on the suite's
PostgreSQL whichever database the rest of the run uses.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.features.polls.service import PollService
from bot.kernel.secrecy import voter_hash
from bot.storage.writer import VoteWrite
from tests.helpers import Chat
from tests.peers.postgresql import PostgresServer
from tests.reliability.test_secret_at_rest import (
    SECRET,
    Platform,
    Unreachable,
    _remind_in_secret,
    five_voters,
    secret_rounds,
)


async def _written_with(chat: Chat, ballot: str) -> list[str]:
    """Every row, in any table, written by the transaction that last wrote BALLOT, as text."""
    xmin = await chat.query("SELECT xmin::text FROM secret_ballots WHERE voter = ?", ballot)
    assert len(xmin) == 1, "the ballot was not found"
    tables = [r[0] for r in await chat.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
    rows: list[str] = []
    for table in tables:
        rows += [repr(r) for r in await chat.query(f"SELECT * FROM {table} WHERE xmin::text = ?", xmin[0][0])]
    return rows


async def test_no_transaction_that_writes_a_secret_ballot_identifies_its_voter(
    tmp_path: Path, postgresql: PostgresServer
) -> None:
    chat = await Chat.start(tmp_path, database_url=postgresql.database_for(str(tmp_path) + "/secret"))
    voters = five_voters()
    try:
        checked = 0
        async for v, ballot in secret_rounds(chat, voters, {name: Platform(name) for name in ("tg", "mx")}):
            together = await _written_with(chat, ballot)
            assert any(ballot in row for row in together)
            for row in together:
                for identifier in v.identifiers():
                    assert identifier.decode() not in row, (v.actor.id, identifier, row)
            checked += 1
        assert checked == len(voters) * 3
        # The open votes were written too, each in a transaction of its own kind.
        assert await chat.query("SELECT count(*) FROM votes WHERE poll_id = 1") == [(len(voters),)]
    finally:
        await chat.stop()


async def test_a_batch_with_secret_and_open_votes_commits_them_apart(
    tmp_path: Path, postgresql: PostgresServer
) -> None:
    """The writer is held while an open vote (with its voter's new name) and that voter's secret
    ballot queue up, so both reach it in one batch: they are committed in two transactions."""
    chat = await Chat.start(tmp_path, database_url=postgresql.database_for(str(tmp_path) + "/batch"))
    writer = chat.app.writer
    assert writer is not None
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup", "chair: /poll Strike? --secret")
        gate = asyncio.Event()

        async def hold(conn: object) -> None:
            await gate.wait()

        ballot = voter_hash(SECRET, 2, "tg:739182645")
        held = asyncio.create_task(writer.run(hold))
        await asyncio.sleep(0)
        votes = [
            VoteWrite(1, "tg:739182645", "Soup", 1, False, "tg:m1", lambda: None, identity=("tg:739182645", "Olga")),
            VoteWrite(2, ballot, "Yes", 1, True, "tg:m2", lambda: None, receipt="R-1"),
            VoteWrite(1, "tg:604417293", "Pizza", 1, False, "tg:m3", lambda: None, identity=("tg:604417293", "Rhodri")),
        ]
        queued = [asyncio.create_task(writer.vote(v)) for v in votes]
        await asyncio.sleep(0)
        batches = writer.batches
        gate.set()
        await held
        assert await asyncio.gather(*queued) == [None, None, None]
        assert writer.batches == batches + 4  # the hold; then the open, the secret and the open vote apart
        together = await _written_with(chat, ballot)
        assert any(ballot in row for row in together)
        for row in together:
            for identifier in ("739182645", "Olga", "604417293", "Rhodri", "tg:m"):
                assert identifier not in row, (identifier, row)
    finally:
        await chat.stop()


# -- the order of the votes, after the close -------------------------------------------------------

VOTERS = ["nadia", "bartek", "zofia", "aled", "morag", "kwame", "ines", "cerys", "tomasz", "grace"]


async def _order(chat: Chat, table: str, column: str) -> list[str]:
    """TABLE's COLUMN for poll 1, in the order the rows lie in the table."""
    return [r[0] for r in await chat.query(f"SELECT {column} FROM {table} WHERE poll_id = 1 ORDER BY ctid")]


async def _in_key_order(chat: Chat, table: str, column: str) -> list[str]:
    return [r[0] for r in await chat.query(f"SELECT {column} FROM {table} WHERE poll_id = 1 ORDER BY {column}")]


async def _vote_secretly(chat: Chat) -> list[str]:
    """Each of VOTERS votes in the secret poll 1, one after another; their ballots' keys in that order."""
    await chat.say("chair: /poll Strike? --secret")
    for i, name in enumerate(VOTERS):
        said = await chat.say(f"{name} (private): /vote 1 {'yes' if i % 3 else 'no'}")
        assert "Your vote in poll 1" in said
    arrived = [voter_hash(SECRET, 1, f"console:{name}") for name in VOTERS]
    assert await _order(chat, "secret_ballots", "voter") == arrived  # what a copy would show, while open
    assert arrived != await _in_key_order(chat, "secret_ballots", "voter")
    return arrived


async def _assert_settled(chat: Chat) -> None:
    """Poll 1's ballots lie in key order, all written by one transaction that wrote nothing else
    but the note that it was done. No receipt is stored: each is made from its ballot's key."""
    assert await _order(chat, "secret_ballots", "voter") == await _in_key_order(chat, "secret_ballots", "voter")
    written = {r[0] for r in await chat.query("SELECT xmin::text FROM secret_ballots WHERE poll_id = 1")}
    assert len(written) == 1, written
    tables = [r[0] for r in await chat.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
    together = {t for t in tables if await chat.query(f"SELECT 1 FROM {t} WHERE xmin::text = ?", *written)}
    assert together == {"secret_ballots", "settled_polls"}, together
    assert len(await chat.query("SELECT voter FROM secret_ballots WHERE poll_id = 1")) == len(VOTERS)
    assert await chat.query("SELECT count(*) FROM receipts WHERE poll_id = 1") == [(0,)]


async def test_a_closed_secret_poll_keeps_no_trace_of_the_order_its_voters_voted_in(
    tmp_path: Path, postgresql: PostgresServer
) -> None:
    """A table on PostgreSQL keeps rows where they arrived (ctid), each with the id of the
    transaction that wrote it (xmin): while a secret poll is open, a copy of the database shows
    in what order its ballots came. Once it is closed the ballots are rewritten in key order by
    one transaction, and (no secret poll
    being open any more) the tables are rewritten whole, so the old versions leave their files."""
    chat = await Chat.start(tmp_path, database_url=postgresql.database_for(str(tmp_path) + "/order"))
    try:
        arrived = await _vote_secretly(chat)
        await chat.say("chair: /close 1")
        await chat.app.services.polls.settled()
        await _assert_settled(chat)
        # The table's file holds each ballot once: no dead version left in the order of arrival.
        await chat.query("CHECKPOINT")
        relation = (await chat.query("SELECT pg_relation_filepath('secret_ballots')"))[0][0]
        data = (postgresql.data / relation).read_bytes()
        assert [data.count(key.encode()) for key in arrived] == [1] * len(arrived)
        # The count is as it was: 6 for, 4 against.
        result = await chat.say("chair: /results 1")
        assert "Votes cast: 10" in result and "(6 for, 4 against)" in result
    finally:
        await chat.stop()


async def test_a_rewrite_cut_short_is_made_at_the_next_start(
    tmp_path: Path, postgresql: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgresql.database_for(str(tmp_path) + "/restart")
    chat = await Chat.start(tmp_path, database_url=url)
    try:
        with monkeypatch.context() as patched:
            async def crash(self: PollService, poll_id: int) -> None:  # the process dies before it
                del self, poll_id

            patched.setattr(PollService, "_settle", crash)
            arrived = await _vote_secretly(chat)
            await chat.say("chair: /close 1")
            assert await _order(chat, "secret_ballots", "voter") == arrived
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path, database_url=url)
    try:
        await _assert_settled(chat)
        assert await chat.query("SELECT poll_id FROM settled_polls") == [(1,)]
    finally:
        await chat.stop()


async def test_a_secret_polls_reminders_are_never_rows_and_a_waiting_round_goes_with_the_close(
    tmp_path: Path, postgresql: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each private reminder of a secret poll would name one who had not voted: none is ever a
    row (the round is a walk, worked out as it is sent, naming nobody; see
    test_secret_at_rest.py for what a waiting round writes), and a round still waiting when the
    poll closes goes with the close."""
    chat = await Chat.start(tmp_path, database_url=postgresql.database_for(str(tmp_path) + "/remind"))
    try:
        await _remind_in_secret(chat)
        assert await chat.query("SELECT count(*) FROM outbox WHERE private = 1") == [(0,)]
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]
        monkeypatch.setattr(chat.transport, "deliver", Unreachable(chat))
        assert "on their way to 2 members" in await chat.say("chair: /remind 1")
        await chat.app.outbox.drain()
        assert await chat.query("SELECT count(*) FROM outbox WHERE private = 1") == [(0,)]
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(1,)]
        assert "Result" in await chat.say("chair: /close 1")
        await chat.app.services.polls.settled()
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]
    finally:
        await chat.stop()


async def test_the_servers_own_log_keeps_no_refused_secret_ballot_once_told_as_the_readme_says(
    tmp_path: Path, postgresql: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused row's error quotes the row in its DETAIL, and the server writes it into its own
    log. The bot logs none of it (tests/reliability/test_secret_logs.py) and, at each start, says
    how to tell the server to do the same; done as the README says, a refused secret ballot leaves
    the server's log without its key or its choice."""
    url = postgresql.database_for(str(tmp_path) + "/terse")
    caplog.set_level(logging.WARNING, logger="bot.storage.postgres")
    chat = await Chat.start(tmp_path, database_url=url)
    await chat.stop()
    database = url.rsplit("/", 1)[1]
    assert f"ALTER DATABASE {database} SET log_error_verbosity = terse" in caplog.text

    postgresql.as_superuser(f"ALTER DATABASE {database} SET log_error_verbosity = terse")
    caplog.clear()
    chat = await Chat.start(tmp_path, database_url=url)
    try:
        assert "log_error_verbosity" not in caplog.text
        await chat.say("chair: /poll Mascot? | Quokka | Wombat --secret")
        await chat.query("ALTER TABLE secret_ballots ADD CONSTRAINT no_wombat CHECK (choice <> '1') NOT VALID")
        before = postgresql.log_path.stat().st_size
        assert "something went wrong" in await chat.say("bob (private): /vote 1 Wombat")
        await asyncio.sleep(0.2)  # the server writes its log as it goes; let it land
        logged = postgresql.log_path.read_bytes()[before:].decode(errors="replace")
    finally:
        await chat.stop()
    assert "no_wombat" in logged, logged  # the refusal did reach the server's log
    ballot = voter_hash(SECRET, 1, "console:bob")
    assert "Failing row" not in logged and ballot[:16] not in logged, logged
