"""Which language each reader reads, and /language to choose it.

A private message follows its member: the language they chose with /language, else the one
their app reports (Telegram's ``language_code``, remembered from their latest message while the
bot runs), else the room's it is about, else the bot's default (``bot.language``). A message in a
group follows the room: the one an organiser chose, else the default. A language without a
shipped catalogue falls through to the next. Choices are kept in the database and cached here;
the app's reported languages are kept in memory only (they come again with every message).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from bot.engines.language import Catalogues
from bot.features.language import render, store
from bot.features.language.parse import Asked
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.events import Actor, ButtonPress, Event, Message
from bot.kernel.language import ENGLISH, ENGLISH_SPEECH, Speech, primary, speaking
from bot.kernel.ports import Conn, Reader, Writer
from bot.kernel.times import iso

_CACHED = 50_000  # choices kept in memory: far more than are read in any minute


class LanguageService:
    def __init__(self, reader: Reader, writer: Writer, clock: Clock, catalogues: Catalogues, default: str) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._catalogues = catalogues
        self.default = default if catalogues.get(default) is not None else ENGLISH
        self._chosen: OrderedDict[str, str | None] = OrderedDict()
        self._reading: dict[str, asyncio.Future[str | None]] = {}
        self._reported: OrderedDict[str, str] = OrderedDict()

    # -- which language -------------------------------------------------------------------

    @property
    def codes(self) -> tuple[str, ...]:
        return (ENGLISH, *(c for c in self._catalogues.codes if c != ENGLISH))

    def speech(self, code: str) -> Speech:
        return self._catalogues.get(code) or ENGLISH_SPEECH

    def heard(self, actor: Actor) -> None:
        """Remember the language ACTOR's app reports, if a catalogue of it is shipped."""
        if not actor.language:  # none reported (every press on some platforms): nothing to remember
            return
        code = primary(actor.language)
        if code and (code == ENGLISH or code in self._catalogues.codes):
            self._reported[actor.id] = code
            self._reported.move_to_end(actor.id)
            if len(self._reported) > _CACHED:
                self._reported.popitem(last=False)

    async def _choice(self, subject: str) -> str | None:
        if subject in self._chosen:
            self._chosen.move_to_end(subject)
            return self._chosen[subject]
        # A flood of votes in a room nobody has asked about yet asks once, not once per vote.
        reading = self._reading.get(subject)
        if reading is None:
            reading = self._reading[subject] = asyncio.ensure_future(self._read_choice(subject))
            reading.add_done_callback(lambda _f: self._reading.pop(subject, None))
        return await asyncio.shield(reading)

    async def _read_choice(self, subject: str) -> str | None:
        found = await store.chosen(self._reader, subject)
        code = found.code if found and (found.code == ENGLISH or found.code in self._catalogues.codes) else None
        self._chosen[subject] = code
        if len(self._chosen) > _CACHED:
            self._chosen.popitem(last=False)
        return code

    async def code_for(self, target: str, room: str | None = None) -> tuple[str, str]:
        """TARGET's language and where it came from ("chosen", "app", "room", "default"). A
        member's private messages fall back to ROOM, the room they are about, if given."""
        chosen = await self._choice(target)
        if chosen:
            return chosen, "chosen"
        if target in self._reported:
            return self._reported[target], "app"
        if room is not None and room != target:
            in_room = await self._choice(room)
            if in_room:
                return in_room, "room"
        return self.default, "default"

    async def speech_for(self, target: str, room: str | None = None) -> Speech:
        """The language to write in to TARGET (a member's or a room's id)."""
        return self.speech((await self.code_for(target, room))[0])

    async def for_event(self, event: Event) -> Speech:
        """The language of the answers to EVENT: the speaker's in a private chat, the room's in
        a group (see the module's docstring)."""
        self.heard(event.actor)
        if isinstance(event, Message | ButtonPress) and not event.room.private:
            room = event.room.id
            chosen = self._chosen
            if room in chosen and room not in self._reported:
                # A burst in one room: its choice (or that it has none) is cached. The same answer
                # as ``speech_for``, without its three nested awaits on every vote.
                chosen.move_to_end(room)
                return self.speech(chosen[room] or self.default)
            return await self.speech_for(room)
        return await self.speech_for(event.actor.id)

    # -- /language -------------------------------------------------------------------------

    def names(self) -> dict[str, str]:
        return {c: self._catalogues.name(c) for c in self.codes}

    async def language(self, ctx: Context, asked: Asked) -> None:
        if asked.code is None:
            yours, source = await self.code_for(ctx.actor.id)
            room = None if ctx.room.private else (await self.code_for(ctx.room.id))[0]
            await ctx.reply(render.overview(self.names(), yours, source, room))  # in the dispatcher's language
            return
        if asked.code and asked.code not in self.codes:
            raise UserError(render.unknown(asked.code, self.names()))
        subject = ctx.actor.id if ctx.room.private else ctx.room.id
        if not ctx.room.private:
            await ctx.require_organiser(ctx.room.id, render.organisers_only())
        now = iso(self._clock.now())
        code = asked.code

        async def op(conn: Conn) -> None:
            if code:
                await store.choose(conn, subject, code, now)
            else:
                await store.forget(conn, subject)

        await self._writer.run(op, ctx.event_id)
        self._chosen[subject] = code or None
        shown = code or (await self.code_for(subject))[0]
        with speaking(self.speech(shown)):  # said in the language chosen (render.chosen_for_you)
            if not code:
                await ctx.reply(render.back_to_default(self.names()[shown]))
            elif ctx.room.private:
                await ctx.reply(render.chosen_for_you())
            else:
                await ctx.reply(render.chosen_for_room())

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py)."""
        self._chosen.pop(old, None)
        self._chosen.pop(new, None)
        return await store.move_room(conn, old, new)
