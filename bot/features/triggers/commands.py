"""/trigger: open selection, recall and no-confidence campaigns that fire a ballot once enough
members have signed."""

from __future__ import annotations

from bot.features.polls.service import PollService
from bot.features.triggers.model import TriggerFired
from bot.features.triggers.parse import USAGE as OPEN_USAGE
from bot.features.triggers.parse import parse_trigger
from bot.features.triggers.render import listing, listing_line, opened, progress, sign_button
from bot.features.triggers.service import TriggerService
from bot.kernel.config import Config
from bot.kernel.context import Context
from bot.kernel.csv_export import send_privately
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.ids import split_ref
from bot.kernel.language import N_, _, pgettext
from bot.kernel.pages import pages
from bot.kernel.routing import Duty, Router

router = Router("triggers")

USAGE = f"{OPEN_USAGE} | /trigger T2 | /trigger T2 export | /trigger T2 cancel | /trigger list"
DETAILS = N_(
    "Thresholds: --signatures N (members), --electorate P% (of the roll, or of --branch NAME: a branch's name of "
    "several words runs to the next option, or goes in quotes), or --branches B% "
    "with --per-branch N or P% (a branch counts once its own signatures reach that). The electorate is fixed "
    "when the campaign opens. When the threshold is crossed the trigger fires once: it is announced here, the "
    "ballot opens (secret unless --roll-call; --ballot-closes 7d) and the organisers are told. Members sign "
    "privately (sign T2) and may withdraw until it fires."
)


async def _open(ctx: Context, args: str, triggers: TriggerService, config: Config) -> None:
    if ctx.room.private:
        raise UserError(_("Open a trigger campaign in the group where it is announced, not in a private chat."))
    # TRANSLATORS: completes "Only an organiser of the room can …".
    await ctx.require_organiser(ctx.room.id, _("open a trigger campaign"))
    spec = parse_trigger(args, triggers.now(), config.tz)
    t, electorate = await triggers.open(ctx, spec)
    await ctx.reply(opened(t, await triggers.standing(t), spec, electorate, triggers.now(), config.tz),
                    ((Button(sign_button(t), start=f"sign-{t.ref}"),),))


async def _list(ctx: Context, triggers: TriggerService) -> None:
    listed = [listing_line(t) for t in await triggers.recent(ctx)]
    for page in pages(listing(listed[::-1])):
        await ctx.reply(page)


@router.command("trigger", summary=N_("trigger campaigns: open selection, recall, no confidence"), usage=USAGE,
                details=DETAILS, organiser=True)
async def trigger_command(ctx: Context, args: str, triggers: TriggerService, config: Config) -> None:
    head, _sep, rest = args.strip().partition(" ")
    if head.lower() == "open":
        await _open(ctx, rest.strip(), triggers, config)
        return
    if head.lower() == "list":
        if rest.strip():
            raise UserError(_("Usage: {usage}").format(usage="/trigger list"))
        await _list(ctx, triggers)
        return
    trigger_id, rest = split_ref(args, "T", _("{open} or {show} (send {help} for more)").format(
        open="/trigger open …", show="/trigger T2", help="/help trigger"))
    sub = rest.lower()
    t = await triggers.get(trigger_id)
    # First, whatever follows: from another room (a group, or privately by someone not in its room),
    # only the organisers of its room work on it (export, cancel); anyone else asks there, and what
    # is wrong with the rest is said there.
    if not await ctx.reaches(t.room) or sub == "" and not await ctx.in_room(t.room):
        raise UserError(_("Trigger {ref} belongs to another room: ask there, or privately as a member of it.")
                        .format(ref=t.ref))
    if sub == "":
        await ctx.reply(progress(t, await triggers.standing(t), triggers.now(), config.tz))
    elif sub == "export":
        # TRANSLATORS: completes "Only an organiser of the room can …".
        await ctx.require_organiser(t.room, _("export a trigger campaign's signatures"))
        rows = await triggers.signatures(trigger_id)
        with await ctx.speaking_to(ctx.actor.id):  # the file is read privately, in the organiser's language
            label = _("{ref} signatures").format(ref=t.ref)
            header = (pgettext("csv", "name"), pgettext("csv", "member_number"), pgettext("csv", "branch"),
                      pgettext("csv", "signed_at"))
        # TRANSLATORS: completes "I sent you … privately."
        await send_privately(ctx, label, header, rows, _("the list of signatures"))
    elif sub == "cancel":
        # TRANSLATORS: completes "Only an organiser of the room can …".
        await ctx.require_organiser(t.room, _("cancel a trigger campaign"))
        await triggers.cancel(ctx, trigger_id)
        await ctx.reply(_("Trigger {ref} is cancelled; it will not fire.").format(ref=f"T{trigger_id}"))
    else:
        raise UserError(_("There is no {command}. Send {help} for the commands.").format(
            command=f"/trigger T{trigger_id} {rest[:20]}", help="/help trigger"))


@router.subscribe(TriggerFired)
async def open_ballot(event: TriggerFired, triggers: TriggerService, polls: PollService) -> None:
    await triggers.open_ballot(event.trigger_id, polls)


@router.timer("trigger campaigns")
def deadlines(triggers: TriggerService) -> Duty:
    return Duty(triggers.next_due, triggers.run_due)


@router.startup
async def load_campaigns(triggers: TriggerService) -> None:
    await triggers.start()
