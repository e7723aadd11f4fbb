"""/trigger: open selection, recall and no-confidence campaigns that fire a ballot once enough
members have signed."""

from __future__ import annotations

import aiosqlite

from bot.campaigns.dates import days_left
from bot.commands.registry import command
from bot.context import Context
from bot.csv_export import send_privately
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.ids import split_ref
from bot.kernel.markup import b, esc
from bot.kernel.pages import pages
from bot.motions.access import in_room, require_organiser
from bot.poll import iso
from bot.poll_render import when
from bot.triggers.service import service, standing_text
from bot.triggers.spec import USAGE as OPEN_USAGE
from bot.triggers.spec import TriggerSpecError, parse_trigger
from bot.triggers.store import current, load_trigger
from bot.triggers.thresholds import ThresholdError, check_reachable

USAGE = f"{OPEN_USAGE} | /trigger T2 | /trigger T2 export | /trigger T2 cancel | /trigger list"
DETAILS = (
    "Thresholds: --signatures N (members), --electorate P% (of the roll, or of --branch NAME), or --branches B% "
    "with --per-branch N or P% (a branch counts once its own signatures reach that). The electorate is fixed "
    "when the campaign opens. When the threshold is crossed the trigger fires once: it is announced here, the "
    "ballot opens (secret unless --roll-call; --ballot-closes 7d) and the organisers are told. Members sign "
    "privately (sign T2) and may withdraw until it fires."
)


async def _open(ctx: Context, args: str) -> None:
    core = ctx.core
    if ctx.room.private:
        raise UserError("Open a trigger campaign in the group where it is announced, not in a private chat.")
    await require_organiser(ctx, ctx.room.id, "open a trigger campaign")
    try:
        spec = parse_trigger(args, core.clock.now(), core.config.tz)
    except TriggerSpecError as e:
        raise UserError(f"{str(e)[:1].upper()}{str(e)[1:]}.") from None
    if spec.branch:
        sql, params = "SELECT id, branch FROM members WHERE active = 1 AND lower(branch) = lower(?)", (spec.branch,)
    else:
        sql, params = "SELECT id, branch FROM members WHERE active = 1", ()
    assert core.db is not None
    async with core.db.execute(sql, params) as cur:
        electorate = [(r[0], r[1]) for r in await cur.fetchall()]
    if not electorate:
        if spec.branch:
            raise UserError(f"No member on the roll is in branch {spec.branch!r}; check the name.")
        raise UserError("The membership roll is empty: import it first (quorum members import FILE).")
    branch_sizes: dict[str, int] = {}
    for _, branch in electorate:
        if branch is not None:
            branch_sizes[branch] = branch_sizes.get(branch, 0) + 1
    try:
        check_reachable(spec.threshold, len(electorate), branch_sizes)
    except ThresholdError as e:
        raise UserError(f"That threshold can never be reached: {e}.") from None
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> int:
        cur = await conn.execute(
            "INSERT INTO triggers(room, kind, office, threshold, branch, ballot, opened_by, opened_at, closes_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ctx.room.id, spec.kind, spec.office, spec.threshold.to_json(), spec.branch, spec.ballot.to_json(),
             ctx.actor.id, now, iso(spec.closes_at)),
        )
        trigger_id = cur.lastrowid
        assert trigger_id is not None
        await conn.executemany(
            "INSERT INTO trigger_electorate(trigger_id, member_id, branch) VALUES (?, ?, ?)",
            [(trigger_id, m, br) for m, br in electorate],
        )
        return trigger_id

    assert core.writer is not None
    trigger_id = await core.writer.run(op, ctx.event_id)
    service(core).opened(trigger_id, spec.closes_at)
    t = await load_trigger(core.db, trigger_id)
    s = await current(core.db, t)
    where = f"{spec.branch} branch" if spec.branch else "the membership roll"
    ballot = "secret" if spec.ballot.secret else "open (roll-call)"
    await ctx.reply(
        f"🗳 Trigger campaign {b(t.ref)}: {esc(t.title)}\n"
        f"Threshold: {esc(spec.threshold.describe())} — {standing_text(t, s)}. Electorate: {esc(where)} "
        f"({len(electorate)} members). Closes {when(spec.closes_at, core.config.tz)}.\n"
        f"When it fires, a {ballot} ballot opens here: {esc(spec.ballot.question)}\n"
        f"Members sign privately: tap the button or send me sign {t.ref}.",
        ((Button(f"Sign {t.ref}", start=f"sign-{t.ref}"),),),
    )


async def _progress(ctx: Context, trigger_id: int) -> None:
    core = ctx.core
    assert core.db is not None
    t = await load_trigger(core.db, trigger_id)
    s = await current(core.db, t)
    now = core.clock.now()
    lines = [f"🗳 {b(t.ref)}: {esc(t.title)}", f"Threshold: {esc(t.threshold.describe())}.",
             f"{standing_text(t, s).capitalize()}."]
    if t.threshold.kind == "branches" and s.counted_branches:
        lines.append("Branches that count: " + esc(", ".join(s.counted_branches)) + ".")
    if t.status == "fired":
        poll = f" Its ballot is poll {t.ballot_poll_id}." if t.ballot_poll_id else ""
        lines.append(f"It fired at {when(t.fired_at or now, core.config.tz)}.{poll}")
    elif t.status == "expired" or now >= t.closes_at:
        lines.append("It closed at its deadline without firing.")
    elif t.status == "cancelled":
        lines.append("It was cancelled.")
    else:
        left = days_left(t.closes_at, now, core.config.tz)
        lines.append(f"Closes {when(t.closes_at, core.config.tz, now)} ({left} day{'s' if left != 1 else ''} left). "
                     f"Sign privately: send me sign {t.ref}")
    await ctx.reply("\n".join(lines))


async def _export(ctx: Context, trigger_id: int) -> None:
    core = ctx.core
    assert core.db is not None
    t = await load_trigger(core.db, trigger_id)
    await require_organiser(ctx, t.room, "export a trigger campaign's signatures")
    async with core.db.execute(
        "SELECT m.name, m.number, s.branch, s.signed_at FROM trigger_signatures s JOIN members m"
        " ON m.id = s.member_id WHERE s.trigger_id = ? ORDER BY s.signed_at, m.name",
        (trigger_id,),
    ) as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    await send_privately(ctx, f"{t.ref} signatures", ("name", "member_number", "branch", "signed_at"), rows,
                         "the list of signatures")


async def _cancel(ctx: Context, trigger_id: int) -> None:
    core = ctx.core
    assert core.db is not None
    t = await load_trigger(core.db, trigger_id)
    await require_organiser(ctx, t.room, "cancel a trigger campaign")
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "UPDATE triggers SET status = 'cancelled', ended_at = ? WHERE id = ? AND status = 'open'", (now, trigger_id)
        )
        if cur.rowcount == 0:
            fresh = await load_trigger(conn, trigger_id)
            raise UserError(f"Trigger {fresh.ref} is {fresh.status}; only an open campaign can be cancelled.")

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    service(core).deadlines.pop(trigger_id, None)
    await ctx.reply(f"Trigger T{trigger_id} is cancelled; it will not fire.")


async def _list(ctx: Context) -> None:
    assert ctx.core.db is not None
    async with ctx.core.db.execute(
        "SELECT id, room, kind, office, status FROM triggers ORDER BY id DESC LIMIT 50"
    ) as cur:
        rows = await cur.fetchall()
    visible: dict[str, bool] = {}
    lines = []
    for trigger_id, room, kind, office, status in rows:
        if room not in visible:
            visible[room] = room == ctx.room.id or (ctx.room.private and await in_room(ctx, room))
        if visible[room]:
            lines.append(f"{b(f'T{trigger_id}')}: {esc(kind)} — {esc(office)} ({status})")
    if not lines:
        await ctx.reply("No trigger campaigns here.")
        return
    for page in pages("Trigger campaigns:\n" + "\n".join(reversed(lines))):
        await ctx.reply(page)


@command("trigger", summary="trigger campaigns: open selection, recall, no confidence", usage=USAGE,
         details=DETAILS, organiser=True)
async def trigger_command(ctx: Context, args: str) -> None:
    head, _, rest = args.strip().partition(" ")
    if head.lower() == "open":
        await _open(ctx, rest.strip())
        return
    if head.lower() == "list":
        if rest.strip():
            raise UserError("Usage: /trigger list")
        await _list(ctx)
        return
    trigger_id, rest = split_ref(args, "T", "/trigger open … or /trigger T2 (send /help trigger for more)")
    sub = rest.lower()
    if sub == "":
        await _progress(ctx, trigger_id)
    elif sub == "export":
        await _export(ctx, trigger_id)
    elif sub == "cancel":
        await _cancel(ctx, trigger_id)
    else:
        raise UserError(f"There is no /trigger T{trigger_id} {rest[:20]}. Send /help trigger for the commands.")
