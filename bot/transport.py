"""The seam between the core and the chat platforms.

Each adapter provides one Transport. The core never talks to a platform directly: it hands
effects to ``Transports.deliver``, which picks the adapter by the platform prefix of the room or
person addressed, so one core serves Telegram, Matrix and the console at once.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.kernel.effects import AnswerPress, CloseNativePoll, Delivered, Edit, Effect, Send, SendNativePoll, SendPrivate
from bot.kernel.events import platform_of

log = logging.getLogger(__name__)


class DeliveryRefused(Exception):
    """The platform will never accept this message (blocked bot, unknown chat): do not retry."""


class Transport(Protocol):
    platform: str
    prefixes: tuple[str, ...]
    bot_username: str | None
    edit_interval: float  # seconds to wait between edits of one message (rate limits)

    async def deliver(self, effect: Effect) -> Delivered | None: ...

    async def is_admin(self, actor_id: str, room_id: str) -> bool: ...

    async def is_member(self, actor_id: str, room_id: str) -> bool: ...


def _target(effect: Effect) -> str:
    match effect:
        case SendPrivate(actor=actor):
            return actor
        case AnswerPress(press=press):
            return press.actor.id
        case Send(room=room) | Edit(room=room) | SendNativePoll(room=room) | CloseNativePoll(room=room):
            return room
    raise TypeError(f"unknown effect {effect!r}")


class Transports:
    def __init__(self, *transports: Transport) -> None:
        self._by_platform: dict[str, Transport] = {}
        for t in transports:
            self.add(t)

    def add(self, transport: Transport) -> None:
        self._by_platform[transport.platform] = transport

    def get(self, qualified_id: str) -> Transport | None:
        return self._by_platform.get(platform_of(qualified_id))

    async def deliver(self, effect: Effect) -> Delivered | None:
        target = _target(effect)
        transport = self.get(target)
        if transport is None:
            log.warning("no adapter for %s; dropped %s", target, type(effect).__name__)
            return None
        return await transport.deliver(effect)
