"""Restarting on Telegram after a ballot's deadline passed while the bot was down: the start
never waits on Telegram (whose adapter begins only after it), and what was decided is still
announced in the group, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.features.polls.model import Poll
from bot.kernel.clock import ManualClock
from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer


async def test_a_motion_ballot_decided_while_the_bot_was_down_is_settled_after_the_start(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    chair, ann, bob = peer.create_user("Chair"), peer.create_user("Ann"), peer.create_user("Bob")
    group = group_with_bot(peer, chair, [ann, bob])
    clock = ManualClock()
    bot = await TelegramBot.start(tmp_path, peer, clock=clock)
    try:
        peer.send_command(chair, "motion", "new Save our library", group)
        await peer.wait_for_bot_message(group, containing="Motion M1 created")
        peer.send_command(chair, "motion", "M1 resolves To keep it open.", group)
        await peer.wait_for_bot_message(group, containing="resolves 1")
        peer.send_command(chair, "motion", "M1 mover Chair", group)
        await peer.wait_for_bot_message(group, containing="mover")
        peer.send_command(chair, "motion", "M1 seconder Ann", group)
        await peer.wait_for_bot_message(group, containing="seconder")
        peer.send_command(chair, "motion", "M1 submit", group)
        await peer.wait_for_bot_message(group, containing="is submitted")
        peer.send_command(chair, "motion", "M1 vote --closes 10m", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_command(ann, "vote", "1 yes", group)
        peer.send_command(bob, "vote", "1 yes", group)
        await bot.wait_for_rows("SELECT count(*) FROM votes WHERE poll_id = 1", [(2,)])

        # The ballot closes, and the bot goes down before the motion is settled.
        async def crash_first(poll: Poll, **_: object) -> None:
            return None

        bot.app.services.motions.settle = crash_first  # type: ignore[method-assign]
        await bot.app.advance(timedelta(minutes=11))
        await peer.wait_for_bot_message(group, containing="Result — poll 1")
    finally:
        await bot.stop()
    assert not [m for m in peer.bot_messages(group) if "is carried" in (m.text or "")]

    clock.advance(timedelta(hours=1))
    bot = await asyncio.wait_for(TelegramBot.start(tmp_path, peer, clock=clock), 30)  # it starts at all
    try:
        settled = await peer.wait_for_bot_message(group, containing="Motion M1 (Save our library) is carried")
        assert settled.text
        await asyncio.sleep(0.5)
        assert len([m for m in peer.bot_messages(group) if "is carried" in (m.text or "")]) == 1
        assert len([m for m in peer.bot_messages(group) if "Result — poll 1" in (m.text or "")]) == 1
        assert (await bot.query("SELECT status FROM motions WHERE id = 1")) == [("carried",)]
    finally:
        await bot.stop()
