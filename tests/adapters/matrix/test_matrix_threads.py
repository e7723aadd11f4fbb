"""Threads (``m.thread``) on a real homeserver: a message sent in a thread is answered in that
thread, where its sender is reading, not in the room's main timeline: a command's answer, and
what the bot says of its own (a message it cannot decrypt, a fault of its own, a moved room), and
a file it was asked for."""

from __future__ import annotations

from typing import Any

from nio import Event

from bot.kernel.ports import Conn
from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, branch_room, command, joined, replies_to
from tests.adapters.matrix.test_matrix_encryption import encrypted_room
from tests.adapters.matrix.test_matrix_files import a_file
from tests.peers.synapse import (
    MatrixUser,
    UserFactory,
    invite,
    notice_from,
    send_event,
    send_text,
    set_power_level,
    upgrade_room,
)

REFUSE_SQLITE = "CREATE TRIGGER refuse_votes BEFORE INSERT ON votes BEGIN SELECT RAISE(ABORT, 'the disk refused'); END"
REFUSE_POSTGRESQL = [
    """CREATE FUNCTION refuse_votes() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the disk refused'; END $$
       LANGUAGE plpgsql""",
    "CREATE TRIGGER refuse_votes BEFORE INSERT ON votes FOR EACH ROW EXECUTE FUNCTION refuse_votes()",
]


async def in_thread(user: MatrixUser, room_id: str, root: str, text: str) -> str:
    """Send TEXT in the thread of ROOT as Element does (a reply fallback to the root for
    clients without threads)."""
    content: dict[str, Any] = {
        "msgtype": "m.text",
        "body": text,
        "m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                         "m.in_reply_to": {"event_id": root}},
    }
    return await send_event(user, room_id, "m.room.message", content)


async def test_a_command_in_a_thread_is_answered_in_the_thread(start_bot: StartBot, matrix_users: UserFactory) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,), room = branch.members, branch.room_id
    await command(branch.secretary, room, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")
    root = await send_text(branch.secretary, room, "Questions about the strike ballot here, please")

    vote_id = await in_thread(ann, room, root, "!vote 1 yes")
    answer = await ann.wait_for_event(room, replies_to(bot.user_id, vote_id))
    assert "Your vote" in body(answer)
    assert answer.source["content"]["m.relates_to"] == {
        "rel_type": "m.thread", "event_id": root, "is_falling_back": False, "m.in_reply_to": {"event_id": vote_id},
    }

    top = await send_text(ann, room, "!polls")  # and one outside the thread is answered outside it
    answer = await ann.wait_for_event(room, replies_to(bot.user_id, top))
    assert answer.source["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": top}}


def in_the_thread(event: Event, root: str, reply_to: str | None) -> bool:
    """Whether EVENT was posted in the thread of ROOT: in reply to REPLY_TO, or (None) after the
    thread's latest event."""
    return event.source["content"].get("m.relates_to") == {
        "rel_type": "m.thread", "event_id": root, "is_falling_back": reply_to is None,
        "m.in_reply_to": {"event_id": reply_to or root},
    }


async def test_a_message_the_bot_cannot_decrypt_in_a_thread_is_asked_again_in_the_thread(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann")  # her client sends what it is given
    room = await encrypted_room(founder, bot.user_id, ann)
    root = await send_text(founder, room, "Questions about the strike ballot here, please")
    # Encrypted with a session whose key never reached the bot; its relation is in the clear, as
    # the specification has every client send it.
    lost = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": "Lost2key0000000000000000000000000000000000",
            "session_id": "lost-session-3", "device_id": "LOSTDEVICE", "ciphertext": "AwgAEhAAAAAA",
            "m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                             "m.in_reply_to": {"event_id": root}}}
    sent = await send_event(ann, room, "m.room.encrypted", lost)
    asked = await founder.wait_for_event(room, notice_from(bot.user_id, containing="send it again"))
    assert in_the_thread(asked, root, sent), asked.source["content"].get("m.relates_to")


async def test_sorry_for_a_fault_of_the_bots_own_is_said_in_the_thread(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,), room = branch.members, branch.room_id
    await command(branch.secretary, room, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")
    root = await send_text(branch.secretary, room, "Questions about the strike ballot here, please")
    postgresql = bot.app.config.database_url is not None

    async def refuse_votes(conn: Conn) -> None:  # the database refuses to store a vote
        for sql in REFUSE_POSTGRESQL if postgresql else [REFUSE_SQLITE]:
            await conn.execute(sql)

    await bot.app.writer.run(refuse_votes)
    vote_id = await in_thread(ann, room, root, "!vote 1 yes")
    sorry = await ann.wait_for_event(room, replies_to(bot.user_id, vote_id))
    assert "Sorry, something went wrong" in body(sorry)
    assert in_the_thread(sorry, root, vote_id), sorry.source["content"].get("m.relates_to")


async def test_a_file_asked_for_in_a_thread_comes_in_the_thread(start_bot: StartBot, matrix_users: UserFactory) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    secretary, (ann,), room = branch.secretary, branch.members, branch.room_id
    await command(secretary, room, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")
    await command(ann, room, "!vote 1 yes", bot.user_id, "Your vote")
    await command(secretary, room, "!close 1", bot.user_id, "Result")
    root = await send_text(secretary, room, "The strike ballot's result, for the minutes")

    asked = await in_thread(secretary, room, root, "!results 1 --chart")
    image, caption = a_file(bot.user_id, "m.image"), notice_from(bot.user_id, containing="Poll 1: Strike?")
    # The chart in reply to the question, its caption after it, both in the thread (the result's
    # own chart and caption, posted at the close, are in the room).
    await secretary.wait_for_event(room, lambda e: image(e) and in_the_thread(e, root, asked))
    await secretary.wait_for_event(room, lambda e: caption(e) and in_the_thread(e, root, None))


async def test_a_command_in_a_thread_of_an_upgraded_room_is_pointed_to_the_new_room_in_the_thread(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, old = branch.founder, branch.room_id
    root = await send_text(founder, old, "Questions about the strike ballot here, please")
    await set_power_level(founder, old, bot.user_id, 50)  # so that it may still post in the old room
    new = await upgrade_room(founder, old)
    await invite(founder, new, bot.user_id)
    await founder.wait_for_event(new, joined(bot.user_id))
    await bot.wait_until("SELECT count(*) FROM room_moves", 1)  # the bot refuses the old room from then on

    late = await in_thread(founder, old, root, "!polls")
    pointer = await founder.wait_for_event(old, replies_to(bot.user_id, late))
    assert "has been upgraded" in body(pointer)
    assert in_the_thread(pointer, root, late), pointer.source["content"].get("m.relates_to")
