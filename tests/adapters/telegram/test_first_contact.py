"""People who never opened a private chat with the bot: Telegram lets a bot write only to
someone who has written to it first (403 "bot can't initiate conversation with a user")."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer


async def test_what_goes_only_privately_to_someone_never_met_is_refused_with_how_to_get_it(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Receipts and a drafting code asked for in the group go to the asker's private chat: to
    a member who never opened one, the bot says how to, instead of claiming it sent them."""
    peer = fast_telegram_peer
    olga, dana, ned = peer.create_user("Olga"), peer.create_user("Dana"), peer.create_user("Ned")
    started(peer, dana)
    group = group_with_bot(peer, olga, [dana, ned])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Strike? --secret", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_message(dana, "/vote 1 yes")
        await peer.wait_for_bot_message(peer.private_chat(dana), containing="Your vote in poll 1")
        peer.send_command(olga, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Result")

        asked = peer.send_command(ned, "receipts", "1", group)
        refusal = await peer.wait_for_bot_message(group, lambda m: m.reply_to is asked)
        assert refusal.text == ("I could not send you the receipts privately: open a private chat with me as "
                                "yourself (send me /start there), then ask again.")
        peer.send_message(ned, "/start")
        await peer.wait_for_bot_message(peer.private_chat(ned), containing="Hello!")
        again = peer.send_command(ned, "receipts", "1", group)
        said = await peer.wait_for_bot_message(group, lambda m: m.reply_to is again)
        assert said.text == "I sent you the receipts privately."
        await peer.wait_for_bot_message(peer.private_chat(ned), containing="Poll 1 receipts (1)")

        peer.send_command(olga, "motion", "new Fund the strike", group)
        await peer.wait_for_bot_message(group, containing="M1")
        invite = peer.send_command(olga, "motion", "M1 invite", group)
        refusal = await peer.wait_for_bot_message(group, lambda m: m.reply_to is invite)
        assert refusal.text == ("I could not send you the drafting code of M1 privately: open a private chat with "
                                "me as yourself (send me /start there), then ask again.")
        assert not peer.bot_texts(peer.private_chat(olga))
    finally:
        await bot.stop()
