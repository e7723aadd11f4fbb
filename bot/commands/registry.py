"""The command registry: each feature module registers its commands here, so the dispatcher
and /help know every command without a central list to keep in step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context

Handler = Callable[["Context", str], Awaitable[None]]


@dataclass(frozen=True)
class CommandDef:
    name: str
    summary: str
    usage: str
    details: str
    handler: Handler
    organiser: bool = False  # shown as such in /help; the handler enforces it
    hidden: bool = False  # not listed in /help (e.g. /start, the deep-link entry point)


COMMANDS: dict[str, CommandDef] = {}


def command(
    name: str,
    *,
    summary: str,
    usage: str,
    details: str = "",
    organiser: bool = False,
    hidden: bool = False,
    aliases: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        d = CommandDef(name, summary, usage, details, fn, organiser, hidden)
        for n in (name, *aliases):
            if n in COMMANDS:
                raise RuntimeError(f"command /{n} registered twice")
            COMMANDS[n] = d
        return fn

    return register
