"""What a handler gets: who spoke, where, the event, and the ports it may use to answer.

A Context carries no state of the bot: only the person, the room, the event itself, a way to
send (``send``) and a way to ask who is who (``directory``). Everything else a handler needs
is passed to it by name when the app's root includes its router.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from bot.kernel.effects import Delete, Delivered, Keyboard, Send, SendFile, SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.events import Actor, ButtonPress, Message, NativePollAnswer, Room
from bot.kernel.language import Speech, _, speaking
from bot.kernel.ports import Directory, Languages, Sender

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Context:
    actor: Actor
    room: Room
    event: Message | ButtonPress | NativePollAnswer
    send: Sender
    directory: Directory
    languages: Languages

    @property
    def event_id(self) -> str | None:
        return self.event.event_id

    async def reply(self, text: str, buttons: Keyboard = ()) -> Delivered | None:
        ref = self.event.ref if isinstance(self.event, Message) else None
        return await self.send(Send(self.room.id, text, buttons, reply_to=ref))

    async def private(self, text: str, buttons: Keyboard = ()) -> Delivered | None:
        return await self.send(SendPrivate(self.actor.id, text, buttons))

    async def surely_private(self, text: str, what: str) -> Delivered:
        """TEXT in the speaker's private chat, or a refusal saying how to open that chat. For an
        answer that goes only there, and whose sender is then told in the group that it was
        sent: on Telegram a bot may not write first to someone who never opened a chat with it.
        WHAT names the answer in the refusal (``_("the receipts")``)."""
        delivered = await self.private(text)
        if delivered is None:
            raise not_sent_privately(what)
        return delivered

    async def take_down(self) -> bool:
        """Delete the message this context answers, which others in the room read (a join code,
        a secret ballot's choice typed in the group); whether it is gone. The platform decides:
        a Telegram administrator with can_delete_messages, within 48 hours; a Matrix power level
        that may redact. When it is not, the caller asks the sender to delete it themselves."""
        ref = self.event.ref if isinstance(self.event, Message) else None
        return ref is not None and await self.send(Delete(self.room.id, ref)) is not None

    async def send_file(self, name: str, data: bytes, caption: str = "", *, private: bool = True) -> Delivered | None:
        """A file to the speaker's private chat (PRIVATE, the default: exports hold personal
        data), or into this room."""
        to = self.actor.id if private else self.room.id
        ref = self.event.ref if isinstance(self.event, Message) and not private else None
        return await self.send(SendFile(to, name, data, caption, private=private, reply_to=ref))

    async def speaking_to(self, target: str) -> AbstractContextManager[Speech]:
        """Write in TARGET's language inside the block: ``with await ctx.speaking_to(member):``
        for a private message to someone (the speaker included, when they wrote in a group),
        whose language may not be the one this event is answered in."""
        room = None if self.room.private else self.room.id
        return speaking(await self.languages.speech_for(target, room))

    async def is_organiser(self, room_id: str | None = None) -> bool:
        return await self.directory.is_organiser(self.actor.id, room_id or self.room.id)

    async def require_organiser(self, room_id: str, what: str) -> None:
        if not await self.is_organiser(room_id):
            # TRANSLATORS: {what} is an action in the infinitive, e.g. "close a poll", "set this
            # room's language" (each translated where it is named).
            raise UserError(_("Only an organiser of the room can {what}.").format(what=what))

    async def in_room(self, room_id: str) -> bool:
        """Whether the speaker may work on something of ROOM_ID from here: in that room, or
        privately by someone who is in it."""
        if self.room.id == room_id:
            return True
        return self.room.private and await self.directory.is_member(self.actor.id, room_id)

    async def reaches(self, room_id: str) -> bool:
        """Whether the speaker may act on something of ROOM_ID from here at all: where
        ``in_room`` allows, or as one of that room's organisers, who run its things from anywhere.
        Asked before anything else about the thing (its options, its state, what is wrong with the
        rest of the command), so that someone it does not reach learns nothing more of it than that
        it belongs to another room, which its id alone already tells."""
        return await self.in_room(room_id) or await self.is_organiser(room_id)

    async def visible(self, items: Iterable[T], room: Callable[[T], str]) -> list[T]:
        """The ITEMS of rooms the speaker may work on from here (each room asked about once)."""
        shown: dict[str, bool] = {}
        out = []
        for item in items:
            where = room(item)
            if where not in shown:
                shown[where] = await self.in_room(where)
            if shown[where]:
                out.append(item)
        return out


def not_sent_privately(what: str) -> UserError:
    """The refusal when WHAT could not reach the speaker's private chat (a chat the platform
    does not let the bot open, as on Telegram until the person has written to it)."""
    # TRANSLATORS: {what} is what was to be sent, e.g. "the list of signatures" (translated where
    # it is named); the sentence may put it after a colon to keep it in its dictionary form.
    return UserError(_("I could not send you {what} privately: open a private chat with me as yourself "
                       "(send me /start there), then ask again.").format(what=what))
