"""/signup and /mydata: supporter sign-up forms, their export, and a supporter's own data."""

from __future__ import annotations

from bot.features.signing.service import SigningService
from bot.features.signups.model import MAX_NAME
from bot.features.signups.service import SignupService
from bot.kernel.context import Context
from bot.kernel.csv_export import send_privately
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.ids import parse_ref, split_ref
from bot.kernel.markup import b, markup
from bot.kernel.pages import pages
from bot.kernel.routing import Router
from bot.kernel.wording import count_of

router = Router("signups")

USAGE = ("/signup S1 (privately: sign up) | /signup cancel | /signup open TITLE | /signup S1 export | "
         "/signup S1 close")
MYDATA_USAGE = "/mydata (see what we keep) | /mydata withdraw S1 | /mydata withdraw M12 | /mydata erase"


@router.command("signup", summary="sign up as a supporter (privately), or run a sign-up form", usage=USAGE,
                details="Supporters answer name, area and an optional contact, then consent. Organisers open forms "
                "and export the list as CSV (sent privately).")
async def signup_command(ctx: Context, args: str, signups: SignupService) -> None:
    head, _, rest = args.strip().partition(" ")
    low = head.lower()
    if low == "open":
        await _open(ctx, rest.strip(), signups)
        return
    if low == "cancel":
        if rest.strip():
            raise UserError("Usage: /signup cancel")
        if not signups.cancel(ctx.actor.id):
            raise UserError("You are not filling in a sign-up form.")
        await ctx.reply("Cancelled: nothing about you was kept.")
        return
    form_id, rest = split_ref(args, "S", USAGE)
    sub = rest.lower()
    if sub == "":
        await signups.begin(ctx, form_id)
    elif sub in ("export", "close"):
        form = await signups.get(form_id)
        if sub == "export":
            await ctx.require_organiser(form.room, "export a sign-up list")
            await send_privately(ctx, f"S{form_id} sign-ups", ("name", "area", "contact", "signed_at", "consent"),
                                 await signups.signups(form_id), "the sign-up list")
        else:
            await ctx.require_organiser(form.room, "close a sign-up form")
            await signups.close(ctx, form_id)
            await ctx.reply(f"Sign-up S{form_id} is closed.")
    else:
        raise UserError(f"There is no /signup S{form_id} {rest[:20]}. Usage: {USAGE}")


async def _open(ctx: Context, title: str, signups: SignupService) -> None:
    if ctx.room.private:
        raise UserError("Open a sign-up form in the group where it is announced, not in a private chat.")
    await ctx.require_organiser(ctx.room.id, "open a sign-up form")
    if not title or len(title) > MAX_NAME * 2:
        raise UserError(f"Give the form a title of 1 to {MAX_NAME * 2} characters: /signup open TITLE")
    form_id = await signups.open(ctx, title)
    await ctx.reply(
        markup("✋ {}\nShow your support: tap the button or message me /signup S{}. We ask your name, area and (if "
               "you like) how to contact you, and keep them only with your consent.", b(title), form_id),
        ((Button("Sign up", start=f"signup-S{form_id}"),),),
    )


@router.payload("signup-")
async def signup_link(ctx: Context, rest: str, signups: SignupService) -> None:
    await signups.begin(ctx, parse_ref(rest, "S", "/start signup-S1"))


@router.conversation
async def form_reply(ctx: Context, text: str, signups: SignupService) -> bool:
    return await signups.converse(ctx, text)


@router.command("mydata", summary="see, withdraw or erase what the bot keeps about you", usage=MYDATA_USAGE,
                private=True)
async def mydata_command(ctx: Context, args: str, signups: SignupService, signing: SigningService) -> None:
    if not ctx.room.private:
        raise UserError("Ask about your data in a private chat with me: /mydata")
    words = args.split()
    if not words:
        kept = await signups.whats_kept(ctx.actor.id)
        if not kept:
            await ctx.reply("I keep no sign-ups or signatures of yours.")
            return
        for page in pages("\n".join([f"What I keep about you ({ctx.actor.id}):", *kept,
                                      "Withdraw one with /mydata withdraw S1 (or M12, T2); erase everything with "
                                      "/mydata erase."])):
            await ctx.reply(page)
    elif words == ["erase"]:
        gone = await signups.erase_everything(ctx)
        listed = ", ".join(count_of(n, what) for what, n in gone if n)
        await ctx.reply(f"Erased: {listed}. Nothing of it remains in my records. (Signatures on trigger campaigns "
                        "that already fired are kept: they are the record of why a ballot was held.)")
    elif len(words) == 2 and words[0].lower() == "withdraw":
        ref = words[1]
        if ref[:1].upper() == "S":
            form_id = parse_ref(ref, "S", MYDATA_USAGE)
            await signups.withdraw(ctx, form_id)
            await ctx.reply(f"Your sign-up to S{form_id} is withdrawn and its details are deleted.")
        else:
            await signing.unsign(ctx, ref)
    else:
        raise UserError(f"Usage: {MYDATA_USAGE}")
