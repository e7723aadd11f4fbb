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

COUNTING: list[Row] = []


# -- sortition pools ----------------------------------------------------------------------------

def _pool(volunteers: int, size: int) -> tuple[str, ...]:
    """A pool with VOLUNTEERS registered (all answering f) and a panel of SIZE."""
    lines = ["chair: /pool new Assembly | gender: f, m"]
    for n in range(volunteers):
        person = f"p{n} (private): "
        lines += [f"{person}/pool 1 join", f"{person}f", f"{person}P {n}", f"{person}yes"]
    return (*lines, f"chair: /pool 1 size {size}")


POOLS: list[Row] = [
    Row("a panel of one member", script(*_pool(0, 1)), says=("the panel will have 1 member.",), never=("1 members",)),
    Row("exactly one panel member", script(*_pool(0, 2), "chair: /pool 1 quota gender=f 1-1"),
        says=("exactly 1 panel member with gender = f",), never=("1 panel members", "between 1 and 1")),
    Row("a frozen pool of one volunteer", script(*_pool(1, 1), "chair: /pool 1 freeze", "chair: /pool 1 status"),
        says=("Pool 1 is frozen: 1 volunteer, a panel of 1", "committed, 1 volunteer,"), never=("1 volunteers",)),
    Row("one more volunteer needed", script(*_pool(1, 2), "chair: /pool 1 freeze"),
        says=("The pool has 1 volunteer but the panel needs 2: find 1 more volunteer or shrink",),
        never=("1 volunteers",)),
    Row("only one volunteer gave that answer", script(*_pool(1, 1), "chair: /pool 1 quota gender=f 2-2",
                                                      "chair: /pool 1 size 1", "chair: /pool 1 freeze"),
        says=("but only 1 volunteer gave that answer",), never=("1 volunteers", "1 seats")),
]


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
