"""The platforms the bot runs on, as one: effects routed by platform, and who is who in a room.

Each adapter provides one Transport. ``Transports.deliver`` picks the adapter by the platform
prefix of the room or person addressed, so one core serves Telegram, Matrix and the console at
once. ``send`` is what features are given: it never raises (a failed delivery is logged, and the
member's change, already committed, stands). ``RoomDirectory`` answers who organises a room: the
people the configuration names for it, and the room's admins on its platform.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.app.notices import file_part
from bot.kernel.clock import Clock
from bot.kernel.effects import (
    AnswerPress,
    CloseNativePoll,
    Delete,
    Delivered,
    Edit,
    Effect,
    Send,
    SendFile,
    SendNativePoll,
    SendPrivate,
)
from bot.kernel.events import platform_of
from bot.kernel.markup import Markup, markup, pre
from bot.kernel.pages import pages
from bot.kernel.ports import DeliveryRefused, Transport
from bot.kernel.routing import Duty
from bot.storage.leases import Presence

log = logging.getLogger(__name__)


def _target(effect: Effect) -> str:
    match effect:
        case SendPrivate(actor=actor):
            return actor
        case AnswerPress(press=press):
            return press.actor.id
        case SendFile(to=to):
            return to
        case (Send(room=room) | Edit(room=room) | SendNativePoll(room=room) | CloseNativePoll(room=room)
              | Delete(room=room)):
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

    def share(self, processes: int) -> None:
        """PROCESSES processes send for the bot's accounts now: each transport that paces itself
        to a platform's limits (Telegram's, counted per token) keeps to its share of them."""
        for transport in self._by_platform.values():
            share = getattr(transport, "share", None)
            if share is not None:
                share(processes)

    def ready(self) -> bool:
        """Whether every platform can send from this process now. A transport may say it cannot
        with ``sending = False`` (a Matrix account whose sync another process runs)."""
        return all(getattr(t, "sending", True) for t in self._by_platform.values())

    def get(self, qualified_id: str) -> Transport | None:
        return self._by_platform.get(platform_of(qualified_id))

    def shown(self, room: str) -> Markup:
        """ROOM as its members can find it, to name it in a message: what its platform's
        transport shows (``room_link``: on Matrix its name and a matrix.to link, never a bare
        room id), or else its own id on the platform."""
        transport = self.get(room)
        room_link = getattr(transport, "room_link", None)
        if room_link is not None:
            return markup("{}", room_link(room))
        return markup("{}", room.split(":", 1)[1] if ":" in room else room)

    async def deliver(self, effect: Effect) -> Delivered | None:
        """Deliver EFFECT; raises what the platform raised (the outbox retries on that)."""
        target = _target(effect)
        transport = self.get(target)
        if transport is None:
            log.warning("no adapter for %s; dropped %s", target, type(effect).__name__)
            return None
        if isinstance(effect, SendFile) and not getattr(transport, "files", False):
            return await self._file_as_text(transport, effect)
        return await transport.deliver(effect)

    @staticmethod
    async def _file_as_text(transport: Transport, effect: SendFile) -> Delivered | None:
        """A platform whose adapter does not send files yet gets a text file as messages (its
        caption, then its text in parts); anything else is refused."""
        try:
            text = effect.data.decode("utf-8")
        except UnicodeDecodeError:
            raise DeliveryRefused(f"{transport.platform} cannot send the file {effect.name}") from None
        last: Delivered | None = None
        parts = pages(text)
        for n, part in enumerate(parts, 1):
            head = effect.caption or effect.name
            if len(parts) > 1:
                head = file_part(head, n, len(parts))
            body = markup("{}\n{}", head, pre(part))
            last = await transport.deliver(SendPrivate(effect.to, body) if effect.private
                                           else Send(effect.to, body, reply_to=effect.reply_to))
        return last

    async def send(self, effect: Effect) -> Delivered | None:
        """Deliver EFFECT, logging a failure instead of raising it: a refusal the platform gives
        for good (a message the bot may not delete, a chat that blocked it) as one line, anything
        else with its traceback."""
        try:
            return await self.deliver(effect)
        except DeliveryRefused as refused:
            log.warning("the platform refused %s: %s", type(effect).__name__, refused)
            return None
        except Exception:
            log.exception("delivering %s failed", type(effect).__name__)
            return None


class RoomDirectory:
    """Organisers named in the configuration for a room are also organisers of the room it
    moved to (see bot/app/rooms.py), and of its sub-rooms: a room id ``PARENT/PART`` (a forum
    topic, ``tg:-100123/7``) is a part of room PARENT, organised by PARENT's organisers."""

    def __init__(self, organisers: dict[str, tuple[str, ...]], transports: Transports) -> None:
        self._organisers = organisers
        self._transports = transports
        self._moved_from: dict[str, list[str]] = {}  # new room id -> the ids it had before
        self._moved_to: dict[str, str] = {}  # old room id -> the id it moved to

    def alias(self, old: str, new: str) -> None:
        """Room OLD is now room NEW."""
        self._moved_to[old] = new
        earlier = self._moved_from.setdefault(new, [])
        if old not in earlier:
            earlier.append(old)
            earlier.extend(e for e in self._moved_from.get(old, ()) if e not in earlier)

    def moved_to(self, room_id: str) -> str | None:
        """Where ROOM_ID (or the room it is a part of) went, if it moved: the latest id, however
        many moves ago; None for a room that has not moved."""
        parent = room_id.split("/", 1)[0]
        new = self._moved_to.get(room_id) or self._moved_to.get(parent)
        if new is None:  # asked for every vote: the common answer without building the set below
            return None
        seen = {room_id, parent}
        while new is not None and new in self._moved_to and new not in seen:  # moved again since
            seen.add(new)
            new = self._moved_to[new]
        return new

    def _configured(self, room_id: str) -> tuple[str, ...]:
        parent = room_id.split("/", 1)[0]
        names = list(self._organisers.get(parent, ()))
        for old in self._moved_from.get(parent, ()):
            names += self._organisers.get(old, ())
        return tuple(names)

    async def is_organiser(self, actor_id: str, room_id: str) -> bool:
        if actor_id in self._configured(room_id):
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


class Sharing:
    """On a database several processes share, each answers the updates it is given, so each
    sends for the same bot accounts: every ``EVERY`` it says it is alive, counts the processes
    that are (bot/storage/leases.py, Presence), and has the transports pace to their share."""

    EVERY = timedelta(seconds=10)

    def __init__(self, presence: Presence, transports: Transports, clock: Clock) -> None:
        self._presence = presence
        self._transports = transports
        self._clock = clock
        self._at: datetime | None = None

    def duty(self) -> Duty:
        return Duty(lambda: self._clock.now() if self._at is None else self._at + self.EVERY, self._beat)

    async def _beat(self) -> None:
        self._at = self._clock.now()
        self._transports.share(await self._presence.count())
