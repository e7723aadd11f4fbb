"""``/language [CODE | default]``: what was asked for, before anyone looks it up."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.errors import ParseError
from bot.kernel.language import _, primary

USAGE = "/language [CODE | default]"
DEFAULT_WORDS = frozenset({"default", "reset", "auto"})


@dataclass(frozen=True, slots=True)
class Asked:
    """``code`` None: show the languages; "" : back to the default; else the code asked for."""

    code: str | None


def asked(args: str) -> Asked:
    words = args.split()
    if not words:
        return Asked(None)
    if len(words) > 1:
        raise ParseError(_("give one language code, such as /language pl"))
    if words[0].lower() in DEFAULT_WORDS:
        return Asked("")
    # A word with no language in it ("-", "_") is asked for as typed, and refused as unknown:
    # its empty primary subtag must not read as "default".
    return Asked(primary(words[0]) or words[0])
