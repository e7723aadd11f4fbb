"""The root router: every feature's router included in order, each handler bound to the
services it names.

Binding happens once, at start-up: a handler's leading parameters are what the event brings
(``ctx, args`` for a command), and every further parameter is looked up by its name among the
dependencies bootstrap provides (``polls``, ``roll``, ``config`` …). A name nobody provides, or
a command, button prefix or payload prefix claimed twice, stops the bot from starting with a
sentence saying which handler is at fault, rather than failing on some member's message later.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from bot.kernel.grammar import likely_typo, typo_distance
from bot.kernel.routing import CommandDef, Duty, Handler, Router


class RoutingError(RuntimeError):
    """The features' routers do not fit together (a developer's mistake, found at start-up)."""


def bind(fn: Callable[..., Any], deps: Mapping[str, object], leading: int) -> Callable[..., Any]:
    """FN with every parameter after the first LEADING filled from DEPS by name."""
    params = list(inspect.signature(fn).parameters.values())[leading:]
    missing = [p.name for p in params if p.name not in deps and p.default is inspect.Parameter.empty]
    if missing:
        raise RoutingError(f"{fn.__module__}.{fn.__qualname__} asks for {', '.join(missing)}, which the app does "
                           "not provide (see bot/app/bootstrap.py)")
    kwargs = {p.name: deps[p.name] for p in params if p.name in deps}
    return functools.partial(fn, **kwargs) if kwargs else fn


class Routes:
    def __init__(self, deps: Mapping[str, object]) -> None:
        self._deps = deps
        self._commands: dict[str, tuple[CommandDef, Handler]] = {}
        self._defs: list[CommandDef] = []
        self._presses: dict[str, Handler] = {}
        self._payloads: dict[str, Handler] = {}
        self.conversations: list[Handler] = []
        self.native_answer: Handler | None = None
        self.subscribers: list[tuple[type, Handler]] = []
        self.timers: list[tuple[str, Duty]] = []
        self.startups: list[Handler] = []
        self.shutdowns: list[Handler] = []

    def include(self, *routers: Router) -> None:
        for router in routers:
            self._include(router)

    def _include(self, r: Router) -> None:
        deps = self._deps
        for d in r.commands:
            handler = bind(d.handler, deps, 2)
            for name in (d.name, *d.aliases):
                if name in self._commands:
                    raise RoutingError(f"command /{name} is declared twice (the second time by the {r.name} router)")
                self._commands[name] = (d, handler)
            self._defs.append(d)
        for prefix, fn in r.presses.items():
            if prefix in self._presses:
                raise RoutingError(f"button prefix {prefix!r} is declared twice (the second time by {r.name})")
            self._presses[prefix] = bind(fn, deps, 2)
        for prefix, fn in r.payloads.items():
            if any(prefix.startswith(p) or p.startswith(prefix) for p in self._payloads):
                raise RoutingError(f"/start payload {prefix!r} overlaps another (declared by {r.name})")
            self._payloads[prefix] = bind(fn, deps, 2)
        self.conversations += [bind(fn, deps, 2) for fn in r.conversations]
        for fn in r.native_answers:
            if self.native_answer is not None:
                raise RoutingError(f"answers to native polls are handled twice (the second time by {r.name})")
            self.native_answer = bind(fn, deps, 1)
        self.subscribers += [(kind, bind(fn, deps, 1)) for kind, fn in r.subscribers]
        self.timers += [(name, bind(fn, deps, 0)()) for name, fn in r.timers]
        self.startups += [bind(fn, deps, 0) for fn in r.startups]
        self.shutdowns += [bind(fn, deps, 0) for fn in r.shutdowns]

    # -- lookups (the dispatcher's, and /help's and /start's through the Commands protocol) ---

    def command(self, name: str) -> Handler | None:
        found = self._commands.get(name)
        return found[1] if found else None

    def find(self, name: str) -> CommandDef | None:
        found = self._commands.get(name)
        return found[0] if found else None

    def listed(self) -> list[CommandDef]:
        """The commands /help and the platforms' menus show, in the order they were included."""
        return [d for d in self._defs if not d.hidden]

    def nearest(self, name: str) -> CommandDef | None:
        """The command NAME (one no command has) is likely a slip for, by its name or an alias:
        the closest; of equally close ones, one NAME begins (``/pol`` is cut short of ``/poll``
        rather than a slip for ``/pool``), then the first included; None if none is close."""
        best: tuple[tuple[int, bool, int], CommandDef] | None = None
        for order, (known, (d, _)) in enumerate(self._commands.items()):
            if d.hidden or not likely_typo(name, known):
                continue
            rank = (typo_distance(name, known), not known.startswith(name), order)
            if best is None or rank < best[0]:
                best = (rank, d)
        return best[1] if best is not None else None

    def press(self, kind: str) -> Handler | None:
        return self._presses.get(kind)

    def payload(self, payload: str) -> tuple[Handler, str] | None:
        for prefix, handler in self._payloads.items():
            if payload.startswith(prefix):
                return handler, payload[len(prefix):]
        return None


def menu(routers: tuple[Router, ...], where: str = "any") -> list[tuple[str, str]]:
    """(name, summary) of every command the routers list, in order: a platform's command menu,
    its summaries in the language being written in. WHERE "group" leaves out the commands used
    in a private chat with the bot."""
    return [(d.name, d.said_summary()) for r in routers for d in r.commands
            if not d.hidden and not (where == "group" and d.private)]
