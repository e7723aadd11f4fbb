"""The log never carries a ballot's content or who cast it, even at debug level.

The bot logs as ``quorum -v`` has it log (``configure_logging``), while members cast a secret
ballot through the real python-telegram-bot Application: the captured log holds the bot's own
lines, but no choice, no member's name and no member's or chat's id (the libraries log every Bot
API call with its parameters at that level, unless held back).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer


async def test_a_secret_ballot_at_debug_level_leaves_nothing_in_the_log(
    tmp_path: Path, fast_telegram_peer: TelegramPeer, debug_log: io.StringIO
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    voters = [peer.create_user("Gwenllian", "Price"), peer.create_user("Bartholomew", "Quist")]
    group = group_with_bot(peer, organiser, voters)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Strike? | Quince tart | Rhubarb crumble --secret", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        for voter, choice in zip(voters, ("Quince", "Rhubarb"), strict=True):
            peer.send_command(voter, "vote", f"1 {choice}")
            await peer.wait_for_bot_message(peer.private_chat(voter), containing="Your vote in poll 1")
        peer.send_command(organiser, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Result — poll 1")
    finally:
        await bot.stop()
    log = debug_log.getvalue()
    assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)  # the bot's own debug lines are on
    for secret in ("Quince", "Rhubarb", "Gwenllian", "Bartholomew", peer.token,
                   *(str(v.id) for v in voters), str(group.id)):
        assert secret not in log, secret


async def test_an_update_the_bot_cannot_read_is_logged_without_its_sender_or_text(
    tmp_path: Path, fast_telegram_peer: TelegramPeer, debug_log: io.StringIO
) -> None:
    """An update python-telegram-bot cannot parse is skipped and logged as an error; the line
    names its id and what was wrong with it, never what it carried (here, a secret vote and who
    sent it: the log would link the two)."""
    peer = fast_telegram_peer
    member = peer.create_user("Gwenllian", "Price")
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.world.queue.push("message", {"message_id": 1, "text": "/vote 1 Quince tart",
                                          "from": {"id": member.id, "is_bot": False, "first_name": "Gwenllian"}})
        peer.send_message(member, "/start")
        await peer.wait_for_bot_message(peer.private_chat(member), containing="Hello!")
        await peer.wait_until_confirmed()
    finally:
        await bot.stop()
    log = debug_log.getvalue()
    assert "skipped malformed update" in log  # the operator still learns of it
    for secret in ("Quince", "Gwenllian", str(member.id)):
        assert secret not in log, secret
