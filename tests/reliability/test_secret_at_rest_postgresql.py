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
from pathlib import Path

from bot.kernel.secrecy import voter_hash
from bot.storage.writer import VoteWrite
from tests.helpers import Chat
from tests.peers.postgresql import PostgresServer
from tests.reliability.test_secret_at_rest import SECRET, Platform, five_voters, secret_rounds


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
