"""A group the bot shares with other bots, as an administrator (so it sees every message, their
commands included): it answers only what is meant for it."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot
from tests.peers.telegram import TelegramPeer


async def test_another_bots_command_is_left_alone_and_a_slip_or_an_addressed_one_answered(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    weather = peer.create_bot("WeatherBot")
    group = peer.create_group("Branch", creator=olga, members=[dana, weather])
    peer.add_bot_to_group(group, olga, as_admin=True)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        theirs = peer.send_message(dana, "/weather Cardiff", group)
        assert theirs.update is not None  # an administrator sees it
        slip = peer.send_message(dana, "/hlep", group)
        said = await peer.wait_for_bot_message(group, lambda m: m.reply_to is slip)
        assert said.text == ("Unknown command /hlep: did you mean /help@QuorumTestBot? "
                             "Send /help@QuorumTestBot for the list of commands.")
        addressed = peer.send_message(dana, "/frobnicate@QuorumTestBot", group)
        said = await peer.wait_for_bot_message(group, lambda m: m.reply_to is addressed)
        assert said.text.startswith("Unknown command /frobnicate.")
        assert [m.reply_to for m in peer.bot_messages(group)] == [slip, addressed]  # nothing to /weather
    finally:
        await bot.stop()
