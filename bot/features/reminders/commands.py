"""/remind: members opt out of reminders; organisers send one now."""

from __future__ import annotations

from bot.features.polls.parse import parse_poll_id
from bot.features.polls.service import PollService
from bot.features.reminders.service import Reminders
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.grammar import is_number
from bot.kernel.language import N_, _, ngettext
from bot.kernel.routing import Duty, Router
from bot.kernel.wording import number

router = Router("reminders")
USAGE = N_("Usage: /remind POLL [--names] (organisers), or /remind off | on.")


def _remind_args(args: str) -> tuple[str, bool, bool]:
    """(what: a poll number, off or on; whether --names is given; whether anything else is)."""
    words = args.split()
    names = "--names" in words
    rest = [w for w in words if w != "--names"]
    return (rest[0] if rest else ""), names, len(rest) != 1


@router.command(
    "remind",
    summary=N_("reminders: /remind off|on for yourself; /remind POLL to remind non-voters now"),
    usage="/remind off | /remind on | /remind POLL [--names]",
    details=N_("Reminders go privately to members on the roll who have not voted. --names also lists "
               "them in the group (organisers only, on purpose; never for a secret ballot, where who voted is secret "
               "too)."),
)
async def remind_command(ctx: Context, args: str, reminders: Reminders, polls: PollService) -> None:
    what, names, wrong = _remind_args(args)
    if wrong and not is_number(what.lstrip("#")):
        raise UserError(_(USAGE))
    if what.lower() in ("off", "on"):
        if names:
            raise UserError(_("--names goes with a poll: /remind POLL --names."))
        await reminders.set_opt_out(ctx.actor.id, what.lower() == "off", ctx.event_id)
        await ctx.reply(_("You will get no more reminders.") if what.lower() == "off" else _("Reminders are on again."))
        return
    poll_id, _rest = parse_poll_id(what, "/remind POLL [--names]")
    poll = await polls.current(poll_id)
    if not await ctx.is_organiser(poll.room):  # first, whatever follows the poll's number
        raise UserError(_("Only an organiser of poll {id}'s room can send reminders.").format(id=poll_id))
    if wrong:
        raise UserError(_(USAGE))
    if not poll.is_open:
        raise UserError(_("Poll {id} is closed; there is nothing to remind anyone of.").format(id=poll_id))
    if poll.electorate_kind == "room" and names:
        raise UserError(_("Poll {id} is open to anyone in the room, so nobody can be named as not voted.").format(
            id=poll_id))
    if poll.secret and names:
        raise UserError(_("Poll {id} is a secret ballot: who has voted is secret too, so nobody is named. "
                          "/remind {id} reminds them privately.").format(id=poll_id))
    queued = await reminders.remind_now(poll, names, ctx.event_id)
    if queued is None:  # another organiser's, asked for at the same moment, went once for both
        await ctx.reply(_("A reminder round for poll {id} is on its way already, asked for by another organiser at "
                          "the same moment.").format(id=poll_id))
    elif poll.electorate_kind == "room":
        await ctx.reply(_("A reminder for poll {id} is posted in its room (anyone in the room may vote, so there is no "
                          "list of people to remind privately).").format(id=poll_id))
    else:
        await ctx.reply(ngettext("Reminders for poll {id} are on their way to {n} member who has not voted.",
                                 "Reminders for poll {id} are on their way to {n} members who have not voted.", queued)
                        .format(id=poll_id, n=number(queued)))


@router.timer("reminders")
def due_reminders(reminders: Reminders) -> Duty:
    return Duty(reminders.next_due, reminders.fire_due)


@router.startup
async def load_rounds(reminders: Reminders) -> None:
    await reminders.start()
