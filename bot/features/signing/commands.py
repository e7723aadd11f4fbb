"""/sign and /unsign, ``sign M12`` typed to the bot, and the Sign buttons' deep links."""

from __future__ import annotations

from bot.features.signing.parse import USAGE
from bot.features.signing.service import SigningService
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.language import N_, _
from bot.kernel.routing import Router

router = Router("signing")


@router.command("sign", summary=N_("sign a model motion or trigger campaign (privately)"), usage=USAGE,
                details=N_("You can also type sign M12 to me, or tap the Sign button under a campaign."))
async def sign_command(ctx: Context, args: str, signing: SigningService) -> None:
    ref, _sep, rest = args.strip().partition(" ")
    if not ref:
        raise UserError(_("Say what to sign. Usage: {usage}").format(usage=_(USAGE)))
    if not rest.strip():
        await signing.begin(ctx, ref)
    else:
        await signing.sign_now(ctx, ref, rest)


@router.command("unsign", summary=N_("withdraw your signature"), usage="/unsign M12")
async def unsign_command(ctx: Context, args: str, signing: SigningService) -> None:
    ref = args.strip()
    if not ref or " " in ref:
        raise UserError(_("Usage: {usage} (or {other}).").format(usage="/unsign M12", other="/unsign T2"))
    await signing.unsign(ctx, ref)


@router.payload("sign-")
async def sign_link(ctx: Context, rest: str, signing: SigningService) -> None:
    await signing.begin(ctx, rest)


@router.conversation
async def typed(ctx: Context, text: str, signing: SigningService) -> bool:
    return await signing.converse(ctx, text)
