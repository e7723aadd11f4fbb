"""A feature's router: everything one feature adds to the bot, declared in its commands.py.

    router = Router("polls")

    @router.command("vote", summary="vote in a poll", usage="/vote POLL OPTION")
    async def vote(ctx: Context, args: str, polls: PollService) -> None: ...

Declaring changes nothing anywhere else: the app's root (bot/app/router.py) includes each
feature's router in the order bootstrap lists them, and passes each handler the services its
parameters name (``polls`` above) once, at start-up. So there is no registry filled at import,
no installer, and a handler never reaches for the bot: what it may use is in its signature.

What a router holds, and what its handlers are called with (services follow by name):

* ``command``: ``(ctx, args)`` for ``/name args``;
* ``press``: ``(ctx, data)`` for a button whose data starts with ``prefix:``; returns the short
  answer shown to the person who pressed;
* ``payload``: ``(ctx, rest)`` for ``/start prefix-rest`` (a deep link);
* ``conversation``: ``(ctx, text)`` for a private message that is not a command; returns True
  if it consumed it;
* ``native_answer``: ``(event)`` for an answer to a platform's own poll;
* ``subscribe``: ``(event)`` for a domain event published on the bus;
* ``timer``: ``()`` returning a Duty, timed work the scheduler wakes up for;
* ``startup`` / ``shutdown``: ``()``, run in order when the bot starts and in reverse at stop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.kernel.language import current

Handler = Callable[..., Awaitable[Any]]
H = Callable[..., Any]


@dataclass(frozen=True)
class CommandDef:
    name: str
    summary: str
    usage: str
    details: str
    handler: Handler
    organiser: bool = False  # shown as such in /help; the handler enforces it
    hidden: bool = False  # not listed in /help (e.g. /start, the deep-link entry point)
    aliases: tuple[str, ...] = ()
    edits: bool = False  # an edited message carrying it is acted on again (see bot/app/core.py)
    private: bool = False  # used in a private chat with the bot: not offered in groups' menus

    # Summaries, usages with words in them, and details are marked with N_ where a feature
    # declares them, and read out in the language being written in where they are shown (/help,
    # the platforms' menus).
    def said_summary(self) -> str:
        """The summary in the language being written in."""
        return current().gettext(self.summary) if self.summary else ""

    def said_usage(self) -> str:
        """The usage line in the language being written in: its syntax stays as typed, and the
        words around it ("(privately: sign up)", "organisers:") where the catalogue has them."""
        return current().gettext(self.usage) if self.usage else ""

    def said_details(self) -> str:
        """The details in the language being written in ("" where there are none)."""
        return current().gettext(self.details) if self.details else ""


@dataclass(frozen=True)
class Duty:
    """Timed work: when it is next due (None: nothing to do), and how to do what is due."""

    next_due: Callable[[], datetime | None]
    fire: Callable[[], Awaitable[None]]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[CommandDef] = []
        self.presses: dict[str, Handler] = {}
        self.payloads: dict[str, Handler] = {}
        self.conversations: list[Handler] = []
        self.native_answers: list[Handler] = []
        self.subscribers: list[tuple[type, Handler]] = []
        self.timers: list[tuple[str, Callable[..., Duty]]] = []
        self.startups: list[Handler] = []
        self.shutdowns: list[Handler] = []

    def command(
        self,
        name: str,
        *,
        summary: str,
        usage: str,
        details: str = "",
        organiser: bool = False,
        hidden: bool = False,
        aliases: tuple[str, ...] = (),
        edits: bool = False,
        private: bool = False,
    ) -> Callable[[H], H]:
        def declare(fn: H) -> H:
            self.commands.append(
                CommandDef(name, summary, usage, details, fn, organiser, hidden, aliases, edits, private)
            )
            return fn

        return declare

    def press(self, *prefixes: str) -> Callable[[H], H]:
        def declare(fn: H) -> H:
            for prefix in prefixes:
                self.presses[prefix] = fn
            return fn

        return declare

    def payload(self, prefix: str) -> Callable[[H], H]:
        def declare(fn: H) -> H:
            self.payloads[prefix] = fn
            return fn

        return declare

    def conversation(self, fn: H) -> H:
        self.conversations.append(fn)
        return fn

    def native_answer(self, fn: H) -> H:
        self.native_answers.append(fn)
        return fn

    def subscribe(self, event_type: type) -> Callable[[H], H]:
        def declare(fn: H) -> H:
            self.subscribers.append((event_type, fn))
            return fn

        return declare

    def timer(self, name: str) -> Callable[[Callable[..., Duty]], Callable[..., Duty]]:
        def declare(fn: Callable[..., Duty]) -> Callable[..., Duty]:
            self.timers.append((name, fn))
            return fn

        return declare

    def startup(self, fn: H) -> H:
        self.startups.append(fn)
        return fn

    def shutdown(self, fn: H) -> H:
        self.shutdowns.append(fn)
        return fn


class Commands(Protocol):
    """The bot's commands as a whole (the app's root router), for /help and /start."""

    def listed(self) -> list[CommandDef]: ...

    def find(self, name: str) -> CommandDef | None: ...

    def payload(self, payload: str) -> tuple[Handler, str] | None: ...
