"""/campaign: model-motion campaigns, their progress, branch reports and export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.features.campaigns.parse import DateError, branch_report, goal, parse_day
from bot.features.campaigns.render import opened, progress_text
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
from bot.kernel.pages import pages
from bot.kernel.routing import Router
from bot.kernel.wording import count_of, quoted

router = Router("campaigns")

USAGE = (
    "/campaign M12 | /campaign M12 open --branches 100 [--signatures 500] [--deadline 2026-07-01T17:00] | "
    "/campaign M12 adopted BRANCH NAME [on 3 June] | /campaign M12 retract BRANCH NAME | "
    "/campaign M12 branches | /campaign M12 export | "
    "/campaign M12 close"
)


Sub = Callable[[Context, int, str, CampaignService], Awaitable[None]]


async def _open(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    usage = "/campaign M12 open --branches 100 [--signatures 500] [--deadline 2026-07-01T17:00]"
    if ctx.room.private:
        raise UserError("Open a campaign in the group where it is announced, not in a private chat.")
    await ctx.require_organiser(ctx.room.id, "publish a model-motion campaign")
    rest, opts = split_options(args, frozenset(), frozenset({"branches", "signatures", "deadline"}), usage)
    if rest:
        raise UserError(f"Unexpected {quoted(rest, 30)}. Usage: {usage}")
    goal_branches = goal(opts.values.get("branches"), "branches")
    goal_signatures = goal(opts.values.get("signatures"), "signatures")
    if goal_branches is None and goal_signatures is None:
        raise UserError(f"Set a goal: --branches N and/or --signatures N. Usage: {usage}")
    deadline = None
    if "deadline" in opts.values:
        try:
            deadline = campaigns.deadline(opts.values["deadline"])
        except DeadlineError as e:
            raise UserError(f"--deadline: {e}.") from None
    await campaigns.open(ctx, motion_id, goal_branches, goal_signatures, deadline)
    motion = await campaigns.motion(motion_id)
    text = opened(motion_id, goal_branches, goal_signatures, deadline, campaigns.tz, chat(motion.text, motion.info))
    parts = pages(text)
    for part in parts[:-1]:
        await ctx.reply(part)
    await ctx.reply(parts[-1], ((Button(f"Sign M{motion_id}", start=f"sign-M{motion_id}"),),))


async def _progress(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id}")
    await ctx.reply(progress_text(await campaigns.progress(motion_id), campaigns.now(), campaigns.tz))


async def _adopted(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    usage = f"/campaign M{motion_id} adopted BRANCH NAME [on 3 June]"
    branch, on = branch_report(args, usage)
    today = campaigns.today()
    try:
        day = parse_day(on, today) if on else today
    except DateError as e:
        raise UserError(f"{sentence(e)} Usage: {usage}") from None
    if day > today:
        raise UserError(f"{day.isoformat()} is in the future; report a meeting once it has passed.")
    branches = await campaigns.report_adoption(ctx, motion_id, branch, day)
    await ctx.reply(f"Recorded: {branch_name(branch)} passed M{motion_id} on {day.strftime('%d %B %Y')}. "
                    f"{count_of(branches, 'branch', 'branches')} so far.")


async def _branches(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id} branches")
    rows = await campaigns.adoptions(motion_id)
    if not rows:
        await ctx.reply(f"No branch has reported passing M{motion_id} yet.")
        return
    listed = [f"Branches that passed M{motion_id} ({len(rows)}):"] + [f"{br} — {on}" for br, on in rows]
    for page in pages("\n".join(listed)):
        await ctx.reply(page)


async def _export(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id} export")
    campaign = await campaigns.get(motion_id)
    await ctx.require_organiser(campaign.room, "export a campaign's signatures")
    await send_privately(ctx, f"M{motion_id} signatures", ("name", "kind", "branch", "signed_at", "consent"),
                         await campaigns.signatures(motion_id), "the list of signatures")


async def _close(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id} close")
    campaign = await campaigns.get(motion_id)
    await ctx.require_organiser(campaign.room, "close a campaign")
    await campaigns.close(ctx, motion_id)
    await ctx.reply(f"The campaign for M{motion_id} is closed; its figures are final.")


async def _retract(ctx: Context, motion_id: int, args: str, campaigns: CampaignService) -> None:
    branch = " ".join(args.split())
    if not branch:
        raise UserError(f"Name the branch whose report to remove: /campaign M{motion_id} retract BRANCH NAME")
    campaign = await campaigns.get(motion_id)
    await campaigns.retract(ctx, motion_id, branch, await ctx.is_organiser(campaign.room))
    await ctx.reply(f"The report from {branch_name(branch)} on M{motion_id} is removed.")


SUBS: dict[str, Sub] = {"open": _open, "adopted": _adopted, "retract": _retract, "branches": _branches,
                        "export": _export, "close": _close}


@router.command("campaign", summary="model-motion campaigns: progress, branch reports, export", usage=USAGE,
                details="Organisers publish a motion as a model motion with a goal (/campaign M12 open --branches 100 "
                "--deadline 2026-07-01T17:00). Branch secretaries report adoption; supporters sign privately.")
async def campaign_command(ctx: Context, args: str, campaigns: CampaignService) -> None:
    motion_id, rest = split_ref(args, "M", "/campaign M12 … (send /help campaign for more)")
    sub, _, rest = rest.partition(" ")
    handler = SUBS.get(sub.lower()) if sub else _progress
    if handler is None:
        raise UserError(f"There is no /campaign M{motion_id} {sub[:20]}. Send /help campaign for the commands.")
    await handler(ctx, motion_id, rest.strip(), campaigns)
