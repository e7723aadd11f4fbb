"""Telegram updates as the core's events.

Event ids come from what identifies the thing itself, not the delivery: a message by its chat
and message id, a button press by its callback query id. So a repeat of the same update, under
its old or a new ``update_id``, is recognised by the core and never counts twice. A poll answer
has no id of its own (the same member may choose A, B, then A again), so it is keyed by
``update_id``; applying one twice sets the same choice twice, which changes nothing.
"""

from __future__ import annotations

from telegram import Chat, Update, User

from adapters.telegram.ids import qualified
from bot.kernel.events import Actor, ButtonPress, Event, Message, NativePollAnswer, Room


def actor_of(user: User) -> Actor:
    return Actor(qualified(user.id), user.full_name)


def room_of(chat: Chat) -> Room:
    return Room(qualified(chat.id), private=chat.type == Chat.PRIVATE, title=chat.title or "")


def event_of(update: Update) -> Event | None:
    """The core event for UPDATE, or None for what the bot does not act on (edits, joins,
    photos, messages from other bots or channels)."""
    message = update.message
    if message is not None:
        user = message.from_user
        if not message.text or user is None or user.is_bot:
            return None
        chat = message.chat
        return Message(
            actor_of(user),
            room_of(chat),
            message.text,
            event_id=f"tg:m{chat.id}:{message.message_id}",
            ref=str(message.message_id),
        )
    query = update.callback_query
    if query is not None:
        where = query.message
        if query.data is None or where is None:
            return None
        return ButtonPress(
            actor_of(query.from_user),
            room_of(where.chat),
            query.data,
            event_id=f"tg:q{query.id}",
            message_ref=str(where.message_id),
            press_id=query.id,
        )
    answer = update.poll_answer
    if answer is not None and answer.user is not None:
        return NativePollAnswer(
            actor_of(answer.user),
            answer.poll_id,
            tuple(answer.option_ids),
            event_id=f"tg:u{update.update_id}",
        )
    return None


def sender_of(update: object) -> int | None:
    """Whose update this is, to keep one person's updates in order."""
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None
