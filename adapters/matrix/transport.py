"""The core's effects carried out on Matrix (the Transport the core delivers through)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import quote

from nio.crypto.attachments import encrypt_attachment

from adapters.matrix import content, media
from adapters.matrix.direct import DirectRooms
from adapters.matrix.inbound import PLATFORM, native_ref, qualified, unqualified
from adapters.matrix.responses import PollResponses
from adapters.matrix.rooms import Rooms
from adapters.matrix.sending import MatrixSendError, Sender
from bot.app import notices
from bot.kernel.effects import (
    AnswerPress,
    CloseNativePoll,
    Delete,
    Delivered,
    Edit,
    Effect,
    Keyboard,
    Send,
    SendFile,
    SendNativePoll,
    SendPrivate,
)
from bot.kernel.markup import Markup, markup, to_html, to_plain
from bot.kernel.ports import DeliveryRefused, NoRightToSend, PartlyDelivered, PlatformDown

log = logging.getLogger(__name__)

MESSAGE = "m.room.message"
THREADS_KEPT = 10_000


class MatrixTransport:
    platform = PLATFORM
    prefixes = ("/", "!")
    bot_username: str | None = None  # no "/cmd@bot" form on Matrix
    edit_interval = 5.0  # every edit is an event in the room's history: few of them
    files = True  # exports and charts go as files (SendFile), uploaded to the content repository

    def __init__(self, bot_user_id: str, sender: Sender, rooms: Rooms, direct: DirectRooms) -> None:
        self.bot_user_id = bot_user_id
        self.sender = sender
        self.rooms = rooms
        self.direct = direct
        self.responses: PollResponses | None = None  # told of each poll the bot posts
        self.on_forbidden: Callable[[str, str], None] | None = None
        """Told (room id, reason) when the homeserver forbids the bot to post in a room."""
        self.connected: bool | None = False
        """Whether the latest sync with the homeserver got through (for /healthz); None while
        another process runs the account (this one waits, which is no fault)."""
        self.runs_account: Callable[[], bool] = lambda: True
        """Whether this process runs the account now (the adapter sets it; see ``sending``)."""
        self.threads: OrderedDict[str, str] = OrderedDict()
        """Members' recent messages sent in a thread -> the thread's root: an answer goes there."""
        self.speaking_to: Callable[[str], Awaitable[AbstractContextManager[object]]] | None = None
        """The core's languages (the adapter sets it): what the transport adds itself to a
        message (a button's line, a poll's end) reads in the language of whoever it goes to."""

    def note_thread(self, event_id: str, root: str) -> None:
        """EVENT_ID was sent in the thread of ROOT: what answers it is posted in that thread.
        Recent ones only are kept (a command is answered at once); an answer to an older one
        goes to the room's main timeline, in reply to it, which every client shows too."""
        self.threads[event_id] = root
        self.threads.move_to_end(event_id)
        while len(self.threads) > THREADS_KEPT:
            self.threads.popitem(last=False)

    @property
    def sending(self) -> bool:
        """Whether messages for Matrix can go from this process now: only from the one running
        the account's sync (the outbox's sender is chosen among those, bot/storage/outbox.py)."""
        return self.runs_account()

    async def deliver(self, effect: Effect) -> Delivered | None:
        """EFFECT carried out. A refusal by the homeserver that no retry can cure is
        DeliveryRefused, so nothing tries again and the chat's later messages go on: a client
        error (too large, malformed, a room that is gone), or the bot was kicked or banned or
        may not post, when the room's organisers are told where the bot can still reach them
        (NoRightToSend where the bot is still in the room: its power level is too low, and what
        was refused so is sent once it is raised).
        Anything else (an outage, a rate limit, GaveUp) is raised as it is: the outbox retries."""
        try:
            with await self._speaking(effect):
                return await self._deliver(effect)
        except MatrixSendError as e:
            raise self._judged(effect, e) from e
        except PartlyDelivered as e:  # the later part's failure judged as if raised alone
            if not isinstance(e.cause, MatrixSendError):
                raise
            raise PartlyDelivered(e.parts, self._judged(effect, e.cause)) from e.cause

    def _judged(self, effect: Effect, e: MatrixSendError) -> Exception:
        """What the homeserver's refusal E of EFFECT is to the outbox (see ``deliver``)."""
        if not e.for_good:  # the homeserver's trouble (a lapsed login, another process on the account): all rooms'
            return e if isinstance(e, PlatformDown) else PlatformDown(f"{type(e).__name__}: {e}")
        if not e.forbidden:
            return DeliveryRefused(f"the homeserver refused {type(effect).__name__} for good "
                                   f"({e.code or e.status}): {e.reason}")
        if isinstance(effect, Delete):  # a power level too low to redact: the bot still posts
            return DeliveryRefused(f"the homeserver refused the redaction: {e.reason}")
        room = getattr(effect, "room", None)
        if isinstance(effect, SendFile) and not effect.private:
            room = effect.to
        room_id = unqualified(room) if isinstance(room, str) else None
        if room_id is not None and self.on_forbidden is not None:
            self.on_forbidden(room_id, e.reason)
        if room_id is not None and self.rooms.is_joined(room_id, self.bot_user_id):
            # Still in the room, so its power level is too low to post there: sent again once
            # it is raised (the adapter tells the core, ``Core.may_post_again``).
            return NoRightToSend(f"the homeserver refused: {e.reason}")
        return DeliveryRefused(f"the homeserver refused: {e.reason}")

    async def _speaking(self, effect: Effect) -> AbstractContextManager[object]:
        """Only for what adds text of its own: a button that opens a private chat, a poll's end
        with no text (the rest is written by the core, in its reader's language already)."""
        buttons = getattr(effect, "buttons", ())
        adds = any(b.start is not None for row in buttons for b in row) or (
            isinstance(effect, CloseNativePoll) and not effect.text)
        target = getattr(effect, "actor", None) or getattr(effect, "room", None)
        if self.speaking_to is None or not adds or not isinstance(target, str):
            return nullcontext()
        return await self.speaking_to(target)

    async def _deliver(self, effect: Effect) -> Delivered | None:
        match effect:
            case Send(room=room, text=text, buttons=buttons, reply_to=reply_to, from_part=done):
                room_id = self._room(room)
                return Delivered(ref=await self._message(room_id, text, buttons, reply_to, self.thread_of(reply_to),
                                                         from_part=done))
            case SendPrivate(actor=actor, text=text, buttons=buttons, from_part=done):
                user_id = unqualified(actor)
                if user_id is None:
                    raise ValueError(f"not a Matrix user: {actor}")
                room_id = await self.direct.room_for(user_id)
                ref = await self._message(room_id, text, buttons, None, None, from_part=done)
                return Delivered(ref=ref, extra={"room": qualified(room_id)})
            case Edit(room=room, ref=ref, text=text, buttons=buttons):
                html = await self._edited(room, ref, text, buttons)
                await self.sender.send(self._room(room), MESSAGE, content.edit(html, ref))
                return Delivered(ref=ref)
            case SendNativePoll(room=room, question=question, options=options, max_choices=most, text=text):
                room_id = self._room(room)
                fallback = to_plain(text) if text else content.poll_fallback(question, options)
                poll = content.poll_start(question, options, most, fallback)
                event_id = await self.sender.send(room_id, content.POLL_START, poll)
                if self.responses is not None:
                    self.responses.shape(native_ref(room_id, event_id), len(options), most)
                    self.responses.start(native_ref(room_id, event_id))
                return Delivered(ref=event_id, native_ref=native_ref(room_id, event_id))
            case CloseNativePoll(room=room, ref=ref, text=text):
                room_id = self._room(room)
                end = content.poll_end(ref, to_plain(text) if text else notices.poll_ended())
                return Delivered(ref=await self.sender.send(room_id, content.POLL_END, end))
            case SendFile(to=to, name=name, data=data, caption=caption, private=private, reply_to=reply_to):
                thread = None
                if private:
                    user_id = unqualified(to)
                    if user_id is None:
                        raise ValueError(f"not a Matrix user: {to}")
                    room_id = await self.direct.room_for(user_id)
                else:
                    room_id, thread = self._room(to), self.thread_of(reply_to)
                ref = await self._file(room_id, name, data, content.in_thread(thread, reply_to))
                if caption:
                    try:
                        await self._message(room_id, caption, (), None, thread)
                    except PartlyDelivered as e:  # its parts count from the caption's, not from any Send's
                        raise e.cause from e
                return Delivered(ref=ref, extra={"room": qualified(room_id)} if private else {})
            case AnswerPress():
                return None  # Matrix has no buttons, so no presses to answer
            case Delete(room=room, ref=ref):
                await self.sender.redact(self._room(room), ref)
                return Delivered(ref=ref)
        raise TypeError(f"unknown effect {effect!r}")

    async def _edited(self, room: str, ref: str, text: str, buttons: Keyboard) -> str:
        """The HTML an edit of REF shows, as on Telegram: only ballots are edited, and a ballot
        fits in one event, so the message edited was sent whole. A text too long for one event
        is never spread over the parts of an earlier message: the event shows as much as fits,
        cut at a line end, and says the rest was cut."""
        html = content.with_buttons(to_html(text), buttons, self.bot_user_id)
        if len(content.message_parts(html, build=lambda m: content.edit(m, ref))) == 1:
            return html
        log.warning("an edit of %s was too long for one event and was cut", ref)
        with nullcontext() if self.speaking_to is None else await self.speaking_to(room):
            mark = to_html(notices.cut_short())
        return content.cut_to_fit(html, mark, lambda m: content.edit(m, ref))

    def thread_of(self, event_id: str | None) -> str | None:
        """The root of the thread EVENT_ID was sent in, if it was sent in one (and lately)."""
        return self.threads.get(event_id) if event_id else None

    async def _message(self, room_id: str, text: str, buttons: Keyboard, reply_to: str | None,
                       thread: str | None, *, from_part: int = 0) -> str:
        """TEXT posted in reply to REPLY_TO (if any), in THREAD (if any), in as many parts as it
        takes, the first FROM_PART of them left out (delivered before); the id of the first part
        posted now. A part that fails after earlier ones went raises PartlyDelivered, so that a
        retry resumes there, as on Telegram: the split is a pure function of the text, the same
        parts each time (and a part posted again under a new transaction id would show twice)."""
        parts = content.message_parts(content.with_buttons(to_html(text), buttons, self.bot_user_id))
        first: str | None = None
        for n in range(min(from_part, len(parts) - 1), len(parts)):
            body = content.notice(parts[n], reply_to if n == 0 else None, thread)
            try:
                event_id = await self.sender.send(room_id, MESSAGE, body)
            except Exception as e:
                if n == 0:
                    raise
                raise PartlyDelivered(n, e) from e
            first = first or event_id
        assert first is not None
        return first

    async def _file(self, room_id: str, name: str, data: bytes, relation: dict[str, Any] | None) -> str:
        """Upload DATA and post it as a file (encrypted, key in the event, in an encrypted room),
        with RELATION (in a thread) if any.

        A caption, if any, follows as a notice of its own rather than as the file event's body
        (the spec's newer caption form): a client that predates captions shows a file's body as
        its name, so the name would be lost there, and a notice shows the caption's formatting
        in every client."""
        mimetype = media.mimetype_of(name, data)
        room = self.rooms.room(room_id)
        if room is not None and room.encrypted:
            ciphertext, keys = encrypt_attachment(data)
            url = await self.sender.upload(ciphertext, "application/octet-stream", name)
            secret = {"url": url, "key": keys["key"], "iv": keys["iv"], "hashes": keys["hashes"], "v": keys["v"],
                      "mimetype": mimetype}
            body = media.file_message(name, data, mimetype, encrypted=secret)
        else:
            body = media.file_message(name, data, mimetype, url=await self.sender.upload(data, mimetype, name))
        if relation is not None:
            body["m.relates_to"] = relation
        return await self.sender.send(room_id, MESSAGE, body)

    def room_link(self, room: str) -> Markup:
        """ROOM as members can reach it: its name (scrubbed, ``Rooms.title``) and a matrix.to
        link any client opens, to its canonical alias if it has one, else to its id by way of
        the bot's homeserver, which is in it (from room version 12 on an id names no server).
        The link is text like the name, escaped at the seam (``to_html``); clients make it a
        link, and ``body`` keeps it whole."""
        room_id = self._room(room)
        alias = self.rooms.alias(room_id)
        if alias is not None:
            link = f"https://matrix.to/#/{quote(alias, safe='')}"
        else:
            server = self.bot_user_id.split(":", 1)[-1]
            link = f"https://matrix.to/#/{quote(room_id, safe='')}?via={quote(server, safe='')}"
        title = self.rooms.title(room_id)
        return markup("{} ({})", title, link) if title else markup("{}", link)

    @staticmethod
    def _room(qualified_room: str) -> str:
        room_id = unqualified(qualified_room)
        if room_id is None:
            raise ValueError(f"not a Matrix room: {qualified_room}")
        return room_id

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        user, room = unqualified(actor_id), unqualified(room_id)
        return user is not None and room is not None and self.rooms.is_organiser(room, user)

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        user, room = unqualified(actor_id), unqualified(room_id)
        return user is not None and room is not None and self.rooms.is_joined(room, user)
