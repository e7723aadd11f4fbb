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


async def test_a_join_by_invite_link_that_only_an_administrator_bot_hears_of_is_late(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """A join the group shows no service message for reaches an administrator bot, which asks
    for them, as a ``chat_member`` update: that is a join too."""
    peer = fast_telegram_peer
    olga, max_, newcomer = peer.create_user("Olga"), peer.create_user("Max"), peer.create_user("Nina")
    group = peer.create_group("Branch", creator=olga, members=[max_])
    peer.add_bot_to_group(group, by=olga, as_admin=True)
    opened = datetime.fromtimestamp(peer.world.now(), UTC) - timedelta(minutes=1)
    bot = await TelegramBot.start(tmp_path, peer, clock=ManualClock(opened))
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        shown = len(peer.messages(group))
        assert peer.join_by_link(group, newcomer) is not None
        assert len(peer.messages(group)) == shown  # no service message: the update is all the bot hears
        peer.send_message(newcomer, "/vote 1 Yes", group)
        refusal = await peer.wait_for_bot_message(group, containing="fixed when it opened")
        assert "you joined the room after" in (refusal.text or ""), refusal.text
        peer.send_message(max_, "/vote 1 No", group)
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: No")
        assert await bot.votes(1) == 1
    finally:
        await bot.stop()


async def test_a_member_there_when_the_poll_opened_may_leave_and_come_back(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """The ``left_chat_member`` service message reaches every bot too: one who was there when
    the poll opened, left and came back votes, while one who came after, left and came back
    again is still late."""
    peer = fast_telegram_peer
    olga, max_, newcomer = peer.create_user("Olga"), peer.create_user("Max"), peer.create_user("Nina")
    group = group_with_bot(peer, olga, [max_])
    opened = datetime.fromtimestamp(peer.world.now(), UTC) - timedelta(minutes=1)
    bot = await TelegramBot.start(tmp_path, peer, clock=ManualClock(opened))
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        for user in (max_, newcomer):
            if user is newcomer:
                peer.add_member(group, newcomer)
            peer.remove_member(group, user)
            peer.add_member(group, user)
        peer.send_message(newcomer, "/vote 1 Yes", group)
        await peer.wait_for_bot_message(group, containing="fixed when it opened")
        peer.send_message(max_, "/vote 1 No", group)
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: No")
        assert await bot.votes(1) == 1
    finally:
        await bot.stop()


async def test_a_late_joiner_is_late_in_the_supergroup_the_group_became(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """A group become a supergroup keeps its members, and what the bot saw of them: one who
    joined the group after the poll opened is late in the supergroup too, as is one who joins
    the supergroup; one who was there votes."""
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    late, later = peer.create_user("Nina"), peer.create_user("Ivan")
    basic = group_with_bot(peer, olga, [max_], supergroup=False)
    opened = datetime.fromtimestamp(peer.world.now(), UTC) - timedelta(minutes=1)
    bot = await TelegramBot.start(tmp_path, peer, clock=ManualClock(opened))
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No", basic)
        await peer.wait_for_bot_message(basic, containing="Poll 1")
        peer.add_member(basic, late)
        peer.send_message(late, "/vote 1 Yes", basic)
        await peer.wait_for_bot_message(basic, containing="fixed when it opened")
        upgraded = peer.upgrade_to_supergroup(basic)
        await bot.wait_for_rows("SELECT new_room FROM room_moves", [(f"tg:{upgraded.id}",)])
        peer.add_member(upgraded, later)
        for user in (late, later):
            peer.send_message(user, "/vote 1 Yes", upgraded)
            refusal = await peer.wait_for_bot_message(
                upgraded, lambda m, user=user: "fixed when it opened" in (m.text or "")
                and m.reply_to is not None and m.reply_to.sender is user)
            assert "you joined the room after" in (refusal.text or ""), refusal.text
        peer.send_message(max_, "/vote 1 No", upgraded)
        await peer.wait_for_bot_message(upgraded, containing="Your vote in poll 1: No")
        assert await bot.votes(1) == 1
    finally:
        await bot.stop()
