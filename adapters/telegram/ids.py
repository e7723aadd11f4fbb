"""Qualified ids on Telegram: ``tg:<user id>`` for people, ``tg:<chat id>`` for chats.

A private chat's id is the user's own id, so a private message to ``tg:123`` goes to chat 123.
"""

from __future__ import annotations

PLATFORM = "tg"


def qualified(telegram_id: int) -> str:
    return f"{PLATFORM}:{telegram_id}"


def telegram_id(qualified_id: str) -> int:
    """The numeric Telegram id inside a qualified id; ValueError for another platform's id."""
    platform, _, rest = qualified_id.partition(":")
    if platform != PLATFORM:
        raise ValueError(f"not a Telegram id: {qualified_id!r}")
    return int(rest)
