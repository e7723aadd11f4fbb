"""Edited messages (``m.replace``) on a real homeserver: an edited vote is read again, as on
Telegram; every other edited command is answered; an "edit" of someone else's message is not
theirs to make and is ignored, as clients ignore it; an edit whose original the homeserver fails
to give waits for it, holding up nothing but its sender's next words."""

from __future__ import annotations

from typing import Any

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, branch_room, command, count_line, joined, replies_to
from tests.peers.synapse import (
    FaultyProxy,
    MatrixUser,
    UserFactory,
    notice_from,
    open_direct_room,
    send_event,
    send_text,
)


async def edit(user: MatrixUser, room_id: str, original: str, text: str) -> str:
    """Edit ORIGINAL as Element does: the new text in m.new_content, a "* " fallback around it."""
    content: dict[str, Any] = {
        "msgtype": "m.text",
        "body": f"* {text}",
        "m.new_content": {"msgtype": "m.text", "body": text},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original},
    }
    return await send_event(user, room_id, "m.room.message", content)


async def test_an_edited_vote_counts_and_other_edited_commands_are_answered(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    (ann, ben), room = branch.members, branch.room_id
    await command(branch.secretary, room, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")

    # Ann votes No, then corrects her message to Yes: the edit is her vote now.
    vote_id, _ = await command(ann, room, "!vote 1 no", bot.user_id, "Your vote")
    mark = ann.mark(room)
    await edit(ann, room, vote_id, "!vote 1 yes")
    answer = await ann.wait_for_event(room, replies_to(bot.user_id, vote_id), start=mark)
    assert "Your vote" in body(answer) and "Yes" in body(answer), body(answer)
    voter = f"mx:{ann.user_id}"
    assert await bot.query("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", voter) == [("0",)]

    # Ben "edits" Ann's vote: not his message, so nothing is read from it.
    await edit(ben, room, vote_id, "!vote 1 no")
    await command(ben, room, "!polls", bot.user_id, "Strike?")  # handled after the forged edit
    assert await bot.query("SELECT count(*) FROM votes WHERE voter = ?", f"mx:{ben.user_id}") == [(0,)]
    assert await bot.query("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", voter) == [("0",)]

    # An edited command other than a vote changes nothing, and says so.
    close_id = await send_text(ann, room, "!polls")
    await ann.wait_for_event(room, replies_to(bot.user_id, close_id))
    mark = ann.mark(room)
    await edit(ann, room, close_id, "!close 1")
    answer = await ann.wait_for_event(room, replies_to(bot.user_id, close_id), start=mark)
    assert "Edits are not re-read" in body(answer), body(answer)
    assert await bot.query("SELECT closed_at IS NULL FROM polls WHERE id = 1") == [(1,)]


async def test_an_edited_secret_vote_in_an_encrypted_direct_chat_counts(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,), room = branch.members, branch.room_id
    await command(branch.secretary, room, "/poll Strike? --secret", bot.user_id, "Poll 1")
    dm = await open_direct_room(ann, bot.user_id, encrypted=True)
    await ann.wait_for_event(dm, joined(bot.user_id))

    vote_id, _ = await command(ann, dm, "/vote 1 no", bot.user_id, "Your vote in poll 1: No")
    mark = ann.mark(dm)
    await edit(ann, dm, vote_id, "/vote 1 yes")
    answer = await ann.wait_for_event(dm, replies_to(bot.user_id, vote_id), start=mark)
    assert "Your vote in poll 1: Yes" in body(answer), body(answer)

    _, result = await command(branch.secretary, room, "/close 1", bot.user_id, "Result")
    assert count_line("Yes", 1).search(body(result)) and count_line("No", 0).search(body(result)), body(result)


async def test_an_edit_whose_original_the_homeserver_fails_to_give_waits_and_holds_up_nothing_else(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    secretary, (ann,), room = branch.secretary, branch.members, branch.room_id
    await command(secretary, room, "!poll Strike? | Yes | No | Abstain", bot.user_id, "Poll 1")
    vote_id, _ = await command(ann, room, "!vote 1 yes", bot.user_id, "Your vote")

    # The homeserver (behind its proxy) fails to give the message Ann edits, so the bot cannot
    # tell yet whether the edit is hers to make. It waits, and so does what she says after it
    # (her votes count in the order she cast them); everyone else is answered meanwhile.
    fault = faulty_proxy.fail("/event/", 502)
    await edit(ann, room, vote_id, "!vote 1 no")
    await fault.met()
    await send_text(ann, room, "!vote 1 abstain")
    asked = await send_text(secretary, room, "!polls")
    assert "Strike?" in body(await secretary.wait_for_event(room, replies_to(bot.user_id, asked)))
    voter = f"mx:{ann.user_id}"
    assert await bot.query("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", voter) == [("0",)]

    mark = ann.mark(room)
    fault.heal()
    no, abstain = await ann.wait_for_events(room, notice_from(bot.user_id, containing="Your vote"), 2, start=mark)
    assert "No" in body(no) and "Abstain" in body(abstain), (body(no), body(abstain))
    assert await bot.query("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", voter) == [("2",)]
