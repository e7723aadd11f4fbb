"""The peer's world: users, chats, messages and polls, each able to render its Bot API JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .markup import inline_buttons
from .text import Entity
from .updates import PendingUpdate


@dataclass
class User:
    """A Telegram account, a person or the bot itself."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False
    language_code: str | None = "en"
    deactivated: bool = False
    """A deleted account: Telegram answers sends to it 403 ``user is deactivated``."""
    started_bot: bool = False
    """True once the user has written to the bot in private; Telegram forbids bots from
    starting a private conversation before that."""
    blocked_bot: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


GROUP_ANONYMOUS_BOT_ID = 1087968824
"""``@GroupAnonymousBot``: the ``from`` of a message an anonymous administrator sends; its
``sender_chat`` is the group itself (Bot API, Message.sender_chat)."""
CHANNEL_BOT_ID = 136817688
"""``@Channel_Bot``: the ``from`` of a message sent on behalf of a channel (``sender_chat`` is the
channel), and the ``user`` of a poll answer given by a chat (``voter_chat``) "for backward
compatibility" (Bot API, PollAnswer)."""


@dataclass
class Topic:
    """A forum topic: messages in it carry ``message_thread_id`` = the id of the service
    message that created it (Bot API, forum_topic_created)."""

    thread_id: int
    name: str
    closed: bool = False


@dataclass
class Chat:
    """A private chat (positive id, same as the user's) or a group (negative id).

    ``members`` maps user ids to Telegram's member statuses: ``creator``, ``administrator``,
    ``member``, ``left`` or ``kicked``; the bot has an entry like everyone else.
    """

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    private_user: User | None = None
    members: dict[int, str] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    next_message_id: int = 1
    migrated_to: int | None = None
    """For a basic group upgraded to a supergroup: the supergroup's id."""
    is_forum: bool = False
    """A supergroup with topics enabled; its ``topics`` by thread id."""
    topics: dict[int, Topic] = field(default_factory=dict)
    general_closed: bool = False
    last_bot_id: int | None = None
    """The bot that wrote last in the group, for privacy mode's rule on bare commands."""
    bot_can_send: bool = True
    """False once an admin restricts the bot: sends are refused ``not enough rights``."""
    members_can_send: bool = True
    """False once an administrator takes every member's right to send messages (the group's
    default permissions, ``setChatPermissions``): a bot that is no administrator is refused
    ``have no rights to send a message``."""
    cannot_delete: set[int] = field(default_factory=set)
    """Administrators promoted without ``can_delete_messages`` (every other right is granted)."""

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.private_user is not None:
            user = self.private_user
            data["first_name"] = user.first_name
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
        else:
            data["title"] = self.title
            if self.username:
                data["username"] = self.username
            if self.is_forum:
                data["is_forum"] = True
        return data

    def message(self, message_id: int) -> Message | None:
        """The message with this id, or None when it never existed or was deleted."""
        index = message_id - 1
        if 0 <= index < len(self.messages):
            found = self.messages[index]
            if found.message_id == message_id and not found.deleted:
                return found
        for candidate in self.messages:
            if candidate.message_id == message_id and not candidate.deleted:
                return candidate
        return None


@dataclass(frozen=True)
class Version:
    """One state of a bot message's content, kept so tests can read the edit history."""

    text: str | None
    entities: tuple[Entity, ...]
    source: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    date: int


@dataclass
class Message:
    """A message in a chat, from a user or from the bot.

    ``text`` is what Telegram shows (after HTML parsing); ``source`` is what the bot sent,
    ``parse_mode`` how it asked for it to be read. ``edits`` holds earlier versions, oldest
    first.
    """

    chat: Chat
    message_id: int
    sender: User
    date: int
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    source: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    poll: Poll | None = None
    reply_to: Message | None = None
    edits: list[Version] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    file_data: bytes | None = None
    """The bytes of a document or photo the bot uploaded, for tests to read."""
    message_thread_id: int | None = None
    """The forum topic the message is in (None: General, or not a forum)."""
    sender_chat: Chat | None = None
    """For an anonymous administrator, the group; for a post on behalf of a channel, the channel."""
    service: dict[str, Any] = field(default_factory=dict)
    """Service fields such as ``new_chat_members``, rendered as they are."""
    forward_origin: dict[str, Any] | None = None
    """For a forwarded message, where it first came from (Bot API 7.0 ``MessageOrigin``:
    ``user``, ``hidden_user``, ``chat`` or ``channel``, with the original's ``date``); the
    forwarder is ``from``, the text and its entities are the original's."""
    via_bot: User | None = None
    """The inline bot a user's message was sent through (inline mode): the message is the
    user's, ``from`` them, and shows "via @bot"."""
    update: PendingUpdate | None = None
    """For a user's message: the update the bot was sent, or None if it was not told."""

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons currently attached, row by row."""
        return inline_buttons(self.reply_markup)

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    def version(self) -> Version:
        return Version(
            self.text,
            tuple(self.entities),
            self.source,
            self.parse_mode,
            self.reply_markup,
            self.edit_date or self.date,
        )

    def to_json(self, include_reply: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_json(),
            "chat": self.chat.to_json(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.message_thread_id is not None:
            data["message_thread_id"] = self.message_thread_id
            data["is_topic_message"] = True
        if self.sender_chat is not None:
            data["sender_chat"] = self.sender_chat.to_json()
        if self.forward_origin is not None:
            data["forward_origin"] = self.forward_origin
        if self.via_bot is not None:
            data["via_bot"] = self.via_bot.to_json()
        if self.reply_to is not None and include_reply:
            data["reply_to_message"] = self.reply_to.to_json(include_reply=False)
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = list(self.entities)
        if self.poll is not None:
            data["poll"] = self.poll.to_json()
        if self.document is not None:
            data["document"] = self.document
        if self.photo is not None:
            data["photo"] = self.photo
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = list(self.caption_entities)
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        data.update(self.service)
        return data


@dataclass
class PollOption:
    text: str
    persistent_id: str
    voters: set[int] = field(default_factory=set)

    def to_json(self, anonymous_count: int = 0) -> dict[str, Any]:
        return {
            "text": self.text,
            "voter_count": len(self.voters) + anonymous_count,
            "persistent_id": self.persistent_id,
        }


@dataclass
class Poll:
    """A native poll the bot sent; ``answers`` maps user ids to their chosen option ids."""

    id: str
    question: str
    options: list[PollOption]
    is_anonymous: bool
    type: str
    allows_multiple_answers: bool
    allows_revoting: bool
    message: Message | None = None
    is_closed: bool = False
    answers: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "options": [option.to_json() for option in self.options],
            "total_voter_count": len(self.answers),
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": False,
        }


def member_json(user: User, status: str, *, can_delete_messages: bool = True) -> dict[str, Any]:
    """A ``ChatMember`` object with every field PTB 22.8 requires for the status."""
    if status == "creator":
        return {"status": "creator", "user": user.to_json(), "is_anonymous": False}
    if status == "administrator":
        return {
            "status": "administrator",
            "user": user.to_json(),
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": can_delete_messages,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": True,
        }
    if status == "kicked":
        return {"status": "kicked", "user": user.to_json(), "until_date": 0}
    return {"status": status, "user": user.to_json()}


def restricted_json(user: User, *, is_member: bool) -> dict[str, Any]:
    """A ``ChatMemberRestricted``: a user under restrictions (here: may post nothing), who is in
    the chat or not (``is_member``: "True, if the user is a member of the chat at the moment of
    the request"; Telegram keeps a restricted user's restrictions after they are out of it)."""
    rights = ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
              "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
              "can_add_web_page_previews", "can_change_info", "can_invite_users", "can_pin_messages",
              "can_manage_topics", "can_edit_tag", "can_react_to_messages")
    return {"status": "restricted", "user": user.to_json(), "is_member": is_member, "until_date": 0,
            **dict.fromkeys(rights, False)}
