"""/remind: members opt out of reminders; organisers send one now."""

from __future__ import annotations

from bot.commands.registry import command
from bot.context import Context
from bot.kernel.errors import UserError
from bot.reminders import check_remind_args


@command(
    "remind",
    summary="reminders: /remind off|on for yourself; /remind POLL to remind non-voters now",
    usage="/remind off | /remind on | /remind POLL [--names]",
    details="Reminders go privately to members on the roll who have not voted. --names also lists "
    "them in the group (organisers only, on purpose).",
)
async def remind_command(ctx: Context, args: str) -> None:
    core = ctx.core
    what, names = check_remind_args(args)
    if what.lower() in ("off", "on"):
        if names:
            raise UserError("--names goes with a poll: /remind POLL --names.")
        await core.reminders.set_opt_out(ctx.actor.id, what.lower() == "off")
        await ctx.reply("You will get no more reminders." if what.lower() == "off" else "Reminders are on again.")
        return
    poll_id, _ = core.polls.parse_id(what, "/remind POLL [--names]")
    poll = await core.polls.get(poll_id)
    if not await ctx.is_organiser(poll.room):
        raise UserError(f"Only an organiser of poll {poll_id}'s room can send reminders.")
    if not poll.is_open:
        raise UserError(f"Poll {poll_id} is closed; there is nothing to remind anyone of.")
    if poll.electorate_kind == "room" and names:
        raise UserError(f"Poll {poll_id} is open to anyone in the room, so nobody can be named as not voted.")
    queued = await core.reminders.remind_now(poll, names)
    if poll.electorate_kind == "room":
        await ctx.reply(f"A reminder for poll {poll_id} is posted in its room (anyone in the room may vote, "
                        "so there is no list of people to remind privately).")
    else:
        await ctx.reply(f"Reminders for poll {poll_id} are on their way to {queued} members who have not voted.")
