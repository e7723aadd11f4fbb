"""A language choice: who or where (a member's or a room's id) reads which language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Choice:
    subject: str  # a member's qualified id (their private messages) or a room's (its messages)
    code: str  # a shipped catalogue's code: "en", "pl", "cy"
