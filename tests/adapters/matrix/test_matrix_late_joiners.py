"""A poll open to anyone in the room is for those in it when the poll opened. The bot sees
members come as ``m.room.member`` events: someone who joins after the poll opened is refused,
with the core's message, while a member who was there votes, even after changing their display
name (a member event too, but no join), and so does one who was there, left and came back (a
leave is a member event with "join" before it). A join while the bot was down counts as well:
the first sync after a restart carries it."""

from __future__ import annotations

import asyncio

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import Branch, branch_room, command, joined
from tests.peers.synapse import MatrixUser, UserFactory, invite, join, leave

REFUSED = "fixed when it opened"
VOTERS = "SELECT voter FROM votes WHERE poll_id = 1 ORDER BY voter"


async def _opened(branch: Branch, bot_id: str) -> None:
    """The secretary opens poll 1; a second later (the poll's opening is kept to the second),
    anyone who joins comes after it."""
    await command(branch.secretary, branch.room_id, "!poll Strike? | Yes | No", bot_id, "Poll 1")
    await asyncio.sleep(1.1)


async def _comes(branch: Branch, newcomer: MatrixUser) -> None:
    await invite(branch.founder, branch.room_id, newcomer)
    await join(newcomer, branch.room_id)
    await branch.founder.wait_for_event(branch.room_id, joined(newcomer.user_id))


async def test_a_member_who_joined_after_the_poll_opened_is_refused(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    ann, ben = branch.members
    newcomer = await matrix_users("newcomer", encrypted=True)
    await _opened(branch, bot.user_id)
    await _comes(branch, newcomer)
    _, refusal = await command(newcomer, branch.room_id, "!vote 1 Yes", bot.user_id, REFUSED)
    assert "you joined the room after" in refusal.source["content"]["body"], refusal.source
    assert await bot.query(VOTERS) == []
    await command(ann, branch.room_id, "!vote 1 No", bot.user_id, "Your vote in poll 1: No")
    # A new display name is a member event with "join" before and after: ben was there all along.
    await ben.client.set_displayname("Benjamin")
    await branch.founder.wait_for_event(
        branch.room_id, lambda e: joined(ben.user_id)(e) and e.source["content"].get("displayname") == "Benjamin")
    await command(ben, branch.room_id, "!vote 1 Yes", bot.user_id, "Your vote in poll 1: Yes")
    assert await bot.query(VOTERS) == sorted([(f"mx:{ann.user_id}",), (f"mx:{ben.user_id}",)])


async def test_a_member_who_was_there_may_leave_and_come_back(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,) = branch.members
    newcomer = await matrix_users("newcomer", encrypted=True)
    await _opened(branch, bot.user_id)
    await _comes(branch, newcomer)
    for who in (ann, newcomer):  # each leaves and is let in again
        await leave(who, branch.room_id)
        mark = branch.founder.mark(branch.room_id)
        await _comes(branch, who)
        await branch.founder.wait_for_event(branch.room_id, joined(who.user_id), start=mark)
    await command(newcomer, branch.room_id, "!vote 1 Yes", bot.user_id, REFUSED)
    await command(ann, branch.room_id, "!vote 1 No", bot.user_id, "Your vote in poll 1: No")
    assert await bot.query(VOTERS) == [(f"mx:{ann.user_id}",)]


async def test_a_member_who_joined_while_the_bot_was_down_is_refused(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,) = branch.members
    newcomer = await matrix_users("newcomer", encrypted=True)
    await _opened(branch, bot.user_id)
    await bot.stop()
    await _comes(branch, newcomer)
    await ann.client.set_displayname("Annie")  # while the bot is down too: still no join
    bot = await start_bot()
    await command(newcomer, branch.room_id, "!vote 1 Yes", bot.user_id, REFUSED)
    await command(ann, branch.room_id, "!vote 1 No", bot.user_id, "Your vote in poll 1: No")
    assert await bot.query(VOTERS) == [(f"mx:{ann.user_id}",)]
