"""Text measures Telegram uses: entity offsets in UTF-16 code units, limits in code points."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


def utf16_len(text: str) -> int:
    """Length as Telegram counts entity offsets and lengths: in UTF-16 code units, where a lone
    surrogate (which a client's JSON may carry as a ``\ud800`` escape) is one unit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def trim_formatted(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as Telegram does, keeping entities on the same characters."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    end = utf16_len(result)
    kept: list[Entity] = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        stop = min(end, entity["offset"] + entity["length"] - shift)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return result, kept


def command_entities(text: str) -> list[Entity]:
    """``bot_command`` entities Telegram attaches to a user's message.

    Telegram marks every ``/word`` (optionally ``@botname``) that starts the text or follows
    whitespace; PTB's ``CommandHandler`` then reacts only to one at offset 0.
    """
    entities: list[Entity] = []
    for match in _COMMAND.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


def leading_command(text: str) -> tuple[str, str | None] | None:
    """``("cmd", "BotName" or None)`` if the text starts with a command, else None."""
    match = _COMMAND.match(text)
    if match is None:
        return None
    command, _, addressee = match.group(0)[1:].partition("@")
    return command, (addressee or None)
