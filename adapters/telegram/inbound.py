"""Telegram updates as the core's events.

Event ids come from what identifies the thing itself, not the delivery: a message by its chat
and message id (an edit by the time of the edit too), a button press by its callback query id.
So a repeat of the same update, under its old or a new ``update_id``, is recognised by the core
and never counts twice. A poll answer has no id of its own (the same member may choose A, B,
then A again), so it is keyed by ``update_id``; applying one twice sets the same choice twice,
which changes nothing.

Who speaks: a person; an anonymous administrator, whose messages come from
@GroupAnonymousBot with the group as ``sender_chat``, acts as the group itself (``tg:<chat>``),
which organises its own room; a message sent on behalf of a channel (``sender_chat`` another
chat) names nobody the bot could count or check, and is refused (``channel_sender``).
A message in a forum topic belongs to the room ``tg:<chat>/<thread>``.

What people write is a message's ``text``, or the ``caption`` of a photo or file, which Telegram
delivers with its ``caption_entities`` (a ``/poll@OurBot`` there reaches a bot in privacy mode).
A command in a caption is not acted on (``Message.caption``: the core says to send it as text).
A message sent via an inline bot (``via_bot``) is its sender's own, chosen and sent by them: a
command in it is acted on like any other.
"""

from __future__ import annotations

from telegram import Chat, Update, User
from telegram import Message as TgMessage

from adapters.telegram.ids import qualified
from bot.kernel.events import Actor, ButtonPress, Event, Message, NativePollAnswer, Room
from bot.kernel.grammar import split_command


def actor_of(user: User) -> Actor:
    return Actor(qualified(user.id), user.full_name, user.language_code or "")


def chat_actor(chat: Chat) -> Actor:
    """A chat acting as one voice: the group (its anonymous administrators), or a channel."""
    return Actor(qualified(chat.id), chat.title or chat.effective_name or "")


def room_of(chat: Chat, message: TgMessage | None = None) -> Room:
    thread = None
    if message is not None and chat.is_forum and message.is_topic_message:
        thread = message.message_thread_id
    return Room(qualified(chat.id, thread), private=chat.type == Chat.PRIVATE, title=chat.title or "")


def _message(update: Update) -> tuple[TgMessage | None, bool]:
    if update.message is not None:
        return update.message, False
    return update.edited_message, update.edited_message is not None


def _written(message: TgMessage) -> tuple[str, bool]:
    """What MESSAGE says, and whether that is a caption (of a photo or file) rather than a text."""
    if message.text:
        return message.text, False
    return message.caption or "", message.caption is not None


def channel_sender(update: Update, bot_username: str | None) -> TgMessage | None:
    """A command sent on behalf of a channel into a group, which the bot answers with a refusal;
    not one written to another bot (``/start@other_bot``), which an administrator bot reads too
    and which is not this bot's to refuse, as a person's is not its to answer."""
    message, _ = _message(update)
    if message is None or message.sender_chat is None or message.sender_chat.id == message.chat.id:
        return None
    command = split_command(_written(message)[0])
    if message.is_automatic_forward or command is None:
        return None  # a channel's post copied into its discussion group, or talk: not meant for the bot
    if command.bot and bot_username and command.bot.lower() != bot_username.lower():
        return None
    return message


def forwarded_command(update: Update) -> TgMessage | None:
    """A forwarded message that starts with a command (``forward_origin`` set, Bot API 7.0).

    A forwarded message is someone else's words, quoted: ``/close 3`` forwarded by a member is
    what its author once wrote, not what the forwarder asks now, and acting on it would let
    anyone replay an organiser's command under their own name, or make the bot act twice on
    one decision. So it is never acted on. What is said about it: in a private chat, one short
    hint (the forwarder is talking to the bot, and likely meant the command as theirs); in a
    group, nothing (forwarding a message there is talking to the members, and a bot that
    answered every quoted command would talk over them). Forwarded text that is no command, in
    a private chat, still answers a conversation's question: it is the forwarder's choice of
    answer, as a pasted one would be."""
    message, _ = _message(update)
    if message is None or message.forward_origin is None or message.is_automatic_forward:
        return None
    return message if split_command(_written(message)[0]) is not None else None


def addressed_to(text: str, bot_username: str | None) -> bool:
    """Whether TEXT is a command naming this bot (``/vote@OurBot``)."""
    command = split_command(text)
    return bool(command and command.bot and bot_username and command.bot.lower() == bot_username.lower())


def event_of(update: Update, bot_username: str | None = None) -> Event | None:
    """The core event for UPDATE, or None for what the bot does not act on (joins, photos and
    files without a command in their caption, messages from other bots or on behalf of
    channels). BOT_USERNAME: this bot's, to tell a command addressed to it (``Message.addressed``)."""
    message, edited = _message(update)
    if message is not None:
        user = message.from_user
        chat = message.chat
        text, caption = _written(message)
        if not text or user is None or (caption and split_command(text) is None):
            return None  # nothing written, or a caption that is no command (nothing asked of the bot)
        if message.sender_chat is not None:
            if message.sender_chat.id != chat.id:
                return None
            actor = chat_actor(chat)  # an anonymous administrator
        elif user.is_bot:
            return None
        else:
            actor = actor_of(user)
        event_id = f"tg:m{chat.id}:{message.message_id}"
        if edited:
            when = message.edit_date.timestamp() if message.edit_date is not None else update.update_id
            event_id += f":e{int(when)}"
        return Message(actor, room_of(chat, message), text, event_id=event_id,
                       ref=str(message.message_id), edited=edited,
                       addressed=addressed_to(text, bot_username), caption=caption)
    query = update.callback_query
    if query is not None:
        where = query.message
        if query.data is None or where is None:
            return None
        return ButtonPress(
            actor_of(query.from_user),
            room_of(where.chat, where if isinstance(where, TgMessage) else None),
            query.data,
            event_id=f"tg:q{query.id}",
            message_ref=str(where.message_id),
            press_id=query.id,
        )
    answer = update.poll_answer
    if answer is not None:
        if answer.voter_chat is not None:  # given as a chat: the group's anonymous administrators
            voter = chat_actor(answer.voter_chat)
        elif answer.user is not None:
            voter = actor_of(answer.user)
        else:
            return None
        return NativePollAnswer(voter, answer.poll_id, tuple(answer.option_ids), event_id=f"tg:u{update.update_id}")
    return None


def sender_of(update: object) -> int | None:
    """Whose update this is, to keep one person's updates in order."""
    if isinstance(update, Update):
        message, _ = _message(update)
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id
        if update.poll_answer is not None and update.poll_answer.voter_chat is not None:
            return update.poll_answer.voter_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None
