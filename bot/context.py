"""What a command handler gets: who spoke, where, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.kernel.effects import Delivered, Keyboard, Send, SendPrivate
from bot.kernel.events import Actor, ButtonPress, Message, NativePollAnswer, Room

if TYPE_CHECKING:
    from bot.core import Quorum


@dataclass
class Context:
    core: Quorum
    actor: Actor
    room: Room
    event: Message | ButtonPress | NativePollAnswer

    @property
    def event_id(self) -> str | None:
        return self.event.event_id

    async def reply(self, text: str, buttons: Keyboard = ()) -> Delivered | None:
        ref = self.event.ref if isinstance(self.event, Message) else None
        return await self.core.deliver(Send(self.room.id, text, buttons, reply_to=ref))

    async def private(self, text: str, buttons: Keyboard = ()) -> Delivered | None:
        return await self.core.deliver(SendPrivate(self.actor.id, text, buttons))

    async def is_organiser(self, room_id: str | None = None) -> bool:
        return await self.core.is_organiser(self.actor.id, room_id or self.room.id)
