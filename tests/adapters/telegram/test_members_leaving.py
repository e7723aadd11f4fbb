"""Who belongs to a group is cached a while (a busy ballot would ask Telegram once per vote), but
a member who leaves stops counting at once: the group's ``left_chat_member`` message reaches
every bot, an administrator or not."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer


async def test_a_member_who_left_cannot_vote_privately_in_the_groups_ballot(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    started(peer, max_)
    group = group_with_bot(peer, olga, [max_])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Strike? --secret", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_command(olga, "poll", "Picket? --secret", group)
        await peer.wait_for_bot_message(group, containing="Poll 2")
        peer.send_message(max_, "/vote 1 yes")
        await peer.wait_for_bot_message(peer.private_chat(max_), containing="Your vote in poll 1")
        left = peer.remove_member(group, max_)
        assert left is None  # the bot is no administrator: no chat_member update
        before = len(peer.calls("getChatMember"))
        peer.send_message(max_, "/vote 2 yes")
        refusal = await peer.wait_for_bot_message(peer.private_chat(max_), lambda m: "poll 2" in (m.text or "")
                                                  or "member" in (m.text or ""))
        assert "Your vote in poll 2" not in (refusal.text or "")
        assert await bot.votes(2) == 0
        assert len(peer.calls("getChatMember")) == before + 1  # asked again, not taken from the cache
    finally:
        await bot.stop()
