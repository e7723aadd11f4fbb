"""/sign and /unsign, ``sign M12`` typed to the bot, and the Sign buttons' deep links."""

from __future__ import annotations

from bot.features.signing.parse import USAGE
from bot.features.signing.service import SigningService
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.routing import Router

router = Router("signing")


@router.command("sign", summary="sign a model motion or trigger campaign (privately)", usage=USAGE,
                details="You can also type sign M12 to me, or tap the Sign button under a campaign.")
async def sign_command(ctx: Context, args: str, signing: SigningService) -> None:
    ref, _, rest = args.strip().partition(" ")
    if not ref:
        raise UserError(f"Say what to sign. Usage: {USAGE}")
    if not rest.strip():
        await signing.begin(ctx, ref)
    else:
        await signing.sign_now(ctx, ref, rest)


@router.command("unsign", summary="withdraw your signature", usage="/unsign M12")
async def unsign_command(ctx: Context, args: str, signing: SigningService) -> None:
    ref = args.strip()
    if not ref or " " in ref:
        raise UserError("Usage: /unsign M12 (or /unsign T2).")
    await signing.unsign(ctx, ref)


@router.payload("sign-")
async def sign_link(ctx: Context, rest: str, signing: SigningService) -> None:
    await signing.begin(ctx, rest)


@router.conversation
async def typed(ctx: Context, text: str, signing: SigningService) -> bool:
    return await signing.converse(ctx, text)
