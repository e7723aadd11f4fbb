"""Signing a model motion: members and supporters alike, once each, with consent."""

from __future__ import annotations

import aiosqlite

from bot.campaigns.signing import SIGNABLE, Signable
from bot.campaigns.store import load_campaign, reach_goal
from bot.context import Context
from bot.kernel.errors import UserError
from bot.kernel.markup import b, esc
from bot.motions.store import load_motion
from bot.poll import iso


async def _who(ctx: Context) -> tuple[str, int | None, str, str | None]:
    """(signer key, member id, name, roll branch): a member signs once across linked accounts."""
    member = await ctx.core.member_of(ctx.actor.id)
    if member is None:
        return ctx.actor.id, None, ctx.actor.label, None
    assert ctx.core.db is not None
    async with ctx.core.db.execute("SELECT name, branch FROM members WHERE id = ?", (member,)) as cur:
        row = await cur.fetchone()
    return f"m:{member}", member, (row[0] if row else ctx.actor.label), (row[1] if row else None)


async def describe(ctx: Context, motion_id: int) -> str:
    assert ctx.core.db is not None
    campaign = await load_campaign(ctx.core.db, motion_id)
    refusal = campaign.refusal(ctx.core.clock.now())
    if refusal:
        raise UserError(refusal)
    motion = await load_motion(ctx.core.db, motion_id)
    _, member, name, branch = await _who(ctx)
    as_whom = f"member {esc(name)}" + (f" of {esc(branch)} branch" if branch else "") if member else esc(name)
    return (f"You are signing the model motion {b(f'M{motion_id}')}: {esc(motion.text.title)}, as {as_whom}.\n"
            "We keep your name, your branch if you give it, and the time you signed. The campaign's organisers "
            f"see them and may export the list. You can withdraw at any time: /unsign M{motion_id}.")


async def sign(ctx: Context, motion_id: int, branch: str | None) -> str:
    core = ctx.core
    signer, member, name, roll_branch = await _who(ctx)
    branch = branch or roll_branch
    now = core.clock.now()

    async def op(conn: aiosqlite.Connection) -> tuple[int, bool]:
        campaign = await load_campaign(conn, motion_id)
        refusal = campaign.refusal(now)
        if refusal:
            raise UserError(refusal)
        async with conn.execute(
            "SELECT signed_at FROM campaign_signatures WHERE motion_id = ? AND signer = ?", (motion_id, signer)
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            raise UserError(f"You signed M{motion_id} already (at {row[0].replace('T', ' ')[:16]} UTC); "
                            "nothing changed.")
        await conn.execute(
            "INSERT INTO campaign_signatures(motion_id, signer, identity, name, member_id, branch, consent, signed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            (motion_id, signer, ctx.actor.id, name, member, branch, iso(now)),
        )
        async with conn.execute("SELECT count(*) FROM campaign_signatures WHERE motion_id = ?", (motion_id,)) as cur:
            total = (await cur.fetchone())[0]  # type: ignore[index]
        return total, await reach_goal(conn, campaign, now)

    assert core.writer is not None
    total, reached = await core.writer.run(op, ctx.event_id)
    if reached:
        core.outbox.poke()
    return f"Thank you: you signed M{motion_id}. It has {total} signature{'s' if total != 1 else ''} now."


async def unsign(ctx: Context, motion_id: int) -> str:
    core = ctx.core
    signer, *_ = await _who(ctx)

    async def op(conn: aiosqlite.Connection) -> None:
        campaign = await load_campaign(conn, motion_id)
        if campaign.closed_at is not None:
            raise UserError(f"The campaign for M{motion_id} is closed; its list of signatures is final.")
        cur = await conn.execute(
            "DELETE FROM campaign_signatures WHERE motion_id = ? AND signer = ?", (motion_id, signer)
        )
        if cur.rowcount == 0:
            raise UserError(f"You have not signed M{motion_id}; nothing to withdraw.")

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    return f"Your signature on M{motion_id} is withdrawn and deleted."


SIGNABLE["M"] = Signable(describe, sign, unsign)
