"""The platforms the bot runs on, as one: effects routed by platform, and who is who in a room.

Each adapter provides one Transport. ``Transports.deliver`` picks the adapter by the platform
prefix of the room or person addressed, so one core serves Telegram, Matrix and the console at
once. ``send`` is what features are given: it never raises (a failed delivery is logged, and the
member's change, already committed, stands). ``RoomDirectory`` answers who organises a room: the
people the configuration names for it, and the room's admins on its platform.
"""

from __future__ import annotations

import logging

from bot.kernel.effects import AnswerPress, CloseNativePoll, Delivered, Edit, Effect, Send, SendNativePoll, SendPrivate
from bot.kernel.events import platform_of
from bot.kernel.ports import Transport

log = logging.getLogger(__name__)


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

    def all(self) -> dict[str, Transport]:
        """Every platform's transport, by platform."""
        return dict(self._by_platform)

    def get(self, qualified_id: str) -> Transport | None:
        return self._by_platform.get(platform_of(qualified_id))

    async def deliver(self, effect: Effect) -> Delivered | None:
        """Deliver EFFECT; raises what the platform raised (the outbox retries on that)."""
        target = _target(effect)
        transport = self.get(target)
        if transport is None:
            log.warning("no adapter for %s; dropped %s", target, type(effect).__name__)
            return None
        return await transport.deliver(effect)

    async def send(self, effect: Effect) -> Delivered | None:
        """Deliver EFFECT, logging a failure instead of raising it."""
        try:
            return await self.deliver(effect)
        except Exception:
            log.exception("delivering %s failed", type(effect).__name__)
            return None


class RoomDirectory:
    def __init__(self, organisers: dict[str, tuple[str, ...]], transports: Transports) -> None:
        self._organisers = organisers
        self._transports = transports

    async def is_organiser(self, actor_id: str, room_id: str) -> bool:
        if actor_id in self._organisers.get(room_id, ()):
            return True
        transport = self._transports.get(room_id)
        if transport is None:
            return False
        try:
            return await transport.is_admin(actor_id, room_id)
        except Exception:
            log.exception("could not check the admins of %s", room_id)
            return False

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        transport = self._transports.get(room_id)
        if transport is None:
            return False
        try:
            return await transport.is_member(actor_id, room_id)
        except Exception:
            log.exception("membership check failed")
            return False

    def edit_interval(self, room_id: str) -> float:
        transport = self._transports.get(room_id)
        return transport.edit_interval if transport else 0.0
