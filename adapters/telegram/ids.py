"""Qualified ids on Telegram: ``tg:<user id>`` for people, ``tg:<chat id>`` for chats, and
``tg:<chat id>/<thread id>`` for a forum topic, a room of its own inside its group.

A private chat's id is the user's own id, so a private message to ``tg:123`` goes to chat 123.
An anonymous administrator acts as the group itself (``tg:<chat id>``).
"""

from __future__ import annotations

PLATFORM = "tg"


def qualified(telegram_id: int, thread_id: int | None = None) -> str:
    return f"{PLATFORM}:{telegram_id}" if thread_id is None else f"{PLATFORM}:{telegram_id}/{thread_id}"


def telegram_id(qualified_id: str) -> int:
    """The numeric Telegram id inside a qualified id (a topic's chat); ValueError for another
    platform's id."""
    return chat_and_thread(qualified_id)[0]


def chat_and_thread(qualified_id: str) -> tuple[int, int | None]:
    """(chat id, forum topic's thread id or None) of a qualified room id."""
    platform, _, rest = qualified_id.partition(":")
    if platform != PLATFORM:
        raise ValueError(f"not a Telegram id: {qualified_id!r}")
    chat, _, thread = rest.partition("/")
    return int(chat), int(thread) if thread else None
