"""Fair use: one member's flood is answered once and costs the others nothing; codes cannot be
found by trying. The limits are the shipped defaults (Chat.start lifts them for other scenarios)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.kernel.events import Actor, Message, Room
from bot.kernel.limits import WRONG_CODES
from tests.helpers import Chat, import_roll, invite_drafters

DEFAULTS = {"commands_burst": 20, "commands_per_minute": 120}


async def test_a_flood_is_answered_once_a_minute_and_others_are_not_held_back(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, **DEFAULTS)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
        room = Room("console:main")
        flooder = Actor("console:zed", "zed")
        start = len(chat.transport.transcript)
        for n in range(500):
            await chat.app.handle(Message(flooder, room, f"/vote 1 {'Pizza' if n % 2 else 'Soup'}", event_id=f"z{n}"))
        out = await chat.say("ann: /vote 1 Pizza")
        assert "Your vote in poll 1: Pizza" in out  # another member is answered at once
        said = chat.transport.transcript[start:]
        assert sum("Your vote in poll 1" in line for line in said) == 20 + 1  # zed's burst, then ann's
        assert sum("faster than I take them" in line for line in said) == 1  # told once, the rest unread
        assert await chat.query("SELECT count(*) FROM seen_events") == [(20,)]  # of zed's, only the burst's
        chat.tick(timedelta(seconds=30))  # at 120 a minute, half a minute refills the burst
        out = await chat.say("zed: /vote 1 Pizza")
        assert "Your vote in poll 1: Pizza" in out
        chat.tick(timedelta(minutes=1))
        for n in range(100):
            await chat.app.handle(Message(flooder, room, "/polls", event_id=f"y{n}"))
        assert sum("faster than I take them" in line for line in chat.transport.transcript) == 2  # a minute on
    finally:
        await chat.stop()


async def test_talk_in_a_group_costs_no_share_of_the_limit(tmp_path: Path) -> None:
    """The bot sees a group's talk on Matrix (and on Telegram without privacy mode): it reads
    none of it, so a member who forwards a batch of messages still has their vote taken."""
    chat = await Chat.start(tmp_path, **DEFAULTS)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
        room = Room("console:main")
        ann = Actor("console:ann", "ann")
        start = len(chat.transport.transcript)
        for n in range(100):
            await chat.app.handle(Message(ann, room, f"I think we should talk about point {n}", event_id=f"t{n}"))
        out = await chat.say("ann: /vote 1 Soup")
        assert "Your vote in poll 1: Soup" in out, out
        assert not any("faster than I take them" in line for line in chat.transport.transcript[start:])
        assert await chat.query("SELECT count(*) FROM votes") == [(1,)]
    finally:
        await chat.stop()


async def test_join_codes_cannot_be_found_by_trying(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        codes = await import_roll(chat)
        for n in range(WRONG_CODES):
            assert "not on the roll" in await chat.say(f"ann (private): /join WXYZ-23{n:02d}")
        before = await chat.snapshot()
        out = await chat.say(f"ann (private): /join {codes['ann']}")  # even the right one, for an hour
        assert "Too many wrong join codes" in out and "try again in 60 minutes" in out
        assert await chat.snapshot() == before
        assert "Welcome, Bob Jones" in await chat.say(f"bob (private): /join {codes['bob']}")  # others are not held
        chat.tick(timedelta(hours=1))
        assert "Welcome, Ann Smith" in await chat.say(f"ann (private): /join {codes['ann']}")
    finally:
        await chat.stop()


async def test_drafting_codes_cannot_be_found_by_trying(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("ann: /motion new Save our library")
        for n in range(WRONG_CODES):
            assert "not the drafting code" in await chat.say(f"bob: /motion M1 draft WXYZ-23{n:02d}")
        out = await chat.say("bob: /motion M1 draft ABCD-EFGH")
        assert "Too many wrong drafting codes" in out
        chat.tick(timedelta(hours=1))
        await invite_drafters(chat, "ann", "M1", "bob")
    finally:
        await chat.stop()
