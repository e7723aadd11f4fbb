"""The peer's model of Telegram groups as they really are, driven by python-telegram-bot:
supergroup migration, forum topics, anonymous administrators and channels, answers given as a
chat, edits, membership updates, privacy mode in groups with several bots, files, refusals.

Each behaviour is taken from the Bot API documentation (core.telegram.org/bots/api and
core.telegram.org/bots/features#privacy-mode); these tests pin it down, so the adapter's tests
can trust it."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    ChatMemberRestricted,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from tests.peers.telegram import Limits, ManualClock, PeerUsageError, TelegramPeer, fixtures

make_telegram_peer = fixtures.make_telegram_peer
fast_telegram_peer = fixtures.fast_telegram_peer

EVERYTHING = [*Update.ALL_TYPES]


def _bot(peer: TelegramPeer) -> Bot:
    return Bot(peer.token, base_url=peer.base_url, base_file_url=peer.base_file_url)


async def _updates(bot: Bot) -> list[Update]:
    """Every update waiting, parsed by PTB, and confirmed."""
    updates = await bot.get_updates(timeout=0, allowed_updates=EVERYTHING)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0, allowed_updates=EVERYTHING)
    return list(updates)


async def test_migration_answers_every_call_on_the_old_id_and_freezes_its_polls(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Old branch", creator=chair, members=[member], supergroup=False)
    peer.add_bot_to_group(group, by=chair)
    async with _bot(peer) as bot:
        poll = await bot.send_poll(group.id, "Lunch?", ["Pizza", "Soup"], is_anonymous=False)
        await _updates(bot)
        upgraded = peer.upgrade_to_supergroup(group)
        notices = [u.message for u in await _updates(bot) if u.message is not None]
        assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in notices] == [
            (group.id, upgraded.id, None), (upgraded.id, None, group.id)]
        for call in (bot.get_chat_administrators(group.id), bot.get_chat_member(group.id, member.id),
                     bot.stop_poll(group.id, poll.message_id)):
            with pytest.raises(ChatMigrated) as migrated:
                await call
            assert migrated.value.new_chat_id == upgraded.id
        admins = await bot.get_chat_administrators(upgraded.id)
        assert [a.user.id for a in admins] == [chair.id]
    with pytest.raises(AssertionError, match="read-only"):
        peer.answer_poll(member, peer.bot_messages(group)[0], [0])


async def test_forum_topics_carry_their_thread_and_closed_ones_refuse(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    forum = peer.create_group("Union", creator=chair, members=[member], forum=True)
    peer.add_bot_to_group(forum, by=chair)
    async with _bot(peer) as bot:
        await _updates(bot)
        topic = peer.create_topic(forum, "Ballots", chair)
        said = peer.send_command(member, "results", "1", forum, topic=topic)
        [created, command] = [u.message for u in await _updates(bot)]
        assert created is not None and created.forum_topic_created is not None
        assert created.message_thread_id == topic.thread_id and created.chat.is_forum
        assert command is not None and command.is_topic_message and command.message_thread_id == topic.thread_id
        assert said.message_thread_id == topic.thread_id

        sent = await bot.send_message(forum.id, "in the topic", message_thread_id=topic.thread_id)
        assert sent.message_thread_id == topic.thread_id and sent.is_topic_message
        general = await bot.send_message(forum.id, "in General")
        assert general.message_thread_id is None
        with pytest.raises(BadRequest, match="thread not found"):
            await bot.send_message(forum.id, "nowhere", message_thread_id=9999)

        peer.close_topic(forum, topic, chair)
        with pytest.raises(BadRequest, match="(?i)topic_closed"):
            await bot.send_message(forum.id, "closed", message_thread_id=topic.thread_id)
        with pytest.raises(AssertionError, match="closed"):
            peer.send_message(member, "/vote 1 yes", forum, topic=topic)
        peer.make_admin(forum, peer.bot)  # administrators may still write in a closed topic
        await bot.send_message(forum.id, "closed, but I administer", message_thread_id=topic.thread_id)


async def test_anonymous_admins_and_channels_write_through_stand_in_bots(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    channel = peer.create_channel("Member's channel", member)
    async with _bot(peer) as bot:
        await _updates(bot)
        peer.send_command(chair, "poll", "Lunch? | Pizza | Soup", group, anonymous=True)
        peer.send_as_channel(member, channel, "/vote@QuorumTestBot 1 Pizza", group)
        with pytest.raises(AssertionError, match="only administrators"):
            peer.send_message(member, "/poll x", group, anonymous=True)
        [anonymous, as_channel] = [u.message for u in await _updates(bot)]
    assert anonymous is not None and anonymous.from_user is not None and anonymous.sender_chat is not None
    assert (anonymous.from_user.username, anonymous.from_user.is_bot) == ("GroupAnonymousBot", True)
    assert anonymous.sender_chat.id == group.id
    assert as_channel is not None and as_channel.from_user is not None and as_channel.sender_chat is not None
    assert as_channel.from_user.id == 136817688 and as_channel.sender_chat.id == channel.id
    assert as_channel.sender_chat.type == "channel"


async def test_an_answer_given_as_a_chat_carries_voter_chat(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair = peer.create_user("Chair")
    group = peer.create_group("Branch", creator=chair)
    peer.add_bot_to_group(group, by=chair)
    async with _bot(peer) as bot:
        sent = await bot.send_poll(group.id, "Lunch?", ["Pizza", "Soup"], is_anonymous=False)
        await _updates(bot)
        peer.answer_poll(chair, peer.bot_messages(group)[0], [1], as_chat=group)
        [answer] = [u.poll_answer for u in await _updates(bot) if u.poll_answer is not None]
    assert sent.poll is not None and answer.poll_id == sent.poll.id
    assert answer.voter_chat is not None and answer.voter_chat.id == group.id
    assert answer.user is not None and answer.user.id == 136817688  # @Channel_Bot, for old clients
    assert answer.option_ids == (1,)


async def test_an_edit_of_a_message_the_bot_saw_is_an_edited_message(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    async with _bot(peer) as bot:
        await _updates(bot)
        typed = peer.send_command(member, "vote", "1 yes", group)
        chatter = peer.send_message(member, "hello", group)
        peer.edit_user_message(typed, "/vote@QuorumTestBot 1 no")
        assert peer.edit_user_message(chatter, "hello all") is None  # never seen, never told
        [first, edit] = await _updates(bot)
    assert first.message is not None and edit.edited_message is not None
    assert edit.edited_message.message_id == first.message.message_id
    assert edit.edited_message.text == "/vote@QuorumTestBot 1 no" and edit.edited_message.edit_date is not None


async def test_membership_changes_reach_an_administrator_bot_that_asked(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, deputy = peer.create_user("Chair"), peer.create_user("Deputy")
    group = peer.create_group("Branch", creator=chair, members=[deputy])
    plain = peer.create_group("Other", creator=chair, members=[deputy])
    peer.add_bot_to_group(group, by=chair, as_admin=True)
    peer.add_bot_to_group(plain, by=chair)
    async with _bot(peer) as bot:
        await _updates(bot)
        peer.make_admin(group, deputy)
        peer.demote_admin(group, deputy)
        peer.make_admin(plain, deputy)  # the bot is no administrator there: not told
        peer.remove_bot_from_group(plain, chair)
        updates = await _updates(bot)
    changes = [u.chat_member for u in updates if u.chat_member is not None]
    assert [(c.chat.id, c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        (group.id, "member", "administrator"), (group.id, "administrator", "member")]
    [removed] = [u.my_chat_member for u in updates if u.my_chat_member is not None]
    assert removed.chat.id == plain.id and removed.new_chat_member.status == "kicked"
    async with _bot(peer) as bot:
        with pytest.raises(Forbidden, match="bot was kicked"):
            await bot.send_message(plain.id, "still here?")


async def test_the_bot_promoted_and_demoted_is_told_and_hears_of_others_only_meanwhile(
    fast_telegram_peer: TelegramPeer,
) -> None:
    """``my_chat_member``: "the bot's chat member status was updated in a chat", sent whatever
    its status; ``chat_member`` of others only while it is an administrator. Demoted, it is a
    member bot again: privacy mode applies, and it may no longer delete others' messages."""
    peer = fast_telegram_peer
    chair, deputy = peer.create_user("Chair"), peer.create_user("Deputy")
    group = peer.create_group("Branch", creator=chair, members=[deputy])
    peer.add_bot_to_group(group, by=chair)
    async with _bot(peer) as bot:
        await _updates(bot)
        peer.make_admin(group, deputy)  # not told: the bot is no administrator
        promoted = peer.make_admin(group, peer.bot, by=chair)
        assert promoted is not None and promoted.kind == "my_chat_member"
        peer.demote_admin(group, deputy)  # told: the bot administers the group now
        chatter = peer.send_message(deputy, "I will sign later", group)  # an administrator bot sees it
        peer.demote_admin(group, peer.bot, by=chair)
        peer.make_admin(group, deputy)  # not told any more
        unseen = peer.send_message(deputy, "and now?", group)
        updates = await _updates(bot)
        with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
            await bot.delete_message(group.id, chatter.message_id)
    mine = [u.my_chat_member for u in updates if u.my_chat_member is not None]
    assert [(m.chat.id, m.from_user.id, m.old_chat_member.status, m.new_chat_member.status) for m in mine] == [
        (group.id, chair.id, "member", "administrator"), (group.id, chair.id, "administrator", "member")]
    others = [u.chat_member for u in updates if u.chat_member is not None]
    assert [(c.new_chat_member.user.id, c.new_chat_member.status) for c in others] == [(deputy.id, "member")]
    assert chatter.update is not None and unseen.update is None


async def test_a_join_by_invite_link_reaches_only_an_administrator_bot_that_asked(
    fast_telegram_peer: TelegramPeer,
) -> None:
    """A join by invite link the group shows no service message for: a ``chat_member`` update
    with the link used (``invite_link``), for an administrator bot that named the kind in
    ``allowed_updates``; a bot that is no administrator is not told."""
    peer = fast_telegram_peer
    chair, newcomer, other = peer.create_user("Chair"), peer.create_user("Nina"), peer.create_user("Oleg")
    group = peer.create_group("Branch", creator=chair)
    plain = peer.create_group("Other", creator=chair)
    peer.add_bot_to_group(group, by=chair, as_admin=True)
    peer.add_bot_to_group(plain, by=chair)
    async with _bot(peer) as bot:
        await _updates(bot)
        told = peer.join_by_link(group, newcomer)
        assert peer.join_by_link(plain, other) is None
        updates = await _updates(bot)
        assert (await bot.get_chat_member(group.id, newcomer.id)).status == "member"
    assert told is not None and told.kind == "chat_member"
    [update] = updates
    change = update.chat_member
    assert change is not None and change.chat.id == group.id and change.from_user.id == newcomer.id
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    assert change.invite_link is not None and change.invite_link.creator.id == chair.id
    with pytest.raises(PeerUsageError):
        peer.join_by_link(group, newcomer)


async def test_the_administrators_listed_are_people_and_the_bot_itself_but_no_other_bot(
    fast_telegram_peer: TelegramPeer,
) -> None:
    """getChatAdministrators: "all chat administrators except other bots"; the asking bot is
    named when it administers the chat, another only with ``return_bots``."""
    peer = fast_telegram_peer
    chair, deputy = peer.create_user("Chair"), peer.create_user("Deputy")
    other = peer.create_bot("OtherBot")
    group = peer.create_group("Branch", creator=chair, members=[deputy, other], admins=[deputy, other])
    peer.add_bot_to_group(group, by=chair, as_admin=True)
    async with _bot(peer) as bot:
        listed = {m.user.id for m in await bot.get_chat_administrators(group.id)}
        assert listed == {chair.id, deputy.id, peer.bot.id}
        with_bots = {m.user.id for m in await bot.get_chat_administrators(group.id, return_bots=True)}
        assert with_bots == listed | {other.id}


async def test_the_bot_restricted_and_given_its_rights_back_is_told_each_time(fast_telegram_peer: TelegramPeer) -> None:
    """Restricting the bot changes its own status: ``my_chat_member`` says ``restricted`` (still
    a member, may not send), getChatMember says so too, and lifting it says ``member`` again."""
    peer = fast_telegram_peer
    chair = peer.create_user("Chair")
    group = peer.create_group("Branch", creator=chair)
    peer.add_bot_to_group(group, by=chair)
    async with _bot(peer) as bot:
        await _updates(bot)
        peer.restrict_bot(group)
        [restricted] = [u.my_chat_member for u in await _updates(bot) if u.my_chat_member is not None]
        new = restricted.new_chat_member
        assert (restricted.old_chat_member.status, new.status) == ("member", "restricted")
        assert isinstance(new, ChatMemberRestricted) and new.is_member and not new.can_send_messages
        assert (await bot.get_chat_member(group.id, peer.bot.id)).status == "restricted"
        with pytest.raises(BadRequest, match="(?i)not enough rights"):
            await bot.send_message(group.id, "hello")
        peer.unrestrict_bot(group)
        [lifted] = [u.my_chat_member for u in await _updates(bot) if u.my_chat_member is not None]
        assert (lifted.old_chat_member.status, lifted.new_chat_member.status) == ("restricted", "member")
        await bot.send_message(group.id, "hello")
        peer.restrict_bot(group)
        promoted = peer.make_admin(group, peer.bot, by=chair)  # promoting lifts the restrictions
        assert promoted is not None and promoted.payload["old_chat_member"]["status"] == "restricted"
        await bot.send_message(group.id, "hello again")
        with pytest.raises(PeerUsageError):
            peer.restrict_bot(group)  # Telegram restricts no administrator


async def test_chat_member_updates_come_only_when_asked_for(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, deputy = peer.create_user("Chair"), peer.create_user("Deputy")
    group = peer.create_group("Branch", creator=chair, members=[deputy])
    peer.add_bot_to_group(group, by=chair, as_admin=True)
    async with _bot(peer) as bot:
        joined = await bot.get_updates(timeout=0, allowed_updates=["message"])
        peer.make_admin(group, deputy)
        assert await bot.get_updates(offset=joined[-1].update_id + 1, timeout=0, allowed_updates=["message"]) == ()


async def test_bare_commands_in_a_group_of_several_bots_follow_privacy_mode(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    alone = peer.send_message(member, "/help", group)
    assert alone.update is not None  # the only bot: a bare command can mean only it
    other = peer.create_bot("OtherBot")
    peer.add_member(group, other)
    peer.bot_posts(other, group, "I am the other bot")
    bare = peer.send_message(member, "/vote 1 yes", group)
    addressed = peer.send_message(member, "/vote@QuorumTestBot 1 yes", group)
    assert bare.update is None and addressed.update is not None
    async with _bot(peer) as bot:
        await bot.send_message(group.id, "Poll 1 …")
    again = peer.send_message(member, "/vote 1 yes", group)
    assert again.update is not None  # our bot wrote last


async def test_files_are_kept_and_limited_as_on_telegram(make_telegram_peer: Any) -> None:
    peer: TelegramPeer = await make_telegram_peer(time_scale=0.01)
    chair = peer.create_user("Chair")
    chair.started_bot = True
    chat = peer.private_chat(chair)
    async with _bot(peer) as bot:
        doc = await bot.send_document(chair.id, b"name,area\nAnn,North\n", filename="S1-sign-ups.csv",
                                      caption="<b>S1</b> sign-ups", parse_mode="HTML")
        assert doc.document is not None and doc.document.file_name == "S1-sign-ups.csv"
        assert doc.document.file_size == 20 and doc.caption == "S1 sign-ups"
        photo = await bot.send_photo(chair.id, b"\x89PNG fake", filename="chart.png")
        assert photo.photo and photo.photo[-1].file_size == 9
        assert [m.file_data for m in peer.bot_files(chat)] == [b"name,area\nAnn,North\n", b"\x89PNG fake"]
        with pytest.raises(BadRequest, match="caption is too long"):
            await bot.send_document(chair.id, b"x", filename="x.csv", caption="c" * 1025)
        with pytest.raises(BadRequest, match="(?i)file must be non-empty"):
            await bot.send_document(chair.id, b"", filename="empty.csv")
        peer.set_limits(Limits(max_upload_bytes=1000, max_photo_bytes=100).scaled(0.01))
        with pytest.raises(BadRequest, match="(?i)photo_save_file_invalid"):
            await bot.send_photo(chair.id, b"p" * 101, filename="big.png")
        with pytest.raises(TelegramError, match="Request Entity Too Large"):
            await bot.send_document(chair.id, b"d" * 1001, filename="big.csv")
    assert len(peer.bot_files(chat)) == 2


async def test_refusals_for_deleted_accounts_and_a_restricted_bot(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    member.started_bot = True
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    peer.deactivate_user(member)
    peer.restrict_bot(group)
    async with _bot(peer) as bot:
        with pytest.raises(Forbidden, match="user is deactivated"):
            await bot.send_message(member.id, "hello")
        with pytest.raises(BadRequest, match="(?i)not enough rights to send text messages to the chat"):
            await bot.send_message(group.id, "hello")
        with pytest.raises(BadRequest, match="(?i)not enough rights to send documents to the chat"):
            await bot.send_document(group.id, b"x", filename="x.csv")


async def test_a_group_where_members_may_not_write_refuses_a_bot_that_is_no_administrator(
    fast_telegram_peer: TelegramPeer,
) -> None:
    """400 "have no rights to send a message" (what Telegram answers there), and 400 "chat not
    found" for a chat that does not exist; an administrator bot still writes."""
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    peer.mute_members(group)
    with pytest.raises(PeerUsageError):
        peer.send_message(member, "hello", group)
    async with _bot(peer) as bot:
        with pytest.raises(BadRequest, match="(?i)have no rights to send a message"):
            await bot.send_message(group.id, "hello")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(-1009999999999, "hello")
        peer.make_admin(group, peer.bot)
        await bot.send_message(group.id, "hello")


async def test_command_menus_are_kept_per_scope(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    async with _bot(peer) as bot:
        await bot.set_my_commands([BotCommand("poll", "open a poll")], scope=BotCommandScopeAllGroupChats())
        await bot.set_my_commands([BotCommand("rank", "rank candidates")], scope=BotCommandScopeAllPrivateChats())
        groups = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
        assert [c.command for c in groups] == ["poll"]
    assert [c["command"] for c in peer.commands({"type": "all_private_chats"})] == ["rank"]
    assert peer.commands() == []


async def test_the_menu_shown_falls_back_as_telegram_documents(fast_telegram_peer: TelegramPeer) -> None:
    """"Determining list of commands": the narrowest scope set wins, each scope first in the
    user's language, then for every language; a language with no list of its own gets the list
    set without one."""
    peer = fast_telegram_peer
    polish, german = peer.create_user("Ola", language_code="pl-PL"), peer.create_user("Udo", language_code="de")
    group = peer.create_group("Branch", creator=polish, members=[german])
    async with _bot(peer) as bot:
        await bot.set_my_commands([BotCommand("help", "default")])
        await bot.set_my_commands([BotCommand("help", "domyślne")], language_code="pl")
        await bot.set_my_commands([BotCommand("join", "private")], scope=BotCommandScopeAllPrivateChats())
        await bot.set_my_commands([BotCommand("poll", "groups")], scope=BotCommandScopeAllGroupChats())
        await bot.set_my_commands([BotCommand("poll", "grupy")], scope=BotCommandScopeAllGroupChats(),
                                  language_code="pl")
        polish_groups = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="pl")
        assert [c.description for c in polish_groups] == ["grupy"]
        # getMyCommands reads one (scope, language) as set: no fallback there.
        assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="pl") == ()

    def shown(chat: Any, user: Any) -> list[str]:
        return [c["description"] for c in peer.menu_shown(chat, user)]

    assert shown(group, polish) == ["grupy"] and shown(group, german) == ["groups"]
    # Private chats have a list for every language only: Polish users see it too, before the
    # default scope's Polish one.
    assert shown(peer.private_chat(polish), polish) == ["private"]
    assert shown(peer.private_chat(german), german) == ["private"]
    peer.world.commands.clear()
    async with _bot(peer) as bot:
        await bot.set_my_commands([BotCommand("help", "default")])
        await bot.set_my_commands([BotCommand("help", "domyślne")], language_code="pl")
    assert shown(peer.private_chat(polish), polish) == ["domyślne"]
    assert shown(peer.private_chat(german), german) == ["default"]
    assert shown(group, polish) == ["domyślne"]


async def test_delete_message_keeps_to_the_documented_limits(make_telegram_peer: Any) -> None:
    """deleteMessage (core.telegram.org/bots/api#deletemessage): a member's message in a group
    only as an administrator (in a supergroup, one with can_delete_messages), its own always,
    and nothing sent 48 hours ago or more."""
    clock = ManualClock()
    peer: TelegramPeer = await make_telegram_peer(clock=clock)
    olga, ann = peer.create_user("Olga"), peer.create_user("Ann")
    plain = peer.create_group("Plain", creator=olga, members=[ann])
    peer.add_bot_to_group(plain, olga)
    limited = peer.create_group("Limited", creator=olga, members=[ann])
    peer.add_bot_to_group(limited, olga, as_admin=True, can_delete_messages=False)
    basic = peer.create_group("Basic", creator=olga, members=[ann], supergroup=False)
    peer.add_bot_to_group(basic, olga, as_admin=True, can_delete_messages=False)
    trusted = peer.create_group("Trusted", creator=olga, members=[ann])
    peer.add_bot_to_group(trusted, olga, as_admin=True)
    async with _bot(peer) as bot:
        for group in (plain, limited):
            said = peer.send_message(ann, "/join ABCD-EF23", group)
            with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
                await bot.delete_message(group.id, said.message_id)
            assert not said.deleted
            own = await bot.send_message(group.id, "mine")
            assert await bot.delete_message(group.id, own.message_id)
        member = await bot.get_chat_member(limited.id, peer.bot.id)
        assert member.status == "administrator" and not member.can_delete_messages
        for group in (basic, trusted):  # any administrator of a basic group; one with the right
            said = peer.send_message(ann, "/join ABCD-EF23", group)
            assert await bot.delete_message(group.id, said.message_id)
            assert said.deleted
        late = peer.send_message(ann, "/join ABCD-EF23", trusted)
        clock.advance(48 * 3600)
        with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
            await bot.delete_message(trusted.id, late.message_id)


async def test_privacy_mode_hears_mentions_by_entity_and_replies_go_to_the_bot_replied_to(
    fast_telegram_peer: TelegramPeer,
) -> None:
    """A mention is a ``mention`` entity naming the bot, the whole word: ``@QuorumTestBotX`` is
    someone else, ``a@QuorumTestBot`` an address. A reply goes to the bot it replies to ("Replies
    have the highest priority"), even with a command for this one in it."""
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    other = peer.create_bot("OtherBot")
    group = peer.create_group("Branch", creator=chair, members=[member, other])
    peer.add_bot_to_group(group, by=chair)
    named = peer.send_message(member, "what do you think, @quorumtestbot?", group)
    assert named.update is not None
    assert named.to_json()["entities"] == [{"type": "mention", "offset": 19, "length": 14}]
    for text in ("ask @QuorumTestBotX", "mail a@QuorumTestBot", "@QuorumTestBot_2 knows"):
        assert peer.send_message(member, text, group).update is None, text
    theirs = peer.bot_posts(other, group, "Weather: rain")
    to_them = peer.send_message(member, "/vote@QuorumTestBot 1 yes", group, reply_to=theirs)
    assert to_them.update is None
    async with _bot(peer) as bot:
        ours = await bot.send_message(group.id, "Poll 1 …")
        mine = peer.send_message(member, "thanks", group, reply_to=group.message(ours.message_id))
        assert mine.update is not None
        command = peer.send_message(member, "/vote@QuorumTestBot 1 yes", group)
        assert peer.send_message(chair, "same here", group, reply_to=command).update is not None
        await _updates(bot)


async def test_captions_and_messages_via_inline_bots_carry_their_entities(fast_telegram_peer: TelegramPeer) -> None:
    """A photo or file comes with ``caption`` and ``caption_entities`` and no ``text``; privacy
    mode reads its caption as a text. A message sent via an inline bot is its sender's, with
    ``via_bot``; one sent via this bot reaches it whatever it says."""
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    inline = peer.create_bot("GifBot")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    addressed = peer.send_media(member, "/poll@QuorumTestBot Lunch? | Soup | Pie", group)
    document = peer.send_media(member, "/poll@OtherBot Lunch?", group, kind="document")
    bare = peer.send_media(member, None, group)
    via_other = peer.send_message(member, "/vote@QuorumTestBot 1 yes", group, via_bot=inline)
    via_us = peer.send_message(member, "Poll 1: results", group, via_bot=peer.world.bot)
    assert addressed.update is not None and via_other.update is not None and via_us.update is not None
    assert document.update is None and bare.update is None
    with pytest.raises(PeerUsageError):
        peer.send_media(member, "x" * 1025, group)
    async with _bot(peer) as bot:
        got = [u.message for u in await _updates(bot)]
    photo, via_them, via_bot = got[-3:]
    assert photo is not None and photo.text is None and photo.photo
    assert photo.caption == "/poll@QuorumTestBot Lunch? | Soup | Pie"
    assert [(e.type, e.offset, e.length) for e in photo.caption_entities] == [("bot_command", 0, 19)]
    assert via_them is not None and via_them.via_bot is not None and via_them.via_bot.username == "GifBot"
    assert via_them.from_user is not None and via_them.from_user.id == member.id
    assert via_bot is not None and via_bot.via_bot is not None and via_bot.via_bot.id == peer.world.bot.id
