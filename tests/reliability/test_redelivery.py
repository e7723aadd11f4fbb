"""Redelivery: every inbound update delivered twice (also after a restart forgot the recent
ones) leaves exactly the state a single delivery leaves — no double votes, no double
signatures, no second trigger firing — and sends no second confirmation."""

from __future__ import annotations

from pathlib import Path

from adapters.console.notation import Said, read_line
from bot.events import Actor, Message, Room
from tests.helpers import Chat

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
        await chat.core.handle(event)
        if twice:
            chat.core._recent.clear()  # as after a crash: only the database remembers
            await chat.core.handle(event)
        await chat.settle()
    return list(chat.transport.transcript)


async def test_double_delivery_equals_single_delivery(tmp_path: Path) -> None:
    (tmp_path / "once").mkdir()
    (tmp_path / "twice").mkdir()
    once = await Chat.start(tmp_path / "once")
    twice = await Chat.start(tmp_path / "twice")
    try:
        said_once = await _play(once, SCRIPT, twice=False)
        said_twice = await _play(twice, SCRIPT, twice=True)
        assert await once.snapshot() == await twice.snapshot()
        assert said_once == said_twice  # not a single extra confirmation or announcement
    finally:
        await once.stop()
        await twice.stop()
