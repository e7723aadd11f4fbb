"""/language: the language the bot writes in, for you or (by an organiser) for a room."""

from __future__ import annotations

from bot.features.language.parse import USAGE, asked
from bot.features.language.service import LanguageService
from bot.kernel.context import Context
from bot.kernel.language import N_
from bot.kernel.routing import Router

router = Router("language")


@router.command(
    "language", summary=N_("the language I write in, for you or (organisers) for a room"), usage=USAGE,
    details=N_("Privately, /language pl chooses yours; in a group, an organiser's /language cy chooses the "
               "room's. /language default goes back to your app's language (or the room's default)."),
)
async def language_command(ctx: Context, args: str, languages: LanguageService) -> None:
    await languages.language(ctx, asked(args))
