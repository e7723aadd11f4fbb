"""Restarts and rate limits: no vote lost or counted twice, no command replayed or skipped."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.matrix.content import message_parts
from bot.kernel.effects import Send
from bot.kernel.markup import b, lines, pre, to_html, to_plain
from bot.kernel.ports import Conn
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
    SynapseServer,
    UserFactory,
    create_room,
    limit_messages,
    notice_from,
    send_poll_response,
    send_text,
    unlimit_messages,
)

VOTES = "SELECT count(*) FROM votes WHERE poll_id = 1"


class LogSeen(logging.Handler):
    """Sets ``seen`` when a log message containing FRAGMENT is written (a retry happened)."""

    def __init__(self, fragment: str) -> None:
        super().__init__(logging.WARNING)
        self.fragment = fragment
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.fragment in record.getMessage():
            self.seen.set()


async def test_the_bot_restarted_mid_poll_loses_no_vote_and_replays_no_command(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    # A tiny timeline window, so the events sent while the bot is down overflow it and must be
    # fetched from the room's history on restart.
    bot = await start_bot(timeline_limit=2)
    branch = await branch_room(matrix_users, bot.user_id)
    secretary, (ann, ben, cat) = branch.secretary, branch.members
    room = branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await bot.wait_until(VOTES, 1)
    before_id, _ = await command(secretary, room, "!polls", bot.user_id, "Open polls")

    await bot.stop()
    await send_poll_response(ben, room, start_id, [soup])
    await send_poll_response(cat, room, start_id, [pizza])
    for n in range(3):
        await send_text(secretary, room, f"while the bot is away {n}")
    await send_poll_response(ann, room, start_id, [soup])  # ann changes her vote meanwhile
    during_id = await send_text(ben, room, "!polls")

    bot = await start_bot(timeline_limit=2)
    await ben.wait_for_event(room, replies_to(bot.user_id, during_id))
    _, result = await command(secretary, room, "!close 1", bot.user_id, "Result")
    text = body(result)
    assert count_line("Pizza", 1).search(text) and count_line("Soup", 2).search(text), text
    assert "Votes cast: 3" in text
    # The command handled before the restart was not answered again, the one sent meanwhile once.
    assert len(secretary.find_events(room, replies_to(bot.user_id, before_id))) == 1
    assert len(secretary.find_events(room, replies_to(bot.user_id, during_id))) == 1
    assert sorted(await bot.query("SELECT voter, choice FROM votes WHERE poll_id = 1")) == sorted(
        [(f"mx:{ann.user_id}", "1"), (f"mx:{ben.user_id}", "1"), (f"mx:{cat.user_id}", "0")]
    )


async def _queue(bot: RunningBot, room: str, text: str) -> None:
    """TEXT queued for ROOM as a reminder is (the outbox sends it, dedupe "reminder")."""
    now = bot.app.clock.now()

    async def queue(conn: Conn) -> None:
        await enqueue(conn, dedupe="reminder", target=f"mx:{room}", private=False, text=text, now=now)

    await bot.app.writer.run(queue)


async def test_the_homeserver_restarted_mid_poll_counts_every_vote_once(
    synapse: SynapseServer, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id)
    secretary, (ann, ben, cat) = branch.secretary, branch.members
    room = branch.room_id
    start_id, pizza, soup = await native_poll(branch, bot.user_id)
    await send_poll_response(ann, room, start_id, [pizza])
    await send_poll_response(ben, room, start_id, [pizza])
    await bot.wait_until(VOTES, 2)

    # The homeserver goes down (and comes back, as a restart does) while the bot has a
    # message to send, queued as reminders are: it is sent once the homeserver is back, exactly
    # once, however long the restart takes (the adapter's brief retries bridge a quick one, the
    # outbox's a slow one). Nothing here waits for a set time: the test waits for the homeserver
    # to answer again, then for the message to be sent.
    await asyncio.to_thread(synapse.stop)
    failed = LogSeen("could not send")
    logger = logging.getLogger("adapters.matrix.sending")
    logger.addHandler(failed)
    try:
        await _queue(bot, room, "Poll 1 closes soon.")
        bot.app.outbox.poke()
        await asyncio.wait_for(failed.seen.wait(), 30)
    finally:
        logger.removeHandler(failed)
    await asyncio.to_thread(synapse.start)
    await bot.wait_until("SELECT sent_at IS NOT NULL FROM outbox WHERE dedupe = 'reminder'", 1, within=120)

    await send_poll_response(ben, room, start_id, [soup])
    await send_poll_response(cat, room, start_id, [soup])
    _, result = await command(secretary, room, "!close 1", bot.user_id, "Result")
    text = body(result)
    assert count_line("Pizza", 1).search(text) and count_line("Soup", 2).search(text), text
    assert "Votes cast: 3" in text
    assert await bot.query(VOTES) == [(3,)]
    reminders = secretary.find_events(room, notice_from(bot.user_id, containing="closes soon"))
    assert len(reminders) == 1


async def test_replies_wait_out_rate_limiting_without_duplicates(
    start_bot: StartBot, matrix_users: UserFactory, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    admin = await matrix_users("admin", admin=True)
    room = branch.room_id
    await limit_messages(admin, bot.user_id, per_second=1, burst_count=1)
    try:
        with caplog.at_level(logging.WARNING, logger="adapters.matrix"):
            commands = [await send_text(branch.secretary, room, "!polls") for _ in range(4)]
            for event_id in commands:
                await branch.secretary.wait_for_event(room, replies_to(bot.user_id, event_id))
    finally:
        await unlimit_messages(admin, bot.user_id)
    assert any("M_LIMIT_EXCEEDED" in r.getMessage() for r in caplog.records)
    for event_id in commands:
        assert len(branch.secretary.find_events(room, replies_to(bot.user_id, event_id))) == 1


async def test_a_text_too_long_for_one_event_arrives_whole_in_parts(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder")
    room = await create_room(founder, invite=[bot.user_id])
    await founder.wait_for_event(room, joined(bot.user_id))
    bars = "\n".join(f"{n} " + "█" * 700 for n in range(100))
    text = lines(b("Round-by-round transfers"), pre(bars))

    delivered = await bot.app.transports.send(Send(f"mx:{room}", text))

    assert delivered is not None and delivered.ref
    expected = len(message_parts(to_html(text)))
    assert expected > 2
    parts = await founder.wait_for_events(room, notice_from(bot.user_id), expected)
    assert len(founder.find_events(room, notice_from(bot.user_id))) == expected
    assert parts[0].source["event_id"] == delivered.ref
    assert "\n".join(body(p) for p in parts) == to_plain(text)
