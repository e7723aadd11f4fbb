"""What the homeserver refuses for good is given up at once; what time cures is left to the outbox.

A refusal the same request would get again (too large, malformed, a room that is gone) must not
be retried for days, holding back the chat's later messages: it is DeliveryRefused. A rate limit
or an outage is retried briefly by the adapter, then by the outbox's own backoff, so no sender
of the outbox is tied up waiting for a homeserver that is down.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.kernel.effects import SendFile
from bot.kernel.ports import Conn, DeliveryRefused
from bot.kernel.times import parse_iso
from bot.storage.outbox import enqueue
from tests.adapters.matrix.running_bot import RunningBot, StartBot
from tests.adapters.matrix.scenes import branch_room, command
from tests.peers.synapse import FaultyProxy, UserFactory, notice_from, set_power_level, set_power_levels

SEND = r"/rooms/[^/]+/send/"
ROWS = "SELECT dedupe, attempts, failed IS NOT NULL, sent_at IS NOT NULL FROM outbox WHERE dedupe LIKE 'refusal-%'" \
       " ORDER BY id"


async def _queue(bot: RunningBot, room: str, *texts: str) -> None:
    """TEXTS queued for ROOM in order (as results and reminders go out), dedupe refusal-1, -2, …"""
    now = bot.app.clock.now()

    async def queue(conn: Conn) -> None:
        for n, text in enumerate(texts, 1):
            await enqueue(conn, dedupe=f"refusal-{n}", target=f"mx:{room}", private=False, text=text, now=now)

    await bot.app.writer.run(queue)


@pytest.mark.parametrize(("status", "errcode"), [
    (413, "M_TOO_LARGE"), (400, "M_BAD_JSON"), (400, "M_NOT_JSON"), (404, "M_NOT_FOUND"), (400, "M_UNKNOWN"),
])
async def test_a_refusal_for_good_is_given_up_at_once_and_holds_back_nothing(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory, status: int, errcode: str
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    room = branch.room_id
    await command(branch.founder, room, "!help", bot.user_id, "poll")  # the bot is in and answers
    fault = faulty_proxy.fail(SEND, status, method="PUT", times=1, errcode=errcode)
    await _queue(bot, room, "Poll 1 closed", "Poll 2 closed")
    await asyncio.wait_for(bot.app.outbox.drain(), 30)
    assert len(fault.failed) == 1  # asked once, not again
    # The refused one is given up; the one after it is not held back.
    assert await bot.query(ROWS) == [("refusal-1", 1, 1, 0), ("refusal-2", 1, 0, 1)]
    await branch.founder.wait_for_event(room, notice_from(bot.user_id, containing="Poll 2 closed"))
    assert not branch.founder.find_events(room, notice_from(bot.user_id, containing="Poll 1 closed"))


async def test_an_outage_is_retried_briefly_then_left_to_the_outbox(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    room = branch.room_id
    await command(branch.founder, room, "!help", bot.user_id, "poll")
    fault = faulty_proxy.fail(SEND, 502, method="PUT")
    await _queue(bot, room, "Poll 1 closed", "Poll 2 closed")
    # The drain is not tied up for the outage: the adapter tries a few times, then gives it back.
    await asyncio.wait_for(bot.app.outbox.drain(), 30)
    assert len(fault.failed) >= 2  # a blip would have been bridged
    rows = await bot.query(ROWS)
    assert [r[2:] for r in rows] == [(0, 0), (0, 0)]  # neither given up nor sent: the first waits, the second behind it
    fault.heal()
    await bot.wait_until("SELECT count(*) FROM outbox WHERE dedupe LIKE 'refusal-%' AND sent_at IS NOT NULL", 2,
                         within=60)
    await branch.founder.wait_for_event(room, notice_from(bot.user_id, containing="Poll 2 closed"))
    texts = [e.source["content"]["body"] for e in branch.founder.find_events(room, notice_from(bot.user_id))]
    assert [t for t in texts if t.startswith("Poll ")] == ["Poll 1 closed", "Poll 2 closed"]  # in order, once each


async def test_a_rate_limit_longer_than_the_brief_retry_is_waited_out_by_the_outbox(
    faulty_proxy: FaultyProxy, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(homeserver=faulty_proxy.url)
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    room = branch.room_id
    await command(branch.founder, room, "!help", bot.user_id, "poll")
    fault = faulty_proxy.fail(SEND, 429, method="PUT", times=1, retry_after_ms=120_000)
    await _queue(bot, room, "Poll 1 closed")
    await asyncio.wait_for(bot.app.outbox.drain(), 30)
    assert len(fault.failed) == 1
    assert await bot.query(ROWS) == [("refusal-1", 1, 0, 0)]  # kept for later, not given up
    # For as long as the homeserver asked, not the outbox's first 5 seconds.
    rows = await bot.query("SELECT not_before FROM outbox WHERE dedupe = 'refusal-1'")
    waits = (bot.app.clock.now() - parse_iso(str(rows[0][0]))).total_seconds()
    assert -125 <= waits <= -100


async def test_a_file_over_the_homeservers_upload_limit_is_refused_for_good(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    room = branch.room_id
    too_large = b"x" * (11 * 1024 * 1024)  # the test homeserver's max_upload_size is 10M
    with pytest.raises(DeliveryRefused, match="M_TOO_LARGE"):
        await bot.adapter.transport.deliver(SendFile(f"mx:{room}", "votes.csv", too_large, private=False))


async def test_what_a_too_low_power_level_refused_is_sent_once_the_bot_is_raised(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """As on Telegram when the bot is promoted back: a room whose organisers raised the level to
    post above the bot's refuses its results (M_FORBIDDEN); they are kept, and sent once the
    bot's power level lets it post again."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, room = branch.founder, branch.room_id
    await command(founder, room, "!help", bot.user_id, "poll")
    await set_power_levels(founder, room, events_default=50)  # only moderators post: the bot is none
    async with asyncio.timeout(30):  # the bot has seen it
        while True:
            if not bot.adapter.rooms.may_post(room):
                break
            await asyncio.sleep(0.05)
    await _queue(bot, room, "Poll 1 closed")
    await asyncio.wait_for(bot.app.outbox.drain(), 30)
    rows = await bot.query("SELECT failed FROM outbox WHERE dedupe = 'refusal-1' AND sent_at IS NULL")
    assert len(rows) == 1 and str(rows[0][0]).startswith("no right to post there"), rows

    mark = founder.mark(room)
    await set_power_level(founder, room, bot.user_id, 50)
    await founder.wait_for_event(room, notice_from(bot.user_id, containing="Poll 1 closed"), start=mark)
    await bot.wait_until("SELECT sent_at IS NOT NULL FROM outbox WHERE dedupe = 'refusal-1'", 1)
    await founder.sync()
    assert len(founder.find_events(room, notice_from(bot.user_id, containing="Poll 1 closed"))) == 1
