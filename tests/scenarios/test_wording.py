"""How the bot reads to volunteers, not programmers: every wording rule is a row of one table.

A row names how to get a text (a console script through the real bot, or any coroutine that
renders one), what the text must say and what it must never say. Rows are grouped by feature;
when a wording is found wrong, add the row that would have caught it to its group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.kernel.wording import a_or_an, count_of
from tests.helpers import Chat

Render = Callable[[Path], Awaitable[str]]


def script(*lines: str, setup: Callable[[Chat], Awaitable[object]] | None = None) -> Render:
    """The bot's answers to LINES, played in the console after SETUP."""

    async def render(tmp_path: Path) -> str:
        chat = await Chat.start(tmp_path)
        try:
            if setup is not None:
                await setup(chat)
            return await chat.say(*lines)
        finally:
            await chat.stop()

    return render


def text(value: str) -> Render:
    """A text rendered without the bot (a pure renderer's output, passed in)."""

    async def render(tmp_path: Path) -> str:
        return value

    return render


@dataclass(frozen=True)
class Row:
    id: str
    render: Render
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = field(default=())


KERNEL = [
    Row("one volunteer", text(count_of(1, "volunteer")), says=("1 volunteer",), never=("volunteers",)),
    Row("two branches", text(count_of(2, "branch", "branches")), says=("2 branches",)),
    Row("an open ballot", text(a_or_an("open (roll-call) ballot")), says=("an open",)),
    Row("an industrial majority", text(a_or_an("industrial majority")), says=("an industrial",)),
    Row("a unanimous vote", text(a_or_an("unanimous vote")), says=("a unanimous",)),
]


# -- polls and elections ----------------------------------------------------------------------

POLLS: list[Row] = []


# -- counting (the engines and `quorum count`) --------------------------------------------------


def counted(blt: str, method: str | None = None) -> Render:
    """The stage table of a count of BLT text, as `quorum count` prints it."""

    async def render(tmp_path: Path) -> str:
        from bot.engines.counting.blt import read_blt
        from bot.engines.counting.methods import count
        from bot.engines.counting.render import to_text

        return to_text(count(read_blt(blt), method))

    return render


def refused(blt: str) -> Render:
    """What `quorum count` says of a ballot file it cannot read."""

    async def render(tmp_path: Path) -> str:
        from bot.engines.counting.blt import read_blt
        from bot.engines.counting.errors import BallotFileError

        try:
            read_blt(blt)
        except BallotFileError as exc:
            return str(exc)
        return "read without complaint"

    return render


def ranked(seats: int) -> Render:
    """A ranked election of SEATS seats through the bot, closed: its published count."""
    rankings = ["1 2", "1 2", "1 3", "2 1", "2 3", "3 2", "3"]
    return script(
        f"chair: /poll Committee | Ann | Bob | Cat --ranked --seats {seats}",
        *(f"m{n} (private): /rank 1 {r}" for n, r in enumerate(rankings)),
        "chair: /close 1",
    )


COUNTING: list[Row] = [
    Row("an election's two seats", ranked(2), says=("2 seats,",), never=("seat(s)",)),
    Row("an election's one seat", ranked(1), says=("1 seat,",), never=("seat(s)", "1 seats")),
    Row(
        "meek's iterations",
        counted("3 2\n12 1 2 0\n5 3 0\n3 2 0\n0\nA\nB\nC\n", "meek"),
        says=("1 iteration",),
        never=("iteration(s)", "1 iterations"),
    ),
    Row(
        "a file one name short",
        refused("2 1\n1 1 0\n0\nAnn\n"),
        says=("promises 2 candidates but only 1 name follows",),
        never=("1 names",),
    ),
]


# -- sortition pools ----------------------------------------------------------------------------

POOLS: list[Row] = []


# -- motions, amendments, campaigns, sign-ups, triggers, the roll -------------------------------

ORGANISING: list[Row] = []


# -- start-up, configuration and the console ----------------------------------------------------

RUNNING: list[Row] = []


ROWS = KERNEL + POLLS + COUNTING + POOLS + ORGANISING + RUNNING


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
async def test_it_reads_right(row: Row, tmp_path: Path) -> None:
    shown = await row.render(tmp_path)
    for fragment in row.says:
        assert fragment in shown, f"{row.id}: expected {fragment!r} in:\n{shown}"
    for fragment in row.never:
        assert fragment not in shown, f"{row.id}: {fragment!r} should not be in:\n{shown}"
