"""Events read again (a restart before the sync token was saved, what was held released) and
answers read late: each notice about an event goes out once, and no answer is dropped unsaid."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.adapters.matrix.running_bot import RunningBot, StartBot
from tests.adapters.matrix.scenes import body, branch_room, command, count_line, native_poll, replies_to
from tests.adapters.matrix.test_matrix_encryption import encrypted_room
from tests.peers.synapse import (
    FaultyProxy,
    MatrixUser,
    UserFactory,
    notice_from,
    send_event,
    send_poll_response,
    send_poll_start,
)

VOTES = "SELECT voter, choice FROM votes WHERE poll_id = 1"


async def told_privately(member: MatrixUser, bot: RunningBot, containing: str) -> Any:
    """The bot's private notice to MEMBER containing CONTAINING (joining the chat it opened)."""
    dm = await member.wait_for_invite()
    await member.client.join(dm)
    return await member.wait_for_event(dm, notice_from(bot.user_id, containing=containing))


def crashes_before_saving(bot: RunningBot) -> None:
    """From now on the bot handles syncs but never saves their token, as if it stopped each
    time just before: restarted, it reads everything since again. (Its encryption keys are
    saved still: they are not what is tested.)"""
    position, save_token = bot.adapter._saved_since, bot.adapter.state.save_token
    assert position is not None

    async def not_saved(next_batch: str, keys: tuple[str, str] | None = None) -> bool:
        return await save_token(position, keys)

    bot.adapter.state.save_token = not_saved  # type: ignore[method-assign]


async def test_a_message_read_again_after_a_restart_gets_no_second_request_to_send_it_again(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann")
    room = await encrypted_room(founder, bot.user_id, ann)
    mark = founder.mark(room)
    crashes_before_saving(bot)
    lost = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": "Lost0key0000000000000000000000000000000000",
            "session_id": "lost-session", "device_id": "LOSTDEVICE", "ciphertext": "AwgAEhAAAAAA"}
    await send_event(ann, room, "m.room.encrypted", lost)
    await founder.wait_for_event(room, notice_from(bot.user_id, containing="send it again"), start=mark)

    await bot.stop()
    bot = await start_bot()
    await command(founder, room, "!polls", bot.user_id, "No open polls")  # the message was read again before
    assert len(founder.find_events(room, notice_from(bot.user_id, containing="send it again"), start=mark)) == 1


async def test_an_answer_sent_before_the_close_but_held_until_after_it_is_not_dropped_unsaid(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    secretary, (ann,), room = branch.secretary, branch.members, branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "0")

    # After a restart the homeserver fails to give the poll's history: ann's change of answer,
    # sent while the poll is open, waits for it. The secretary closes the poll meanwhile.
    await bot.stop()
    fault = faulty_proxy.fail("/relations/", 502)
    bot = await start_bot(homeserver=faulty_proxy.url)
    await send_poll_response(ann, room, start_id, [soup])
    await fault.met()
    await asyncio.sleep(1.1)  # the close is kept to the second: one later, as any close a person makes
    _, result = await command(secretary, room, "!close 1", bot.user_id, "Result")
    assert count_line("Pizza", 1).search(body(result)), body(result)

    # The history comes: her answer is not counted into a result already announced, and she is
    # told plainly that it was sent in time but read too late.
    fault.heal()
    told = await told_privately(ann, bot, "before the poll closed")
    assert "too late to be counted" in body(told)
    assert await bot.query(VOTES) == [(f"mx:{ann.user_id}", "0")]


async def test_polls_members_start_in_their_client_are_left_alone_and_remembered_in_bounded_memory(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Element's own polls (MSC3381) are the members' business: the bot neither counts nor
    answers them, and remembers only so many of them as someone else's (anyone may start
    thousands); one it forgot is asked about again, never taken for one of its own."""
    bot = await start_bot()
    bot.adapter.history.foreign_kept = 2
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    secretary, (ann, ben), room = branch.secretary, branch.members, branch.room_id
    mark = secretary.mark(room)
    starts = [await send_poll_start(ann, room, f"Tea or coffee {n}?", [("t", "Tea"), ("c", "Coffee")])
              for n in range(3)]
    for start in starts:
        await send_poll_response(ben, room, start, ["t"])
    await command(secretary, room, "!polls", bot.user_id, "No open polls")
    assert len(bot.adapter.history._foreign) == 2
    await send_poll_response(ben, room, starts[0], ["c"])  # forgotten: asked about again
    await command(secretary, room, "!polls", bot.user_id, "No open polls")
    assert len(bot.adapter.history._foreign) == 2
    assert await bot.query("SELECT count(*) FROM votes") == [(0,)]
    assert len(secretary.find_events(room, notice_from(bot.user_id), start=mark)) == 2  # the two answers to !polls


async def test_a_refused_command_read_again_after_a_restart_is_not_refused_twice(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """A refusal changes nothing, but its notice is one the member already has: the command read
    again after a restart (its sync token never saved) is not answered a second time."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,), room = branch.members, branch.room_id
    mark = ann.mark(room)
    crashes_before_saving(bot)
    await command(ann, room, "!vote 7 Pizza", bot.user_id, "There is no poll 7")
    await command(ann, room, "!pols", bot.user_id, "Unknown command /pols")  # a slip, so answered in a group

    await bot.stop()
    bot = await start_bot()
    await command(ann, room, "!polls", bot.user_id, "No open polls")  # both were read again before
    assert len(ann.find_events(room, notice_from(bot.user_id, containing="There is no poll 7"), start=mark)) == 1
    assert len(ann.find_events(room, notice_from(bot.user_id, containing="Unknown command"), start=mark)) == 1


async def test_a_command_that_changes_nothing_read_again_after_a_restart_is_answered_once(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """/help, a list of polls, an explanation change nothing, yet their answers are ones the
    member already has: read again after a restart (Synapse gives the sync from the older
    token again), they are not answered a second time."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,), room = branch.members, branch.room_id
    mark = ann.mark(room)
    crashes_before_saving(bot)
    help_id, _ = await command(ann, room, "!help", bot.user_id, "list the commands")
    polls_id, _ = await command(ann, room, "!polls", bot.user_id, "No open polls")

    await bot.stop()
    bot = await start_bot()
    await command(ann, room, "!help vote", bot.user_id, "/vote")  # both were read again before
    for event_id in (help_id, polls_id):
        assert len(ann.find_events(room, replies_to(bot.user_id, event_id), start=mark)) == 1
    assert len(ann.find_events(room, notice_from(bot.user_id, containing="No open polls"), start=mark)) == 1


async def test_an_answer_held_past_the_saved_token_and_lost_with_a_restart_is_told_to_its_sender_once(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Past a day (here, at once) the saved token no longer waits for what is held: a restart
    before the homeserver answers does not read it again. Its sender is told plainly, once,
    that it did not count and to send it again; an answer read at last before the restart is
    not reported lost."""
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    secretary, (ann, ben), room = branch.secretary, branch.members, branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "0")
    await bot.stop()

    fault = faulty_proxy.fail("/relations/", 502)
    bot = await start_bot(homeserver=faulty_proxy.url, hold_position_for=0.0)
    await send_poll_response(ann, room, start_id, [soup])
    await fault.met()
    await command(secretary, room, "!polls", bot.user_id, "Open polls")  # a later sync, its token saved
    await bot.wait_until("SELECT count(*) FROM matrix_unread", 1)
    await bot.stop()  # before the homeserver answers: her change is never read again

    fault.heal()
    bot = await start_bot(homeserver=faulty_proxy.url)
    told = await told_privately(ann, bot, "did not count")
    assert "Please send it again" in body(told) and "Branch" in body(told)
    assert await bot.query(VOTES) == [(f"mx:{ann.user_id}", "0")]
    await bot.wait_until("SELECT count(*) FROM matrix_unread", 0)
    await bot.stop()
    bot = await start_bot(homeserver=faulty_proxy.url)
    await command(secretary, room, "!polls", bot.user_id, "Open polls")
    await ann.sync()
    lost = notice_from(bot.user_id, containing="did not count")
    assert sum(len(ann.find_events(r, lost)) for r in ann.client.rooms) == 1

    # Held past the token, then read at last before the bot stops: counted, and not reported lost.
    fault = faulty_proxy.fail("/relations/", 502)
    await bot.stop()
    bot = await start_bot(homeserver=faulty_proxy.url, hold_position_for=0.0)
    await send_poll_response(ben, room, start_id, [soup])
    await fault.met()
    await command(secretary, room, "!polls", bot.user_id, "Open polls")
    await bot.wait_until("SELECT count(*) FROM matrix_unread", 1)
    fault.heal()
    await bot.wait_until(f"SELECT choice FROM votes WHERE poll_id = 1 AND voter = 'mx:{ben.user_id}'", "1")
    await bot.wait_until("SELECT count(*) FROM matrix_unread", 0)
