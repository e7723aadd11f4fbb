"""What people write outside a text message of their own: a command in a photo's or file's
caption, and a message sent via an inline bot (``via_bot``)."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer

HINT = ("A command in a caption is not read: to use /{name}, send it as a text message of its own, "
        "without a photo or file.")


async def test_a_command_in_a_caption_is_not_acted_on_and_its_sender_is_told_once(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """A photo or file whose caption is one of the bot's commands makes nothing and gets one
    short answer, in the group and privately, once however often Telegram delivers it; a photo
    without a command in its caption gets none."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    started(peer, dana)
    group = group_with_bot(peer, olga, [dana])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        photo = peer.send_media(olga, "/poll@QuorumTestBot Strike? | Yes | No", group)
        assert photo.update is not None  # privacy mode hears a caption's command addressed to it
        said = await peer.wait_for_bot_message(group, lambda m: m.reply_to is photo)
        assert said.text == HINT.format(name="poll@QuorumTestBot")
        peer.redeliver(photo.update)
        private = peer.private_chat(dana)
        file = peer.send_media(dana, "/vote 1 Yes", kind="document")
        said = await peer.wait_for_bot_message(private, lambda m: m.reply_to is file)
        assert said.text == HINT.format(name="vote")
        peer.send_media(dana, "the minutes, as promised")
        peer.send_media(dana, None)
        done = peer.send_command(dana, "help")
        await peer.wait_for_bot_message(private, lambda m: m.reply_to is done)
        assert [m.reply_to for m in peer.bot_messages(private)] == [file, done]
        assert [m.reply_to for m in peer.bot_messages(group)] == [photo]
        assert await bot.query("SELECT count(*) FROM polls") == [(0,)]
    finally:
        await bot.stop()


async def test_a_caption_with_another_bots_command_draws_no_answer_in_a_group(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """An administrator bot sees every caption; one with another bot's command is not its to
    answer, one with its own (bare, or a slip) is."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    weather = peer.create_bot("WeatherBot")
    group = peer.create_group("Branch", creator=olga, members=[dana, weather])
    peer.add_bot_to_group(group, olga, as_admin=True)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        theirs = peer.send_media(dana, "/weather Cardiff", group)
        other = peer.send_media(dana, "/forecast@WeatherBot", group, kind="document")
        assert theirs.update is not None and other.update is not None
        ours = peer.send_media(dana, "/poll Lunch? | Soup | Pie", group)
        said = await peer.wait_for_bot_message(group, lambda m: m.reply_to is ours)
        assert said.text == HINT.format(name="poll@QuorumTestBot")
        assert [m.reply_to for m in peer.bot_messages(group)] == [ours]
    finally:
        await bot.stop()


async def test_a_command_sent_via_an_inline_bot_is_the_senders_own(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """A member who picks a command among an inline bot's results sends it themselves: it is
    acted on as if typed."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    snippets = peer.create_bot("SnippetBot")
    group = group_with_bot(peer, olga, [dana])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        asked = peer.send_message(olga, "/poll@QuorumTestBot Strike? | Yes | No", group, via_bot=snippets)
        assert asked.update is not None and asked.to_json()["via_bot"]["username"] == "SnippetBot"
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_message(dana, "/vote@QuorumTestBot 1 Yes", group, via_bot=snippets)
        await bot.wait_for_rows("SELECT count(*) FROM votes", [(1,)])
    finally:
        await bot.stop()
