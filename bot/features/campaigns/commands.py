"""/campaign: model-motion campaigns, their progress, branch reports and export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.features.campaigns.parse import DateError, branch_report, goal, parse_day, short_branch
from bot.features.campaigns.render import (
    adoptions,
    export_header,
    export_row,
    opened,
    progress_text,
    recorded,
    sign_button,
)
from bot.features.campaigns.service import CampaignService
from bot.features.motions.render import chat
from bot.features.roll.model import branch_name
from bot.kernel.context import Context
from bot.kernel.csv_export import send_privately
from bot.kernel.durations import DeadlineError
from bot.kernel.effects import Button
from bot.kernel.errors import UserError, sentence
from bot.kernel.grammar import split_options
from bot.kernel.ids import split_ref
from bot.kernel.language import N_, _
from bot.kernel.pages import pages
from bot.kernel.routing import Router
from bot.kernel.wording import quoted

router = Router("campaigns")

USAGE = (
    "/campaign M12 | /campaign M12 open --branches 100 [--signatures 500] [--deadline 2026-07-01T17:00] | "
    "/campaign M12 adopted BRANCH NAME [on 3 June] | /campaign M12 retract BRANCH NAME | "
    "/campaign M12 branches | /campaign M12 export | "
    "/campaign M12 close"
)


Sub = Callable[[Context, int, str, CampaignService], Awaitable[None]]


def _usage(usage: str) -> str:
    return _("Usage: {usage}").format(usage=usage)


async def _organising(ctx: Context, motion_id: int, campaigns: CampaignService, what: str) -> None:
    """Refuse unless the speaker organises the motion's own room (the campaign is that room's):
    anyone can make a group and organise it, so organising the room one types in is not enough.
    Asked before the rest of the command is read: a campaign of another room is run there, and
    what is wrong with the rest is said there."""
    room = await campaigns.room_of(motion_id)
    if not await ctx.in_room(room):
        raise UserError(_("Motion {ref} belongs to another room; run its campaign there (or privately with me).")
                        .format(ref=f"M{motion_id}"))
    await ctx.require_organiser(room, what)


async def _open(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    usage = "/campaign M12 open --branches 100 [--signatures 500] [--deadline 2026-07-01T17:00]"
    if ctx.room.private:
        raise UserError(_("Open a campaign in the group where it is announced, not in a private chat."))
    # TRANSLATORS: completes "Only an organiser of the room can …".
    await _organising(ctx, motion_id, campaigns, _("publish a model-motion campaign"))
    rest, opts = split_options(args, frozenset(), frozenset({"branches", "signatures", "deadline"}), usage)
    if rest:
        raise UserError(_("Unexpected {typed}. Usage: {usage}").format(typed=quoted(rest, 30), usage=usage))
    goal_branches = goal(opts.values.get("branches"), "branches")
    goal_signatures = goal(opts.values.get("signatures"), "signatures")
    if goal_branches is None and goal_signatures is None:
        raise UserError(_("Set a goal: --branches N and/or --signatures N. Usage: {usage}").format(usage=usage))
    deadline = None
    if "deadline" in opts.values:
        try:
            deadline = campaigns.deadline(opts.values["deadline"])
        except DeadlineError as e:
            # TRANSLATORS: an option and what is wrong with its value ("--deadline: the deadline … is in the past").
            raise UserError(_("{option}: {error}").format(option="--deadline", error=e) + ".") from None
    await campaigns.open(ctx, motion_id, goal_branches, goal_signatures, deadline)
    motion = await campaigns.motion(motion_id)
    text = opened(motion_id, goal_branches, goal_signatures, deadline, campaigns.tz, chat(motion.text, motion.info))
    parts = pages(text)
    for part in parts[:-1]:
        await ctx.reply(part)
    await ctx.reply(parts[-1], ((Button(sign_button(f"M{motion_id}"), start=f"sign-M{motion_id}"),),))


async def _progress(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    if args:
        raise UserError(_usage(f"/campaign M{motion_id}"))
    await ctx.reply(progress_text(await campaigns.progress(motion_id), campaigns.now(), campaigns.tz))


async def _adopted(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    usage = f"/campaign M{motion_id} adopted BRANCH NAME [on 3 June]"
    branch, on = branch_report(args, usage)
    today = campaigns.today()
    campaign = await campaigns.get(motion_id)
    opened = campaign.opened_at.astimezone(campaigns.tz).date() if campaign.opened_at is not None else None
    try:
        day = parse_day(on, today, opened) if on else today
    except DateError as e:
        raise UserError(_("{problem} Usage: {usage}").format(problem=sentence(e), usage=usage)) from None
    if day > today:
        raise UserError(_("{day} is in the future; report a meeting once it has passed.").format(
            day=day.isoformat()))
    if opened is not None:
        if day < opened:
            # A branch passes the words the campaign published; a meeting before it did not.
            raise UserError(_("{day} is before the campaign for {ref} opened ({opened}); give the day of the "
                              "meeting that passed it.").format(day=day.isoformat(), ref=f"M{motion_id}",
                                                                opened=opened.isoformat()))
    branches = await campaigns.report_adoption(ctx, motion_id, branch, day)
    await ctx.reply(recorded(branch_name(branch), f"M{motion_id}", day, branches))


async def _branches(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    if args:
        raise UserError(_usage(f"/campaign M{motion_id} branches"))
    for page in pages(adoptions(f"M{motion_id}", await campaigns.adoptions(motion_id))):
        await ctx.reply(page)


async def _export(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    await campaigns.get(motion_id)
    # TRANSLATORS: completes "Only an organiser of the room can …".
    await _organising(ctx, motion_id, campaigns, _("export a campaign's signatures"))
    if args:
        raise UserError(_usage(f"/campaign M{motion_id} export"))
    signatures = await campaigns.signatures(motion_id)
    with await ctx.speaking_to(ctx.actor.id):  # the file is read privately, in the organiser's language
        label = _("{ref} signatures").format(ref=f"M{motion_id}")
        header, rows = export_header(), [export_row(r) for r in signatures]
    # TRANSLATORS: completes "I sent you … privately."
    await send_privately(ctx, label, header, rows, _("the list of signatures"))


async def _close(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    await campaigns.get(motion_id)
    # TRANSLATORS: completes "Only an organiser of the room can …".
    await _organising(ctx, motion_id, campaigns, _("close a campaign"))
    if args:
        raise UserError(_usage(f"/campaign M{motion_id} close"))
    await campaigns.close(ctx, motion_id)
    await ctx.reply(_("The campaign for {ref} is closed; its figures are final.").format(ref=f"M{motion_id}"))


async def _retract(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    branch = " ".join(args.split())
    if not branch:
        raise UserError(_("Name the branch whose report to remove: {usage}").format(
            usage=f"/campaign M{motion_id} retract BRANCH NAME"))
    branch = short_branch(branch)
    await campaigns.get(motion_id)
    await campaigns.retract(ctx, motion_id, branch, await ctx.is_organiser(await campaigns.room_of(motion_id)))
    await ctx.reply(_("The report from {branch} on {ref} is removed.").format(branch=branch_name(branch),
                                                                              ref=f"M{motion_id}"))


SUBS: dict[str, Sub] = {"open": _open, "adopted": _adopted, "retract": _retract, "branches": _branches,
                        "export": _export, "close": _close}


@router.command("campaign", summary=N_("model-motion campaigns: progress, branch reports, export"), usage=USAGE,
                details=N_("Organisers publish a motion as a model motion with a goal (/campaign M12 open --branches "
                           "100 --deadline 2026-07-01T17:00). Branch secretaries report adoption; supporters sign "
                           "privately."))
async def campaign_command(ctx: Context, args: str, campaigns: CampaignService) -> None:
    motion_id, rest = split_ref(args, "M", _("{usage} (send {help} for more)").format(
        usage="/campaign M12 …", help="/help campaign"))
    sub, _sep, rest = rest.partition(" ")
    handler = SUBS.get(sub.lower()) if sub else _progress
    if handler is None:
        raise UserError(_("There is no {command}. Send {help} for the commands.").format(
            command=f"/campaign M{motion_id} {sub[:20]}", help="/help campaign"))
    await handler(ctx, motion_id, rest.strip(), campaigns)


@router.startup
async def seal_stored_signatures(campaigns: CampaignService) -> None:
    """Signatures stored before names were sealed (bot/storage/sealing.py) are sealed now."""
    await campaigns.seal_stored()
