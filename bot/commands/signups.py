"""/signup and /mydata: supporter sign-up forms, their export, and a supporter's own data."""

from __future__ import annotations

import aiosqlite

from bot.campaigns.signing import unsign
from bot.commands.registry import command
from bot.commands.start import PAYLOADS
from bot.context import Context
from bot.csv_export import send_privately
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.ids import parse_ref, split_ref
from bot.kernel.markup import b, esc
from bot.kernel.pages import pages
from bot.motions.access import require_organiser
from bot.poll import iso
from bot.signups.conversation import begin, cancel
from bot.signups.form import MAX_NAME
from bot.signups.store import erase_identity, load_form, truncate_log

USAGE = ("/signup S1 (privately: sign up) | /signup cancel | /signup open TITLE | /signup S1 export | "
         "/signup S1 close")
MYDATA_USAGE = "/mydata (see what we keep) | /mydata withdraw S1 | /mydata withdraw M12 | /mydata erase"


async def _deep_link(ctx: Context, rest: str) -> None:
    await begin(ctx, parse_ref(rest, "S", "/start signup-S1"))


PAYLOADS["signup-"] = _deep_link


async def _open(ctx: Context, title: str) -> None:
    if ctx.room.private:
        raise UserError("Open a sign-up form in the group where it is announced, not in a private chat.")
    await require_organiser(ctx, ctx.room.id, "open a sign-up form")
    if not title or len(title) > MAX_NAME * 2:
        raise UserError(f"Give the form a title of 1 to {MAX_NAME * 2} characters: /signup open TITLE")
    core = ctx.core
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> int:
        cur = await conn.execute("INSERT INTO signup_forms(room, title, opened_by, opened_at) VALUES (?, ?, ?, ?)",
                                 (ctx.room.id, title, ctx.actor.id, now))
        assert cur.lastrowid is not None
        return cur.lastrowid

    assert core.writer is not None
    form_id = await core.writer.run(op, ctx.event_id)
    await ctx.reply(
        f"✋ {b(title)}\nShow your support: tap the button or message me /signup S{form_id}. We ask your name, "
        "area and (if you like) how to contact you, and keep them only with your consent.",
        ((Button("Sign up", start=f"signup-S{form_id}"),),),
    )


async def _export(ctx: Context, form_id: int) -> None:
    core = ctx.core
    assert core.db is not None
    form = await load_form(core.db, form_id)
    await require_organiser(ctx, form.room, "export a sign-up list")
    async with core.db.execute(
        "SELECT name, area, contact, signed_at, consent FROM signups WHERE form_id = ? ORDER BY signed_at, name",
        (form_id,),
    ) as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    await send_privately(ctx, f"S{form_id} sign-ups", ("name", "area", "contact", "signed_at", "consent"),
                         [(*r[:4], "yes" if r[4] else "no") for r in rows], "the sign-up list")


async def _close(ctx: Context, form_id: int) -> None:
    core = ctx.core
    assert core.db is not None
    form = await load_form(core.db, form_id)
    await require_organiser(ctx, form.room, "close a sign-up form")
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute("UPDATE signup_forms SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                                 (now, form_id))
        if cur.rowcount == 0:
            raise UserError(f"Sign-up S{form_id} is already closed.")

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    await ctx.reply(f"Sign-up S{form_id} is closed.")


@command("signup", summary="sign up as a supporter (privately), or run a sign-up form", usage=USAGE,
         details="Supporters answer name, area and an optional contact, then consent. Organisers open forms "
         "and export the list as CSV (sent privately).")
async def signup_command(ctx: Context, args: str) -> None:
    head, _, rest = args.strip().partition(" ")
    low = head.lower()
    if low == "open":
        await _open(ctx, rest.strip())
        return
    if low == "cancel":
        if rest.strip():
            raise UserError("Usage: /signup cancel")
        if not cancel(ctx):
            raise UserError("You are not filling in a sign-up form.")
        await ctx.reply("Cancelled: nothing about you was kept.")
        return
    form_id, rest = split_ref(args, "S", USAGE)
    sub = rest.lower()
    if sub == "":
        await begin(ctx, form_id)
    elif sub == "export":
        await _export(ctx, form_id)
    elif sub == "close":
        await _close(ctx, form_id)
    else:
        raise UserError(f"There is no /signup S{form_id} {rest[:20]}. Usage: {USAGE}")


async def _show(ctx: Context) -> None:
    core = ctx.core
    assert core.db is not None
    member = await core.member_of(ctx.actor.id)
    lines = [f"What I keep about you ({esc(ctx.actor.id)}):"]
    async with core.db.execute(
        "SELECT s.form_id, f.title, s.name, s.area, s.contact, s.signed_at FROM signups s"
        " JOIN signup_forms f ON f.id = s.form_id WHERE s.identity = ? ORDER BY s.form_id",
        (ctx.actor.id,),
    ) as cur:
        for form_id, title, name, area, contact, at in await cur.fetchall():
            lines.append(f"• sign-up S{form_id} ({esc(title)}): name {esc(name)}; area {esc(area)}; "
                         f"contact {esc(contact or '(none)')}; since {at[:10]}")
    async with core.db.execute(
        "SELECT motion_id, name, branch, signed_at FROM campaign_signatures WHERE identity = ? OR signer = ?"
        " ORDER BY motion_id", (ctx.actor.id, f"m:{member}"),
    ) as cur:
        for motion_id, name, branch, at in await cur.fetchall():
            lines.append(f"• signature on M{motion_id}: {esc(name)}" + (f", {esc(branch)}" if branch else "")
                         + f"; {at[:10]}")
    async with core.db.execute(
        "SELECT trigger_id, signed_at FROM trigger_signatures WHERE identity = ? OR member_id IS ?"
        " ORDER BY trigger_id", (ctx.actor.id, member),
    ) as cur:
        for trigger_id, at in await cur.fetchall():
            lines.append(f"• signature on T{trigger_id}; {at[:10]}")
    if len(lines) == 1:
        await ctx.reply("I keep no sign-ups or signatures of yours.")
        return
    lines.append("Withdraw one with /mydata withdraw S1 (or M12, T2); erase everything with /mydata erase.")
    for page in pages("\n".join(lines)):
        await ctx.reply(page)


async def _withdraw_signup(ctx: Context, form_id: int) -> None:
    core = ctx.core

    async def op(conn: aiosqlite.Connection) -> None:
        await load_form(conn, form_id)
        cur = await conn.execute("DELETE FROM signups WHERE form_id = ? AND identity = ?", (form_id, ctx.actor.id))
        if cur.rowcount == 0:
            raise UserError(f"You have not signed up for S{form_id}; nothing to withdraw.")

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    await truncate_log(core)
    await ctx.reply(f"Your sign-up to S{form_id} is withdrawn and its details are deleted.")


async def _erase(ctx: Context) -> None:
    core = ctx.core
    member = await core.member_of(ctx.actor.id)
    cancel(ctx)

    async def op(conn: aiosqlite.Connection) -> dict[str, int]:
        gone = await erase_identity(conn, ctx.actor.id, member)
        if not any(gone.values()):
            raise UserError("I keep no sign-ups or signatures of yours; nothing to erase.")
        return gone

    assert core.writer is not None
    gone = await core.writer.run(op, ctx.event_id)
    await truncate_log(core)
    listed = ", ".join(f"{n} {what}" for what, n in gone.items() if n)
    await ctx.reply(f"Erased: {listed}. Nothing of it remains in my records. (Signatures on trigger campaigns "
                    "that already fired are kept: they are the record of why a ballot was held.)")


@command("mydata", summary="see, withdraw or erase what the bot keeps about you", usage=MYDATA_USAGE)
async def mydata_command(ctx: Context, args: str) -> None:
    if not ctx.room.private:
        raise UserError("Ask about your data in a private chat with me: /mydata")
    words = args.split()
    if not words:
        await _show(ctx)
    elif words == ["erase"]:
        await _erase(ctx)
    elif len(words) == 2 and words[0].lower() == "withdraw":
        ref = words[1]
        if ref[:1].upper() == "S":
            await _withdraw_signup(ctx, parse_ref(ref, "S", MYDATA_USAGE))
        else:
            await unsign(ctx, ref)
    else:
        raise UserError(f"Usage: {MYDATA_USAGE}")
