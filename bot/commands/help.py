"""/help: the list of commands, and each command's usage."""

from __future__ import annotations

from bot.commands.registry import COMMANDS, command
from bot.context import Context
from bot.kernel.errors import UserError
from bot.kernel.markup import b, code, esc


@command("help", summary="list the commands, or explain one", usage="/help [COMMAND]")
async def help_command(ctx: Context, args: str) -> None:
    name = args.strip().lstrip("/!").lower()
    if not name:
        seen = set()
        lines = [b("Quorum commands") + " (organiser-only ones marked ★):"]
        for d in sorted(set(COMMANDS.values()), key=lambda d: d.name):
            if d.hidden or d.name in seen:
                continue
            seen.add(d.name)
            star = " ★" if d.organiser else ""
            lines.append(f"{code('/' + d.name)} — {esc(d.summary)}{star}")
        lines.append("Send /help COMMAND for details, e.g. /help poll.")
        await ctx.reply("\n".join(lines))
        return
    if " " in name or name not in COMMANDS:
        raise UserError(f"There is no command /{name}. Send /help for the list.")
    d = COMMANDS[name]
    text = f"{b('/' + d.name)} — {esc(d.summary)}\nUsage: {code(d.usage)}"
    if d.details:
        text += "\n" + esc(d.details)
    await ctx.reply(text)
