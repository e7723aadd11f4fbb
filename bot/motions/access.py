"""Who may work on a motion from where: drafting happens in the motion's room, or privately by
someone who is in that room; deciding things (status, ballots) is for its organisers."""

from __future__ import annotations

import logging

from bot.context import Context
from bot.kernel.errors import UserError
from bot.motions.store import Motion

log = logging.getLogger(__name__)


async def in_room(ctx: Context, room: str) -> bool:
    if ctx.room.id == room:
        return True
    if not ctx.room.private:
        return False
    transport = ctx.core.transports.get(room)
    if transport is None:
        return False
    try:
        return await transport.is_member(ctx.actor.id, room)
    except Exception:
        log.exception("membership check failed")
        return False


async def require_room(ctx: Context, motion: Motion) -> None:
    if not await in_room(ctx, motion.room):
        raise UserError(f"Motion {motion.ref} belongs to another room; work on it there (or privately with me).")


async def require_organiser(ctx: Context, room: str, what: str) -> None:
    if not await ctx.core.is_organiser(ctx.actor.id, room):
        raise UserError(f"Only an organiser of the room can {what}.")
