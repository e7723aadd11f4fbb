"""A message too long for one goes in parts; when a later part fails, the retry resumes with the
first part not yet sent, after a restart too: no reader sees a part twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from bot.kernel.markup import b, lines, pre
from bot.kernel.ports import Conn
from bot.storage.outbox import enqueue
from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer


async def test_a_long_message_whose_later_part_failed_resumes_after_the_parts_sent(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    group = group_with_bot(peer, olga, [])
    clock = ManualClock()
    bot = await TelegramBot.start(tmp_path, peer, clock=clock)
    rows = "\n".join(f"round {n:4}: transfer {n * 7:6} votes" for n in range(400))
    try:
        peer.bad_gateway("sendMessage", after=1, times=5)  # the first part goes; every try of the second fails

        async def queue(conn: Conn) -> None:
            await enqueue(conn, dedupe="count", target=f"tg:{group.id}", private=False,
                          text=lines(b("Count"), pre(rows), "The end."), now=clock.now())

        await bot.app.writer.run(queue)
        bot.app.outbox.poke()
        await bot.wait_for_rows("SELECT attempts, parts_sent, sent_at IS NULL FROM outbox WHERE dedupe = 'count'",
                                [(1, 1, 1)], within=30)
        assert len(peer.bot_messages(group)) == 1
    finally:
        await bot.stop()

    clock.advance(timedelta(minutes=1))  # past the retry's wait
    bot = await TelegramBot.start(tmp_path, peer, clock=clock)
    try:
        await bot.wait_for_rows("SELECT sent_at IS NOT NULL FROM outbox WHERE dedupe = 'count'", [(1,)], within=20)
        parts = peer.bot_messages(group)
        shown = "".join(m.text or "" for m in parts)
        assert len(parts) >= 3 and shown.count("round") == 400 and shown.count("Count") == 1
        assert parts[-1].text.endswith("The end.")
    finally:
        await bot.stop()
