"""The command menu Telegram clients show (``setMyCommands``), from the core's list of commands."""

from __future__ import annotations

import re

from telegram import BotCommand

MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
_NAME = re.compile(r"[a-z0-9_]{1,32}")


def menu(listed: list[tuple[str, str]]) -> list[BotCommand]:
    """The core's listed commands (name, summary), within Telegram's limits."""
    commands: list[BotCommand] = []
    for name, summary in listed:
        if not _NAME.fullmatch(name):
            continue
        summary = " ".join(summary.split()) or name
        if len(summary) > MAX_DESCRIPTION:
            summary = summary[: MAX_DESCRIPTION - 1] + "…"
        commands.append(BotCommand(name, summary))
    return commands[:MAX_COMMANDS]
