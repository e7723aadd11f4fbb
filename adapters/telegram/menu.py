"""The command menu Telegram clients show (``setMyCommands``), from the core's registry."""

from __future__ import annotations

import re

from telegram import BotCommand

from bot.commands.registry import COMMANDS

MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
_NAME = re.compile(r"[a-z0-9_]{1,32}")


def menu() -> list[BotCommand]:
    """Every listed command once (aliases and hidden ones left out), within Telegram's limits."""
    seen: set[str] = set()
    commands: list[BotCommand] = []
    for name, definition in COMMANDS.items():
        if definition.hidden or name != definition.name or name in seen or not _NAME.fullmatch(name):
            continue
        seen.add(name)
        summary = " ".join(definition.summary.split()) or name
        if len(summary) > MAX_DESCRIPTION:
            summary = summary[: MAX_DESCRIPTION - 1] + "…"
        commands.append(BotCommand(name, summary))
    return commands[:MAX_COMMANDS]
