"""Everything the peer remembers; it outlives server restarts so redelivery can be tested."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .errors import ApiError, bad_request, forbidden
from .flood import FloodControl
from .limits import Limits
from .models import CHANNEL_BOT_ID, GROUP_ANONYMOUS_BOT_ID, Chat, Message, Poll, User
from .signal import Signal
from .updates import PendingUpdate, UpdateQueue


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made, with Telegram's verdict; ``error`` is None on success."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None


@dataclass
class CallbackQuery:
    """A button press handed to the bot, and how (or whether) the bot answered it."""

    id: str
    user: User
    message: Message
    data: str
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    update: PendingUpdate | None = None


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_message: str | None = None
    last_error_date: int | None = None
    balanced: list[str] = field(default_factory=list)
    """The addresses a load balancer in front of ``url`` spreads the deliveries over, in turn
    (several bot processes behind one webhook URL; see ``Actions.balance_webhook``)."""


@dataclass
class World:
    """The state shared by the HTTP API and the test-facing actions."""

    bot: User
    token: str
    limits: Limits
    clock: Clock
    privacy_mode: bool = True
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    polls: dict[str, Poll] = field(default_factory=dict)
    callback_queries: dict[str, CallbackQuery] = field(default_factory=dict)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    webhook: Webhook = field(default_factory=Webhook)
    queue: UpdateQueue = field(default_factory=UpdateQueue)
    calls: list[ApiCall] = field(default_factory=list)
    unknown_methods: Counter[str] = field(default_factory=Counter)
    troubled: dict[str, list[int]] = field(default_factory=dict)
    """Per method (lower case): [calls still answered, calls then answered 502 Bad Gateway]."""
    changed: Signal = field(default_factory=Signal)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    flood: FloodControl = field(init=False)

    def __post_init__(self) -> None:
        self.flood = FloodControl(self.limits, self.clock)
        self.users[self.bot.id] = self.bot
        self.users[GROUP_ANONYMOUS_BOT_ID] = User(GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot",
                                                  is_bot=True, language_code=None)
        self.users[CHANNEL_BOT_ID] = User(CHANNEL_BOT_ID, "Channel", username="Channel_Bot", is_bot=True,
                                          language_code=None)

    @property
    def anonymous_admin(self) -> User:
        return self.users[GROUP_ANONYMOUS_BOT_ID]

    @property
    def channel_bot(self) -> User:
        return self.users[CHANNEL_BOT_ID]

    def fresh_id(self) -> int:
        """A number unique within this peer, for user ids, poll ids and query ids."""
        return next(self._ids)

    def now(self) -> int:
        return self.clock.unix()

    def in_trouble(self, method: str) -> bool:
        """Whether this call of METHOD meets a server in trouble (see ``Actions.bad_gateway``)."""
        plan = self.troubled.get(method.lower())
        if plan is None:
            return False
        if plan[0] > 0:
            plan[0] -= 1
            return False
        plan[1] -= 1
        if plan[1] <= 0:
            del self.troubled[method.lower()]
        return True

    def record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self.changed.notify()

    def resolve_chat(self, chat_id: int | str) -> Chat:
        """The chat a bot call names, or the 400/403 Telegram gives when it may not use it."""
        chat: Chat | None = None
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
            user = self.users.get(chat_id)
            if chat is None and user is not None and not user.is_bot:
                chat = self.private_chat(user)
        else:
            name = chat_id.removeprefix("@").lower()
            chat = next(
                (c for c in self.chats.values() if c.username and c.username.lower() == name),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=chat.migrated_to,
            )
        if chat.private_user is not None:
            user = chat.private_user
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked_bot:
                raise forbidden("bot was blocked by the user")
            if not user.started_bot:
                raise forbidden("bot can't initiate conversation with a user")
        else:
            status = chat.members.get(self.bot.id, "left")
            if status == "kicked":
                raise forbidden(f"bot was kicked from the {chat.type} chat")
            if status == "left":
                raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def add_message(self, chat: Chat, sender: User, **fields: Any) -> Message:
        message = Message(chat=chat, message_id=chat.next_message_id, sender=sender, date=self.now(), **fields)
        chat.next_message_id += 1
        if sender.is_bot and sender.id not in (GROUP_ANONYMOUS_BOT_ID, CHANNEL_BOT_ID) and not message.service:
            chat.last_bot_id = sender.id
        chat.messages.append(message)
        self.changed.notify()
        return message

    def check_can_send(self, chat: Chat, what: str) -> None:
        """A restricted bot may not post WHAT (``text messages``, ``documents``, ``photos``,
        ``polls``) into the group: 400 as Telegram answers it."""
        if chat.is_group and not chat.bot_can_send:
            raise bad_request(f"not enough rights to send {what} to the chat")
        if chat.is_group and not chat.members_can_send and chat.members.get(self.bot.id) not in (
                "administrator", "creator"):
            raise bad_request("have no rights to send a message")

    def thread_of(self, chat: Chat, thread_id: int | None) -> int | None:
        """The forum topic a bot's message goes to (``message_thread_id``), or Telegram's 400:
        an unknown topic, or a closed one (only administrators may write in a closed topic)."""
        if not chat.is_forum:
            return None  # outside forums the parameter names no topic
        bot_is_admin = chat.members.get(self.bot.id) in ("administrator", "creator")
        if thread_id is None or thread_id == 1:  # General
            if chat.general_closed and not bot_is_admin:
                raise bad_request("TOPIC_CLOSED")
            return None
        topic = chat.topics.get(thread_id)
        if topic is None:
            raise bad_request("message thread not found")
        if topic.closed and not bot_is_admin:
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    def private_chat(self, user: User) -> Chat:
        """The private chat of a user with the bot; its id is the user's id, as on Telegram."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", private_user=user)
            chat.members = {user.id: "member", self.bot.id: "member"}
            self.chats[user.id] = chat
        return chat
