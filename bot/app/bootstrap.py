"""The composition root: the one place that builds the bot and wires it together.

It opens the storage, builds the writer, the clock, the outbox and the scheduler, builds every
feature's service passing each what it needs through its constructor, includes the features'
routers in order (their handlers get the services they name), subscribes the domain-event
handlers to the bus and the timers to the scheduler. Nothing else constructs a service; a test
builds the same app with a manual clock, or with a writer of its own.

The order of ROUTERS is the order things happen in: start-up work runs in it (the roll's links
before anything votes; motions settle ballots missed while the bot was down; open polls load
before reminders are computed), private conversations are offered a message in it, and timers
are checked in it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.app.audit import Audit
from bot.app.bus import Bus
from bot.app.core import Dispatcher
from bot.app.monitoring import Monitoring
from bot.app.rooms import RoomMover
from bot.app.router import Routes, menu
from bot.app.transports import RoomDirectory, Sharing, Transports
from bot.engines.language import Catalogues
from bot.features.campaigns import commands as campaigns_commands
from bot.features.campaigns.service import BranchReports, CampaignService
from bot.features.language import commands as language_commands
from bot.features.language.service import LanguageService
from bot.features.meta import commands as meta_commands
from bot.features.motions import commands as motions_commands
from bot.features.motions.service import MotionRecords, MotionService
from bot.features.polls import commands as polls_commands
from bot.features.polls.service import PollService
from bot.features.pools import commands as pools_commands
from bot.features.pools.service import PoolService
from bot.features.reminders import commands as reminders_commands
from bot.features.reminders.service import Reminders
from bot.features.roll import commands as roll_commands
from bot.features.roll.model import RollEntry, RollImport
from bot.features.roll.service import RollService
from bot.features.signing import commands as signing_commands
from bot.features.signing.service import SigningService
from bot.features.signups import commands as signups_commands
from bot.features.signups.service import SignupService
from bot.features.triggers import commands as triggers_commands
from bot.features.triggers.service import TriggerService
from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.errors import ConfigError
from bot.kernel.events import Event, Joined, Left
from bot.kernel.language import ENGLISH, Speech, speaking
from bot.kernel.limits import TokenBucket
from bot.kernel.ports import Conn, Reader, Writer
from bot.kernel.routing import Router
from bot.kernel.times import iso
from bot.kernel.weblinks import PageLinks
from bot.storage import dialect
from bot.storage.database import Database
from bot.storage.dialogues import Dialogues
from bot.storage.keyfile import settle_key
from bot.storage.leases import TTL, Presence
from bot.storage.matrix_state import MatrixState
from bot.storage.outbox import CHANNEL as OUTBOX_CHANNEL
from bot.storage.outbox import Outbox, refused_again
from bot.storage.scheduler import Scheduler
from bot.storage.sealing import Sealer
from bot.storage.writer import Writer as GroupCommitWriter

LOCALES = Path(__file__).resolve().parents[1] / "locales"
"""The shipped catalogues, one per language (``pybabel update -d bot/locales -D quorum``)."""

ROUTERS: tuple[Router, ...] = (
    meta_commands.router,
    language_commands.router,
    roll_commands.router,
    pools_commands.router,
    signing_commands.router,
    motions_commands.router,
    campaigns_commands.router,
    signups_commands.router,
    triggers_commands.router,
    polls_commands.router,
    reminders_commands.router,
)


@dataclass(frozen=True)
class Services:
    roll: RollService
    polls: PollService
    reminders: Reminders
    motions: MotionService
    campaigns: CampaignService
    signing: SigningService
    signups: SignupService
    triggers: TriggerService
    pools: PoolService
    languages: LanguageService


class App:
    """The bot, built: what the command line, the adapters and the tests hold."""

    def __init__(
        self, *, config: Config, clock: Clock, transports: Transports, database: Database, writer: Writer,
        own_writer: GroupCommitWriter | None, outbox: Outbox, scheduler: Scheduler, routes: Routes,
        dispatcher: Dispatcher, services: Services, rooms: RoomMover, audit: Audit, monitoring: Monitoring,
        secret: str,
    ) -> None:
        self.config = config
        self.clock = clock
        self.transports = transports
        self.database = database
        self.writer = writer
        self._own_writer = own_writer
        self.outbox = outbox
        self.scheduler = scheduler
        self.routes = routes
        self.dispatcher = dispatcher
        self.services = services
        self.rooms = rooms
        self.audit = audit  # what the auditor's pages show (adapters/web)
        self.monitoring = monitoring  # /healthz and /metrics
        self.secret = secret  # the key of secret ballots and sealed data (bot/storage/keyfile.py)
        self._stopped = False
        self._sending_stopped = False
        # Every inbound event, straight to the dispatcher (no extra frame on the vote path).
        self.handle: Callable[[Event], Awaitable[None]] = dispatcher.handle

    @property
    def reader(self) -> Reader:
        return self.database.reader

    async def start(self) -> None:
        """Load what the features keep in memory and start the writer, the outbox and the
        scheduler (overdue work from while the bot was down runs at once). A start that fails
        stops what it started and closes the database, whose threads would keep the process alive."""
        try:
            if self._own_writer is not None:
                await self._own_writer.load()
                self._own_writer.start()
            await self.rooms.start()
            for startup in self.routes.startups:
                await startup()
            self.database.start()
            self.outbox.start()
            self.scheduler.start()
        except BaseException:
            await self.stop()
            raise

    async def stop_sending(self) -> None:
        """Stop the scheduler and the outbox, letting the work and the messages under way finish
        and be recorded; once. A runner calls it while its adapters are still connected, so a
        message the platform is taking is marked sent, not sent again after the restart."""
        if self._sending_stopped:
            return
        self._sending_stopped = True
        await self.scheduler.shutdown()
        await self.outbox.stop()

    async def stop(self) -> None:
        """Stop everything and close the database; once (a failed start stops what it started,
        and its caller may stop the app again)."""
        if self._stopped:
            return
        self._stopped = True
        await self.stop_sending()
        for shutdown in reversed(self.routes.shutdowns):
            await shutdown()
        if self._own_writer is not None:
            await self._own_writer.stop()
        await self.database.close()

    async def advance(self, delta: timedelta) -> None:
        """Move the clock on (a rehearsal, a test) and do whatever fell due."""
        self.clock.advance(delta)
        await self.scheduler.run_due()

    async def move_room(self, old: str, new: str) -> bool:
        """Room OLD has a new id, NEW: move everything of it there (see bot/app/rooms.py)."""
        return await self.rooms.move(old, new)

    async def joined(self, event: Joined) -> None:
        """Someone joined a group: kept while an open poll of that room needs to know (a poll's
        electorate is the room as it was when the poll opened, bot/features/polls/service.py)."""
        await self.services.polls.note_change(event)

    async def left(self, event: Left) -> None:
        """Someone left a group: kept as a join is (one who was there when a poll opened, left
        and came back, may vote in it)."""
        await self.services.polls.note_change(event)

    def menu(self, where: str = "any", language: str | None = None) -> list[tuple[str, str]]:
        """The commands a platform's menu lists: (name, summary); WHERE "group": those used in
        groups (not the ones used in a private chat with the bot). The summaries are in
        LANGUAGE, a shipped code (None: the bot's default language)."""
        languages = self.services.languages
        with speaking(languages.speech(language or languages.default)):
            return menu(ROUTERS, where)

    def menu_languages(self) -> tuple[str, ...]:
        """The languages a platform's menu is set in, besides its default: every shipped one."""
        return self.services.languages.codes

    async def speaking_to(self, target: str, room: str | None = None) -> AbstractContextManager[Speech]:
        """Write in TARGET's language (a member's or a room's id) inside the block: what an
        adapter says itself (bot/app/notices.py) reads as the core's messages do."""
        return speaking(await self.services.languages.speech_for(target, room))

    async def may_post_again(self, room: str) -> None:
        now = self.clock.now()

        async def again(conn: Conn) -> int:
            return await refused_again(conn, room, now)

        if await self.writer.run(again):
            self.outbox.poke()

    def can_send(self) -> None:
        self.scheduler.poke()
        self.outbox.poke()

    def matrix_store(self, account: str) -> MatrixState:
        ttl = self.config.matrix.lease if self.config.matrix is not None else TTL
        return MatrixState(self.database.reader, self.writer, self.clock, account, self.secret, lease_ttl=ttl)


async def bootstrap(
    config: Config, clock: Clock | None = None, transports: Transports | None = None, *, writer: Writer | None = None
) -> App:
    """Open the database and build the bot; ``await app.start()`` then sets it going."""
    catalogues = Catalogues(LOCALES)
    if config.language != ENGLISH and config.language not in catalogues.codes:
        raise ConfigError(f"bot.language: there is no {config.language!r} catalogue; the shipped languages are "
                          f"{', '.join((ENGLISH, *catalogues.codes))}")
    clock = clock or Clock()
    transports = transports or Transports()
    database = await Database.open(config.database_url or config.database)
    try:
        return await _built(config, clock, transports, writer, catalogues, database)
    except BaseException:
        # Closed on a failed start: the connections' threads would keep the process alive.
        await database.close()
        raise


async def _built(config: Config, clock: Clock, transports: Transports, writer: Writer | None,
                 catalogues: Catalogues, database: Database) -> App:
    database.checkpointing = config.wal_checkpoints
    secret = await settle_key(database, config.database, config.secret)
    own_writer = None
    if writer is None:
        writer = own_writer = GroupCommitWriter(database.wconn, lambda: iso(clock.now()), secret)
    reader = database.reader
    send = transports.send
    directory = RoomDirectory(config.organisers, transports)
    scheduler = Scheduler(clock, transports.ready)
    outbox = Outbox(reader, writer, transports.deliver, clock, transports.ready)
    database.listen(OUTBOX_CHANNEL, outbox.poke)  # messages queued by other processes (PostgreSQL)
    bus = Bus()
    links = PageLinks(secret, config.web.public_url if config.web else None)
    sealer = Sealer(secret)  # personal data under a key per supporter, destroyed on erasure
    dialogues = Dialogues(reader, writer, clock, sealer)  # forms half answered: kept across restarts, sealed

    languages = LanguageService(reader, writer, clock, catalogues, config.language)
    roll = RollService(reader, writer, clock)
    polls = PollService(reader, writer, clock, config.tz, send, directory, roll, secret, scheduler, bus.publish,
                        outbox, links, charts=config.charts, chart_font=config.chart_font, languages=languages,
                        vacuum=database.vacuum)
    reminders = Reminders(reader, writer, clock, config, polls, roll, outbox, languages=languages)
    motions = MotionService(reader, writer, clock, config.tz, polls, secret, outbox, languages=languages, roll=roll)
    campaigns = CampaignService(reader, writer, clock, config.tz, outbox, roll, motions, languages=languages,
                                sealer=sealer)
    triggers = TriggerService(reader, writer, clock, config.tz, send, outbox, roll, config.organisers, bus.publish,
                              scheduler, languages=languages)
    signing = SigningService(dialogues, {"M": campaigns, "T": triggers})
    pools = PoolService(reader, writer, clock, outbox, dialogues, links, languages=languages, sealer=sealer,
                        forget_erased=database.forget_erased, roll=roll)
    signups = SignupService(reader, writer, clock, dialogues, roll,
                            [campaigns, BranchReports(reader), triggers, pools, MotionRecords(reader, roll)],
                            database.forget_erased, languages=languages, sealer=sealer)
    services = Services(roll, polls, reminders, motions, campaigns, signing, signups, triggers, pools, languages)

    deps: dict[str, object] = {"config": config, "clock": clock, **vars(services)}
    routes = Routes(deps)
    deps["commands"] = routes
    routes.include(*ROUTERS)
    for event_type, handler in routes.subscribers:
        bus.subscribe(event_type, handler)
    limits = TokenBucket(config.commands_burst, config.commands_per_minute / 60, clock.now)
    dispatcher = Dispatcher(routes, transports, directory, writer, clock, limits, languages,
                            learn=roll.learn if dialect.shared(database.reader) else None)
    for name, duty in [*routes.timers, ("forget old updates", dispatcher.forgetting()),
                       ("delete old private messages", outbox.pruning()),
                       ("end forms left unanswered", dialogues.pruning())]:
        scheduler.add(name, duty.next_due, duty.fire)
    if dialect.shared(reader):  # several processes send for the same accounts, each its own answers
        sharing = Sharing(Presence(writer, reader, clock, shared=True), transports, clock).duty()
        scheduler.add("share the platforms' limits", sharing.next_due, sharing.fire, always=True)
    rooms = RoomMover(reader, writer, clock, directory, polls, motions, campaigns, triggers, signups, pools,
                      languages, scheduler.poke)
    return App(config=config, clock=clock, transports=transports, database=database, writer=writer,
               own_writer=own_writer, outbox=outbox, scheduler=scheduler, routes=routes, dispatcher=dispatcher,
               services=services, rooms=rooms, audit=Audit(polls, pools, links, config.tz),
               monitoring=Monitoring(database, own_writer, outbox, scheduler, polls, transports), secret=secret)


async def import_roll(config: Config, entries: list[RollEntry], replace: bool) -> RollImport:
    """``quorum members import``: add a roll file's members through the roll's own service,
    without starting the rest of the bot."""
    clock = Clock()
    database = await Database.open(config.database_url or config.database)
    try:
        key = await settle_key(database, config.database, config.secret)
        writer = GroupCommitWriter(database.wconn, lambda: iso(clock.now()), key)
        await writer.load()
        writer.start()
        try:
            return await RollService(database.reader, writer, clock).import_entries(entries, replace)
        finally:
            await writer.stop()
    finally:
        await database.close()
