"""Several bots on one PostgreSQL database: what the single writer guaranteed by being alone
now comes from the database.

Each ``Chat`` here is a whole bot (its own writer, connections, memory) on the same database,
as separate processes would be; they run in one event loop so that their transactions really
interleave on the server. These run on PostgreSQL in every run (SQLite has one process).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.kernel.events import Actor, Message, Room
from bot.storage.writer import DUPLICATE, VoteWrite
from tests.helpers import Chat, add_members
from tests.peers.postgresql import shared


async def _bots(tmp_path: Path, n: int) -> list[Chat]:
    url = shared().database_for(str(tmp_path / "shared"))
    return [await Chat.start(tmp_path, database_url=url) for _ in range(n)]


def _vote(poll_id: int, voter: str, choice: str, event_id: str | None = None) -> VoteWrite:
    return VoteWrite(poll_id=poll_id, voter=voter, choice=choice, weight=1, secret=False, event_id=event_id,
                     check=lambda: None, late=lambda: "closed")


async def test_a_close_orders_every_vote_of_every_process_before_or_after_it(tmp_path: Path) -> None:
    a, b, c = await _bots(tmp_path, 3)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup")
        outcomes: dict[str, str | None] = {}
        started, closed = asyncio.Event(), asyncio.Event()

        async def flood(bot: Chat, prefix: str) -> None:
            async def one(i: int) -> None:
                voter = f"{prefix}{i}"
                outcomes[voter] = await bot.app.writer.vote(_vote(1, voter, str(i % 2)))

            i, after = 0, 0
            while after < 3:  # waves, so batches keep committing before, around and after the close
                await asyncio.gather(*(one(k) for k in range(i, i + 40)))
                i += 40
                started.set()
                after += closed.is_set()

        async def close_midway() -> None:
            await started.wait()
            await c.app.services.polls.close(1, "chair")
            closed.set()

        await asyncio.gather(flood(a, "a"), flood(b, "b"), close_midway())
        stored = {r[0] for r in await a.query("SELECT voter FROM votes WHERE poll_id = 1")}
        acked = {v for v, outcome in outcomes.items() if outcome is None}
        assert acked == stored  # every acknowledged vote kept; nothing kept unacknowledged
        assert all(outcome in (None, "closed") for outcome in outcomes.values())
        assert 0 < len(acked) < len(outcomes)  # the close fell in the middle of the flood
        result = json.loads((await a.query("SELECT result FROM polls WHERE id = 1"))[0][0])
        assert sum(result["counts"]) == len(stored)  # counted: exactly the votes before the close
        announced = await a.query("SELECT count(*) FROM outbox WHERE dedupe LIKE 'poll:1:%'")
        assert announced == [(1,)]
        # The others still had it open in memory: closing it again is refused there, once.
        assert "already closed" in await b.say("chair: /close 1")
    finally:
        for bot in (a, b, c):
            await bot.stop()


async def test_an_update_redelivered_to_another_process_is_dropped(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup")
        assert await a.app.writer.vote(_vote(1, "ann", "0", "upd-7")) is None
        assert await b.app.writer.vote(_vote(1, "ann", "1", "upd-7")) == DUPLICATE
        assert await a.query("SELECT choice FROM votes") == [("0",)]
        # A change (opening a poll) redelivered to the other process happens once.
        opened = Message(Actor("console:chair", "chair"), Room("console:main"), "/poll Again? | Yes | No",
                         event_id="upd-8")
        await a.app.handle(opened)
        await b.app.handle(opened)
        assert await a.query("SELECT count(*) FROM polls") == [(2,)]
    finally:
        await a.stop()
        await b.stop()


async def test_votes_of_the_same_members_from_four_processes_never_deadlock(tmp_path: Path) -> None:
    bots = await _bots(tmp_path, 4)
    try:
        for _ in range(3):
            await bots[0].say("chair: /poll Q? | Yes | No")
        voters = [f"m{i}" for i in range(200)]

        async def flood(k: int) -> list[str | None]:
            order = voters if k % 2 else list(reversed(voters))  # the same rows, in opposite orders
            return await asyncio.gather(*(bots[k].app.writer.vote(_vote(p, v, str(k % 2)))
                                          for v in order for p in (3, 1, 2)))

        results = await asyncio.gather(*(flood(k) for k in range(4)))
        assert all(outcome is None for batch in results for outcome in batch)
        assert await bots[0].query("SELECT count(*) FROM votes") == [(600,)]
    finally:
        for bot in bots:
            await bot.stop()


async def test_a_trigger_fires_once_when_signatures_cross_it_in_several_processes(tmp_path: Path) -> None:
    a, b, c = await _bots(tmp_path, 3)
    members = [(f"m{i}", "North") for i in range(12)]
    try:
        await add_members(a, members)
        await a.say("chair: /trigger open recall Councillor --signatures 5 --closes 14d")
        for bot in (b, c):  # as processes started after the roll was imported
            await bot.app.services.roll.start()

        async def sign(bot: Chat, who: str) -> None:
            await bot.app.handle(Message(Actor(f"console:{who}", who), Room(f"console:@{who}", private=True),
                                         "/sign T1 yes", event_id=f"sign-{who}"))

        bots = (a, b, c)
        await asyncio.gather(*(sign(bots[i % 3], f"m{i}") for i in range(12)))
        for bot in bots:
            await bot.settle()
        said = "\n".join(line for bot in bots for line in bot.transport.transcript)
        assert said.count("crossed the threshold: it has fired") == 1
        assert await a.query("SELECT status FROM triggers") == [("fired",)]
        assert await a.query("SELECT count(*) FROM polls") == [(1,)]  # its ballot, opened once
    finally:
        for bot in (a, b, c):
            await bot.stop()
