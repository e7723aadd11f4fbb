"""/start: the entry point of deep links (``t.me/<bot>?start=PAYLOAD``) and of a first chat.

A button in the group opens a private chat carrying a payload; each feature registers the
payload prefix it owns (``vote-`` ballots, ``sign-`` campaigns, ``signup-`` forms) here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands.registry import command
from bot.context import Context
from bot.kernel.errors import UserError

Handler = Callable[[Context, str], Awaitable[None]]
PAYLOADS: dict[str, Handler] = {}  # prefix -> handler of the rest of the payload


@command("start", summary="open a ballot or form privately (from a link)", usage="/start [PAYLOAD]", hidden=True)
async def start_command(ctx: Context, args: str) -> None:
    payload = args.strip()
    if not payload:
        await ctx.reply("Hello! I run polls, elections and campaigns for your organisation. "
                        "Send /help for the commands.")
        return
    for prefix, handler in PAYLOADS.items():
        if payload.startswith(prefix):
            await handler(ctx, payload[len(prefix):])
            return
    raise UserError("That link is not valid any more. Send /polls to see the open polls.")
