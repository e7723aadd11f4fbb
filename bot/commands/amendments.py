"""/amend and /amendment: proposing amendments, seconding them, and putting them to the vote
before the motion itself; a carried amendment is applied by bot.motions.decisions."""

from __future__ import annotations

import aiosqlite

from bot.commands.registry import command
from bot.context import Context
from bot.kernel.errors import UserError
from bot.kernel.ids import split_ref
from bot.kernel.markup import b, esc
from bot.motions.access import require_organiser
from bot.motions.amendments import USAGE as AMEND_USAGE
from bot.motions.amendments import AmendmentError, apply, parse_amendment
from bot.motions.store import AMENDABLE, AmendmentRow, Motion, load_amendment, load_motion, record
from bot.motions.workflow import amendment_line, ballot_spec, motion_here, now_iso, run


@command("amend", summary="propose an amendment to a motion", usage=AMEND_USAGE,
         details="Quote the words exactly. An amendment needs a seconder (/amendment A3 second) and is then "
         "put to the vote by an organiser (/amendment A3 vote --closes 10m); if carried it is applied to the text.")
async def amend_command(ctx: Context, args: str) -> None:
    motion_id, rest = split_ref(args, "M", AMEND_USAGE)
    try:
        amendment = parse_amendment(rest)
    except AmendmentError as e:
        raise UserError(f"{str(e)[:1].upper()}{str(e)[1:]}.") from None
    await motion_here(ctx, motion_id)
    now = now_iso(ctx)

    async def op(conn: aiosqlite.Connection) -> int:
        motion = await load_motion(conn, motion_id)
        if motion.status not in AMENDABLE:
            raise UserError(f"Motion {motion.ref} is {motion.status}; it can no longer be amended.")
        try:
            apply(motion.text.sections, amendment)
        except AmendmentError as e:
            raise UserError(f"That amendment does not fit M{motion_id}: {e}.") from None
        cur = await conn.execute(
            "INSERT INTO amendments(motion_id, spec, summary, mover, mover_name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (motion_id, amendment.to_json(), amendment.summary, ctx.actor.id, ctx.actor.label, now),
        )
        assert cur.lastrowid is not None
        await record(conn, motion_id, ctx.actor.id, ctx.actor.label, now,
                     f"proposed amendment A{cur.lastrowid}: {amendment.summary}")
        return cur.lastrowid

    amendment_id = await run(ctx, op, ctx.event_id)
    await ctx.reply(
        f"Amendment {b(f'A{amendment_id}')} to M{motion_id} by {esc(ctx.actor.label)}: {esc(amendment.summary)}\n"
        f"It needs a seconder: /amendment A{amendment_id} second"
    )


AMENDMENT_USAGE = "/amendment A3 [show] | /amendment A3 second | /amendment A3 withdraw | " \
                  "/amendment A3 vote [--closes 10m] [--secret] [--roll]"


@command("amendment", summary="second, withdraw or put an amendment to the vote", usage=AMENDMENT_USAGE)
async def amendment_command(ctx: Context, args: str) -> None:
    amendment_id, rest = split_ref(args, "A", AMENDMENT_USAGE)
    sub, _, rest = rest.partition(" ")
    sub, rest = sub.lower() or "show", rest.strip()
    assert ctx.core.db is not None
    row = await load_amendment(ctx.core.db, amendment_id)
    motion = await motion_here(ctx, row.motion_id)
    now = now_iso(ctx)
    if sub == "show":
        if rest:
            raise UserError(f"Usage: {AMENDMENT_USAGE}")
        await ctx.reply(amendment_line(row) + f"\nMotion: {motion.ref} {esc(motion.text.title)}")
    elif sub == "second":
        if rest:
            raise UserError(f"Usage: /amendment A{amendment_id} second")

        async def second(conn: aiosqlite.Connection) -> None:
            a = await load_amendment(conn, amendment_id)
            if a.status != "proposed":
                raise UserError(f"Amendment {a.ref} is {a.status}; only a proposed amendment can be seconded.")
            if a.mover == ctx.actor.id:
                raise UserError(f"You moved {a.ref}: someone else must second it.")
            await conn.execute("UPDATE amendments SET status = 'seconded', seconder = ? WHERE id = ?",
                               (ctx.actor.label, amendment_id))
            await record(conn, a.motion_id, ctx.actor.id, ctx.actor.label, now, f"seconded amendment {a.ref}")

        await run(ctx, second, ctx.event_id)
        await ctx.reply(f"Amendment A{amendment_id} is seconded by {esc(ctx.actor.label)}. "
                        f"An organiser puts it to the vote: /amendment A{amendment_id} vote --closes 10m")
    elif sub == "withdraw":
        if rest:
            raise UserError(f"Usage: /amendment A{amendment_id} withdraw")
        if row.mover != ctx.actor.id:
            await require_organiser(ctx, motion.room, "withdraw someone else's amendment")

        async def withdraw(conn: aiosqlite.Connection) -> None:
            a = await load_amendment(conn, amendment_id)
            if a.status not in ("proposed", "seconded"):
                raise UserError(f"Amendment {a.ref} is {a.status}; it can no longer be withdrawn.")
            await conn.execute("UPDATE amendments SET status = 'withdrawn', decided_at = ? WHERE id = ?",
                               (now, amendment_id))
            await record(conn, a.motion_id, ctx.actor.id, ctx.actor.label, now, f"withdrew amendment {a.ref}")

        await run(ctx, withdraw, ctx.event_id)
        await ctx.reply(f"Amendment A{amendment_id} is withdrawn.")
    elif sub == "vote":
        await _amendment_vote(ctx, row, motion, rest)
    else:
        raise UserError(f"There is no /amendment A{amendment_id} {sub[:20]}. Usage: {AMENDMENT_USAGE}")


async def _amendment_vote(ctx: Context, row: AmendmentRow, motion: Motion, args: str) -> None:
    await require_organiser(ctx, motion.room, "put an amendment to the vote")
    question = f"Amendment {row.ref} to {motion.ref} ({motion.text.title}): {row.amendment.summary} — agree?"
    spec = ballot_spec(ctx, args, f"/amendment {row.ref} vote [--closes 10m] [--secret] [--roll]", question)
    now = now_iso(ctx)

    async def reserve(conn: aiosqlite.Connection) -> int:
        a = await load_amendment(conn, row.id)
        if a.status != "seconded":
            if a.status == "proposed":
                raise UserError(f"Amendment {a.ref} has no seconder yet: /amendment {a.ref} second")
            raise UserError(f"Amendment {a.ref} is {a.status}; it cannot be put to the vote now.")
        m = await load_motion(conn, a.motion_id)
        if m.status not in AMENDABLE:
            raise UserError(f"Motion {m.ref} is {m.status}; its amendments can no longer be voted on.")
        try:
            apply(m.text.sections, a.amendment)
        except AmendmentError as e:
            raise UserError(f"Amendment {a.ref} no longer fits the text of {m.ref}: {e}. Withdraw it "
                            f"(/amendment {a.ref} withdraw) and propose it again.") from None
        await conn.execute("UPDATE amendments SET status = 'voting' WHERE id = ?", (a.id,))
        return await record(conn, m.id, ctx.actor.id, ctx.actor.label, now, f"put amendment {a.ref} to the vote")

    entry = await run(ctx, reserve, ctx.event_id)
    try:
        poll = await ctx.core.polls.open_poll(motion.room, ctx.actor.id, spec)
    except BaseException:
        async def undo(conn: aiosqlite.Connection) -> None:
            await conn.execute("UPDATE amendments SET status = 'seconded' WHERE id = ? AND status = 'voting'",
                               (row.id,))
            await conn.execute("DELETE FROM motion_history WHERE id = ?", (entry,))
        await run(ctx, undo)
        raise

    async def link(conn: aiosqlite.Connection) -> None:
        await conn.execute("UPDATE amendments SET poll_id = ? WHERE id = ?", (poll.id, row.id))

    await run(ctx, link)
    if ctx.room.id != motion.room:
        await ctx.reply(f"The vote on {row.ref} is open as poll {poll.id} in its room.")
