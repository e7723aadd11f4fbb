"""Redelivery: every inbound update delivered twice (also after a restart forgot the recent
ones) leaves exactly the state a single delivery leaves — no double votes, no double
signatures, no second trigger firing — and sends no second confirmation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from adapters.console.notation import Said, read_line
from bot.kernel.events import Actor, Message, Room
from tests.helpers import Chat, add_members

REFUSAL = "has already fired"
MEMBERS = [("ann", "North"), ("bob", "South"), ("cat", "North")]

SCRIPT = [
    "chair: /poll Lunch? | Pizza | Soup --closes 2h",
    "ann: /vote 1 Pizza",
    "bob: /vote 1 Soup",
    "ann: /vote 1 Soup",
    "chair: /poll Strike? --secret",
    "ann (private): /vote 2 yes",
    "bob (private): /vote 2 no",
    "bob (private): /vote 2 yes",
    "chair: /poll Committee | A | B | C --ranked",
    "ann (private): /rank 3 2 1",
    "chair: /close 2",
    "chair: /close 3",
    "chair: /motion new Free movement",
    "chair: /motion M1 resolves to campaign for free movement",
    "chair: /motion M1 status carried",
    "chair: /campaign M1 open --branches 2",
    "ann (private): /sign M1 yes",
    "bob (private): /sign M1 yes North",
    "ann (private): /unsign M1",
    "chair: /trigger open recall Councillor --signatures 2 --closes 14d",
    "ann (private): /sign T1 yes",
    "bob (private): /sign T1 yes",
    "cat (private): /sign T1 yes",
]


def _event(n: int, line: str) -> Message:
    said = read_line(line)
    assert isinstance(said, Said)
    if said.room == "":
        room = Room(f"console:@{said.who}", private=True)
    else:
        room = Room(f"console:{said.room or 'main'}")
    return Message(Actor(f"console:{said.who}", said.who), room, said.text, event_id=f"upd-{n}")


async def _play(chat: Chat, lines: list[str], twice: bool) -> list[str]:
    for n, line in enumerate(lines):
        event = _event(n, line)
        await chat.app.handle(event)
        if twice:
            chat.app.dispatcher._recent.clear()  # as after a crash: only the database remembers
            await chat.app.handle(event)
        await chat.settle()
    await chat.app.outbox.drain()  # both runs compared once all that was queued is sent
    return list(chat.transport.transcript)


async def test_double_delivery_equals_single_delivery(tmp_path: Path) -> None:
    (tmp_path / "once").mkdir()
    (tmp_path / "twice").mkdir()
    once = await Chat.start(tmp_path / "once")
    twice = await Chat.start(tmp_path / "twice")
    try:
        await add_members(once, MEMBERS)
        await add_members(twice, MEMBERS)
        # The same lines, but for where each run keeps its exported files (charts).
        said_once = [s.replace(str(tmp_path / "once"), "DIR") for s in await _play(once, SCRIPT, twice=False)]
        said_twice = [s.replace(str(tmp_path / "twice"), "DIR") for s in await _play(twice, SCRIPT, twice=True)]
        assert await once.snapshot() == await twice.snapshot()
        # Not a single extra confirmation or announcement. (A refusal, which changed nothing and
        # so left no trace, may be answered again when its update comes again.)
        extra = Counter(said_twice) - Counter(said_once)
        assert set(said_twice) == set(said_once)
        assert all(REFUSAL in line for line in extra), extra
        assert any("has fired" in line for line in said_twice)
        assert await twice.query("SELECT count(*) FROM polls WHERE question LIKE 'T1:%'") == [(1,)]
    finally:
        await once.stop()
        await twice.stop()
