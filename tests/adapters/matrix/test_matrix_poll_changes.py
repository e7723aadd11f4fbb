"""What happens to a native poll besides answers: responses and commands redacted, the poll
ended by a moderator in the client, and the bot thrown out of the room."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from nio import RoomBanResponse, RoomKickResponse, RoomRedactResponse, SyncResponse

from bot.kernel.effects import Send
from bot.kernel.ports import Conn, DeliveryRefused
from bot.storage.outbox import enqueue
from tests.adapters.matrix.running_bot import RunningBot, StartBot
from tests.adapters.matrix.scenes import (
    body,
    branch_room,
    command,
    count_line,
    joined,
    native_poll,
    replies_to,
)
from tests.peers.synapse import (
    FaultyProxy,
    MatrixUser,
    PollFormat,
    UserFactory,
    create_room,
    is_poll_end_of,
    notice_from,
    send_poll_end,
    send_poll_response,
    send_text,
)

VOTES = "SELECT voter, choice FROM votes WHERE poll_id = 1"


async def redact(user: MatrixUser, room_id: str, event_id: str) -> None:
    response = await user.client.room_redact(room_id, event_id, reason="changed my mind")
    assert isinstance(response, RoomRedactResponse), response


async def test_a_redacted_response_no_longer_counts_and_the_one_before_it_counts_again(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    ann, ben = branch.members
    room = branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)

    await send_poll_response(ann, room, start_id, [pizza])
    soup_id = await send_poll_response(ann, room, start_id, [soup])
    ben_id = await send_poll_response(ben, room, start_id, [soup], poll_format=PollFormat.STABLE)
    await bot.wait_until("SELECT count(*) FROM votes WHERE poll_id = 1 AND choice = '1'", 2)

    await redact(ann, room, soup_id)  # ann's pizza counts again
    await redact(ben, room, ben_id)  # ben has no vote left
    await bot.wait_until("SELECT count(*) FROM votes WHERE poll_id = 1", 1)
    assert await bot.query(VOTES) == [(f"mx:{ann.user_id}", "0")]

    await send_poll_response(ben, room, start_id, [pizza])
    ben_soup = await send_poll_response(ben, room, start_id, [soup])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", "1", f"mx:{ben.user_id}")

    # After a restart: a response from before it is redacted (the bot finds its poll in its
    # database), and the poll's history is read back from the homeserver.
    await bot.stop()
    bot = await start_bot()
    await redact(ben, room, ben_soup)
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", "0", f"mx:{ben.user_id}")
    later_id = await send_poll_response(ann, room, start_id, [soup])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", "1", f"mx:{ann.user_id}")
    await redact(ann, room, later_id)
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1 AND voter = ?", "0", f"mx:{ann.user_id}")
    _, result = await command(branch.secretary, room, "!close 1", bot.user_id, "Result")
    assert count_line("Pizza", 2).search(body(result)) and "Votes cast: 2" in body(result), body(result)


async def test_a_command_redacted_before_the_bot_read_it_is_ignored(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    secretary, room = branch.secretary, branch.room_id
    await bot.stop()
    typo = await send_text(secretary, room, "!poll Lunhc? | Pizza | Soup")
    await redact(secretary, room, typo)
    bot = await start_bot()
    after, _ = await command(secretary, room, "!polls", bot.user_id, "No open polls")
    assert secretary.find_events(room, replies_to(bot.user_id, typo)) == []
    assert await bot.query("SELECT count(*) FROM polls") == [(0,)]
    assert after


async def test_a_poll_ended_in_the_client_by_a_moderator_closes_with_the_result(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    secretary, (ann, ben) = branch.secretary, branch.members
    room = branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await send_poll_response(ben, room, start_id, [soup])

    # A member without the power to redact cannot end it: Element ignores that end, and so does Quorum.
    await send_poll_end(ann, room, start_id, "The poll has ended.")
    await command(ann, room, "!polls", bot.user_id, "Open polls")
    assert await bot.query("SELECT closed_at FROM polls WHERE id = 1") == [(None,)]

    mark = secretary.mark(room)
    await send_poll_end(secretary, room, start_id, "Ended.", poll_format=PollFormat.STABLE)
    result = await secretary.wait_for_event(room, notice_from(bot.user_id, containing="Result"), start=mark)
    text = body(result)
    assert count_line("Pizza", 1).search(text) and count_line("Soup", 1).search(text), text
    assert await bot.query("SELECT closed_by FROM polls WHERE id = 1") == [(f"mx:{secretary.user_id}",)]
    end = await secretary.wait_for_event(room, lambda e: is_poll_end_of(start_id)(e)
                                         and e.source.get("sender") == bot.user_id, start=mark)
    assert "Closed" in end.source["content"]["org.matrix.msc1767.text"]

    # A response after the end is not counted.
    await send_poll_response(ann, room, start_id, [soup])
    await command(secretary, room, "!results 1", bot.user_id, "Result")
    assert sorted(await bot.query(VOTES)) == sorted([(f"mx:{ann.user_id}", "0"), (f"mx:{ben.user_id}", "1")])


async def test_the_bot_kicked_out_of_a_room_tries_once_and_tells_the_organisers(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, room = branch.founder, branch.room_id
    # The bot has synced the room it joined and knows who organises it, as it does by the time
    # anything is due there (the founder seeing it join does not say so): else it would not
    # know whom to tell.
    async with asyncio.timeout(30):
        while True:
            if bot.adapter.rooms.is_organiser(room, founder.user_id):
                break
            await asyncio.sleep(0.05)
    # The sync that brings the kick is held until the first delivery is done: that delivery is
    # refused by the homeserver itself (as when a result is due before the bot has synced the
    # kick), which the bot must not retry. Unheld, a sync that came first would make the bot
    # give up without asking at all, and this part would test nothing.
    release, learnt = asyncio.Event(), asyncio.Event()
    handle_sync = bot.adapter._handle_sync

    async def held(response: SyncResponse, since: str | None) -> None:
        if room in response.rooms.leave:
            await release.wait()
        await handle_sync(response, since)
        if room in response.rooms.leave:
            learnt.set()

    bot.adapter._handle_sync = held  # type: ignore[method-assign]
    kicked = await founder.client.room_kick(room, bot.user_id, reason="testing")
    assert isinstance(kicked, RoomKickResponse), kicked
    attempts: list[str] = []
    room_send = bot.adapter.client.room_send

    async def counted(room_id: str, *args: object, **kwargs: object) -> object:
        if room_id == room:
            attempts.append(room_id)
        return await room_send(room_id, *args, **kwargs)

    bot.adapter.client.room_send = counted  # type: ignore[method-assign]
    with pytest.raises(DeliveryRefused):
        await bot.adapter.transport.deliver(Send(f"mx:{room}", "Result of poll 1"))
    assert attempts == [room]  # one attempt, no retries

    # Through the outbox (how results and reminders go out), once the bot has synced the kick
    # (it comes within one long poll): marked failed without asking the homeserver again.
    release.set()
    await asyncio.wait_for(learnt.wait(), timeout=60)
    await _through_the_outbox(bot, room, "kicked-test")
    rows = await bot.query("SELECT attempts, failed IS NOT NULL, sent_at FROM outbox WHERE dedupe = 'kicked-test'")
    assert rows == [(1, 1, None)]
    assert attempts == [room]  # the bot knows it was kicked: no attempt more

    # The organisers hear of it privately (the founder created the room: an organiser).
    assert "Branch" in body(await _told_privately(founder, bot))


async def _through_the_outbox(bot: RunningBot, room: str, dedupe: str) -> None:
    """A message for ROOM queued as DEDUPE (as results and reminders go out), and the outbox drained."""
    now = bot.app.clock.now()

    async def queue(conn: Conn) -> None:
        await enqueue(conn, dedupe=dedupe, target=f"mx:{room}", private=False, text="Poll 2 closed", now=now)

    await bot.app.writer.run(queue)
    await bot.app.outbox.drain()


async def _told_privately(organiser: MatrixUser, bot: RunningBot) -> Any:
    """The bot's private notice to ORGANISER that it can no longer post in a room."""
    dm = await organiser.wait_for_invite()
    await organiser.client.join(dm)
    return await organiser.wait_for_event(dm, notice_from(bot.user_id, containing="no longer post"))


@pytest.mark.parametrize("thrown_out", ["kicked", "banned"])
async def test_the_bot_thrown_out_while_it_was_down_still_tells_the_organisers(
    start_bot: StartBot, matrix_users: UserFactory, thrown_out: str
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, room = branch.founder, branch.room_id
    await command(founder, room, "!help", bot.user_id, "poll")  # the bot is in the room and answers
    await bot.stop()
    # Thrown out while it was down: the restarted bot never sees the room's state, only its leave.
    if thrown_out == "kicked":
        done = await founder.client.room_kick(room, bot.user_id, reason="testing")
        assert isinstance(done, RoomKickResponse), done
    else:
        done = await founder.client.room_ban(room, bot.user_id, reason="testing")
        assert isinstance(done, RoomBanResponse), done
    bot = await start_bot()
    await _through_the_outbox(bot, room, "kicked-down")
    rows = await bot.query("SELECT failed IS NOT NULL, sent_at FROM outbox WHERE dedupe = 'kicked-down'")
    assert rows == [(1, None)]
    # Its organisers are who the room's state said when the bot left it (the homeserver keeps
    # that for a former member): the founder hears of it privately, with the room's name.
    assert "Branch" in body(await _told_privately(founder, bot))


async def test_a_polls_history_the_homeserver_fails_to_give_is_read_again_not_taken_for_anothers(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,), room = branch.members, branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    soup_id = await send_poll_response(ann, room, start_id, [soup])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "1")

    # After a restart the poll's history is read again; the homeserver's proxy fails the first
    # request for it once. Ann then takes back her soup: her pizza counts again.
    await bot.stop()
    bot = await start_bot(homeserver=faulty_proxy.url)
    fault = faulty_proxy.fail("/event/", 502, times=1)
    await redact(ann, room, soup_id)
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "0")
    assert fault.failed


@pytest.mark.parametrize("status", [502, 429])
async def test_a_poll_whose_history_the_homeserver_keeps_failing_holds_up_nothing_else(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory, status: int
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    founder, secretary, (ann, ben), room = branch.founder, branch.secretary, branch.members, branch.room_id
    other = await create_room(founder, name="Finance", invite=[bot.user_id])
    await founder.wait_for_event(other, joined(bot.user_id))
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    soup_id = await send_poll_response(ann, room, start_id, [soup])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "1")

    # After a restart the poll's history must be read again, and the homeserver (behind its
    # proxy) fails to give it, again and again.
    await bot.stop()
    fault = faulty_proxy.fail("/relations/", status, retry_after_ms=500 if status == 429 else None)
    bot = await start_bot(homeserver=faulty_proxy.url)
    await redact(ann, room, soup_id)  # ann's pizza counts again, once the history comes
    await send_poll_response(ben, room, start_id, [soup])
    await send_poll_response(ben, room, start_id, [pizza], poll_format=PollFormat.STABLE)
    await fault.met()

    # Meanwhile everything else goes on: a command in another room, another in the same room.
    await command(founder, other, "!polls", bot.user_id, "Open polls")
    await command(secretary, room, "!polls", bot.user_id, "Open polls")
    assert await bot.query(VOTES) == [(f"mx:{ann.user_id}", "1")]  # nothing counted without the history

    # The history comes: what was answered meanwhile counts, each once, as it was last left.
    fault.heal()
    await bot.wait_until("SELECT count(*) FROM votes WHERE poll_id = 1 AND choice = '0'", 2)
    assert sorted(await bot.query(VOTES)) == sorted([(f"mx:{ann.user_id}", "0"), (f"mx:{ben.user_id}", "0")])
    _, result = await command(secretary, room, "!close 1", bot.user_id, "Result")
    assert count_line("Pizza", 2).search(body(result)) and "Votes cast: 2" in body(result), body(result)


async def test_answers_held_for_a_polls_history_are_counted_after_a_restart(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    secretary, (ann,), room = branch.secretary, branch.members, branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "0")

    # Ann changes her answer while the homeserver fails to give the poll's history; the bot
    # goes on syncing (it answers a command sent after her answer), then stops before the
    # history comes. Her answer was never counted, so the sync that brought it is not passed
    # for handled: the restarted bot reads it again.
    await bot.stop()
    fault = faulty_proxy.fail("/relations/", 502)
    bot = await start_bot(homeserver=faulty_proxy.url)
    await send_poll_response(ann, room, start_id, [soup])
    await fault.met()
    await command(secretary, room, "!polls", bot.user_id, "Open polls")
    assert await bot.query(VOTES) == [(f"mx:{ann.user_id}", "0")]
    await bot.stop()
    fault.heal()
    bot = await start_bot(homeserver=faulty_proxy.url)
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "1")


async def test_held_answers_keep_the_sync_token_back_only_so_long(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """A token older than the core remembers applied updates (14 days) would have a restarted
    bot apply old commands again: past a day (here, at once) the token moves on, and what is
    held counts only if the homeserver answers before the bot stops."""
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    secretary, (ann,), room = branch.secretary, branch.members, branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "0")
    await bot.stop()
    fault = faulty_proxy.fail("/relations/", 502)
    bot = await start_bot(homeserver=faulty_proxy.url, hold_position_for=0.0)
    await send_poll_response(ann, room, start_id, [soup])
    await fault.met()
    await command(secretary, room, "!polls", bot.user_id, "Open polls")  # a later sync, handled and saved
    async with asyncio.timeout(15):  # the position saved is the latest sync's, held answers or not
        while True:
            if await bot.query("SELECT next_batch FROM matrix_accounts") == [(bot.adapter.since,)]:
                break
            await asyncio.sleep(0.05)
    fault.heal()
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "1")  # counted once it comes
