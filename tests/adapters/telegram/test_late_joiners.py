"""A poll open to anyone in the group is for those in it when the poll opened. The bot cannot
list a group's members, but it sees them come: the ``new_chat_members`` service message reaches
every bot (privacy mode included), so someone who joins after the poll opened is refused, while
those who were there before, whom the bot never saw join, vote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer


async def test_a_member_who_joined_after_the_poll_opened_is_refused(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, max_, newcomer = peer.create_user("Olga"), peer.create_user("Max"), peer.create_user("Nina")
    group = group_with_bot(peer, olga, [max_])
    # The poll opens a minute before the group's clock reaches the join below.
    opened = datetime.fromtimestamp(peer.world.now(), UTC) - timedelta(minutes=1)
    bot = await TelegramBot.start(tmp_path, peer, clock=ManualClock(opened))
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        notice = peer.add_member(group, newcomer)
        assert notice is not None and notice.update is not None  # a service message, in privacy mode too
        peer.send_message(newcomer, "/vote 1 Yes", group)
        refusal = await peer.wait_for_bot_message(group, containing="fixed when it opened")
        assert "you joined the room after" in (refusal.text or ""), refusal.text
        peer.send_message(max_, "/vote 1 No", group)
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: No")
        assert await bot.votes(1) == 1
    finally:
        await bot.stop()
