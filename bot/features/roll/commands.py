"""/join and /whoami: linking chat accounts to the membership roll."""

from __future__ import annotations

import logging

from bot.features.roll.model import says_branch, typed_as_code
from bot.features.roll.service import RegistrationMerger, RollService, SignatureMerger, VoteMover
from bot.kernel.context import Context
from bot.kernel.effects import SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.language import N_, _
from bot.kernel.routing import Router

log = logging.getLogger(__name__)
router = Router("roll")


@router.command(
    "join",
    summary=N_("link your chat account to your membership (send it privately)"),
    usage="/join CODE",
    private=True,
    details=N_("Your organiser gives you a join code from the membership roll. Linking lets you vote "
               "in polls for the roll; accounts on several platforms linked to one membership vote once."),
)
async def join(
    ctx: Context, args: str, roll: RollService, polls: VoteMover, campaigns: SignatureMerger,
    pools: RegistrationMerger,
) -> None:
    raw = args.strip()
    if not raw or not typed_as_code(raw):
        raise UserError(_("Usage: /join CODE — the code your organiser gave you, e.g. /join ABCD-EF23."))
    seen = not ctx.room.private
    try:
        joined = await roll.join(ctx.actor, raw, ctx.event_id, polls, campaigns, pools, seen=seen)
    except UserError as refused:
        if not seen:
            raise
        raise UserError(refused.message + "\n" + await _take_down(ctx)) from None
    taken_down = await _take_down(ctx) if seen else ""
    for account in joined.linked_before:  # a link they did not make is someone voting in their name
        with await ctx.speaking_to(account):
            text = _("Another account, {account}, is now linked to your membership as well: it votes and signs "
                     "as you. If that was not you, tell your organiser.").format(
                account=f"{ctx.actor.name} ({ctx.actor.id})" if ctx.actor.name else ctx.actor.id)
        try:
            await ctx.send(SendPrivate(account, text))
        except Exception as e:  # best effort: the link is made; the account may have left its platform
            log.warning("could not tell an account of a new link to its membership (%s)", type(e).__name__)
    if joined.new_code is None:
        await ctx.reply(_("Welcome, {name}: this account is now linked to your membership.").format(name=joined.name))
        return
    # Sent in a group, the code was read by others: it was replaced, and the new one goes privately.
    with await ctx.speaking_to(ctx.actor.id):
        sent = _("Your new join code, for linking your accounts on other platforms: {code}. Send it only to me, "
                 "privately: /join {code}").format(code=joined.new_code)
    try:
        told = await ctx.private(sent) is not None
    except Exception as e:  # a private chat the platform refuses (never opened), or down: the organiser has it
        log.warning("could not send a replaced join code privately (%s)", type(e).__name__)
        told = False
    if told:
        welcome = _("Welcome, {name}: this account is now linked to your membership. Your code was seen here, "
                    "so it no longer works; I sent you a new one privately. Next time send it to me "
                    "privately.").format(name=joined.name)
    else:
        welcome = _("Welcome, {name}: this account is now linked to your membership. Your code was seen here, "
                    "so it no longer works; ask your organiser for your new one, and send it to me "
                    "privately.").format(name=joined.name)
    await ctx.reply(welcome + "\n" + taken_down)


async def _take_down(ctx: Context) -> str:
    """A join code typed where others read it stays on their screens even once replaced: the
    member's message is deleted where the platform lets the bot (``Context.take_down``), and
    otherwise the member is asked to delete it. What to tell them, either way."""
    if await ctx.take_down():
        return _("I deleted your message, so the code is no longer shown here.")
    return _("I may not delete your message here: please delete it yourself, so that the code is no longer "
             "shown.")


@router.command("whoami", summary=N_("show how the bot knows you"), usage="/whoami")
async def whoami(ctx: Context, args: str, roll: RollService) -> None:
    if args.strip():
        raise UserError(_("Usage: /whoami (no arguments)."))
    member_id = roll.member(ctx.actor.id)
    if member_id is None:
        await ctx.reply(_("You are {account}, not linked to the membership roll. Link with /join CODE.").format(
            account=ctx.actor.id))
        return
    member = await roll.info(member_id)
    name = member.name if member else str(member_id)
    if member and member.branch:
        # TRANSLATORS: {branch} is a branch's own name, e.g. "North" or "Riverside Branch", as typed.
        text = _("You are {account}, linked to member {name}, {branch}.") if says_branch(member.branch) else \
            _("You are {account}, linked to member {name}, {branch} branch.")
        await ctx.reply(text.format(account=ctx.actor.id, name=name, branch=member.branch))
        return
    await ctx.reply(_("You are {account}, linked to member {name}.").format(account=ctx.actor.id, name=name))


@router.startup
async def load_links(roll: RollService) -> None:
    await roll.start()
