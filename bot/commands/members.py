"""/join and /whoami: linking chat accounts to the membership roll."""

from __future__ import annotations

import aiosqlite

from bot.commands.registry import command
from bot.context import Context
from bot.kernel.errors import UserError
from bot.kernel.events import platform_of
from bot.kernel.secrecy import receipt, voter_hash
from bot.poll import iso
from bot.roll import normalise_code


@command(
    "join",
    summary="link your chat account to your membership (send it privately)",
    usage="/join CODE",
    details="Your organiser gives you a join code from the membership roll. Linking lets you vote "
    "in polls for the roll; accounts on several platforms linked to one membership vote once.",
)
async def join(ctx: Context, args: str) -> None:
    raw = args.strip()
    if not raw or " " in raw:
        raise UserError("Usage: /join CODE — the code your organiser gave you, e.g. /join ABCD-EF23.")
    code = normalise_code(raw)
    core = ctx.core
    identity = ctx.actor.id
    platform = platform_of(identity)

    async def link(conn: aiosqlite.Connection) -> tuple[str, int]:
        cur = await conn.execute("SELECT id, name, active FROM members WHERE join_code = ?", (code,))
        member = await cur.fetchone()
        if member is None or not member[2]:
            raise UserError(f"The code {raw} is not on the roll. Check it with your organiser.")
        member_id, name = member[0], member[1]
        cur = await conn.execute("SELECT member_id FROM identities WHERE identity = ?", (identity,))
        row = await cur.fetchone()
        if row is not None and row[0] is not None:
            if row[0] == member_id:
                raise UserError(f"This account is already linked to {name}.")
            raise UserError("This account is already linked to another membership; ask an organiser.")
        cur = await conn.execute(
            "SELECT identity FROM identities WHERE member_id = ? AND identity LIKE ?",
            (member_id, platform + ":%"),
        )
        if await cur.fetchone() is not None:
            raise UserError("That membership is already linked to another account on this platform; ask an organiser.")
        await conn.execute(
            "INSERT INTO identities(identity, display_name, member_id, linked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(identity) DO UPDATE SET member_id = excluded.member_id, linked_at = excluded.linked_at",
            (identity, ctx.actor.name, member_id, iso(core.clock.now())),
        )
        await _move_open_votes(ctx, conn, identity, f"m:{member_id}")
        return name, member_id

    assert core.writer is not None
    name, member_id = await core.writer.run(link, ctx.event_id)
    core.linked(identity, member_id)
    note = "" if ctx.room.private else " (Next time send your code privately.)"
    await ctx.reply(f"Welcome, {name}: this account is now linked to your membership.{note}")


async def _move_open_votes(ctx: Context, conn: aiosqlite.Connection, old: str, new: str) -> None:
    """Votes this identity cast before linking now count as the member's, once."""
    secret = ctx.core.secret
    for poll in ctx.core.polls.open.values():
        if poll.electorate_kind != "room":
            continue
        src = voter_hash(secret, poll.id, old) if poll.secret else old
        dst = voter_hash(secret, poll.id, new) if poll.secret else new
        cur = await conn.execute("SELECT 1 FROM votes WHERE poll_id = ? AND voter = ?", (poll.id, src))
        if await cur.fetchone() is None:
            continue
        # The member's existing vote (from another linked account) stays; the older one goes.
        await conn.execute("DELETE FROM votes WHERE poll_id = ? AND voter = ? AND EXISTS"
                           " (SELECT 1 FROM votes WHERE poll_id = ? AND voter = ?)", (poll.id, src, poll.id, dst))
        await conn.execute("UPDATE votes SET voter = ? WHERE poll_id = ? AND voter = ?", (dst, poll.id, src))
        if poll.secret:
            await conn.execute(
                "UPDATE OR IGNORE receipts SET code = ? WHERE poll_id = ? AND code = ?",
                (receipt(secret, poll.id, new), poll.id, receipt(secret, poll.id, old)),
            )


@command("whoami", summary="show how the bot knows you", usage="/whoami")
async def whoami(ctx: Context, args: str) -> None:
    if args.strip():
        raise UserError("Usage: /whoami (no arguments).")
    member_id = await ctx.core.member_of(ctx.actor.id)
    if member_id is None:
        await ctx.reply(f"You are {ctx.actor.id}, not linked to the membership roll. Link with /join CODE.")
        return
    assert ctx.core.db is not None
    async with ctx.core.db.execute("SELECT name, branch FROM members WHERE id = ?", (member_id,)) as cur:
        row = await cur.fetchone()
    branch = f", {row[1]} branch" if row and row[1] else ""
    await ctx.reply(f"You are {ctx.actor.id}, linked to member {row[0] if row else member_id}{branch}.")
