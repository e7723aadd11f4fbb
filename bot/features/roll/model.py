"""Members as the roll holds them, and their join codes.

Telegram bots cannot list a group's members, so an organisation that needs turnout keeps a
roll. Each member gets a join code; ``/join CODE`` links a chat identity to the member, and a
member's linked identities (say, on Telegram and on Matrix) vote as one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped


def new_join_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


@dataclass(frozen=True)
class RollEntry:
    name: str
    number: str | None
    branch: str | None
    weight: int


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    branch: str | None
    active: bool
