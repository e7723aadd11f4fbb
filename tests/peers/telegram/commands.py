"""``setMyCommands`` validation and storage, keyed by scope and language like Telegram."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .limits import Limits

_COMMAND_NAME = re.compile(r"[a-z0-9_]+")


def validate_commands(commands: Any, limits: Limits) -> list[dict[str, str]]:
    """The command list to store, or Telegram's 400 for the first bad entry."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > limits.max_commands:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[dict[str, str]] = []
    for entry in commands:
        if not isinstance(entry, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = str(entry.get("command", "")).strip().removeprefix("/")
        description = str(entry.get("description", "")).strip()
        if not (1 <= len(command) <= limits.max_command_length and _COMMAND_NAME.fullmatch(command)):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= limits.max_command_description_length:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command, "description": description})
    return cleaned


def scope_key(scope: Any, language_code: str | None) -> str:
    """A stable key for a (scope, language) pair; the default scope when none is given."""
    normalised = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps([normalised, language_code or ""], sort_keys=True)
