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
        # Not a single extra confirmation, announcement or refusal: a refusal changed nothing,
        # but its reply is a message the member already has.
        assert Counter(said_twice) == Counter(said_once)
        assert any(REFUSAL in line for line in said_twice)
        assert any("has fired" in line for line in said_twice)
        assert await twice.query("SELECT count(*) FROM polls WHERE question LIKE 'T1:%'") == [(1,)]
    finally:
        await once.stop()
        await twice.stop()


async def test_a_refused_update_read_again_after_a_restart_is_not_answered_again(tmp_path: Path) -> None:
    """A refusal is recorded as handled once sent: the same update read again after a restart
    (only the database remembers) gets no second reply; a new message saying the same does."""
    chat = await Chat.start(tmp_path)
    refusals = [
        _event(0, "ann: /vote 7 Pizza"),  # no such poll: the service refuses
        _event(1, "ann: /vote"),  # a parse error
        _event(2, "ann: /pols"),  # an unknown command (a slip of /poll's name: answered in a group)
        _event(3, "ann (private): hello"),  # not a command, in a private chat
    ]
    try:
        for event in refusals:
            await chat.app.handle(event)
        await chat.settle()
        first = list(chat.transport.transcript)
        assert len(first) == len(refusals), first
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        for event in refusals:
            await chat.app.handle(event)
        await chat.settle()
        assert chat.transport.transcript == []
        # The same words as a new message are a new update: answered.
        await chat.app.handle(_event(10, "ann: /vote 7 Pizza"))
        await chat.settle()
        assert len(chat.transport.transcript) == 1 and "7" in chat.transport.transcript[0]
    finally:
        await chat.stop()
