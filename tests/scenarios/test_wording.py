"""How the bot reads to volunteers, not programmers: every wording rule is a row of one table.

A row names how to get a text (a console script through the real bot, or any coroutine that
renders one), what the text must say and what it must never say. Rows are grouped by feature;
when a wording is found wrong, add the row that would have caught it to its group.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.console import run_console
from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
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

POOLS: list[Row] = []


# -- motions, amendments, campaigns, sign-ups, triggers, the roll -------------------------------

ORGANISING: list[Row] = []


# -- start-up, configuration and the console ----------------------------------------------------

async def _console_banner(tmp_path: Path) -> str:
    out = io.StringIO()
    config = parse_config({"bot": {"database": str(tmp_path / "q.db")}})
    await run_console(config, stdin=io.StringIO(""), out=out, clock=ManualClock(), interactive=True)
    return out.getvalue()


RUNNING: list[Row] = [
    Row("the console names its time zone and where it is set", _console_banner,
        says=("times in UTC (the default: set bot.timezone in quorum.toml)",)),
]


ROWS = KERNEL + POLLS + COUNTING + POOLS + ORGANISING + RUNNING


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
async def test_it_reads_right(row: Row, tmp_path: Path) -> None:
    shown = await row.render(tmp_path)
    for fragment in row.says:
        assert fragment in shown, f"{row.id}: expected {fragment!r} in:\n{shown}"
    for fragment in row.never:
        assert fragment not in shown, f"{row.id}: {fragment!r} should not be in:\n{shown}"
