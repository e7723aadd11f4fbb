"""A result's chart reaches a Telegram group as a photo, after the result's text, through the
real python-telegram-bot Application and the peer's sendPhoto."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer


async def test_a_result_is_followed_by_its_chart_as_a_photo(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga, ann, ben = peer.create_user("Olga"), peer.create_user("Ann"), peer.create_user("Ben")
    started(peer, olga, ann, ben)
    group = group_with_bot(peer, olga, [ann, ben])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Zażółć gęślą jaźń? | Tak | Nie", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        await peer.wait_for_answer(peer.press_button(ann, ballot, "v:1:0"))
        peer.send_command(olga, "close", "1", group)
        result = await peer.wait_for_bot_message(group, containing="Result — poll 1")
        [photo] = await peer.wait_for(lambda: peer.bot_files(group), what="the chart")
        assert photo.photo and photo.caption == "Poll 1: Zażółć gęślą jaźń?"
        assert photo.message_id > result.message_id  # the text first, then its chart
        assert photo.file_data is not None and Image.open(io.BytesIO(photo.file_data)).format == "PNG"
        assert len(peer.calls("sendPhoto")) == 1
    finally:
        await bot.stop()
