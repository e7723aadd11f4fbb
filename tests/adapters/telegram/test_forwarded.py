"""Forwarded messages (Bot API 7.0 ``forward_origin``): someone else's words, quoted, which the
bot never takes as the forwarder's own command."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer


async def test_a_forwarded_command_is_not_acted_on(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    """A member who forwards another member's vote to the bot privately casts no vote and is
    told once, in a reply, to send the command as their own; one who forwards a command into
    the group draws no answer there."""
    peer = fast_telegram_peer
    olga, dana, ned = peer.create_user("Olga"), peer.create_user("Dana"), peer.create_user("Ned")
    started(peer, dana, ned)
    group = group_with_bot(peer, olga, [dana, ned])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        dana_votes = peer.send_command(dana, "vote", "1 Yes", group)
        await bot.wait_for_rows("SELECT count(*) FROM votes", [(1,)])

        peer.forward_message(ned, dana_votes)
        hint = await peer.wait_for_bot_message(peer.private_chat(ned), containing="forwarded")
        assert hint.text == ("That is a forwarded message, so I did not act on it: I act only on commands you "
                             "write yourself. To do it, send the command as your own message.")
        assert hint.reply_to is not None and hint.reply_to.forward_origin is not None
        assert await bot.votes(1) == 1

        quoted = peer.send_command(dana, "help", "", group)  # Dana's /help@bot, which Ned forwards
        await peer.wait_for_bot_message(group, lambda m: m.reply_to is quoted)
        said_in_group = len(peer.bot_texts(group))
        forwarded = peer.forward_message(ned, quoted, group)
        assert forwarded.update is not None  # the bot is told of it
        after = peer.send_command(ned, "help", "", group)
        await peer.wait_for_bot_message(group, lambda m: m.reply_to is after)
        assert len(peer.bot_texts(group)) == said_in_group + 1  # /help answered once: to Ned's own
        assert not [m for m in peer.bot_messages(group) if m.reply_to is forwarded]
    finally:
        await bot.stop()
