"""/help lists the commands and explains each; /start opens what a deep link carries.

A button in the group opens a private chat carrying a payload (``t.me/<bot>?start=PAYLOAD``);
each feature's router declares the payload prefix it owns (``vote-`` ballots, ``sign-``
campaigns, ``signup-`` forms), and /start hands the rest of the payload to it.
"""

from __future__ import annotations

from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.language import N_, _
from bot.kernel.markup import b, code, lines, markup
from bot.kernel.routing import Commands, Router
from bot.kernel.wording import clipped

router = Router("meta")


@router.command("help", summary=N_("list the commands, or explain one"), usage="/help [COMMAND]")
async def help_command(ctx: Context, args: str, commands: Commands) -> None:
    typed = args.strip().lstrip("/!")
    name = typed.lower()
    if not name:
        out: list[object] = [markup(_("{title} (organiser-only ones marked ★):"), title=b(_("Quorum commands")))]
        for d in sorted(commands.listed(), key=lambda d: d.name):
            out.append(markup("{} — {}{}", code("/" + d.name), d.said_summary(), " ★" if d.organiser else ""))
        out.append(_("Send /help COMMAND for details, e.g. /help poll."))
        await ctx.reply(lines(*out))
        return
    d = commands.find(name) if " " not in name else None
    if d is None:
        raise UserError(_("There is no command /{name}. Send /help for the list.").format(name=clipped(typed, 30)))
    text = markup(_("{command} — {summary}\nUsage: {usage}"), command=b("/" + d.name), summary=d.said_summary(),
                  usage=code(d.said_usage()))
    if d.details:
        text += "\n" + d.said_details()
    await ctx.reply(text)


@router.command("start", summary=N_("open a ballot or form privately (from a link)"), usage="/start [PAYLOAD]",
                hidden=True)
async def start_command(ctx: Context, args: str, commands: Commands) -> None:
    payload = args.strip()
    if not payload:
        await ctx.reply(_("Hello! I run polls, elections and campaigns for your organisation. "
                          "Send /help for the commands."))
        return
    found = commands.payload(payload)
    if found is None:
        raise UserError(_("That link is not valid any more. Send /polls to see the open polls."))
    handler, rest = found
    await handler(ctx, rest)
