"""Test-facing setup: people, groups, membership and the bot joining groups."""

from __future__ import annotations

from .errors import PeerUsageError
from .models import Chat, User, member_json
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
        )
        self.world.chats[chat.id] = chat
        if creator is not None:
            chat.members[creator.id] = "creator"
        for user in members:
            chat.members.setdefault(user.id, "member")
        for user in admins:
            chat.members[user.id] = "administrator"
        return chat

    def add_member(self, chat: Chat, *users: User) -> None:
        """Users join the group; Telegram does not tell a privacy-mode bot, so no update."""
        for user in users:
            if chat.members.get(user.id) not in ("creator", "administrator"):
                chat.members[user.id] = "member"
        self.world.changed.notify()

    def make_admin(self, chat: Chat, user: User) -> None:
        """Promote a member; the bot learns it only through getChatAdministrators/getChatMember."""
        if chat.members.get(user.id) != "creator":
            chat.members[user.id] = "administrator"
        self.world.changed.notify()

    def remove_member(self, chat: Chat, user: User) -> None:
        chat.members[user.id] = "left"
        self.world.changed.notify()

    def add_bot_to_group(self, chat: Chat, by: User, *, as_admin: bool = False) -> PendingUpdate:
        """``by`` adds the bot: a ``my_chat_member`` update, then the service message.

        Returns the ``my_chat_member`` update.
        """
        if chat.members.get(by.id) not in ("creator", "administrator", "member"):
            raise PeerUsageError(f"{by.first_name} is not in {chat.title!r} and cannot add the bot")
        world = self.world
        bot = world.bot
        old = chat.members.get(bot.id, "left")
        new = "administrator" if as_admin else "member"
        chat.members[bot.id] = new
        update = world.queue.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": by.to_json(),
                "date": world.now(),
                "old_chat_member": member_json(bot, old),
                "new_chat_member": member_json(bot, new),
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
