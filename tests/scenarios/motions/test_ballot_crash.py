"""A ballot and the amendment or motion it decides are linked in the one transaction that opens
it: if the bot dies straight after (before the ballot is even posted), the restarted bot knows
which ballot decides what, posts it, and settles it when it closes; no decision is stranded
"voting"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.features.polls.service import POST_CLAIM
from bot.storage.outbox import backoff
from tests.helpers import Chat, use_postgresql


class Died(Exception):
    """The process dies: no write after the poll's own lands."""


async def _dies_after_the_poll_opens(chat: Chat, line: str) -> None:
    writer = chat.app.writer
    real = writer.run

    died = []

    async def run(op: Any, *args: Any, **kwargs: Any) -> Any:
        if await chat.query("SELECT count(*) FROM polls") != [(0,)]:
            died.append(op)
            raise Died
        return await real(op, *args, **kwargs)

    writer.run = run  # type: ignore[method-assign]
    try:
        await chat.session.play(line)  # the bot logs what it was doing when it died
    finally:
        del writer.run  # type: ignore[attr-defined]
    assert died, "the poll was never opened"


async def _posted_after_the_crash(chat: Chat) -> None:
    """The ballot the crash kept from the room is posted now (on a shared database once the dead
    process's claim on posting it has run out)."""
    if use_postgresql():
        chat.tick(backoff(1) + POST_CLAIM)
    await chat.app.scheduler.run_due()
    assert await chat.query("SELECT poll_id FROM poll_messages") == [(1,)]


async def test_an_amendment_ballot_opened_just_before_a_crash_decides_it(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("ann: /motion new Fund schools", "ann: /motion M1 resolves To campaign for funding.",
                   'bob: /amend M1 resolves 1 replace "campaign" with "fight"', "cat: /amendment A1 second")
    await _dies_after_the_poll_opens(chat, "chair: /amendment A1 vote --closes 10m")
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        assert await chat.query("SELECT status, poll_id FROM amendments") == [("voting", 1)]
        await _posted_after_the_crash(chat)
        await chat.say("ann: /vote 1 Yes")
        assert "A1 to M1 is carried and applied" in await chat.advance("11m")
        assert "To fight for funding." in await chat.say("ann: /motion M1 show")
    finally:
        await chat.stop()


async def test_a_motion_ballot_opened_just_before_a_crash_decides_it(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("ann: /motion new Fund schools", "ann: /motion M1 resolves To campaign for funding.",
                   "ann: /motion M1 mover Ann", "ann: /motion M1 seconder Bob", "ann: /motion M1 submit")
    await _dies_after_the_poll_opens(chat, "chair: /motion M1 vote --closes 10m")
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        assert await chat.query("SELECT status, vote_poll_id FROM motions") == [("debated", 1)]
        await _posted_after_the_crash(chat)
        before = await chat.snapshot()
        assert "already being voted on (poll 1)" in await chat.say("chair: /motion M1 vote --closes 10m")
        assert await chat.snapshot() == before
        await chat.say("ann: /vote 1 Yes")
        assert "M1 (Fund schools) is carried" in await chat.advance("11m")
    finally:
        await chat.stop()
