"""The core: turns inbound events into decisions and effects, for every platform alike."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import aiosqlite

from bot import commands as _commands  # noqa: F401  (registers the commands)
from bot.commands.registry import COMMANDS
from bot.context import Context
from bot.installers import INSTALLERS, Stopper
from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.effects import AnswerPress, Delivered, Effect, Send
from bot.kernel.errors import UserError
from bot.kernel.events import ButtonPress, Event, Message, NativePollAnswer
from bot.kernel.grammar import split_command
from bot.kernel.secrecy import new_secret
from bot.poll import iso
from bot.poll_service import PollService
from bot.pools import PoolService
from bot.reminders import Reminders
from bot.storage.database import Reader, checkpoints, connect
from bot.storage.outbox import Outbox
from bot.storage.scheduler import Scheduler
from bot.storage.writer import Duplicate, Writer
from bot.transport import Transports

log = logging.getLogger(__name__)

REMEMBER_UPDATES = timedelta(days=14)  # far longer than any platform redelivers
FORGET_EVERY = timedelta(days=1)
_RECENT = 4096  # update ids remembered in memory to drop a redelivery without a query


class Quorum:
    def __init__(self, config: Config, clock: Clock, transports: Transports | None = None) -> None:
        self.config = config
        self.clock = clock
        self.transports = transports or Transports()
        self.db: Reader | None = None  # reads: sees only committed state
        self._wconn: aiosqlite.Connection | None = None
        self.writer: Writer | None = None
        self.secret = ""
        self.scheduler = Scheduler(clock)
        self.polls = PollService(self)
        self.outbox = Outbox(self)
        self.reminders = Reminders(self, self.outbox)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._members: dict[str, int | None] = {}
        # Private messages that are not commands are offered to these in turn (multi-step
        # conversations such as a sign-up form); the first to return True has consumed it.
        self.conversations: list[Callable[[Context, str], Awaitable[bool]]] = []
        self.pools = PoolService(self)
        self._stoppers: list[Stopper] = []
        self._checkpoints: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        path = self.config.database
        self._wconn = await connect(path, writer=True)
        if str(path) == ":memory:":  # one connection: a second would be another database
            self.db = Reader(self._wconn)
        else:
            self.db = Reader(await connect(path))
            self._checkpoints = asyncio.create_task(checkpoints(self.db.connection), name="quorum-checkpoints")
        self.writer = Writer(self._wconn, lambda: iso(self.clock.now()))
        await self.writer.load()
        self.writer.start()
        self.secret = self.config.secret or self._load_or_make_secret(path)
        async with self.db.execute("SELECT identity, member_id FROM identities WHERE member_id IS NOT NULL") as cur:
            self._members = {row[0]: row[1] for row in await cur.fetchall()}
        for install in INSTALLERS:
            stopper = await install(self)
            if stopper is not None:
                self._stoppers.append(stopper)
        await self.polls.start()
        await self.reminders.start()
        self._forgotten_at = self.clock.now()
        self.scheduler.add("forget old updates", lambda: self._forgotten_at + FORGET_EVERY, self._forget_old_updates)
        self.outbox.start()
        self.scheduler.start()

    async def _forget_old_updates(self) -> None:
        assert self.writer is not None
        self._forgotten_at = now = self.clock.now()
        await self.writer.forget_before(iso(now - REMEMBER_UPDATES))

    async def stop(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            await asyncio.gather(self._checkpoints, return_exceptions=True)
            self._checkpoints = None
        self.scheduler.shutdown()
        await self.outbox.stop()
        while self._stoppers:
            await self._stoppers.pop()()
        await self.polls.stop()
        if self.writer:
            await self.writer.stop()
        if self.db is not None and self.db.connection is not self._wconn:
            await self.db.close()
        if self._wconn is not None:
            await self._wconn.close()
        self.db = self._wconn = None

    @staticmethod
    def _load_or_make_secret(path: Path) -> str:
        """The key for secret-ballot hashes, kept beside the database (never inside it, so a
        copy of the database alone links nobody to a vote)."""
        if str(path) == ":memory:":
            return new_secret()
        key = Path(f"{path}.key")
        if key.exists():
            return key.read_text().strip()
        secret = new_secret()
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secret + "\n")
        return secret

    # -- sending -----------------------------------------------------------------------------

    async def deliver(self, effect: Effect) -> Delivered | None:
        try:
            return await self.transports.deliver(effect)
        except Exception:
            log.exception("delivering %s failed", type(effect).__name__)
            return None

    # -- roles and members -------------------------------------------------------------------

    async def is_organiser(self, actor_id: str, room_id: str) -> bool:
        if actor_id in self.config.organisers.get(room_id, ()):
            return True
        transport = self.transports.get(room_id)
        if transport is None:
            return False
        try:
            return await transport.is_admin(actor_id, room_id)
        except Exception:
            log.exception("could not check the admins of %s", room_id)
            return False

    def member(self, identity: str) -> int | None:
        """The roll member IDENTITY is linked to. Held in memory: links are only made through
        this process's writer (/join), so the map loaded at start and kept up to date is whole."""
        return self._members.get(identity)

    async def member_of(self, identity: str) -> int | None:
        return self.member(identity)

    def linked(self, identity: str, member_id: int) -> None:
        self._members[identity] = member_id

    # -- events ------------------------------------------------------------------------------

    def _is_repeat(self, event_id: str | None) -> bool:
        if event_id is None:
            return False
        if event_id in self._recent or (self.writer is not None and self.writer.has_seen(event_id)):
            return True
        self._recent[event_id] = None
        if len(self._recent) > _RECENT:
            self._recent.popitem(last=False)
        return False

    async def handle(self, event: Event) -> None:
        """Act on one inbound event. Never raises: a failure is logged and, where possible,
        the member is told that nothing was recorded."""
        if self._is_repeat(event.event_id):
            return
        try:
            match event:
                case Message():
                    await self._on_message(event)
                case ButtonPress():
                    await self._on_press(event)
                case NativePollAnswer():
                    await self.polls.on_native_answer(event)
        except Duplicate:
            pass
        except Exception:
            log.exception("failed to handle %s", type(event).__name__)
            if isinstance(event, Message):
                await self.deliver(
                    Send(event.room.id, "Sorry, something went wrong on my side. Please try again in a moment.")
                )

    async def _on_message(self, event: Message) -> None:
        transport = self.transports.get(event.room.id)
        prefixes = transport.prefixes if transport else ("/",)
        cmd = split_command(event.text, prefixes)
        ctx = Context(self, event.actor, event.room, event)
        if cmd is None:
            if event.room.private:
                try:
                    for conversation in self.conversations:
                        if await conversation(ctx, event.text):
                            return
                except UserError as e:
                    await ctx.reply(e.message)
                    return
                await ctx.reply("I understand commands: send /help for the list.")
            return
        if cmd.bot and transport and transport.bot_username and cmd.bot.lower() != transport.bot_username.lower():
            return  # addressed to another bot in the group
        definition = COMMANDS.get(cmd.name)
        if definition is None:
            await ctx.reply(f"Unknown command /{cmd.name}. Send /help for the list of commands.")
            return
        try:
            await definition.handler(ctx, cmd.args)
        except UserError as e:
            await ctx.reply(e.message)

    async def _on_press(self, event: ButtonPress) -> None:
        ctx = Context(self, event.actor, event.room, event)
        try:
            text = await self.polls.on_press(ctx, event.data)
        except UserError as e:
            text = e.message
        if text is not None:
            await self.deliver(AnswerPress(event, text))
