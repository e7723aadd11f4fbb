"""/join and /whoami: linking chat accounts to the membership roll."""

from __future__ import annotations

from bot.features.roll.model import branch_name
from bot.features.roll.service import RollService, VoteMover
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.routing import Router

router = Router("roll")


@router.command(
    "join",
    summary="link your chat account to your membership (send it privately)",
    usage="/join CODE",
    private=True,
    details="Your organiser gives you a join code from the membership roll. Linking lets you vote "
    "in polls for the roll; accounts on several platforms linked to one membership vote once.",
)
async def join(ctx: Context, args: str, roll: RollService, polls: VoteMover) -> None:
    raw = args.strip()
    if not raw or " " in raw:
        raise UserError("Usage: /join CODE — the code your organiser gave you, e.g. /join ABCD-EF23.")
    name = await roll.join(ctx.actor, raw, ctx.event_id, polls)
    note = "" if ctx.room.private else " (Next time send your code privately.)"
    await ctx.reply(f"Welcome, {name}: this account is now linked to your membership.{note}")


@router.command("whoami", summary="show how the bot knows you", usage="/whoami")
async def whoami(ctx: Context, args: str, roll: RollService) -> None:
    if args.strip():
        raise UserError("Usage: /whoami (no arguments).")
    member_id = roll.member(ctx.actor.id)
    if member_id is None:
        await ctx.reply(f"You are {ctx.actor.id}, not linked to the membership roll. Link with /join CODE.")
        return
    member = await roll.info(member_id)
    branch = f", {branch_name(member.branch)}" if member and member.branch else ""
    await ctx.reply(f"You are {ctx.actor.id}, linked to member {member.name if member else member_id}{branch}.")


@router.startup
async def load_links(roll: RollService) -> None:
    await roll.start()
