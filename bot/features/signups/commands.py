"""/signup and /mydata: supporter sign-up forms, their export, and a supporter's own data."""

from __future__ import annotations

from bot.features.signing.model import Withdrawable
from bot.features.signing.service import SigningService
from bot.features.signups.model import MAX_NAME
from bot.features.signups.render import covering, erased_all, signups_sheet, what_is_kept
from bot.features.signups.service import SignupService
from bot.kernel.context import Context
from bot.kernel.csv_export import send_privately
from bot.kernel.effects import Button
from bot.kernel.errors import UserError
from bot.kernel.ids import parse_ref, split_ref
from bot.kernel.language import N_, _, pgettext
from bot.kernel.markup import b, markup
from bot.kernel.pages import pages
from bot.kernel.routing import Router
from bot.kernel.wording import quoted

router = Router("signups")

# TRANSLATORS: usage lines: the commands stay as they are; translate the words in brackets.
USAGE = N_("/signup S1 (privately: sign up) | /signup cancel | /signup open TITLE | /signup S1 export | "
           "/signup S1 close")
MYDATA_USAGE = N_("/mydata (see what we keep) | /mydata withdraw S1 | /mydata withdraw M12 | /mydata withdraw T2 | "
                  "/mydata withdraw P1 | /mydata erase")


@router.command("signup", summary=N_("sign up as a supporter (privately), or run a sign-up form"), usage=USAGE,
                details=N_("Supporters answer name, area and an optional contact, then consent. Organisers open "
                           "forms and export the list as CSV (sent privately)."))
async def signup_command(ctx: Context, args: str, signups: SignupService) -> None:
    head, _sep, rest = args.strip().partition(" ")
    low = head.lower()
    if low == "open":
        await _open(ctx, rest.strip(), signups)
        return
    if low == "cancel":
        if rest.strip():
            raise UserError(_("Usage: {usage}").format(usage="/signup cancel"))
        if not await signups.cancel(ctx):
            raise UserError(_("You are not filling in a sign-up form."))
        await ctx.reply(_("Cancelled: nothing about you was kept."))
        return
    form_id, rest = split_ref(args, "S", _(USAGE))
    sub, _sep, tail = rest.lower().partition(" ")
    if rest == "":
        await signups.begin(ctx, form_id)
    elif sub in ("export", "close"):
        form = await signups.get(form_id)
        # First, whatever follows: a form of another room is run there, by its organisers, and
        # someone it does not reach learns nothing more of it.
        if not await ctx.reaches(form.room):
            raise UserError(_("Sign-up S{id} belongs to another room; its organisers run it there (or privately "
                              "with me).").format(id=form_id))
        # TRANSLATORS: both complete "Only an organiser of the room can …".
        await ctx.require_organiser(form.room, _("export a sign-up list") if sub == "export"
                                    else _("close a sign-up form"))
        if tail.strip():
            raise UserError(_("Usage: {usage}").format(usage=f"/signup S{form_id} {sub}"))
        if sub == "export":
            rows = await signups.signups(form_id)
            # The list goes to the organiser's private chat, in their language; a word in the room in the room's.
            with await ctx.speaking_to(ctx.actor.id):
                header, cells = signups_sheet(rows)
                label = _("S{id} sign-ups").format(id=form_id)
            # TRANSLATORS: completes "I sent you … privately." and "I could not send you … privately".
            await send_privately(ctx, label, header, cells, _("the sign-up list"))
        else:
            await signups.close(ctx, form_id)
            await ctx.reply(_("Sign-up S{id} is closed.").format(id=form_id))
    else:
        raise UserError(_("There is no /signup S{id} {typed}. Usage: {usage}").format(id=form_id, typed=rest[:20],
                                                                                     usage=_(USAGE)))


async def _open(ctx: Context, title: str, signups: SignupService) -> None:
    if ctx.room.private:
        raise UserError(_("Open a sign-up form in the group where it is announced, not in a private chat."))
    # TRANSLATORS: completes "Only an organiser of the room can …".
    await ctx.require_organiser(ctx.room.id, _("open a sign-up form"))
    if not title or len(title) > MAX_NAME * 2:
        raise UserError(_("Give the form a title of 1 to {max} characters: /signup open TITLE").format(
            max=MAX_NAME * 2))
    form_id = await signups.open(ctx, title)
    await ctx.reply(
        markup(_("✋ {title}\nShow your support: tap the button or message me /signup S{id}. We ask your name, area "
                 "and (if you like) how to contact you, and keep them only with your consent."), title=b(title),
               id=form_id),
        ((Button(pgettext("button", "Sign up"), start=f"signup-S{form_id}"),),),
    )


@router.payload("signup-")
async def signup_link(ctx: Context, rest: str, signups: SignupService) -> None:
    await signups.begin(ctx, parse_ref(rest, "S", "/start signup-S1"))


@router.conversation
async def form_reply(ctx: Context, text: str, signups: SignupService) -> bool:
    return await signups.converse(ctx, text)


@router.command("mydata", summary=N_("see, withdraw or erase what the bot keeps about you"), usage=MYDATA_USAGE,
                private=True)
async def mydata_command(ctx: Context, args: str, signups: SignupService, signing: SigningService,
                         pools: Withdrawable) -> None:
    if not ctx.room.private:
        raise UserError(_("Ask about your data in a private chat with me: /mydata"))
    words = args.split()
    if not words:
        accounts, kept = await signups.whats_kept(ctx.actor.id)
        if not kept:
            nothing = _("I keep no sign-ups, signatures, pool registrations or motion records of yours.")
            await ctx.reply("\n".join([nothing, *covering(accounts)]))
            return
        for page in pages(what_is_kept(accounts, kept)):
            await ctx.reply(page)
    elif words == ["erase"]:
        await ctx.reply(erased_all(*await signups.erase_everything(ctx)))
    elif len(words) == 2 and words[0].lower() == "withdraw":
        ref = words[1]
        if ref[:1].upper() not in {"S", "P", *signing.letters}:
            raise UserError(_("{typed} is not something to withdraw: give a sign-up, signature or pool id. "
                              "Usage: {usage}").format(typed=quoted(ref, 30), usage=_(MYDATA_USAGE)))
        if ref[:1].upper() == "S":
            form_id = parse_ref(ref, "S", _(MYDATA_USAGE))
            await signups.withdraw(ctx, form_id)
            await ctx.reply(_("Your sign-up to S{id} is withdrawn and its details are deleted.").format(id=form_id))
        elif ref[:1].upper() == "P":
            await pools.withdraw(ctx, parse_ref(ref, "P", _(MYDATA_USAGE)))
        else:
            await signing.unsign(ctx, ref)
    else:
        raise UserError(_("Usage: {usage}").format(usage=_(MYDATA_USAGE)))


@router.startup
async def seal_stored_signups(signups: SignupService) -> None:
    """Sign-ups stored before details were sealed (bot/storage/sealing.py) are sealed now."""
    await signups.seal_stored()
