"""/trigger: open selection, recall and no-confidence campaigns that fire a ballot once enough
members have signed."""

from __future__ import annotations

from bot.features.polls.service import PollService
from bot.features.triggers.model import TriggerFired
from bot.features.triggers.parse import USAGE as OPEN_USAGE
from bot.features.triggers.parse import parse_trigger
from bot.features.triggers.render import listing_line, opened, progress
from bot.features.triggers.service import TriggerService
from bot.kernel.config import Config
from bot.kernel.context import Context
from bot.kernel.csv_export import send_privately
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.ids import split_ref
from bot.kernel.markup import lines
from bot.kernel.pages import pages
from bot.kernel.routing import Duty, Router

router = Router("triggers")

USAGE = f"{OPEN_USAGE} | /trigger T2 | /trigger T2 export | /trigger T2 cancel | /trigger list"
DETAILS = (
    "Thresholds: --signatures N (members), --electorate P% (of the roll, or of --branch NAME), or --branches B% "
    "with --per-branch N or P% (a branch counts once its own signatures reach that). The electorate is fixed "
    "when the campaign opens. When the threshold is crossed the trigger fires once: it is announced here, the "
    "ballot opens (secret unless --roll-call; --ballot-closes 7d) and the organisers are told. Members sign "
    "privately (sign T2) and may withdraw until it fires."
)


async def _open(ctx: Context, args: str, triggers: TriggerService, config: Config) -> None:
    if ctx.room.private:
        raise UserError("Open a trigger campaign in the group where it is announced, not in a private chat.")
    await ctx.require_organiser(ctx.room.id, "open a trigger campaign")
    spec = parse_trigger(args, triggers.now(), config.tz)
    t, electorate = await triggers.open(ctx, spec)
    await ctx.reply(opened(t, await triggers.standing(t), spec, electorate, config.tz),
                    ((Button(f"Sign {t.ref}", start=f"sign-{t.ref}"),),))


async def _list(ctx: Context, triggers: TriggerService) -> None:
    listed = [listing_line(t) for t in await triggers.recent(ctx)]
    if not listed:
        await ctx.reply("No trigger campaigns here.")
        return
    for page in pages(lines("Trigger campaigns:", *reversed(listed))):
        await ctx.reply(page)


@router.command("trigger", summary="trigger campaigns: open selection, recall, no confidence", usage=USAGE,
                details=DETAILS, organiser=True)
async def trigger_command(ctx: Context, args: str, triggers: TriggerService, config: Config) -> None:
    head, _, rest = args.strip().partition(" ")
    if head.lower() == "open":
        await _open(ctx, rest.strip(), triggers, config)
        return
    if head.lower() == "list":
        if rest.strip():
            raise UserError("Usage: /trigger list")
        await _list(ctx, triggers)
        return
    trigger_id, rest = split_ref(args, "T", "/trigger open … or /trigger T2 (send /help trigger for more)")
    sub = rest.lower()
    if sub == "":
        t = await triggers.get(trigger_id)
        if not await ctx.in_room(t.room):
            raise UserError(f"Trigger {t.ref} belongs to another room: ask there, or privately as a member of it.")
        await ctx.reply(progress(t, await triggers.standing(t), triggers.now(), config.tz))
    elif sub == "export":
        t = await triggers.get(trigger_id)
        await ctx.require_organiser(t.room, "export a trigger campaign's signatures")
        await send_privately(ctx, f"{t.ref} signatures", ("name", "member_number", "branch", "signed_at"),
                             await triggers.signatures(trigger_id), "the list of signatures")
    elif sub == "cancel":
        t = await triggers.get(trigger_id)
        await ctx.require_organiser(t.room, "cancel a trigger campaign")
        await triggers.cancel(ctx, trigger_id)
        await ctx.reply(f"Trigger T{trigger_id} is cancelled; it will not fire.")
    else:
        raise UserError(f"There is no /trigger T{trigger_id} {rest[:20]}. Send /help trigger for the commands.")


@router.subscribe(TriggerFired)
async def open_ballot(event: TriggerFired, triggers: TriggerService, polls: PollService) -> None:
    await triggers.open_ballot(event.trigger_id, polls)


@router.timer("trigger campaigns")
def deadlines(triggers: TriggerService) -> Duty:
    return Duty(triggers.next_due, triggers.run_due)


@router.startup
async def load_campaigns(triggers: TriggerService) -> None:
    await triggers.start()
