"""Which invites the bot accepts: from anyone, or only from listed users and servers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def server_of(user_id: str) -> str:
    """The server part of a user id (``@ann:example.org`` -> ``example.org``).

    Only user ids are parsed: room ids carry no server part from room version 12 on."""
    return user_id.split(":", 1)[1] if ":" in user_id else ""


def may_invite(inviter: str, allowed: Iterable[str]) -> bool:
    """ALLOWED holds ``@user:server`` entries and ``:server`` entries; empty allows everyone."""
    allowed = tuple(allowed)
    if not allowed:
        return True
    for entry in allowed:
        if entry.startswith(":") and server_of(inviter).lower() == entry[1:].lower():
            return True
        if entry == inviter:
            return True
    return False


def invite_of(invite_state: list[dict[str, Any]], bot_user_id: str) -> tuple[str, bool] | None:
    """Who invited the bot, and whether they flagged the room as a direct chat."""
    for source in invite_state:
        content = source.get("content") or {}
        if (
            source.get("type") == "m.room.member"
            and source.get("state_key") == bot_user_id
            and content.get("membership") == "invite"
            and isinstance(source.get("sender"), str)
        ):
            return source["sender"], content.get("is_direct") is True
    return None
