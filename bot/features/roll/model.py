"""Members as the roll holds them, and their join codes.

Telegram bots cannot list a group's members, so an organisation that needs turnout keeps a
roll. Each member gets a join code; ``/join CODE`` links a chat identity to the member, and a
member's linked identities (say, on Telegram and on Matrix) vote as one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from bot.kernel.errors import ParseError
from bot.kernel.language import _
from bot.kernel.secrecy import CODE_ALPHABET, format_code
from bot.kernel.wording import quoted


def new_join_code() -> str:
    return format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(8)))


def typed_as_code(text: str) -> bool:
    """Whether TEXT is typed as a join code is: one word (ABCD-EF23), or its two halves of four
    characters (ABCD EF23, as a code read aloud is typed). ``normalise_code`` reads either."""
    words = text.split()
    return len(words) == 1 or (len(words) == 2 and all(len(w) == 4 for w in words))


def says_branch(branch: str) -> bool:
    """Whether a branch's name already says it is one ("North branch", "Riverside Branch"): a
    sentence then names it as it is, else as "North branch" (each its own translated sentence,
    e.g. "oddział {branch}" / "cangen {branch}"), never "North branch branch"."""
    return bool(branch.split()[-1:]) and branch.split()[-1].casefold() == "branch"


def branch_name(branch: str) -> str:
    """How a branch is named in an English sentence: "North" as "North branch", and a name that
    already says it as it is (see ``says_branch``)."""
    return branch if says_branch(branch) else f"{branch} branch"


def number_key(number: str) -> str:
    """What tells member numbers apart. A number is kept as written (``007`` stays ``007``: many
    rolls give their numbers leading zeros), but one of digits only is the same number with or
    without them, since a spreadsheet that reads the column as numbers drops them: so ``7`` and
    ``007`` are never two members (an import refuses the second, see ``zeros_differ``), and a
    member typing ``7`` means the one the roll writes ``007``. Letters are compared in any case."""
    if number.isascii() and number.isdigit():
        return number.lstrip("0") or "0"
    return number.casefold()


def zeros_differ(number: str, on_roll: str, name: str, line: int | None = None) -> str:
    """Why NUMBER (of NAME, on LINE of a file) is refused beside ON_ROLL, the same number written
    otherwise (leading zeros, letters' case), and what to do about it."""
    if line is None:
        return _("member number {number} ({name}) is on the roll as {on_roll}: a number is kept as written, so "
                 "the import would make a second member of one. If the file lost its leading zeros (a spreadsheet "
                 "that read the column as numbers), format that column as text and save the file again; otherwise "
                 "write the number as the roll has it, {on_roll}").format(
            number=quoted(number), name=quoted(name), on_roll=quoted(on_roll))
    return _("line {line}: member number {number} is the number {on_roll} of an earlier line, written otherwise; "
             "write each member's number once, as the roll keeps it (a spreadsheet that read the column as "
             "numbers drops leading zeros: format that column as text)").format(
        line=line, number=quoted(number), on_roll=quoted(on_roll))


@dataclass(frozen=True)
class RollEntry:
    name: str
    number: str | None
    branch: str | None
    weight: int


@dataclass(frozen=True)
class Joined:
    """An account linked to a membership by its join code: the member's name, the code that now
    replaces theirs if the one used was seen by others (sent in a group), else None, and the
    member's accounts linked before (each is told: a link they did not make is someone else
    voting in their name)."""

    name: str
    new_code: str | None = None
    linked_before: tuple[str, ...] = ()


@dataclass(frozen=True)
class RollImport:
    """What a roll import did: (number, name, branch, join code) of every member in the file,
    (number, name) of every member it made inactive (with --replace: those missing from it), how
    many of the file's members were new to the roll (None: all of them), and (number, name before,
    name now) of every member whose number the file gives another name."""

    rows: list[tuple[str | None, str, str | None, str]]
    made_inactive: list[tuple[str | None, str]]
    replace: bool
    added: int | None = None
    renamed: list[tuple[str | None, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    branch: str | None
    active: bool


class RollError(ParseError):
    """A roll file, or an import, that would make the roll wrong: nothing of it is written."""


def same_member(name: str, branch: str | None, line: int | None = None, first: int | None = None) -> str:
    """Why a second row with the NAME and BRANCH of another and no member number is refused (the
    roll matches such rows by name and branch, so the two would be one member), and how to tell
    them apart."""
    if line is None or first is None:
        if branch is None:
            return _("{name} appears twice, with no member number to tell them apart; give each their member "
                     "number (a number column), or remove the repeated line").format(name=quoted(name))
        return _("{name} (branch {branch}) appears twice, with no member number to tell them apart; give each "
                 "their member number (a number column), or remove the repeated line").format(
            name=quoted(name), branch=quoted(branch))
    if branch is None:
        return _("line {line}: {name} is already on line {first}, with no member number to tell them apart; give "
                 "each their member number (a number column), or remove the repeated line").format(
            line=line, name=quoted(name), first=first)
    return _("line {line}: {name} (branch {branch}) is already on line {first}, with no member number to tell "
             "them apart; give each their member number (a number column), or remove the repeated line").format(
        line=line, name=quoted(name), branch=quoted(branch), first=first)


def numbered_which(name: str, branch: str | None) -> str:
    """Why numbered rows are refused when the roll's one member of their NAME and BRANCH with no
    number could be any of them (whose join code it keeps cannot be told), and what to do."""
    if branch is None:
        return _("{name} is on the roll with no member number, and the file numbers more than one {name}: which "
                 "is the one on the roll cannot be told; first import a file with only their line (they keep "
                 "their join code), then the whole file").format(name=quoted(name))
    return _("{name} (branch {branch}) is on the roll with no member number, and the file numbers more than one "
             "{name} there: which is the one on the roll cannot be told; first import a file with only their "
             "line (they keep their join code), then the whole file").format(name=quoted(name), branch=quoted(branch))
