"""The one command grammar every platform shares.

A command is a prefix (``/``, and ``!`` on Matrix), a name, an optional ``@BotName`` (Telegram
groups), then free text. Options are ``--name`` words; which options take a value is fixed per
command, so an unknown or misspelt option is an error rather than part of the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kernel.errors import ParseError

_COMMAND = re.compile(r"^([/!])([A-Za-z][A-Za-z0-9_]{0,31})(?:@(\w+))?(?:\s+(.*))?$", re.S)


@dataclass(frozen=True)
class CommandText:
    name: str
    args: str
    bot: str | None = None


def split_command(text: str, prefixes: tuple[str, ...] = ("/",)) -> CommandText | None:
    """The command in TEXT, or None if TEXT is not a command."""
    m = _COMMAND.match(text.strip())
    if not m or m.group(1) not in prefixes:
        return None
    return CommandText(m.group(2).lower(), (m.group(4) or "").strip(), m.group(3))


def is_number(text: str) -> bool:
    """A plain whole number as people type it: ASCII digits only (``'¹'.isdigit()`` is true,
    but it is no number), and short enough that no one means more than a billion."""
    return text.isascii() and text.isdigit() and len(text) <= 9


class GrammarError(ParseError):
    pass


@dataclass
class Options:
    flags: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)


def split_options(
    args: str, flags: frozenset[str], valued: frozenset[str], usage: str
) -> tuple[str, Options]:
    """Separate ``--options`` from the free text of ARGS.

    Returns the free text (words rejoined with single spaces) and the options found.
    """
    words = args.split()
    free: list[str] = []
    opts = Options()
    i = 0
    while i < len(words):
        w = words[i]
        if w.startswith("--") or w.startswith("—"):
            name, _, inline = w.lstrip("-—").partition("=")
            name = name.lower()
            if name in flags:
                if inline:
                    raise GrammarError(f"--{name} takes no value. Usage: {usage}")
                if name in opts.flags:
                    raise GrammarError(f"--{name} is given twice. Usage: {usage}")
                opts.flags.add(name)
            elif name in valued:
                if name in opts.values:
                    raise GrammarError(f"--{name} is given twice. Usage: {usage}")
                if inline:
                    opts.values[name] = inline
                else:
                    if i + 1 >= len(words) or words[i + 1].startswith("--"):
                        raise GrammarError(f"--{name} needs a value. Usage: {usage}")
                    i += 1
                    opts.values[name] = words[i]
            else:
                known = ", ".join(f"--{n}" for n in sorted(flags | valued))
                raise GrammarError(f"unknown option --{name}. Options are: {known}")
        else:
            free.append(w)
        i += 1
    return " ".join(free), opts
