"""Text measures Telegram uses: entity offsets in UTF-16 code units, limits in code points."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_MENTION = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")
"""A ``mention`` (``@username``): a username is 5-32 characters of ``[A-Za-z0-9_]``, and the
mention is the whole word, so ``@OurBotX`` names someone else and ``a@OurBot`` (an address) or
``/vote@OurBot`` (a command's addressee) is no mention."""


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


def user_entities(text: str) -> list[Entity]:
    """The entities Telegram finds in what a user types, by offset: ``bot_command`` for every
    ``/word`` (optionally ``@botname``) that starts the text or follows whitespace (PTB's
    ``CommandHandler`` then reacts only to one at offset 0), and ``mention`` for every
    ``@username`` standing as a word of its own."""
    found = [("bot_command", m) for m in _COMMAND.finditer(text)]
    found += [("mention", m) for m in _MENTION.finditer(text)]
    found.sort(key=lambda kind_match: kind_match[1].start())
    return [
        {"type": kind, "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group(0))}
        for kind, match in found
    ]


def entity_text(text: str, entity: Entity) -> str:
    """The characters ENTITY covers in TEXT (its offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le", "surrogatepass")
    start = entity["offset"] * 2
    return units[start: start + entity["length"] * 2].decode("utf-16-le", "surrogatepass")


def mentions(text: str, entities: list[Entity], username: str) -> bool:
    """Whether a ``mention`` entity of TEXT names USERNAME (usernames are case-insensitive)."""
    return any(entity["type"] == "mention" and entity_text(text, entity)[1:].lower() == username.lower()
               for entity in entities)


def leading_command(text: str) -> tuple[str, str | None] | None:
    """``("cmd", "BotName" or None)`` if the text starts with a command, else None."""
    match = _COMMAND.match(text)
    if match is None:
        return None
    command, _, addressee = match.group(0)[1:].partition("@")
    return command, (addressee or None)
