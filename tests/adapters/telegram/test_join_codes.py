"""A join code typed in a Telegram group: replaced at once (everyone there read it), and the
member's message showing it deleted where the bot is an administrator that may delete messages;
elsewhere the member is asked to delete it."""

from __future__ import annotations

from pathlib import Path

from bot.features.roll.parse import parse_roll_csv
from tests.adapters.telegram.harness import TelegramBot, started
from tests.peers.telegram import TelegramPeer


async def _code(bot: TelegramBot) -> str:
    """Ann's join code, from a roll of one."""
    result = await bot.app.services.roll.import_entries(parse_roll_csv("number,name\n1001,Ann Smith\n"))
    [(_number, _name, _branch, code)] = result.rows
    return code


async def test_a_join_code_typed_in_a_group_is_deleted_where_the_bot_may(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, ann = peer.create_user("Olga"), peer.create_user("Ann")
    started(peer, ann)
    group = peer.create_group("Branch", creator=olga, members=[ann])
    peer.add_bot_to_group(group, olga, as_admin=True)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        said = peer.send_command(ann, "join", await _code(bot), group)
        answer = await peer.wait_for_bot_message(group, containing="Welcome, Ann Smith")
        assert said.deleted
        assert "I deleted your message, so the code is no longer shown here." in (answer.text or "")
    finally:
        await bot.stop()


async def test_a_join_code_the_bot_may_not_delete_is_left_to_the_member(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """An administrator without can_delete_messages, or no administrator at all: the message
    stays, and the member is asked to delete it (also when the link itself is refused)."""
    peer = fast_telegram_peer
    olga, ann, bob = peer.create_user("Olga"), peer.create_user("Ann"), peer.create_user("Bob")
    started(peer, ann, bob)
    group = peer.create_group("Branch", creator=olga, members=[ann, bob])
    peer.add_bot_to_group(group, olga, as_admin=True, can_delete_messages=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        said = peer.send_command(ann, "join", await _code(bot), group)
        answer = await peer.wait_for_bot_message(group, containing="Welcome, Ann Smith")
        assert not said.deleted
        assert "please delete it yourself" in (answer.text or ""), answer.text
        wrong = peer.send_command(bob, "join", "ZZZZ-ZZZZ", group)
        refused = await peer.wait_for_bot_message(group, containing="is not on the roll")
        assert not wrong.deleted and "please delete it yourself" in (refused.text or "")
    finally:
        await bot.stop()
