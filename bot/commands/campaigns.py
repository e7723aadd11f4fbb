"""/campaign, /sign and /unsign: model-motion campaigns, their signatures and branch reports."""

from __future__ import annotations

import aiosqlite

from bot.campaigns import signatures as _signatures  # noqa: F401  (registers M ids as signable)
from bot.campaigns.dates import DateError, parse_day
from bot.campaigns.progress import Progress, progress_text
from bot.campaigns.signing import USAGE as SIGN_USAGE
from bot.campaigns.signing import begin, sign_command, unsign
from bot.campaigns.store import counts, load_campaign, reach_goal
from bot.commands.registry import command
from bot.commands.start import PAYLOADS
from bot.context import Context
from bot.csv_export import send_privately
from bot.kernel.durations import DeadlineError, parse_deadline
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.grammar import GrammarError, split_options
from bot.kernel.ids import split_ref
from bot.kernel.markup import b, esc
from bot.kernel.pages import pages
from bot.motions.access import require_organiser
from bot.motions.store import load_motion
from bot.motions.text import chat
from bot.poll import iso

USAGE = (
    "/campaign M12 | /campaign M12 open --branches 100 [--signatures 500] [--deadline 2026-07-01T17:00] | "
    "/campaign M12 adopted BRANCH NAME [on 3 June] | /campaign M12 retract BRANCH NAME | "
    "/campaign M12 branches | /campaign M12 export | "
    "/campaign M12 close"
)
MAX_BRANCH = 100


@command("sign", summary="sign a model motion or trigger campaign (privately)", usage=SIGN_USAGE,
         details="You can also type sign M12 to me, or tap the Sign button under a campaign.")
async def sign(ctx: Context, args: str) -> None:
    await sign_command(ctx, args)


@command("unsign", summary="withdraw your signature", usage="/unsign M12")
async def unsign_command(ctx: Context, args: str) -> None:
    ref = args.strip()
    if not ref or " " in ref:
        raise UserError("Usage: /unsign M12 (or /unsign T2).")
    await unsign(ctx, ref)


PAYLOADS["sign-"] = begin


def _goal(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) <= 1_000_000:
        raise UserError(f"--{what} takes a whole number of at least 1.")
    return int(value)


async def _open(ctx: Context, motion_id: int, args: str) -> None:
    usage = "/campaign M12 open --branches 100 [--signatures 500] [--deadline 2026-07-01T17:00]"
    core = ctx.core
    if ctx.room.private:
        raise UserError("Open a campaign in the group where it is announced, not in a private chat.")
    await require_organiser(ctx, ctx.room.id, "publish a model-motion campaign")
    try:
        rest, opts = split_options(args, frozenset(), frozenset({"branches", "signatures", "deadline"}), usage)
    except GrammarError as e:
        raise UserError(f"{e}.") from None
    if rest:
        raise UserError(f"Unexpected {rest[:30]!r}. Usage: {usage}")
    goal_branches = _goal(opts.values.get("branches"), "branches")
    goal_signatures = _goal(opts.values.get("signatures"), "signatures")
    if goal_branches is None and goal_signatures is None:
        raise UserError(f"Set a goal: --branches N and/or --signatures N. Usage: {usage}")
    deadline = None
    if "deadline" in opts.values:
        try:
            deadline = parse_deadline(opts.values["deadline"], core.clock.now(), core.config.tz)
        except DeadlineError as e:
            raise UserError(f"--deadline: {e}.") from None
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> None:
        motion = await load_motion(conn, motion_id)
        if motion.status in ("lost", "withdrawn"):
            raise UserError(f"Motion M{motion_id} is {motion.status}; it cannot be published as a model motion.")
        async with conn.execute("SELECT 1 FROM campaigns WHERE motion_id = ?", (motion_id,)) as cur:
            if await cur.fetchone() is not None:
                raise UserError(f"M{motion_id} is already a campaign: /campaign M{motion_id} shows its progress.")
        await conn.execute(
            "INSERT INTO campaigns(motion_id, room, opened_by, goal_branches, goal_signatures, deadline, opened_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (motion_id, ctx.room.id, ctx.actor.id, goal_branches, goal_signatures,
             iso(deadline) if deadline else None, now),
        )

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    assert core.db is not None
    motion = await load_motion(core.db, motion_id)
    goals = []
    if goal_branches:
        goals.append(f"{goal_branches} branches")
    if goal_signatures:
        goals.append(f"{goal_signatures} signatures")
    until = f" by {deadline.astimezone(core.config.tz).strftime('%a %d %b %Y %H:%M')}" if deadline else ""
    text = (f"📣 Model motion campaign {b(f'M{motion_id}')} — goal: {' and '.join(goals)}{until}.\n"
            f"{chat(motion.text, motion.info)}\n"
            f"Sign privately: tap the button or send me sign M{motion_id}. Branch secretaries: report a vote with "
            f"/campaign M{motion_id} adopted BRANCH on DATE.")
    parts = pages(text)
    for part in parts[:-1]:
        await ctx.reply(part)
    await ctx.reply(parts[-1], ((Button(f"Sign M{motion_id}", start=f"sign-M{motion_id}"),),))


async def _progress(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id}")
    core = ctx.core
    assert core.db is not None
    campaign = await load_campaign(core.db, motion_id)
    motion = await load_motion(core.db, motion_id)
    signatures, branches = await counts(core.db, motion_id)
    p = Progress(f"M{motion_id}", motion.text.title, signatures, branches, campaign.goal_signatures,
                 campaign.goal_branches, campaign.deadline, campaign.closed_at is not None,
                 campaign.goal_reached_at is not None)
    await ctx.reply(progress_text(p, core.clock.now(), core.config.tz))


async def _adopted(ctx: Context, motion_id: int, args: str) -> None:
    usage = f"/campaign M{motion_id} adopted BRANCH NAME [on 3 June]"
    core = ctx.core
    words = args.split()
    on = None
    lowered = [w.lower() for w in words]
    if "on" in lowered:
        at = len(lowered) - 1 - lowered[::-1].index("on")
        on, words = " ".join(words[at + 1:]), words[:at]
    branch = " ".join(words)
    if not branch:
        raise UserError(f"Name the branch. Usage: {usage}")
    if len(branch) > MAX_BRANCH:
        raise UserError(f"That branch name is too long; keep it under {MAX_BRANCH} characters.")
    now_t = core.clock.now()
    today = now_t.astimezone(core.config.tz).date()
    try:
        day = parse_day(on, today) if on else today
    except DateError as e:
        raise UserError(f"{str(e)[:1].upper()}{str(e)[1:]}. Usage: {usage}") from None
    if day > today:
        raise UserError(f"{day.isoformat()} is in the future; report a meeting once it has passed.")

    async def op(conn: aiosqlite.Connection) -> tuple[int, bool]:
        campaign = await load_campaign(conn, motion_id)
        refusal = campaign.refusal(now_t)
        if refusal:
            raise UserError(refusal)
        async with conn.execute(
            "SELECT branch, passed_on, reporter FROM campaign_adoptions WHERE motion_id = ? AND branch_key = ?",
            (motion_id, branch.casefold()),
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            raise UserError(f"{row[0]} branch was already reported (passed on {row[1]}, by {row[2]}); nothing changed.")
        await conn.execute(
            "INSERT INTO campaign_adoptions(motion_id, branch_key, branch, passed_on, reported_by, reporter,"
            " reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (motion_id, branch.casefold(), branch, day.isoformat(), ctx.actor.id, ctx.actor.label, iso(now_t)),
        )
        _, branches = await counts(conn, motion_id)
        return branches, await reach_goal(conn, campaign, now_t)

    assert core.writer is not None
    branches, reached = await core.writer.run(op, ctx.event_id)
    await ctx.reply(f"Recorded: {esc(branch)} branch passed M{motion_id} on {day.strftime('%d %B %Y')}. "
                    f"{branches} branch{'es' if branches != 1 else ''} so far.")
    if reached:
        core.outbox.poke()


async def _branches(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id} branches")
    assert ctx.core.db is not None
    await load_campaign(ctx.core.db, motion_id)
    async with ctx.core.db.execute(
        "SELECT branch, passed_on FROM campaign_adoptions WHERE motion_id = ? ORDER BY passed_on, branch_key",
        (motion_id,),
    ) as cur:
        rows = await cur.fetchall()
    if not rows:
        await ctx.reply(f"No branch has reported passing M{motion_id} yet.")
        return
    lines = [f"Branches that passed M{motion_id} ({len(rows)}):"] + [f"{esc(r[0])} — {r[1]}" for r in rows]
    for page in pages("\n".join(lines)):
        await ctx.reply(page)


async def _export(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id} export")
    core = ctx.core
    assert core.db is not None
    campaign = await load_campaign(core.db, motion_id)
    await require_organiser(ctx, campaign.room, "export a campaign's signatures")
    async with core.db.execute(
        "SELECT name, CASE WHEN member_id IS NULL THEN 'supporter' ELSE 'member' END, branch, signed_at, consent"
        " FROM campaign_signatures WHERE motion_id = ? ORDER BY signed_at, name",
        (motion_id,),
    ) as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    await send_privately(ctx, f"M{motion_id} signatures", ("name", "kind", "branch", "signed_at", "consent"),
                         [(*r[:4], "yes" if r[4] else "no") for r in rows], "the list of signatures")


async def _close(ctx: Context, motion_id: int, args: str) -> None:
    if args:
        raise UserError(f"Usage: /campaign M{motion_id} close")
    core = ctx.core
    assert core.db is not None
    campaign = await load_campaign(core.db, motion_id)
    await require_organiser(ctx, campaign.room, "close a campaign")
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute("UPDATE campaigns SET closed_at = ? WHERE motion_id = ? AND closed_at IS NULL",
                                 (now, motion_id))
        if cur.rowcount == 0:
            raise UserError(f"The campaign for M{motion_id} is already closed.")

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    await ctx.reply(f"The campaign for M{motion_id} is closed; its figures are final.")


async def _retract(ctx: Context, motion_id: int, args: str) -> None:
    branch = " ".join(args.split())
    if not branch:
        raise UserError(f"Name the branch whose report to remove: /campaign M{motion_id} retract BRANCH NAME")
    core = ctx.core
    assert core.db is not None
    campaign = await load_campaign(core.db, motion_id)
    organiser = await core.is_organiser(ctx.actor.id, campaign.room)

    async def op(conn: aiosqlite.Connection) -> None:
        async with conn.execute(
            "SELECT reported_by FROM campaign_adoptions WHERE motion_id = ? AND branch_key = ?",
            (motion_id, branch.casefold()),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            raise UserError(f"No report from {branch} branch for M{motion_id}; nothing to remove.")
        if row[0] != ctx.actor.id and not organiser:
            raise UserError("Only the person who reported it or an organiser can remove a branch report.")
        await conn.execute("DELETE FROM campaign_adoptions WHERE motion_id = ? AND branch_key = ?",
                           (motion_id, branch.casefold()))

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    await ctx.reply(f"The report from {esc(branch)} branch on M{motion_id} is removed.")


SUBS = {"open": _open, "adopted": _adopted, "retract": _retract, "branches": _branches, "export": _export,
        "close": _close}


@command("campaign", summary="model-motion campaigns: progress, branch reports, export", usage=USAGE,
         details="Organisers publish a motion as a model motion with a goal (/campaign M12 open --branches 100 "
         "--deadline 2026-07-01T17:00). Branch secretaries report adoption; supporters sign privately.")
async def campaign_command(ctx: Context, args: str) -> None:
    motion_id, rest = split_ref(args, "M", "/campaign M12 … (send /help campaign for more)")
    sub, _, rest = rest.partition(" ")
    if not sub:
        await _progress(ctx, motion_id, "")
        return
    handler = SUBS.get(sub.lower())
    if handler is None:
        raise UserError(f"There is no /campaign M{motion_id} {sub[:20]}. Send /help campaign for the commands.")
    await handler(ctx, motion_id, rest.strip())
