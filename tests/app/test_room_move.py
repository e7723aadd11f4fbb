"""A room that moves to a new id takes everything of it along, in one transaction: polls,
motions, campaigns, trigger campaigns, sign-up forms, pools, waiting outbox messages, and the
organisers configured for it. Open ballots are posted again in the new room and go on there."""

from __future__ import annotations

from pathlib import Path

from bot.app.transports import RoomDirectory, Transports
from bot.storage.outbox import enqueue
from tests.helpers import Chat, add_members

ROOM_TABLES = ("polls", "motions", "campaigns", "triggers", "signup_forms", "pools")


async def _rooms(chat: Chat) -> dict[str, set[str]]:
    return {t: {r[0] for r in await chat.query(f"SELECT room FROM {t}")} for t in ROOM_TABLES}


async def test_everything_of_a_room_moves_at_once_and_goes_on_there(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await add_members(chat, [(f"m{i}", "Riverside") for i in range(5)])
        await chat.say(
            "chair: /poll Lunch? | Pizza | Soup --closes 1h",
            "ann: /vote 1 Pizza",
            "chair: /motion new Fund our schools",
            "chair: /motion M1 resolves To support the national campaign for school funding.",
            "chair: /motion M1 status carried",
            "chair: /campaign M1 open --branches 2",
            "chair: /trigger open recall Cllr Smith --signatures 3 --closes 5d",
            "chair: /signup open Assembly",
            "chair: /pool new Assembly | gender: f, m",
            "chair #elsewhere: /poll Elsewhere? | A | B",
        )
        assert (await _rooms(chat))["polls"] == {"console:main", "console:elsewhere"}

        async def queue(conn) -> None:  # type: ignore[no-untyped-def]
            await enqueue(conn, dedupe="waiting", target="console:main", private=False, text="Later.",
                          now=chat.app.clock.now())

        await chat.app.outbox.stop()  # so the message is still waiting when the room moves
        await chat.app.writer.run(queue)
        start = len(chat.transport.transcript)
        assert await chat.app.move_room("console:main", "console:hall")
        moved = "\n".join(chat.transport.transcript[start:])

        rooms = await _rooms(chat)
        assert rooms["polls"] == {"console:hall", "console:elsewhere"}
        for table in ROOM_TABLES[1:]:
            assert rooms[table] == {"console:hall"}, table
        assert await chat.query("SELECT target FROM outbox WHERE dedupe = 'waiting'") == [("console:hall",)]
        assert await chat.query("SELECT old_room, new_room FROM room_moves") == [("console:main", "console:hall")]
        # The open ballot is posted again in the new room, with the vote already cast counted.
        assert "[#hall] bot: " in moved and "Poll 1" in moved and "Lunch?" in moved
        assert "1 voted so far" in moved or "Pizza — 1" in moved, moved
        assert await chat.query("SELECT room FROM poll_messages WHERE poll_id = 1") == [("console:hall",)]

        # A second notice of the same move changes nothing.
        before = await chat.snapshot()
        assert not await chat.app.move_room("console:main", "console:hall")
        assert await chat.snapshot() == before

        out = await chat.say("bob #hall: /vote 1 Soup")
        assert "Your vote in poll 1: Soup" in out
        out = await chat.say("bob #main: /vote 1 Soup")  # the old room takes nothing, and says where it went
        assert "This room has been upgraded and continues in hall" in out, out
        out = await chat.say("chair #hall: /close 1")
        assert "Result — poll 1" in out and "[#hall]" in out
    finally:
        await chat.stop()


async def test_a_move_survives_a_restart_and_organisers_follow_the_room(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h")
    assert await chat.app.move_room("console:main", "console:hall")
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        assert "console:main" in chat.app.rooms._directory._moved_from["console:hall"]
        out = await chat.say("ann #hall: /vote 1 Soup")
        assert "Your vote in poll 1: Soup" in out
    finally:
        await chat.stop()


async def test_configured_organisers_organise_the_room_it_moved_to_and_its_topics() -> None:
    directory = RoomDirectory({"tg:-42": ("tg:7",)}, Transports())
    assert not await directory.is_organiser("tg:7", "tg:-100")
    directory.alias("tg:-42", "tg:-100")
    assert await directory.is_organiser("tg:7", "tg:-100")
    assert await directory.is_organiser("tg:7", "tg:-100/12")  # a forum topic of the group
    directory.alias("tg:-100", "tg:-200")  # moved again: the first id still counts
    assert await directory.is_organiser("tg:7", "tg:-200")
    assert not await directory.is_organiser("tg:8", "tg:-200")



MOVED = "This room has been upgraded and continues in hall: its polls are there, and nothing sent to the old " \
        "room counts any more. Please send it there."


async def test_the_old_room_takes_no_new_work_and_says_once_where_the_room_went(tmp_path: Path) -> None:
    """Nothing is made in a room that moved (nobody would see it where the room meets now), and
    nothing of what moved is worked on from there: one message, naming the new room."""
    chat = await Chat.start(tmp_path)
    try:
        await add_members(chat, [(f"m{i}", "Riverside") for i in range(3)])
        await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h", "chair: /motion new Fund our schools")
        assert await chat.app.move_room("console:main", "console:hall")
        before = await chat.snapshot()
        for line in [
            "chair #main: /poll New? | A | B",
            "chair #main: /motion new Another motion",
            "chair #main: /signup open Assembly",
            "chair #main: /pool new Assembly | gender: f, m",
            "chair #main: /trigger open recall Cllr Smith --signatures 3 --closes 5d",
            "chair #main: /campaign M1 open --branches 2",
            "ann #main: /vote 1 Soup",
            "ann #main: /vote 1 A0",
            "chair #main: /close 1",
            "ann #main: /motion M1 show",
            "ann #main: /help",
        ]:
            out = await chat.say(line)
            replies = [ln for ln in out.splitlines() if " bot: " in ln]
            assert len(replies) == 1 and MOVED in out and "[#main]" in replies[0], (line, out)
            assert await chat.snapshot() == before, line
        out = await chat.say("ann #main: just talking")  # what is not for the bot stays unread
        assert " bot: " not in out
        out = await chat.say("ann (private): /vote 1 Soup")  # privately, the poll is the new room's
        assert "Your vote in poll 1: Soup" in out, out
    finally:
        await chat.stop()
