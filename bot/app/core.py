"""The dispatcher: one inbound event in, the right handler run once, every refusal answered.

It drops, unread, what members say in a group that is not a command to the bot (on Matrix, and
on Telegram without privacy mode, the bot sees all of it, other bots' commands included: an
unknown command is answered in a group only if addressed to this bot or a likely slip for one of
its own, see ``_for_us``; in a private chat always), holds back a person who sends too much
(fair use: a burst, then a steady rate, and one "slow down" a minute, so one member's flood costs
the others nothing), drops a redelivered update (its
id was applied before: remembered here for the recent ones, and by the writer for all), reads a
message as a command, finds the handler in the root router and runs it with a Context. A
UserError (or a ParseError from a pure parser) becomes one short reply and nothing changed;
anything else is logged and the member is told nothing was recorded.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app.notices import room_upgraded
from bot.app.router import Routes
from bot.app.transports import RoomDirectory, Transports
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.effects import AnswerPress, Send, SendPrivate
from bot.kernel.errors import ParseError, UserError, sentence
from bot.kernel.events import ButtonPress, Event, Message, NativePollAnswer, scrubbed
from bot.kernel.grammar import CommandText, split_command
from bot.kernel.language import N_, _, speaking
from bot.kernel.limits import TokenBucket
from bot.kernel.markup import Markup
from bot.kernel.ports import Languages, Writer
from bot.kernel.routing import Duty
from bot.kernel.times import iso
from bot.storage.writer import Duplicate

log = logging.getLogger(__name__)

REMEMBER_UPDATES = timedelta(days=14)  # far longer than any platform redelivers
FORGET_EVERY = timedelta(days=1)
FIRST_FORGET = timedelta(minutes=10)
"""The first pass comes this long after a start, not a day later (a bot restarted daily would
never forget), nor at once: a pass rebuilds the in-memory record inside the writer's
transaction, holding the votes behind it, while a bot just started may be catching up."""
_RECENT = 4096  # update ids remembered in memory to drop a redelivery without a query
SLOW_DOWN_EVERY = timedelta(minutes=1)
SLOW_DOWN = N_("You are sending me messages faster than I take them: I read none of these. "
               "Wait a minute, then send again.")


class Dispatcher:
    def __init__(
        self, routes: Routes, transports: Transports, directory: RoomDirectory, writer: Writer, clock: Clock,
        limits: TokenBucket, languages: Languages, learn: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._limits = limits
        self._languages = languages
        # On a shared database: read the speaker's link to the roll, made by another process,
        # before acting (so a member's votes count under one key, whichever process takes them).
        self._learn = learn
        self._routes = routes
        self._transports = transports
        self._send = transports.send
        self._directory = directory
        self._writer = writer
        self._clock = clock
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._next_forget = clock.now() + FIRST_FORGET

    async def _is_repeat(self, event_id: str | None) -> bool:
        if event_id is None:
            return False
        if event_id in self._recent:
            return True
        # Remembered before the writer is asked, which may wait on the database: a copy of the
        # same update arriving meanwhile is then a repeat here, as it was before any wait.
        self._recent[event_id] = None
        if len(self._recent) > _RECENT:
            self._recent.popitem(last=False)
        return await self._writer.has_seen(event_id)

    async def handle(self, event: Event) -> None:
        """Act on one inbound event. Never raises: a failure is logged and, where possible,
        the member is told that nothing was recorded."""
        if isinstance(event, Message) and not event.room.private and not self._for_us(event):
            return  # members talking in a group, not to the bot: unread, and no share of their allowance
        if not self._limits.take(event.actor.id):
            await self._slow_down(event)
            return
        if await self._is_repeat(event.event_id):
            return
        event = scrubbed(event)
        try:
            if self._learn is not None:
                await self._learn(event.actor.id)
            # Answers are written in the reader's language: the room's in a group, the speaker's
            # in a private chat (bot/features/language); a handler writing to someone else sets
            # theirs (Context.speaking_to).
            with speaking(await self._languages.for_event(event)):
                match event:
                    case Message():
                        await self._on_message(event)
                    case ButtonPress():
                        await self._on_press(event)
                    case NativePollAnswer():
                        if self._routes.native_answer is not None:
                            await self._routes.native_answer(event)
        except Duplicate:
            pass
        except Exception:
            log.exception("failed to handle %s", type(event).__name__)
            if event.event_id is not None:  # the record of applied updates decides whether a copy is applied
                self._recent.pop(event.event_id, None)
            if isinstance(event, Message | ButtonPress):
                with speaking(await self._languages.for_event(event)):
                    sorry = _("Sorry, something went wrong on my side. Please try again in a moment.")
                # Answered where it was asked: a message in reply to it (in its thread, where the
                # platform has threads), a press where it was made, its member's client waiting.
                answer = (Send(event.room.id, sorry, reply_to=event.ref) if isinstance(event, Message)
                          else AnswerPress(event, sorry))
                await self._send(answer)

    def context(self, event: Message | ButtonPress) -> Context:
        """What a handler of EVENT is given."""
        return Context(event.actor, event.room, event, self._send, self._directory, self._languages)

    def _command(self, event: Message) -> CommandText | None:
        """The command EVENT gives this bot; None for plain text, or for a command addressed to
        another bot (/vote@other_bot), which is not for this one to read."""
        transport = self._transports.get(event.room.id)
        cmd = split_command(event.text, transport.prefixes if transport else ("/",))
        mine = transport.bot_username if transport else None
        if cmd and cmd.bot and mine and cmd.bot.lower() != mine.lower():
            return None
        return cmd

    def _for_us(self, event: Message) -> bool:
        """Whether a group's message is for this bot to read: one of its commands, an unknown
        command addressed to it by name (``/x@OurBot``), or one close to one of its commands (a
        slip, answered with the right one). An unknown bare command is another bot's where
        several share the group and this one sees every message (an administrator, or on
        Matrix): answering it would talk over that bot, so it is left alone."""
        cmd = self._command(event)
        if cmd is None:
            return False
        return (self._routes.command(cmd.name) is not None or event.addressed
                or self._routes.nearest(cmd.name) is not None)

    def _moved(self, event: Message | ButtonPress) -> Markup | None:
        """What to say to EVENT, sent in a group that has moved to a new id (bot/app/rooms.py),
        or None. Everything of the room moved with it, so nothing is done in the old one: no new
        poll, motion or form is made there (nobody would see it in the room they now meet in),
        and a vote or a command on what moved is not taken there either, as the README says of
        moved rooms. The one rule for every platform: the Matrix adapter holds back what follows
        a room's tombstone to say this itself (in the old room or privately, once per member),
        so the core never sees it and nothing is answered twice."""
        if event.room.private:
            return None
        new = self._directory.moved_to(event.room.id)
        if new is None:
            return None
        return room_upgraded(None, self._transports.shown(new))

    async def _on_message(self, event: Message) -> None:
        cmd = self._command(event)
        ctx = self.context(event)
        if cmd is not None and (moved := self._moved(event)) is not None:
            await self._refuse(ctx, moved)
            return
        try:
            if cmd is None:  # in a private chat (``handle`` drops a group's talk unread)
                if event.edited or event.caption:
                    return  # an edited answer in a conversation: the answer given stands; a caption is none
                for conversation in self._routes.conversations:
                    if await conversation(ctx, event.text):
                        await self._answered(event.event_id)
                        return
                await self._refuse(ctx, _("I understand commands: send /help for the list."))
                return
            if event.caption:  # a command in a photo's or file's caption: not acted on (see Message)
                caption = _("A command in a caption is not read: to use /{name}, send it as a text message "
                            "of its own, without a photo or file.")
                await self._refuse(ctx, caption.format(name=cmd.name))
                return
            handler = self._routes.command(cmd.name)
            if handler is None:  # in a group, addressed to this bot or a slip (see _for_us)
                meant = self._routes.nearest(cmd.name)
                if meant is not None:
                    slip = _("Unknown command /{name}: did you mean /{meant}? Send /help for the list of commands.")
                    await self._refuse(ctx, slip.format(name=cmd.name, meant=meant.name))
                    return
                unknown = _("Unknown command /{name}. Send /help for the list of commands.")
                await self._refuse(ctx, unknown.format(name=cmd.name))
                return
            if event.edited:
                found = self._routes.find(cmd.name)
                if found is None or not found.edits:
                    again = _("Edits are not re-read: send /{name} again as a new message.")
                    await self._refuse(ctx, again.format(name=cmd.name))
                    return
            await handler(ctx, cmd.args)
            await self._answered(event.event_id)
        except UserError as e:
            await self._refuse(ctx, e.message)
        except ParseError as e:
            await self._refuse(ctx, sentence(e))

    async def _refuse(self, ctx: Context, text: str) -> None:
        """Answer a message that changes nothing with TEXT, then record it as handled."""
        await ctx.reply(text)
        await self._answered(ctx.event.event_id)

    async def _answered(self, event_id: str | None) -> None:
        """Record EVENT_ID, whose answer was sent, as handled: read again (a platform's
        redelivery, Matrix's sync read again from an older token after a restart), it is a
        repeat, so every command is answered once, whether it changed something or not (/help,
        a list, a refusal). A change the handler committed under EVENT_ID recorded it already
        (the writer knows that without a query); anything else gets an empty change in the
        writer, so the record is the one redelivered updates are checked against (on a shared
        database too); a copy recorded meanwhile by another process is simply a repeat already."""
        if event_id is None or await self._writer.has_seen(event_id):
            return

        async def nothing(conn: object) -> None:
            return None

        try:
            await self._writer.run(nothing, event_id)
        except Duplicate:
            pass

    async def _on_press(self, event: ButtonPress) -> None:
        if (moved := self._moved(event)) is not None:
            await self._send(AnswerPress(event, moved))
            await self._answered(event.event_id)
            return
        ctx = self.context(event)
        handler = self._routes.press(event.data.partition(":")[0])
        try:
            text = _("This button is no longer valid.") if handler is None else await handler(ctx, event.data)
        except UserError as e:
            text = e.message
        if text is not None:
            await self._send(AnswerPress(event, text))
        await self._answered(event.event_id)

    async def _slow_down(self, event: Event) -> None:
        """Tell a person held back by the fair-use limit, once a minute; the rest is dropped unread."""
        if not self._limits.warn(event.actor.id, SLOW_DOWN_EVERY):
            return
        with speaking(await self._languages.for_event(event)):
            slow_down = _(SLOW_DOWN)
        match event:
            case Message(room=room, ref=ref):
                await self._send(Send(room.id, slow_down, reply_to=ref))
            case ButtonPress():
                await self._send(AnswerPress(event, slow_down))
            case NativePollAnswer(actor=actor):
                await self._send(SendPrivate(actor.id, slow_down))

    # -- the record of applied updates -------------------------------------------------------

    def forgetting(self) -> Duty:
        """Forget update ids applied long ago, daily: platforms redeliver only recent ones."""
        return Duty(lambda: self._next_forget, self._forget_old_updates)

    async def _forget_old_updates(self) -> None:
        now = self._clock.now()
        self._next_forget = now + FORGET_EVERY
        await self._writer.forget_before(iso(now - REMEMBER_UPDATES))
