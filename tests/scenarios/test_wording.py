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
from bot.kernel.language import ngettext
from tests.helpers import Chat, transcript_after_outbox

Render = Callable[[Path], Awaitable[str]]


def script(*lines: str, setup: Callable[[Chat], Awaitable[object]] | None = None, outbox: bool = False) -> Render:
    """The bot's answers to LINES, played in the console after SETUP (with OUTBOX, also what
    they queued to be sent, such as a reminder round)."""

    async def render(tmp_path: Path) -> str:
        chat = await Chat.start(tmp_path)
        try:
            if setup is not None:
                await setup(chat)
            said = await chat.say(*lines)
            return await transcript_after_outbox(chat) if outbox else said
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
    # Nouns agree with their numbers through the catalogues' plural forms (bot/kernel/language.py).
    Row("one volunteer", text(ngettext("{n} volunteer", "{n} volunteers", 1).format(n=1)), says=("1 volunteer",),
        never=("volunteers",)),
    Row("two branches", text(ngettext("{n} branch", "{n} branches", 2).format(n=2)), says=("2 branches",)),
]


# -- polls and elections ----------------------------------------------------------------------

async def _five_members(chat: Chat) -> None:
    from tests.helpers import add_members

    await add_members(chat, [(name, None) for name in ("ann", "bob", "cat", "dan", "eve")])


async def _ten_members(chat: Chat) -> None:
    from tests.helpers import add_members

    await add_members(chat, [(f"m{n}", None) for n in range(10)])


def _then_outbox(*lines: str, setup: Callable[[Chat], Awaitable[object]] | None = None) -> Render:
    """The bot's answers to LINES and what they queued (reminders, announcements), once sent."""

    async def render(tmp_path: Path) -> str:
        from tests.helpers import transcript_after_outbox

        chat = await Chat.start(tmp_path)
        try:
            if setup is not None:
                await setup(chat)
            await chat.say(*lines)
            return await transcript_after_outbox(chat)
        finally:
            await chat.stop()

    return render


POLLS: list[Row] = [
    Row("one has voted", script("chair: /poll Lunch? | Pizza | Soup --closes 2h", "ann: /vote 1 Pizza",
                                "chair: /remind 1", outbox=True), says=("1 has voted",), never=("1 have voted",)),
    Row("polls: an em dash in a question is text",
        script("chair: /poll Approve the budget — yes or no?"),
        says=("Poll 1: Approve the budget — yes or no?",), never=("Unknown option", "--.")),
    Row("polls: a double hyphen in a question is text",
        script("chair: /poll Approve the budget -- yes or no? | Yes -- now | No"),
        says=("Poll 1: Approve the budget -- yes or no?", "1. Yes -- now"), never=("Unknown option",)),
    Row("polls: a decimal quorum is a number",
        script("chair: /poll Rule change? --roll --quorum 40.5%", setup=_five_members),
        says=("quorum 40.5%",), never=("not a number",)),
    Row("polls: a decimal deadline is a number",
        script("chair: /poll Lunch? | Pizza | Soup --closes 1.5h"),
        says=("Closes Mon 01 Jun 13:30 (UTC).",), never=("cannot read",)),
    Row("polls: an industrial majority takes 'an'",
        script("chair: /poll Strike? --majority industrial"),
        says=("An industrial majority needs a known electorate",), never=("A industrial", "a industrial")),
    Row("polls: an industrial-40 failure leads with why it failed",
        script("chair: /poll Strike? --roll --majority industrial-40", "m0: /vote 1 yes", "m1: /vote 1 yes",
               "m2: /vote 1 yes", "m3: /vote 1 no", "m4: /vote 1 no", "chair: /close 1", setup=_ten_members),
        says=("NOT CARRIED — less than 40% of the electorate for (3 of 10, 4 needed). Met: turnout at least 50%",),
        never=("NOT CARRIED — turnout",)),
    Row("polls: a proposal tie reads as a chair says it",
        script("chair: /poll Adopt?", "ann: /vote 1 yes", "bob: /vote 1 no", "chair: /close 1"),
        says=("TIE — 1 for, 1 against: the question is not decided",), never=("between Yes, No", "tie:")),
    Row("polls: a tie between options names them in words",
        script("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 1", "bob: /vote 1 2", "chair: /close 1"),
        says=("TIE — Pizza and Soup have 1 vote each: no winner",), never=("1 votes", "not decided between")),
    Row("polls: a closed election gives its title once",
        script("chair: /poll Chair of the branch | Ann | Bob --ranked", "ann (private): /rank 1 1 2",
               "chair: /close 1"),
        says=("Result — election 1: Chair of the branch",), never=("\n    Chair of the branch\n",)),
    Row("polls: one option left to choose from",
        script("chair: /poll Lunch? | Pizza | Abstain --multi 2"),
        says=("more than the 1 option to choose from",), never=("1 options",)),
    Row("polls: a card vote gives head count and weight",
        script("chair: /poll Affiliate? --roll --card", "ann: /vote 1 yes", "chair: /close 1", setup=_five_members),
        says=("Turnout (card vote): 1 of 5 members voted (20.0%), casting 1 of 5 votes (20.0%)",),
        never=("1 of 5 members voted (20.0%), casting 1 of 5 votes (20.0%) (card",)),
    Row("polls: a reminder to one member",
        _then_outbox("chair: /poll Strike? --roll --closes 1m", "ann: /vote 1 yes", "bob: /vote 1 yes",
                     "cat: /vote 1 no", "dan: /vote 1 no", "chair: /remind 1", setup=_five_members),
        says=("on their way to 1 member who has not voted", "4 of 5 have voted", "closes at 12:01 (UTC), in 1 minute."),
        never=("1 members", "1 minutes")),
    Row("polls: reminders to several members, an hour ahead",
        _then_outbox("chair: /poll Strike? --roll --closes 1h", "ann: /vote 1 yes", "chair: /remind 1",
                     setup=_five_members),
        says=("on their way to 4 members who have not voted", "closes at 13:00 (UTC), in 1 hour."), never=("1 hours",)),
]


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

def _members(*people: tuple[str, str | None]) -> Callable[[Chat], Awaitable[object]]:
    """A setup putting PEOPLE (name, branch) on the roll, linked to their console accounts."""

    async def setup(chat: Chat) -> None:
        from tests.helpers import add_members

        await add_members(chat, list(people))

    return setup


def _imported(rows: int, inactive: list[tuple[str | None, str]], replace: bool) -> Render:
    """What `quorum members import` says of an import of ROWS members that made INACTIVE inactive."""

    async def render(tmp_path: Path) -> str:
        from bot.features.roll.model import RollImport
        from bot.features.roll.render import import_summary

        members = [(None, f"Member {n}", None, "CODE") for n in range(rows)]
        return import_summary(RollImport(members, inactive, replace))

    return render


_MOTION = ("chair: /motion new Fund our schools", "chair: /motion M1 resolves To support the campaign.")

ORGANISING: list[Row] = [
    Row("a dash in a motion's title is text", script("chair: /motion new Budget — approve or not --deadline 2d"),
        says=("Motion M1 created: Budget — approve or not.",), never=("Unknown option",)),
    Row("erased one sign-up", script("chair: /signup open Assembly", "zed (private): /signup S1",
                                     "zed (private): Zed", "zed (private): North", "zed (private): skip",
                                     "zed (private): yes", "zed (private): /mydata erase"),
        says=("Erased: 1 sign-up.",), never=("1 sign-ups",)),
    Row("imported one member", _imported(1, [], False), says=("Imported 1 member.",), never=("1 members",)),
    Row("replace names who was made inactive", _imported(2, [("1002", "Bob Jones"), (None, "Cat Lee")], True),
        says=("Imported 2 members.", "Made inactive (missing from the file): Bob Jones (1002), Cat Lee.")),
    Row("replace that made nobody inactive", _imported(2, [], True),
        says=("No member was made inactive",)),
    Row("whoami in North branch", script("ann: /whoami", setup=_members(("ann", "North branch"))),
        says=("linked to member ann, North branch.",), never=("branch branch",)),
    Row("a branch named North branch reports", script(*_MOTION, "chair: /motion M1 status carried",
                                                       "chair: /campaign M1 open --branches 1",
                                                       "chair: /campaign M1 adopted North branch on 1 June 2026"),
        says=("Recorded: North branch passed M1", "1 branch so far."), never=("branch branch", "1 branches")),
    Row("a campaign of one branch and one signature",
        script(*_MOTION, "chair: /motion M1 status carried", "chair: /campaign M1 open --branches 1 --signatures 1",
               "ann (private): /sign M1 yes",
               "chair: /campaign M1"),
        says=("goal: 1 branch and 1 signature", "It has 1 signature now.", "1 signature of 1 · 0 branches adopted"),
        never=("1 branches", "1 signatures")),
    Row("one signature of the three needed",
        script("chair: /trigger open recall Cllr Smith --signatures 3 --closes 14d", "m0 (private): /sign T1 yes",
               setup=_members(*((f"m{n}", None) for n in range(3)))),
        says=("Threshold: 3 signatures — 0 signatures of the 3 needed", "1 signature of the 3 needed",
              "(3 members)"),
        never=("1 of 3 signatures needed", "of 3 signatures needed")),
    Row("one branch of the two needed",
        script("chair: /trigger open recall Cllr Smith --branches 100% --per-branch 1 --closes 1d",
               "m0 (private): /sign T1 yes", "chair: /trigger T1",
               setup=_members(("m0", "Avon"), ("m1", "Brent"), ("m2", "Avon"))),
        says=("a branch counts at 1 signature", "1 branch of the 2 needed", "(UTC); 1 day left."),
        never=("1 signatures", "1 days", "branches needed count")),
    Row("an open (roll-call) trigger ballot",
        script("chair: /trigger open recall Cllr Smith --signatures 1 --closes 14d --roll-call",
               setup=_members(("m0", None))),
        says=("When it fires, an open (roll-call) ballot opens here", "Threshold: 1 signature —", "(1 member)"),
        never=("a open", "1 members", "1 signatures")),
    Row("a secret trigger ballot", script("chair: /trigger open recall Cllr Smith --signatures 1 --closes 14d",
                                          setup=_members(("m0", None))),
        says=("When it fires, a secret ballot opens here",)),
    Row("a threshold beyond the electorate", script("chair: /trigger open recall X --signatures 2 --closes 5d",
                                                    setup=_members(("m0", None))),
        says=("it needs 2 signatures but the electorate has only 1 member",), never=("1 members",)),
    Row("a motion with one point", script(*_MOTION, "chair: /motion M1 edit resolves 3 New text"),
        says=("(it has 1 point)",), never=("point(s)",)),
    Row("an amendment to a missing point", script(*_MOTION, 'ann: /amend M1 resolves 2 replace "a" with "b"'),
        says=("it has 1 point",), never=("point(s)",)),
]


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
