"""Members as the roll holds them, and their join codes.

Telegram bots cannot list a group's members, so an organisation that needs turnout keeps a
roll. Each member gets a join code; ``/join CODE`` links a chat identity to the member, and a
member's linked identities (say, on Telegram and on Matrix) vote as one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.kernel.secrecy import CODE_ALPHABET, format_code


def new_join_code() -> str:
    return format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(8)))


def says_branch(branch: str) -> bool:
    """Whether a branch's name already says it is one ("North branch", "Riverside Branch"): a
    sentence then names it as it is, else as "North branch" (each its own translated sentence,
    e.g. "oddział {branch}" / "cangen {branch}"), never "North branch branch"."""
    return bool(branch.split()[-1:]) and branch.split()[-1].casefold() == "branch"


def branch_name(branch: str) -> str:
    """How a branch is named in an English sentence: "North" as "North branch", and a name that
    already says it as it is (see ``says_branch``)."""
    return branch if says_branch(branch) else f"{branch} branch"


@dataclass(frozen=True)
class RollEntry:
    name: str
    number: str | None
    branch: str | None
    weight: int


@dataclass(frozen=True)
class RollImport:
    """What a roll import did: (number, name, branch, join code) of every member in the file, and
    (number, name) of every member it made inactive (with --replace: those missing from it)."""

    rows: list[tuple[str | None, str, str | None, str]]
    made_inactive: list[tuple[str | None, str]]
    replace: bool


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    branch: str | None
    active: bool
