"""Threads (``m.thread``) on a real homeserver: a command sent in a thread is answered in that
thread, where its sender is reading, not in the room's main timeline."""

from __future__ import annotations

from typing import Any

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, branch_room, command, replies_to
from tests.peers.synapse import MatrixUser, UserFactory, send_event, send_text


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
