"""Test-facing setup: people, groups, membership and the bot joining groups."""

from __future__ import annotations

from .errors import PeerUsageError
from .models import Chat, Message, Topic, User, member_json, restricted_json
from .updates import PendingUpdate
from .world import World

_FIRST_USER_ID = 700_000_000
_FIRST_GROUP_ID = 4_000
_FIRST_SUPERGROUP_ID = -1_001_000_000_000


class Directory:
    """Creates the accounts and chats a scenario needs; mixed into :class:`TelegramPeer`."""

    world: World

    def create_user(
        self,
        first_name: str = "Member",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> User:
        """A new person with a fresh positive id, who has not yet written to the bot."""
        number = self.world.fresh_id()
        user = User(
            id=_FIRST_USER_ID + number,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.world.users[user.id] = user
        return user

    def create_users(self, count: int, prefix: str = "Member") -> list[User]:
        """``count`` people named ``Member 1`` ... for crowd scenarios."""
        return [self.create_user(f"{prefix} {index}") for index in range(1, count + 1)]

    def create_group(
        self,
        title: str,
        *,
        creator: User | None = None,
        members: list[User] | tuple[User, ...] = (),
        admins: list[User] | tuple[User, ...] = (),
        supergroup: bool = True,
        username: str | None = None,
        forum: bool = False,
    ) -> Chat:
        """A group with a negative id (``-100…`` for supergroups, as Telegram numbers them).

        The bot is not in it yet: call :meth:`add_bot_to_group`, which produces the
        ``my_chat_member`` update a real bot receives.
        """
        number = self.world.fresh_id()
        chat_id = _FIRST_SUPERGROUP_ID - number if supergroup else -(_FIRST_GROUP_ID + number)
        chat = Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            username=username,
            is_forum=forum and supergroup,
        )
        self.world.chats[chat.id] = chat
        if creator is not None:
            chat.members[creator.id] = "creator"
        for user in members:
            chat.members.setdefault(user.id, "member")
        for user in admins:
            chat.members[user.id] = "administrator"
        return chat

    def add_member(self, chat: Chat, *users: User, by: User | None = None) -> Message | None:
        """Users join the group (or BY adds them). The group shows a ``new_chat_members``
        service message, which reaches the bot as any service message does, privacy mode
        included (the Bot API FAQ: "All bots, regardless of settings, will receive: All service
        messages"); an administrator bot also gets a ``chat_member`` update for each (as for
        remove_member). Returns the service message (None if nobody was new)."""
        joined = [u for u in users if chat.members.get(u.id, "left") in ("left", "kicked")]
        for user in users:
            if chat.members.get(user.id) not in ("creator", "administrator"):
                if user in joined:
                    self._member_changed(chat, user, "member", by)
                chat.members[user.id] = "member"
        self.world.changed.notify()
        if not joined:
            return None
        notice = self.world.add_message(chat, by or joined[0],
                                        service={"new_chat_members": [u.to_json() for u in joined]})
        self._tell_bot(chat, notice)
        return notice

    def join_by_link(self, chat: Chat, user: User) -> PendingUpdate | None:
        """USER joins the group by an invite link, and the group shows no service message for
        it (a group need not show one for every join): only an administrator bot that asked for
        ``chat_member`` learns of it, by an update that carries the link
        (``ChatMemberUpdated.invite_link``, "for joining by invite link events only"; the
        link's creator is the group's). Returned (None for any other bot, which is not told)."""
        if chat.members.get(user.id, "left") not in ("left", "kicked"):
            raise PeerUsageError(f"{user.first_name} is in {chat.title!r} already")
        creator = next((self.world.users[u] for u, s in chat.members.items() if s == "creator"), user)
        link = {"invite_link": f"https://t.me/+{abs(chat.id):x}", "creator": creator.to_json(),
                "creates_join_request": False, "is_primary": True, "is_revoked": False}
        return self._member_changed(chat, user, "member", user, invite_link=link)

    def make_admin(self, chat: Chat, user: User, *, by: User | None = None,
                   can_delete_messages: bool = True) -> PendingUpdate | None:
        """Promote a member (with every right, or without CAN_DELETE_MESSAGES). A bot learns it
        through getChatAdministrators/getChatMember, or, if it is an administrator itself and
        asked for them, a ``chat_member`` update; the bot promoted itself gets ``my_chat_member``."""
        if chat.members.get(user.id) == "creator":
            return None
        self._grant_delete(chat, user, can_delete_messages)
        return self._member_changed(chat, user, "administrator", by)

    def demote_admin(self, chat: Chat, user: User, *, by: User | None = None) -> PendingUpdate | None:
        """An administrator becomes a plain member again (``chat_member`` as for make_admin; the
        bot demoted gets ``my_chat_member``, and from then on no ``chat_member``, sees in privacy
        mode only what a member bot sees, and may delete only its own messages)."""
        if chat.members.get(user.id) != "administrator":
            raise PeerUsageError(f"{user.first_name} is not an administrator of {chat.title!r}")
        return self._member_changed(chat, user, "member", by)

    def remove_member(self, chat: Chat, user: User, *, by: User | None = None) -> PendingUpdate | None:
        """USER leaves (or BY removes them): the group shows a ``left_chat_member`` service
        message, which reaches the bot as any service message does (privacy mode included), and
        an administrator bot also gets ``chat_member`` (returned)."""
        update = self._member_changed(chat, user, "left" if by is None else "kicked", by)
        notice = self.world.add_message(chat, by or user, service={"left_chat_member": user.to_json()})
        self._tell_bot(chat, notice)
        return update

    def _member_changed(self, chat: Chat, user: User, new: str, by: User | None,
                        **extra: object) -> PendingUpdate | None:
        """Telegram tells the bot of a change of its own status in a chat (promoted, demoted) by
        ``my_chat_member``, always ("the bot's chat member status was updated in a chat"); of
        anyone else's by ``chat_member`` only if it administers the chat and named the kind in
        ``allowed_updates`` (the queue drops it otherwise): from its promotion on, and no longer
        once demoted (its status after the change decides). EXTRA: optional fields of the
        update (``invite_link``)."""
        world = self.world
        old = chat.members.get(user.id, "left")
        chat.members[user.id] = new
        was_restricted = user.id == world.bot.id and not chat.bot_can_send and old == "member"
        if was_restricted and new == "administrator":
            chat.bot_can_send = True  # promoting a restricted member lifts the restrictions
        world.changed.notify()
        if user.id != world.bot.id and chat.members.get(world.bot.id) != "administrator":
            return None
        actor = by or next((world.users[u] for u, s in chat.members.items() if s == "creator"), user)
        return world.queue.push(
            "my_chat_member" if user.id == world.bot.id else "chat_member",
            {
                "chat": chat.to_json(),
                "from": actor.to_json(),
                "date": world.now(),
                "old_chat_member": restricted_json(user, is_member=True) if was_restricted else member_json(user, old),
                "new_chat_member": member_json(user, new, can_delete_messages=user.id not in chat.cannot_delete),
                **extra,
            },
        )

    def create_bot(self, username: str, first_name: str = "Other bot") -> User:
        """Another bot account (to put beside ours in a group, for privacy-mode rules)."""
        bot = User(id=_FIRST_USER_ID + self.world.fresh_id(), first_name=first_name, username=username,
                   is_bot=True, language_code=None)
        self.world.users[bot.id] = bot
        return bot

    def create_channel(self, title: str, owner: User) -> Chat:
        """A channel its owner may write as (``sender_chat``) in groups."""
        chat = Chat(id=_FIRST_SUPERGROUP_ID - self.world.fresh_id(), type="channel", title=title)
        chat.members[owner.id] = "creator"
        self.world.chats[chat.id] = chat
        return chat

    def deactivate_user(self, user: User) -> None:
        """The account is deleted: sends to it get 403 ``user is deactivated``."""
        user.deactivated = True
        self.world.changed.notify()

    def mute_members(self, chat: Chat, *, muted: bool = True) -> None:
        """An administrator lets no member send messages (the group's default permissions): only
        administrators may write, a bot that is none is refused ``have no rights to send a
        message``. Telegram tells a bot that is no administrator nothing of it."""
        chat.members_can_send = not muted
        self.world.changed.notify()

    def restrict_bot(self, chat: Chat, *, by: User | None = None) -> PendingUpdate:
        """An administrator (BY, the creator by default) takes the bot's right to post
        (``restrictChatMember``): sends get 400 ``not enough rights``. The bot's own status
        changed, so it is told by ``my_chat_member`` (member -> ``restricted``, ``is_member``
        true), as of any change of its status. Telegram restricts no administrator: demote the
        bot first. Returns the update."""
        if chat.members.get(self.world.bot.id) != "member":
            raise PeerUsageError(f"only a bot that is a plain member of {chat.title!r} can be restricted")
        if not chat.bot_can_send:
            raise PeerUsageError(f"the bot is restricted in {chat.title!r} already")
        chat.bot_can_send = False
        self.world.changed.notify()
        return self._bot_status_changed(chat, by, member_json(self.world.bot, "member"),
                                        restricted_json(self.world.bot, is_member=True))

    def unrestrict_bot(self, chat: Chat, *, by: User | None = None) -> PendingUpdate:
        """An administrator gives the restricted bot its rights back: ``my_chat_member``
        (``restricted`` -> ``member``), and it may post again. Returns the update."""
        if chat.bot_can_send or chat.members.get(self.world.bot.id) != "member":
            raise PeerUsageError(f"the bot is not restricted in {chat.title!r}")
        chat.bot_can_send = True
        self.world.changed.notify()
        return self._bot_status_changed(chat, by, restricted_json(self.world.bot, is_member=True),
                                        member_json(self.world.bot, "member"))

    def _bot_status_changed(self, chat: Chat, by: User | None, old: dict[str, object],
                            new: dict[str, object]) -> PendingUpdate:
        world = self.world
        actor = by or next((world.users[u] for u, s in chat.members.items() if s == "creator"), world.bot)
        return world.queue.push(
            "my_chat_member",
            {"chat": chat.to_json(), "from": actor.to_json(), "date": world.now(),
             "old_chat_member": old, "new_chat_member": new},
        )

    def create_topic(self, chat: Chat, name: str, by: User) -> Topic:
        """A forum topic; its thread id is the id of the ``forum_topic_created`` service message,
        which the bot receives (service messages reach privacy-mode bots too)."""
        if not chat.is_forum:
            raise PeerUsageError(f"{chat.title!r} is not a forum")
        world = self.world
        thread_id = chat.next_message_id
        topic = Topic(thread_id, name)
        chat.topics[thread_id] = topic
        notice = world.add_message(chat, by, message_thread_id=thread_id,
                                   service={"forum_topic_created": {"name": name, "icon_color": 7322096}})
        self._tell_bot(chat, notice)
        return topic

    def close_topic(self, chat: Chat, topic: Topic, by: User) -> None:
        """An administrator closes a topic: only administrators may write in it now."""
        topic.closed = True
        notice = self.world.add_message(chat, by, message_thread_id=topic.thread_id,
                                        service={"forum_topic_closed": {}})
        self._tell_bot(chat, notice)

    def _tell_bot(self, chat: Chat, notice: Message) -> None:
        if chat.members.get(self.world.bot.id) in ("member", "administrator"):
            notice.update = self.world.queue.push("message", notice.to_json())

    @staticmethod
    def _grant_delete(chat: Chat, user: User, granted: bool) -> None:
        if granted:
            chat.cannot_delete.discard(user.id)
        else:
            chat.cannot_delete.add(user.id)

    def add_bot_to_group(self, chat: Chat, by: User, *, as_admin: bool = False,
                         can_delete_messages: bool = True) -> PendingUpdate:
        """``by`` adds the bot (AS_ADMIN: an administrator with every right, or without
        CAN_DELETE_MESSAGES): a ``my_chat_member`` update, then the service message.

        Returns the ``my_chat_member`` update.
        """
        if chat.members.get(by.id) not in ("creator", "administrator", "member"):
            raise PeerUsageError(f"{by.first_name} is not in {chat.title!r} and cannot add the bot")
        world = self.world
        bot = world.bot
        old = chat.members.get(bot.id, "left")
        new = "administrator" if as_admin else "member"
        chat.members[bot.id] = new
        self._grant_delete(chat, bot, can_delete_messages)
        update = world.queue.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": by.to_json(),
                "date": world.now(),
                "old_chat_member": member_json(bot, old),
                "new_chat_member": member_json(bot, new, can_delete_messages=can_delete_messages),
            },
        )
        if old in ("left", "kicked"):
            service = world.add_message(
                chat,
                by,
                service={"new_chat_members": [bot.to_json()]},
            )
            world.queue.push("message", service.to_json())
        return update

    def remove_bot_from_group(self, chat: Chat, by: User) -> PendingUpdate:
        """``by`` removes the bot; later sends into the group get 403 as on Telegram."""
        world = self.world
        bot = world.bot
        old = chat.members.get(bot.id, "left")
        chat.members[bot.id] = "kicked"
        return world.queue.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": by.to_json(),
                "date": world.now(),
                "old_chat_member": member_json(bot, old),
                "new_chat_member": member_json(bot, "kicked"),
            },
        )

    def remove_restricted_bot(self, chat: Chat, by: User) -> PendingUpdate:
        """``by`` takes the bot, whose right to post was taken (``restrict_bot``), out of the
        group without banning it: Telegram keeps a restricted user's restrictions once they are
        out, so the ``my_chat_member`` update says ``restricted`` with ``is_member`` false (Bot
        API, ChatMemberRestricted). Later sends into the group get 403 as for any bot not in it."""
        world = self.world
        bot = world.bot
        old = chat.members.get(bot.id, "left")
        chat.members[bot.id] = "left"
        world.changed.notify()
        return world.queue.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": by.to_json(),
                "date": world.now(),
                "old_chat_member": (restricted_json(bot, is_member=True) if not chat.bot_can_send
                                    else member_json(bot, old)),
                "new_chat_member": restricted_json(bot, is_member=False),
            },
        )

    def upgrade_to_supergroup(self, chat: Chat) -> Chat:
        """An admin upgrades a basic group: it gets a new ``-100…`` id and the old one answers
        400 with ``migrate_to_chat_id`` (PTB raises ``ChatMigrated``), as on Telegram.

        The bot is told by two service messages, ``migrate_to_chat_id`` in the old group and
        ``migrate_from_chat_id`` in the new one.
        """
        if chat.type != "group":
            raise PeerUsageError("only a basic group can be upgraded")
        world = self.world
        number = world.fresh_id()
        upgraded = Chat(
            id=_FIRST_SUPERGROUP_ID - number,
            type="supergroup",
            title=chat.title,
            members=dict(chat.members),
        )
        world.chats[upgraded.id] = upgraded
        creator = next((world.users[u] for u, s in chat.members.items() if s == "creator"), world.bot)
        old_notice = world.add_message(chat, creator, service={"migrate_to_chat_id": upgraded.id})
        new_notice = world.add_message(upgraded, creator, service={"migrate_from_chat_id": chat.id})
        chat.migrated_to = upgraded.id
        if chat.members.get(world.bot.id) in ("member", "administrator"):
            world.queue.push("message", old_notice.to_json())
            world.queue.push("message", new_notice.to_json())
        return upgraded

    def private_chat(self, user: User) -> Chat:
        """The user's private chat with the bot (id equal to the user id)."""
        return self.world.private_chat(user)

    def block_bot(self, user: User) -> PendingUpdate:
        """The user blocks the bot: sends to them now get 403 ``bot was blocked by the user``."""
        world = self.world
        user.blocked_bot = True
        chat = world.private_chat(user)
        return world.queue.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": user.to_json(),
                "date": world.now(),
                "old_chat_member": member_json(world.bot, "member"),
                "new_chat_member": member_json(world.bot, "kicked"),
            },
        )
