"""Telegram as it really is, end to end through python-telegram-bot and the peer: a group
upgraded to a supergroup mid-ballot, forum topics, anonymous administrators and channels, edited
votes, the bot removed, an administrator demoted, privacy mode beside another bot, answers given
as a chat, and exports arriving as documents."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.telegram.roles import CONFIRM_SECONDS
from bot.kernel.effects import CloseNativePoll, Edit, Send, SendFile, SendNativePoll, SendPrivate
from bot.kernel.ports import DeliveryRefused
from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import Chat, Message, TelegramPeer
from tests.peers.telegram.ptb import free_port

BOT = "QuorumTestBot"


def _documents(files: list[Message]) -> list[Message]:
    """The files that are documents (a result's chart goes as a photo)."""
    return [m for m in files if m.document is not None]


def _closed(message: Message) -> bool:
    return "Closed." in (message.text or "") and not message.buttons


async def test_polls_opened_in_a_basic_group_survive_its_upgrade(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Open, secret and native ballots opened before the upgrade are voted in and closed in the
    supergroup, by an administrator who is not the group's creator."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    members = peer.create_users(3, prefix="Voter")
    started(peer, olga, *members)
    basic = group_with_bot(peer, olga, [dana, *members], supergroup=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", basic)
        first = await peer.wait_for_bot_message(basic, containing="Poll 1")
        peer.send_command(olga, "poll", "Strike? --secret", basic)
        await peer.wait_for_bot_message(basic, containing="Poll 2")
        peer.send_command(olga, "poll", "Venue? | Hall | Pub --native", basic)
        native = await peer.wait_for_bot_message(basic, lambda m: m.poll is not None)
        await peer.wait_for_answer(peer.press_button(members[0], first, "v:1:0"))
        peer.answer_poll(members[0], native, [1])
        await bot.wait_for_rows("SELECT poll_id, choice FROM votes ORDER BY poll_id", [(1, "0"), (3, "1")])

        upgraded = peer.upgrade_to_supergroup(basic)
        new_room = f"tg:{upgraded.id}"
        await bot.wait_for_rows("SELECT DISTINCT room FROM polls", [(new_room,)])
        ballot = await peer.wait_for_bot_message(upgraded, containing="Poll 1")
        assert "Pizza — 1" in (ballot.text or "") and ballot.buttons  # the tally so far, votable
        await peer.wait_for_bot_message(upgraded, containing="Poll 2")
        new_native = await peer.wait_for_bot_message(upgraded, lambda m: m.poll is not None)
        assert await bot.query("SELECT old_room, new_room FROM room_moves") == [(f"tg:{basic.id}", new_room)]

        peer.make_admin(upgraded, dana)
        peer.send_command(members[1], "vote", "1 Soup", upgraded)
        await peer.wait_for_bot_message(upgraded, containing="Your vote in poll 1: Soup")
        await peer.wait_for_answer(peer.press_button(members[2], ballot, "v:1:1"))
        peer.send_message(members[1], "/vote 2 yes")  # privately: a member of the room it moved to
        await peer.wait_for_bot_message(peer.private_chat(members[1]), containing="Your vote in poll 2")
        peer.answer_poll(members[1], new_native, [0])
        await bot.wait_for_rows("SELECT count(*) FROM votes WHERE poll_id = 3", [(2,)])

        for poll in (1, 2, 3):
            peer.send_command(dana, "close", str(poll), upgraded)
            result = await peer.wait_for_bot_message(upgraded, containing=f"Result — poll {poll}")
            assert "Only" not in (result.text or "")
        assert "Soup" in (await peer.wait_for_bot_message(upgraded, containing="Result — poll 1")).text  # type: ignore[operator]
        await peer.wait_for(lambda: _closed(ballot), what="the re-posted ballot closed")
        assert new_native.poll is not None
        await peer.wait_for(lambda: new_native.poll.is_closed, what="the re-posted native poll stopped")
        assert await bot.query("SELECT count(*) FROM polls WHERE closed_by = ?", f"tg:{dana.id}") == [(3,)]
        refused = [c for c in peer.failed_calls() if c.params.get("chat_id") == str(upgraded.id)]
        assert all("not modified" in (c.description or "") for c in refused), refused  # an edit racing the re-post
    finally:
        await bot.stop()


async def _numbered_past(peer: TelegramPeer, bot: TelegramBot, chat: Chat, message_id: int) -> None:
    """Messages in CHAT until one has MESSAGE_ID: there, an old group's id names a message."""
    while peer.messages(chat)[-1].message_id < message_id:
        await bot.adapter.transport.deliver(SendNativePoll(f"tg:{chat.id}", "Lunch?", ("Pizza", "Soup")))


async def test_a_message_in_the_old_group_is_never_edited_stopped_or_replied_to_in_the_supergroup(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """The supergroup numbers its messages afresh, so an id from the old group names another
    message there. The core forgets the old group's ballots once the move has committed, and a
    live-tally edit, a close or a reply may come before that: the edit and the close are
    refused and touch nothing, the reply is posted as a message of its own."""
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    basic = group_with_bot(peer, olga, [], supergroup=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        transport, old_room = bot.adapter.transport, f"tg:{basic.id}"
        ballot = await transport.deliver(Send(old_room, "Ballot"))
        native = await transport.deliver(SendNativePoll(old_room, "Venue?", ("Hall", "Pub")))
        assert ballot is not None and native is not None and ballot.ref is not None and native.ref is not None
        upgraded = peer.upgrade_to_supergroup(basic)
        await bot.wait_for_rows("SELECT new_room FROM room_moves", [(f"tg:{upgraded.id}",)])
        await _numbered_past(peer, bot, upgraded, max(int(ballot.ref), int(native.ref)))
        before = {m.message_id: (m.text, m.poll is not None and m.poll.is_closed) for m in peer.messages(upgraded)}

        with pytest.raises(DeliveryRefused):
            await transport.deliver(Edit(old_room, ballot.ref, "Ballot, edited"))
        with pytest.raises(DeliveryRefused):
            await transport.deliver(CloseNativePoll(old_room, native.ref, native.native_ref, text="Closed."))
        after = {m.message_id: (m.text, m.poll is not None and m.poll.is_closed) for m in peer.messages(upgraded)}
        assert after == before
        assert not [c for c in peer.calls() if c.params.get("chat_id") == str(upgraded.id)
                    and c.method in ("editMessageText", "stopPoll")]

        await transport.deliver(Send(old_room, "Your vote in poll 1: Soup", reply_to=ballot.ref))
        reply = await peer.wait_for_bot_message(upgraded, containing="Your vote")
        assert reply.reply_to is None
    finally:
        await bot.stop()


async def test_a_reply_made_again_in_the_supergroup_replies_to_nothing_there(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """The upgrade went unnoticed: the reply to a message of the old group is refused there with
    the supergroup's id, and made again there as a message of its own."""
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    basic = group_with_bot(peer, olga, [], supergroup=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        ballot = await bot.adapter.transport.deliver(Send(f"tg:{basic.id}", "Ballot"))
        assert ballot is not None and ballot.ref is not None
        await peer.wait_until_confirmed()
        upgraded = peer.upgrade_to_supergroup(basic)
        peer.world.queue.drop_all()  # the bot never hears of it
        await _numbered_past(peer, bot, upgraded, int(ballot.ref))
        await bot.adapter.transport.deliver(Send(f"tg:{basic.id}", "Your vote in poll 1: Soup", reply_to=ballot.ref))
        reply = await peer.wait_for_bot_message(upgraded, containing="Your vote")
        assert reply.reply_to is None
    finally:
        await bot.stop()


async def test_a_result_due_after_an_unnoticed_upgrade_follows_the_group(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """The notices of the upgrade were lost: the first call to the old id is answered with the
    new one, the message goes there, and the room moves."""
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    basic = group_with_bot(peer, olga, [max_], supergroup=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 10m", basic)
        await peer.wait_for_bot_message(basic, containing="Poll 1")
        await peer.wait_until_confirmed()
        upgraded = peer.upgrade_to_supergroup(basic)
        peer.world.queue.drop_all()  # the bot never hears of it
        transport = bot.adapter.transport
        asked_before = len(peer.calls("getChatMember"))  # Olga's status, confirmed when she opened the poll
        assert await transport.is_member(f"tg:{max_.id}", f"tg:{basic.id}")  # asked of the new id
        assert await transport.is_admin(f"tg:{olga.id}", f"tg:{basic.id}")
        assert {c.params["chat_id"] for c in peer.calls("getChatMember")[asked_before:] if c.ok} == {str(upgraded.id)}
        await bot.app.advance(timedelta(minutes=11))
        await peer.wait_for_bot_message(upgraded, containing="Result — poll 1")
        await bot.wait_for_rows("SELECT room FROM polls", [(f"tg:{upgraded.id}",)])
    finally:
        await bot.stop()


async def test_a_topic_is_a_room_and_its_ballot_and_result_stay_in_it(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    forum = peer.create_group("Union", creator=olga, members=[max_], forum=True)
    peer.add_bot_to_group(forum, olga)
    topic = peer.create_topic(forum, "Ballots", olga)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 1h", forum, topic=topic)
        ballot = await peer.wait_for_bot_message(forum, containing="Poll 1")
        assert ballot.message_thread_id == topic.thread_id
        assert await bot.query("SELECT room FROM polls") == [(f"tg:{forum.id}/{topic.thread_id}",)]
        peer.send_command(max_, "vote", "1 Soup", forum, topic=topic)
        confirmation = await peer.wait_for_bot_message(forum, containing="Your vote in poll 1")
        assert confirmation.message_thread_id == topic.thread_id
        peer.send_command(max_, "vote", "1 Pizza", forum)  # from General: another room
        refusal = await peer.wait_for_bot_message(forum, containing="belongs to another room")
        assert refusal.message_thread_id is None
        peer.send_command(olga, "close", "1", forum, topic=topic)  # the group's admin organises its topics
        result = await peer.wait_for_bot_message(forum, containing="Result — poll 1")
        assert result.message_thread_id == topic.thread_id

        peer.send_command(olga, "poll", "Venue? | Hall | Pub --closes 1h", forum, topic=topic)
        await peer.wait_for_bot_message(forum, containing="Poll 2")
        peer.close_topic(forum, topic, olga)
        await bot.app.advance(timedelta(hours=2))
        notice = await peer.wait_for_bot_message(forum, containing="closed topic")
        assert notice.message_thread_id is None  # said in General, once
        assert not [m for m in peer.bot_messages(forum) if "Result — poll 2" in (m.text or "")]
        assert len([m for m in peer.bot_messages(forum) if "closed topic" in (m.text or "")]) == 1
    finally:
        await bot.stop()


async def test_a_ballot_in_a_topic_takes_presses_once_its_message_is_old(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """After a day or two Telegram sends a press with its message "inaccessible": the group,
    the message's id, no topic. The press still votes in the topic's poll, where its ballot is."""
    peer = fast_telegram_peer
    olga, max_, ann = peer.create_user("Olga"), peer.create_user("Max"), peer.create_user("Ann")
    forum = peer.create_group("Union", creator=olga, members=[max_, ann], forum=True)
    peer.add_bot_to_group(forum, olga)
    topic = peer.create_topic(forum, "Ballots", olga)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No --closes 7d", forum, topic=topic)
        ballot = await peer.wait_for_bot_message(forum, containing="Poll 1")
        peer.send_command(olga, "poll", "Venue? | Hall | Pub --closes 7d", forum)  # in General
        general = await peer.wait_for_bot_message(forum, containing="Poll 2")
        peer.set_limits(dataclasses.replace(peer.limits, message_accessible_for=0))  # every message is old now
        await peer.wait_for_answer(pressed := peer.press_button(max_, ballot, "v:1:0"))
        assert "Your vote in poll 1: Yes" in (pressed.answer_text or "")
        await peer.wait_for_answer(pressed := peer.press_button(ann, general, "v:2:1"))
        assert "Your vote in poll 2: Pub" in (pressed.answer_text or "")
        await bot.wait_for_rows("SELECT poll_id, voter, choice FROM votes ORDER BY poll_id",
                                [(1, f"tg:{max_.id}", "0"), (2, f"tg:{ann.id}", "1")])
    finally:
        await bot.stop()


async def test_an_anonymous_admin_opens_and_closes_a_poll_and_a_channel_is_refused(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    group = group_with_bot(peer, olga, [max_])
    channel = peer.create_channel("Max's channel", max_)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --native", group, anonymous=True)
        native = await peer.wait_for_bot_message(group, lambda m: m.poll is not None)
        assert await bot.query("SELECT creator FROM polls") == [(f"tg:{group.id}",)]
        peer.answer_poll(olga, native, [1], as_chat=group)  # voted as the group
        peer.answer_poll(max_, native, [0])
        await bot.wait_for_rows("SELECT voter, choice FROM votes ORDER BY choice",
                                [(f"tg:{max_.id}", "0"), (f"tg:{group.id}", "1")])
        peer.answer_poll(max_, native, [1], as_chat=channel)  # as his channel: nobody the bot can count
        await peer.wait_for_bot_message(group, containing="An answer given as Max's channel was not counted")
        assert await bot.votes(1) == 2
        peer.send_as_channel(max_, channel, f"/close@{BOT} 1", group)
        await peer.wait_for_bot_message(group, containing="You wrote as a channel")
        peer.send_command(olga, "signup", "open Assembly", group, anonymous=True)
        await peer.wait_for_bot_message(group, containing="S1")
        peer.send_command(olga, "signup", "S1 export", group, anonymous=True)
        await peer.wait_for_bot_message(group, containing="I could not send you")
        assert not peer.bot_files(group)  # a list meant for one person never goes to the group
        peer.send_command(olga, "close", "1", group, anonymous=True)
        await peer.wait_for_bot_message(group, containing="Result — poll 1")
        assert await bot.query("SELECT closed_by FROM polls") == [(f"tg:{group.id}",)]
    finally:
        await bot.stop()


async def test_an_edited_vote_counts_and_other_edits_are_answered(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    group = group_with_bot(peer, olga, [max_])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        asked = peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        typed = peer.send_command(max_, "vote", "1 Pizza", group)
        first = await peer.wait_for_bot_message(group, containing="Your vote in poll 1: Pizza")
        peer.edit_user_message(typed, f"/vote@{BOT} 1 Soup")
        changed = await peer.wait_for_bot_message(group, containing="Your vote in poll 1: Soup", after=first)
        assert changed.reply_to is not None and changed.reply_to.message_id == typed.message_id
        await bot.wait_for_rows("SELECT choice FROM votes", [("1",)])
        peer.edit_user_message(asked, f"/poll@{BOT} Dinner? | Curry | Stew")
        await peer.wait_for_bot_message(group, containing="Edits are not re-read: send /poll")
        assert await bot.query("SELECT count(*) FROM polls") == [(1,)]
    finally:
        await bot.stop()


async def test_the_bot_removed_from_a_group_stops_sending_there(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    started(peer, olga)
    group = group_with_bot(peer, olga, [])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 10m", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.remove_bot_from_group(group, olga)
        told = await peer.wait_for_bot_message(peer.private_chat(olga), containing="I was removed from Branch")
        assert "not delivered" in (told.text or "")
        calls_before = len(peer.calls())
        await bot.app.advance(timedelta(minutes=11))
        await bot.wait_for_rows("SELECT failed IS NOT NULL FROM outbox WHERE dedupe = 'poll:1:result'", [(1,)])
        assert not [c for c in peer.calls()[calls_before:] if c.params.get("chat_id") == str(group.id)]
    finally:
        await bot.stop()


async def test_the_bot_taken_out_of_a_group_while_restricted_stops_sending_there(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Taken out of the group while it may not post, the bot is told ``restricted`` with
    ``is_member`` false: it is out of the group, as if removed, not back in it."""
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    started(peer, olga)
    group = group_with_bot(peer, olga, [])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 10m", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.restrict_bot(group)
        peer.remove_restricted_bot(group, olga)
        told = await peer.wait_for_bot_message(peer.private_chat(olga), containing="I was removed from Branch")
        assert "not delivered" in (told.text or "")
        calls_before = len(peer.calls())
        await bot.app.advance(timedelta(minutes=11))
        await bot.wait_for_rows("SELECT failed IS NOT NULL FROM outbox WHERE dedupe = 'poll:1:result'", [(1,)])
        assert not [c for c in peer.calls()[calls_before:] if c.params.get("chat_id") == str(group.id)]
    finally:
        await bot.stop()


async def test_a_demoted_admin_is_refused_at_once(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    group = peer.create_group("Branch", creator=olga, members=[dana], admins=[dana])
    peer.add_bot_to_group(group, olga, as_admin=True)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_command(dana, "remind", "1", group)  # an organiser's command: allowed while an admin
        await peer.wait_for_bot_message(group, lambda m: "remind" in (m.text or "").lower() and "Only" not in m.text)
        peer.demote_admin(group, dana)
        peer.send_command(dana, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Only an organiser")
        assert (await bot.query("SELECT closed_at FROM polls"))[0][0] is None
        assert len(peer.calls("getChatAdministrators")) == 2  # asked again after the demotion
    finally:
        await bot.stop()


async def test_a_demoted_admin_is_refused_also_where_the_bot_administers_nothing(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Not an administrator, the bot is not told of a demotion: the cached list of
    administrators is confirmed for the one person once it is a few seconds old."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    group = peer.create_group("Branch", creator=olga, members=[dana], admins=[dana])
    peer.add_bot_to_group(group, olga)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        assert peer.demote_admin(group, dana) is None  # no chat_member update for this bot
        await asyncio.sleep(CONFIRM_SECONDS * peer.limits.overall.period * 2)
        peer.send_command(dana, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Only an organiser")
        assert (await bot.query("SELECT closed_at FROM polls"))[0][0] is None
        peer.send_command(olga, "close", "1", group)  # the creator still may
        await peer.wait_for_bot_message(group, containing="Result — poll 1")
    finally:
        await bot.stop()


@pytest.mark.parametrize("bot_is_admin", [True, False], ids=["told-of-demotions", "told-of-nothing"])
async def test_an_organiser_demoted_a_moment_after_the_list_was_fetched_cannot_close_a_poll(
    tmp_path: Path, fast_telegram_peer: TelegramPeer, bot_is_admin: bool
) -> None:
    """At Telegram's own pace (a list of administrators trusted for CONFIRM_SECONDS where the
    bot is told of demotions), a demotion a moment after the list was fetched counts at once:
    through the chat_member update where the bot administers the group, and, where it does
    not, because an administrator the list names is then confirmed every time."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    group = peer.create_group("Branch", creator=olga, members=[dana], admins=[dana])
    peer.add_bot_to_group(group, olga, as_admin=bot_is_admin)
    bot = await TelegramBot.start(tmp_path, peer, time_scale=1.0)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_command(dana, "remind", "1", group)  # an organiser's command: the list names Dana
        await peer.wait_for_bot_message(group, lambda m: "remind" in (m.text or "").lower() and "Only" not in m.text)
        told = peer.demote_admin(group, dana, by=olga)
        assert (told is not None) == bot_is_admin  # a chat_member update only for an administrator bot
        peer.send_command(dana, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Only an organiser")
        assert (await bot.query("SELECT closed_at FROM polls"))[0][0] is None
    finally:
        await bot.stop()


async def test_the_bot_demoted_mid_poll_keeps_the_poll_going_with_what_a_member_bot_may_do(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Demoted in a supergroup while polls are open, the bot is told (my_chat_member) and is a
    member bot again: it still posts, edits its ballot with the live tally and closes the poll,
    asks a member to delete the secret choice it may no longer delete, sees in privacy mode only
    what is addressed to it, and, no longer told of demotions, stops trusting its list of
    administrators: an organiser demoted a moment later is refused (at Telegram's own pace)."""
    peer = fast_telegram_peer
    olga, dana, ann = peer.create_user("Olga"), peer.create_user("Dana"), peer.create_user("Ann")
    group = peer.create_group("Branch", creator=olga, members=[dana, ann], admins=[dana])
    peer.add_bot_to_group(group, olga, as_admin=True)
    bot = await TelegramBot.start(tmp_path, peer, time_scale=1.0)
    bot.adapter.transport.edit_interval = 0.1  # the live tally soon after a vote
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_command(olga, "poll", "Strike? | Yes | No --secret", group)
        await peer.wait_for_bot_message(group, containing="Poll 2")
        peer.send_command(dana, "remind", "1", group)  # the list of administrators names Dana and the bot
        await peer.wait_for_bot_message(group, lambda m: "remind" in (m.text or "").lower() and "Only" not in m.text)
        demoted = peer.demote_admin(group, peer.bot, by=olga)
        assert demoted is not None and demoted.kind == "my_chat_member"
        assert peer.demote_admin(group, dana, by=olga) is None  # no longer told
        peer.send_command(dana, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Only an organiser")

        peer.press_button(ann, ballot, "v:1:0")
        await peer.wait_for(lambda: "1 voted so far" in (ballot.text or ""), what="the live tally")
        typed = peer.send_command(ann, "vote", "2 Yes", group)
        refused = await peer.wait_for_bot_message(group, containing="your vote was not counted here")
        assert not typed.deleted and "please delete it yourself" in (refused.text or ""), refused.text
        assert peer.send_message(ann, "sign M1", group).update is None  # privacy mode again

        peer.send_command(olga, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Result — poll 1")
        await peer.wait_for(lambda: _closed(ballot), what="the closed ballot")
        assert not peer.failed_calls("sendMessage") and not peer.failed_calls("editMessageText")
    finally:
        await bot.stop()


async def test_privacy_mode_beside_another_bot(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    group = group_with_bot(peer, olga, [max_])
    other = peer.create_bot("OtherBot")
    peer.add_member(group, other)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        assert f"/vote@{BOT} 1 OPTION" in (ballot.text or "")  # what members copy works in any group
        peer.bot_posts(other, group, "Daily reminder from another bot")
        bare = peer.send_message(max_, "/vote 1 Pizza", group)
        assert bare.update is None  # Telegram did not hand it to this bot
        peer.send_message(max_, f"/vote@{BOT} 1 Pizza", group)
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: Pizza")
        again = peer.send_message(max_, "/vote 1 Soup", group)  # this bot wrote last
        assert again.update is not None
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: Soup")
        in_groups = {c["command"] for c in peer.commands({"type": "all_group_chats"})}
        in_private = {c["command"] for c in peer.commands({"type": "all_private_chats"})}
        assert {"poll", "vote", "close"} <= in_groups and not {"rank", "receipt", "join", "mydata"} & in_groups
        assert {"rank", "receipt", "join", "vote"} <= in_private
    finally:
        await bot.stop()


async def test_a_fullwidth_vote_is_read_wherever_telegram_hands_the_bot_its_text(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """``／vote`` (a fullwidth solidus, as East Asian keyboards type it) is no ``bot_command`` to
    Telegram: a privacy-mode bot is not handed it in a group, unless it replies to the bot; where
    the bot gets it (privately, a reply to its ballot) it counts as /vote."""
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    group = group_with_bot(peer, olga, [max_])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        unseen = peer.send_message(max_, "／vote 1 Pizza", group)
        assert unseen.update is None and not unseen.entities  # Telegram did not hand it to this bot
        peer.send_message(max_, "／vote 1 Pizza", group, reply_to=ballot)
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: Pizza")
        peer.send_message(max_, "／ｖｏｔｅ 1 Soup")
        await peer.wait_for_bot_message(peer.private_chat(max_), containing="Your vote in poll 1: Soup")
        await bot.wait_for_rows("SELECT choice FROM votes", [("1",)])
    finally:
        await bot.stop()


async def test_exports_arrive_as_documents(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga, ann, ben = peer.create_user("Olga"), peer.create_user("Ann"), peer.create_user("Ben")
    started(peer, olga, ann, ben)
    group = group_with_bot(peer, olga, [ann, ben])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Chair? | Asha | Bilal --ranked", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        for voter, ranking in ((ann, "1 2"), (ben, "2 1")):
            peer.send_message(voter, f"/rank 1 {ranking}")
            await peer.wait_for_bot_message(peer.private_chat(voter), containing="Your ranking in poll 1")
        peer.send_command(olga, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Result — election 1")
        peer.send_command(ann, "ballots", "1", group)
        [blt] = await peer.wait_for(lambda: _documents(peer.bot_files(group)), what="the BLT file")
        assert blt.document is not None and blt.document["file_name"] == "election-1-ballots.blt"
        assert blt.file_data is not None and '"Asha"' in blt.file_data.decode()

        peer.send_command(olga, "signup", "open Assembly", group)
        await peer.wait_for_bot_message(group, containing="S1")
        peer.send_command(olga, "signup", "S1 export", group)
        [sheet] = await peer.wait_for(lambda: peer.bot_files(peer.private_chat(olga)), what="the CSV file")
        assert sheet.document is not None and sheet.document["file_name"] == "S1-sign-ups.csv"
        assert sheet.caption == "S1 sign-ups: 0 rows."
        assert sheet.file_data is not None
        assert next(csv.reader(io.StringIO(sheet.file_data.decode()))) == ["name", "area", "contact", "signed_at",
                                                                           "consent"]
        await peer.wait_for_bot_message(group, containing="I sent you")
        assert not _documents(peer.bot_files(group))[1:]  # personal data never goes to the group
    finally:
        await bot.stop()


async def test_refusals_that_last_are_not_retried(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    """A bot whose right to post was taken, and a member whose account is deleted: the messages
    are recorded as undeliverable once, not tried again and again."""
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    started(peer, max_)
    group = group_with_bot(peer, olga, [max_])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 10m", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.restrict_bot(group)
        peer.deactivate_user(max_)
        transport = bot.adapter.transport
        await peer.wait_for(lambda: group.id in transport.gone, what="the restriction to be heard")
        await bot.app.advance(timedelta(minutes=11))
        await bot.wait_for_rows(
            "SELECT substr(failed, 1, 24) FROM outbox WHERE dedupe = 'poll:1:result'", [("no right to post there: ",)])
        assert not peer.failed_calls("sendMessage")  # told of the restriction: not asked
        with pytest.raises(DeliveryRefused, match="deactivated"):
            await transport.deliver(SendPrivate(f"tg:{max_.id}", "Hello?"))
        with pytest.raises(DeliveryRefused):  # known now: not asked again
            await transport.deliver(SendPrivate(f"tg:{max_.id}", "Hello again?"))
        assert len(peer.failed_calls("sendMessage")) == 1
    finally:
        await bot.stop()


async def test_a_chat_closed_to_the_bot_by_a_400_is_not_asked_again(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """"have no rights to send a message" (members may not write, and the bot is no
    administrator) and "chat not found" are 400s that every later request to the chat would get
    too: each is a refusal for good, and the chat is not called again for a while."""
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    group = group_with_bot(peer, olga, [max_])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.mute_members(group)
        transport = bot.adapter.transport
        with pytest.raises(DeliveryRefused, match="(?i)have no rights"):
            await transport.deliver(Send(f"tg:{group.id}", "Hello?"))
        with pytest.raises(DeliveryRefused, match="may not write"):  # known now: not asked again
            await transport.deliver(Send(f"tg:{group.id}", "Hello again?"))
        assert len(peer.failed_calls("sendMessage")) == 1
        with pytest.raises(DeliveryRefused, match="(?i)chat not found"):
            await transport.deliver(Send("tg:-1009999999999", "Hello?"))
        with pytest.raises(DeliveryRefused, match="may not write"):
            await transport.deliver(Send("tg:-1009999999999", "Hello again?"))
        assert len(peer.failed_calls("sendMessage")) == 2
    finally:
        await bot.stop()


async def test_a_result_refused_while_the_bot_could_not_post_goes_once_it_is_promoted_back(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Only administrators may write in the group and the bot is none: the result is refused
    ("have no rights to send a message") and given up, not retried; promoted, the bot posts it."""
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    group = group_with_bot(peer, olga, [])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 10m", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.mute_members(group)
        await bot.app.advance(timedelta(minutes=11))
        await bot.wait_for_rows(
            "SELECT lower(failed) LIKE '%have no rights%' FROM outbox WHERE dedupe = 'poll:1:result'", [(1,)])
        peer.make_admin(group, peer.bot, by=olga)
        result = await peer.wait_for_bot_message(group, containing="Result — poll 1", within=10)
        assert "Pizza" in (result.text or "")
        await bot.wait_for_rows("SELECT sent_at IS NOT NULL, failed FROM outbox WHERE dedupe = 'poll:1:result'",
                                [(1, None)])
    finally:
        await bot.stop()


async def test_a_restricted_bot_holds_back_until_its_rights_are_given_back(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """An administrator restricts the bot: Telegram says so (``my_chat_member``, ``restricted``),
    so the result of a close meanwhile is recorded as refused for want of the right without a
    request Telegram would refuse (the bot still reads, and still asks who organises); given its
    rights back, the bot posts it."""
    peer = fast_telegram_peer
    olga, dana = peer.create_user("Olga"), peer.create_user("Dana")
    group = peer.create_group("Branch", creator=olga, members=[dana], admins=[dana])
    peer.add_bot_to_group(group, olga)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.restrict_bot(group, by=olga)
        await peer.wait_for(lambda: group.id in bot.adapter.transport.gone, what="the restriction to be heard")
        peer.send_command(dana, "close", "1", group)  # another organiser: asked of Telegram
        await bot.wait_for_rows(
            "SELECT substr(failed, 1, 24) FROM outbox WHERE dedupe = 'poll:1:result'", [("no right to post there: ",)])
        assert not peer.failed_calls("sendMessage")  # known from the update: not asked
        peer.unrestrict_bot(group, by=olga)
        result = await peer.wait_for_bot_message(group, containing="Result — poll 1", within=10)
        assert "Pizza" in (result.text or "")
        await bot.wait_for_rows("SELECT sent_at IS NOT NULL, failed FROM outbox WHERE dedupe = 'poll:1:result'",
                                [(1, None)])
    finally:
        await bot.stop()


async def test_a_result_refused_in_a_forum_topic_goes_there_once_the_bot_may_post_again(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """What was refused for want of the right to post is sent again in the group's topics too,
    each in its own topic, not only in the group's main room."""
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    forum = peer.create_group("Union", creator=olga, forum=True)
    peer.add_bot_to_group(forum, olga)
    topic = peer.create_topic(forum, "Ballots", olga)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Lunch? | Pizza | Soup --closes 10m", forum, topic=topic)
        await peer.wait_for_bot_message(forum, containing="Poll 1")
        peer.mute_members(forum)  # Telegram tells a bot that is no administrator nothing of it
        await bot.app.advance(timedelta(minutes=11))
        await bot.wait_for_rows(
            "SELECT lower(failed) LIKE '%have no rights%' FROM outbox WHERE dedupe = 'poll:1:result'", [(1,)])
        peer.make_admin(forum, peer.bot, by=olga)
        result = await peer.wait_for_bot_message(forum, containing="Result — poll 1", within=10)
        assert result.message_thread_id == topic.thread_id
        await bot.wait_for_rows("SELECT sent_at IS NOT NULL, failed FROM outbox WHERE dedupe = 'poll:1:result'",
                                [(1, None)])
    finally:
        await bot.stop()


async def test_an_image_goes_as_a_photo(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    started(peer, olga)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        picture = b"\x89PNG\r\n\x1a\n" + bytes(64)
        await bot.adapter.transport.deliver(SendFile(f"tg:{olga.id}", "turnout.png", picture, "Turnout", private=True))
        [photo] = peer.bot_files(peer.private_chat(olga))
        assert photo.photo and photo.file_data == picture and photo.caption == "Turnout"
        assert len(peer.calls("sendPhoto")) == 1 and not peer.calls("sendDocument")
    finally:
        await bot.stop()


async def test_a_channel_writing_to_another_bot_is_left_to_it(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    """An administrator bot reads every message, commands for other bots too: one written as a
    channel to another bot is not this bot's to refuse, as a person's is not its to answer."""
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga"), peer.create_user("Max")
    group = peer.create_group("Branch", creator=olga, members=[max_])
    peer.add_bot_to_group(group, olga, as_admin=True)
    channel = peer.create_channel("Max's channel", max_)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        to_other = peer.send_as_channel(max_, channel, "/start@OtherBot", group)
        assert to_other.update is not None  # an administrator bot is handed it
        to_this = peer.send_as_channel(max_, channel, f"/close@{BOT} 1", group)  # the same sender's: in order
        await peer.wait_for_bot_message(group, lambda m: m.reply_to is not None and m.reply_to is to_this)
        notices = [m for m in peer.bot_messages(group) if "You wrote as a channel" in (m.text or "")]
        assert [m.reply_to.message_id for m in notices if m.reply_to is not None] == [to_this.message_id]
        assert len(notices) == 1
    finally:
        await bot.stop()


async def test_a_process_that_missed_the_bot_coming_back_writes_there_again(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Several processes answer for one token, and the update saying the bot was added back
    reaches one of them. Another, told no by the group while the bot was out, believes that no
    only a while, then asks Telegram again, rather than refuse the group's results and reminders
    for good (until it restarts)."""
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    group = group_with_bot(peer, olga, [])
    room = f"tg:{group.id}"
    bots: list[TelegramBot] = []
    try:
        for n in range(2):
            port = free_port()
            (tmp_path / str(n)).mkdir()
            bots.append(await TelegramBot.start(tmp_path / str(n), peer, webhook_url=f"http://127.0.0.1:{port}/hook",
                                                webhook_listen="127.0.0.1", webhook_port=port))
            await peer.wait_for(lambda port=port: peer.world.webhook.url.endswith(f":{port}/hook"), what="setWebhook")
        other = bots[0].adapter.transport  # the webhook is the second's: this one hears no update
        other.gone_for = 0.5  # seconds, not the minute it is in production

        removal = peer.remove_bot_from_group(group, olga)
        await peer.wait_until_delivered(removal)
        with pytest.raises(DeliveryRefused):
            await other.deliver(Send(room, "A reminder while the bot is out"))
        peer.add_bot_to_group(group, olga)
        told = bots[1].adapter.transport
        await peer.wait_for(lambda: group.id not in told.gone, what="the bot's return, heard by the second")
        assert await told.deliver(Send(room, "Back"))
        await asyncio.sleep(other.gone_for)
        assert await other.deliver(Send(room, "Result — poll 1"))
        assert peer.bot_texts(group)[-2:] == ["Back", "Result — poll 1"]
    finally:
        for bot in bots:
            await bot.stop()
