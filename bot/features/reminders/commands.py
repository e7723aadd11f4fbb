"""/remind: members opt out of reminders; organisers send one now."""

from __future__ import annotations

from bot.features.polls.parse import parse_poll_id
from bot.features.polls.service import PollService
from bot.features.reminders.service import Reminders
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.routing import Duty, Router
from bot.kernel.wording import count_of

router = Router("reminders")
USAGE = "Usage: /remind POLL [--names] (organisers), or /remind off | on."


def _remind_args(args: str) -> tuple[str, bool]:
    words = args.split()
    names = "--names" in words
    rest = [w for w in words if w != "--names"]
    if len(rest) != 1:
        raise UserError(USAGE)
    return rest[0], names


@router.command(
    "remind",
    summary="reminders: /remind off|on for yourself; /remind POLL to remind non-voters now",
    usage="/remind off | /remind on | /remind POLL [--names]",
    details="Reminders go privately to members on the roll who have not voted. --names also lists "
    "them in the group (organisers only, on purpose; never for a secret ballot, where who voted is secret too).",
)
async def remind_command(ctx: Context, args: str, reminders: Reminders, polls: PollService) -> None:
    what, names = _remind_args(args)
    if what.lower() in ("off", "on"):
        if names:
            raise UserError("--names goes with a poll: /remind POLL --names.")
        await reminders.set_opt_out(ctx.actor.id, what.lower() == "off")
        await ctx.reply("You will get no more reminders." if what.lower() == "off" else "Reminders are on again.")
        return
    poll_id, _ = parse_poll_id(what, "/remind POLL [--names]")
    poll = await polls.current(poll_id)
    if not await ctx.is_organiser(poll.room):
        raise UserError(f"Only an organiser of poll {poll_id}'s room can send reminders.")
    if not poll.is_open:
        raise UserError(f"Poll {poll_id} is closed; there is nothing to remind anyone of.")
    if poll.electorate_kind == "room" and names:
        raise UserError(f"Poll {poll_id} is open to anyone in the room, so nobody can be named as not voted.")
    if poll.secret and names:
        raise UserError(f"Poll {poll_id} is a secret ballot: who has voted is secret too, so nobody is named. "
                        f"/remind {poll_id} reminds them privately.")
    queued = await reminders.remind_now(poll, names)
    if poll.electorate_kind == "room":
        await ctx.reply(f"A reminder for poll {poll_id} is posted in its room (anyone in the room may vote, "
                        "so there is no list of people to remind privately).")
    else:
        await ctx.reply(f"Reminders for poll {poll_id} are on their way to {count_of(queued, 'member')} "
                        f"who {'has' if queued == 1 else 'have'} not voted.")


@router.timer("reminders")
def due_reminders(reminders: Reminders) -> Duty:
    return Duty(reminders.next_due, reminders.fire_due)


@router.startup
async def load_rounds(reminders: Reminders) -> None:
    await reminders.start()
