"""Steps the motion and amendment commands share: running a change in the writer, finding a
motion the speaker may work on, refusing a vote while amendments are pending, and the ballot a
motion or amendment is put to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiosqlite

from bot.context import Context
from bot.kernel.durations import DeadlineError, parse_deadline
from bot.kernel.errors import UserError
from bot.kernel.grammar import GrammarError, split_options
from bot.kernel.markup import b, esc
from bot.motions.access import require_room
from bot.motions.store import PENDING, AmendmentRow, Motion, amendments_of, load_motion
from bot.poll import iso
from bot.poll_spec import PollSpec

BALLOT = ("Yes", "No", "Abstain")


def run(ctx: Context, fn: Callable[[aiosqlite.Connection], Awaitable[object]], event_id: str | None = None):  # type: ignore[no-untyped-def]
    assert ctx.core.writer is not None
    return ctx.core.writer.run(fn, event_id)


def now_iso(ctx: Context) -> str:
    return iso(ctx.core.clock.now())


async def motion_here(ctx: Context, motion_id: int) -> Motion:
    assert ctx.core.db is not None
    motion = await load_motion(ctx.core.db, motion_id)
    await require_room(ctx, motion)
    return motion


async def no_pending(conn: aiosqlite.Connection, motion: Motion) -> None:
    pending = [a for a in await amendments_of(conn, motion.id) if a.status in PENDING]
    if pending:
        listed = ", ".join(f"{a.ref} ({a.status})" for a in pending)
        raise UserError(
            f"Amendments to {motion.ref} are decided before the motion itself: {listed} still pending. "
            f"Vote on them (/amendment A… vote) or withdraw them (/amendment A… withdraw) first."
        )


def ballot_spec(ctx: Context, args: str, usage: str, question: str) -> PollSpec:
    core = ctx.core
    try:
        rest, opts = split_options(args, frozenset({"secret", "roll"}), frozenset({"closes"}), usage)
    except GrammarError as e:
        raise UserError(f"{e}.") from None
    if rest:
        raise UserError(f"Unexpected {rest[:30]!r}. Usage: {usage}")
    closes_at = None
    if "closes" in opts.values:
        try:
            closes_at = parse_deadline(opts.values["closes"], core.clock.now(), core.config.tz)
        except DeadlineError as e:
            raise UserError(f"--closes: {e}.") from None
    if len(question) > 300:
        question = question[:297] + "…"
    return PollSpec(question=question, options=BALLOT, kind="proposal", closes_at=closes_at,
                    secret="secret" in opts.flags, electorate="roll" if "roll" in opts.flags else "room")


def amendment_line(a: AmendmentRow) -> str:
    poll = f", poll {a.poll_id}" if a.poll_id else ""
    second = f", seconded by {esc(a.seconder)}" if a.seconder else ""
    return f"{b(a.ref)} ({a.status}{poll}) by {esc(a.mover_name)}{second}: {esc(a.amendment.summary)}"
