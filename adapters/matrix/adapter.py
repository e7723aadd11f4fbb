"""The Matrix adapter: logs in, follows the sync stream, and hands what people send to the core.

The loop survives the homeserver going away (it retries with backoff) and the bot going away
(the sync token is saved after each sync is handled, so a restart resumes where it stopped;
events of a sync that was handled but not yet saved come again and the core, which knows each
event id it applied, ignores them; what the adapter itself said about an event, such as where
an upgraded room went or a request to send again what it could not decrypt, is recorded with the
event's id, ``MatrixState.save_notice``, and not said again). What concerns a native poll whose history the homeserver
fails to give, or an edit whose original it fails to give (and what the editor says after it),
is held until it does (``_hold``), while everything else goes on; the token saved meanwhile is
the one before the oldest event held (for a day at most), so a restart reads those events again.

Encrypted rooms and direct chats are read and answered like any other (``crypto.py``); the bot
always logs in as one stable device, whose keys are kept in ``matrix.store``.

With several processes on one database, one of them runs the account: the holder of the lease
``matrix:<user id>``, renewed while it syncs. The others wait and take over when the lease
expires (the holder died), resuming from the saved sync token with the encryption store it saved
(``crypto.py``). A process that fails to renew in time stops syncing and sending as that account
at once, and its adapter ends with ``LeaseLost``, so the process exits and its supervisor starts
it again, to wait for its turn.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinResponse,
    LoginResponse,
    MessageDirection,
    RoomMessagesResponse,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)

from adapters.matrix import content
from adapters.matrix.batching import steps
from adapters.matrix.crypto import (
    exchange_keys,
    is_encrypted,
    is_undecryptable,
    note_new_room,
    prepare_store,
    restore,
    retire_stores,
    seal,
    snapshot,
    store_file,
    unseal,
)
from adapters.matrix.direct import DirectRooms
from adapters.matrix.history import PollHistory, Unavailable
from adapters.matrix.inbound import (
    after_own_join,
    membership_change,
    native_ref,
    qualified,
    sent_at,
    state_of,
    thread_root,
    to_core_event,
)
from adapters.matrix.invites import invite_of, may_invite
from adapters.matrix.responses import PollResponses, Response
from adapters.matrix.rooms import Rooms
from adapters.matrix.sending import NETWORK_ERRORS, Backoff, GaveUp, MatrixSendError, Sender, reason_of
from adapters.matrix.transport import MatrixTransport
from bot.app import notices
from bot.kernel.config import MatrixConfig
from bot.kernel.effects import SendPrivate
from bot.kernel.errors import StartError
from bot.kernel.events import Actor, Event, Joined, Left, Message, NativePollAnswer, Room
from bot.kernel.markup import to_html
from bot.kernel.ports import Core

log = logging.getLogger(__name__)


class _EventUnquoted(logging.Filter):
    """matrix-nio warns of an event it cannot read with the validator's whole report, which
    quotes the part of the event that failed: a member's text, such as a secret vote sent by a
    client that left out its body. The line is kept with where in the schema it failed only."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Error validating event"):
            where = next((line.rstrip(":") for line in message.splitlines() if line.startswith("Failed validating")),
                         "")
            record.msg, record.args = "Error validating event; it is not read (%s)", (where or "no detail",)
        return True


logging.getLogger("nio.events.misc").addFilter(_EventUnquoted())

DEVICE_NAME = "Quorum bot"
STOP_GRACE = 15.0  # seconds stop() lets the sync being handled finish
LONGEST_WAIT = 300.0  # seconds at most between two requests for what is held, whatever a 429 asks
ASK_AGAIN_AFTER = 3600.0  # seconds before a member is asked again to send what the bot could not decrypt
TOLD_KEPT = 10_000  # members remembered as asked (the oldest are forgotten: asked again, at worst)
HOLD_POSITION_FOR = 86_400.0
"""Seconds the saved sync token waits for what is held: a restart reads it again meanwhile. Far
less than the core remembers applied updates (14 days): a token older than that would have a
restarted bot apply again commands it applied long ago."""


def _stripped(event: Any) -> dict[str, Any]:
    """An invite-state event as a plain dict (nio moves its content out of ``source``)."""
    source = dict(getattr(event, "source", None) or {})
    content = getattr(event, "content", None)
    if isinstance(content, dict):
        source["content"] = content
    elif hasattr(event, "membership"):
        source["content"] = {"membership": event.membership}
    return source


def _unread_of(room_id: str, sources: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(event id, room, sender) of held SOURCES, as recorded unread."""
    return [(e, room_id, sender) for source in sources
            if isinstance(e := source.get("event_id"), str) and isinstance(sender := source.get("sender"), str)]


def notice_tx(event_id: str) -> str:
    """The transaction id of the adapter's notice about EVENT_ID: the same after a restart, so
    that a notice sent but not yet recorded as sent (``MatrixState.save_notice``) is not posted twice: the
    homeserver answers the event it already has."""
    return "notice-" + hashlib.sha256(event_id.encode()).hexdigest()[:32]


POLL_EVENTS = ("m.room.redaction", *content.POLL_RESPONSES, *content.POLL_ENDS)
"""What changes a native poll's count: a response, its redaction (or a redaction of anything,
until it is known not to be one), the poll's end."""


def _is_tombstone(event: Any) -> bool:
    source = state_of(event) or {}
    return source.get("type") == "m.room.tombstone" and source.get("state_key") == ""


@dataclass
class _Held:
    """What waits for something the homeserver has not given yet, in the order it came: what
    concerns a poll whose history it fails to give (answers, their redactions, the end), or an
    edit whose original it fails to give and what the editor says after it in the room. Handed
    to the core, in order, once it comes."""

    room_id: str
    position: str | None
    """The sync token the oldest of them came after: the saved one goes no further meanwhile."""
    read: Callable[[dict[str, Any]], Awaitable[Event | None]]
    """The core's event for one of them; raises Unavailable while the homeserver does not answer."""
    sources: list[dict[str, Any]] = field(default_factory=list)
    since: float = field(default_factory=time.monotonic)
    """When the first of them was held (``HOLD_POSITION_FOR``)."""
    released: bool = False
    """The saved sync token has moved past them: each is recorded as unread until handled."""


class LoginFailed(StartError):
    """The homeserver refused the configured credentials: retrying will not help."""


class LeaseLost(StartError):
    """Another process took over the account: this one stopped syncing and sending as it."""


class MatrixAdapter:
    def __init__(
        self,
        config: MatrixConfig,
        core: Core,
        *,
        timeline_limit: int = 100,
        long_poll_ms: int = 30_000,
        max_backoff: float = 30.0,
        hold_position_for: float = HOLD_POSITION_FOR,
    ) -> None:
        self.config = config
        self.core = core
        self.timeline_limit = timeline_limit
        self.long_poll_ms = long_poll_ms
        self.max_backoff = max_backoff
        self.hold_position_for = hold_position_for
        if config.store is None:
            raise StartError("matrix.store is not set: the bot keeps its encryption keys there.")
        self.store = config.store
        self.client = AsyncClient(
            config.homeserver.rstrip("/"),
            config.user_id,
            device_id=config.device_id,
            store_path=str(self.store),
            # Retries are ours (with one transaction id per event), not nio's; the sync token
            # is kept in the database, with the rest of what the bot has handled.
            config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=60,
                                     encryption_enabled=True, store_sync_tokens=False),
        )
        self.state = core.matrix_store(config.user_id)
        self.lease = self.state.lease
        self._lost = False  # the lease was lost: another process runs the account now
        self._logged_in = False  # once: the encryption store is put in place before the first login only
        self._keys_stamp: tuple[int, int] | None = None  # the store file as last saved (mtime, size)
        self._stores_retired_for: str | None = None  # the device whose predecessors' stores were removed
        self.sender = Sender(self.client, max_backoff=max_backoff)
        self.sender.allowed = self.runs_account
        self.rooms = Rooms(self.client, config.user_id, config.organiser_power_level)
        self.direct = DirectRooms(self.client, self.sender, self.rooms, self.state)
        self.transport = MatrixTransport(config.user_id, self.sender, self.rooms, self.direct)
        self.transport.runs_account = self.runs_account
        self.transport.on_forbidden = self._forbidden
        self.transport.speaking_to = core.speaking_to
        self.responses = PollResponses()
        self._answered: list[tuple[str, str, str]] = []  # (response, poll, sender) to save with the sync
        self.transport.responses = self.responses
        self.history = PollHistory(self.client, self.sender, self.responses, config.user_id)
        self._told_undecryptable: OrderedDict[tuple[str, str], float] = OrderedDict()  # (room, member) -> when
        self._told_forbidden: set[str] = set()
        self._moved: dict[str, str] = {}  # an upgraded room -> its replacement, once everything moved there
        self._joining: set[str] = set()  # replacement rooms the bot has tried to join
        self._pointed: set[tuple[str, str]] = set()  # (old room, member) told where the room went
        self._tasks: set[asyncio.Task[Any]] = set()
        self._held: dict[str, _Held] = {}  # a poll's native ref, or "room|member" -> what waits (oldest first)
        self._held_events: dict[str, str] = {}  # a held response's event id -> its poll (its redaction waits too)
        self._unread: list[tuple[str, str, str]] = []  # (event, room, sender) held past the token: to save with it
        self._position: str | None = None  # the sync token the sync being handled was asked from
        self.since: str | None = None
        self._saved_since: str | None = None  # the sync token last saved
        self._pending_stamp: tuple[int, int] | None = None
        self.synced = asyncio.Event()  # set once the first sync has been handled
        self._stopping = False
        self._sync_task: asyncio.Task[Any] | None = None
        self._running: asyncio.Task[Any] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def runs_account(self) -> bool:
        """Whether this process runs the account now (always, with a database of its own)."""
        return not self._lost and (not self.state.shared or self.lease.held)

    async def run(self) -> None:
        """Take the account's lease, log in, then sync and handle events until stop()
        (reconnecting with backoff). Raises LeaseLost if another process took the account over."""
        self._running = asyncio.current_task()
        renewing: asyncio.Task[None] | None = None
        try:
            if not await self._take_lease():
                return  # stopped while another process ran the account
            renewing = asyncio.create_task(self._renew(), name="matrix-lease")
            saved = await self.state.load()
            self.since = self._saved_since = saved.next_batch
            self.direct.load(saved.direct_rooms)
            prepare_store(self.store)
            await self._retrying(lambda: self._login(saved.device_id), "log in")
            await self._sync_loop()
            if self._lost:
                raise LeaseLost(f"Another process took over the Matrix account {self.config.user_id} (this one did "
                                "not renew its lease in time), so this one stopped syncing it; start it again to "
                                "wait for its turn.")
        finally:
            if renewing is not None:
                renewing.cancel()
            self._running = None
            await self.client.close()
            if not self._lost:
                try:  # so another process takes over at once, not after the lease expires
                    await self.lease.release()
                except Exception as e:
                    log.warning("giving up the Matrix account's lease failed (%r); it expires on its own", e)

    async def _take_lease(self) -> bool:
        """Wait until this process holds the account's lease (at once unless another process
        runs it); False if stopped first."""
        waiting = False
        poll = self.lease.ttl.total_seconds() / 6
        while not self._stopping:
            try:
                if await self.lease.hold():
                    if waiting:  # the process that ran it died or stalled: worth the operator's notice
                        self.transport.connected = False  # until its first sync gets through
                        log.warning("took over the Matrix account %s from another process", self.config.user_id)
                    return True
            except Exception as e:  # the database is away: ask again
                log.warning("could not ask for the Matrix account's lease (%r)", e)
            if not waiting:
                waiting = True
                self.transport.connected = None  # /healthz: not this process's to say
                log.info("another process runs the Matrix account %s; waiting to take over", self.config.user_id)
            await asyncio.sleep(poll)
        return False

    async def _renew(self) -> None:
        """Renew the lease while syncing; once it is lost, stop syncing and sending at once."""
        every = self.lease.ttl.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                held = await self.lease.hold()
            except Exception as e:  # the database is away: the lease holds until it expires
                log.warning("could not renew the Matrix account's lease (%r)", e)
                held = self.lease.held
            if not held:
                self._lose()
                return

    def _lose(self) -> None:
        if self._lost:
            return
        log.error("lost the lease of the Matrix account %s: another process runs it now", self.config.user_id)
        self._lost = True
        self._stopping = True
        self.transport.connected = False
        for task in list(self._tasks):  # held answers too: the process that took over reads them again
            task.cancel()
        if self._sync_task is not None:
            self._sync_task.cancel()

    async def stop(self) -> None:
        """Stop after the sync being handled (if any) is finished and its token saved."""
        self._stopping = True
        for task in list(self._tasks):
            task.cancel()
        if self._sync_task is not None:
            self._sync_task.cancel()
        running = self._running
        if running is not None and running is not asyncio.current_task():
            done, _ = await asyncio.wait({running}, timeout=STOP_GRACE)
            if not done:  # stuck retrying against an unreachable homeserver: give up on it
                running.cancel()
            results = await asyncio.gather(running, return_exceptions=True)
            if isinstance(results[0], Exception):
                log.warning("the Matrix loop ended with an error: %r", results[0])
        await self.client.close()

    async def _retrying(self, step: Callable[[], Awaitable[Any]], what: str) -> Any:
        """Run STEP until it gets through to the homeserver (or the adapter is stopped)."""
        backoff = Backoff(cap=self.max_backoff)
        while not self._stopping:
            try:
                return await step()
            except NETWORK_ERRORS as e:
                wait = backoff.next()
                log.warning("could not %s (%s); retrying in %.1fs", what, type(e).__name__, wait)
                await asyncio.sleep(wait)
        return None

    async def _login(self, saved_device: str | None) -> None:
        """Log in as one stable device: its keys (in matrix.store) belong to it, so a new device
        on every start would leave members encrypting for devices the bot no longer has."""
        config = self.config
        device = config.device_id or saved_device
        if config.access_token:
            # The token belongs to a device: ask which before loading that device's keys.
            self.client.user_id, self.client.access_token = config.user_id, config.access_token
            try:
                who = await self.sender.call(self.client.whoami, "check matrix.access_token", patient=True)
            except GaveUp as e:
                raise TimeoutError(str(e)) from None  # unreachable: the caller tries again
            except MatrixSendError as e:
                raise LoginFailed(f"The homeserver refused matrix.access_token ({e.reason}): check matrix.access_token "
                                  "(or QUORUM_MATRIX_ACCESS_TOKEN).") from None
            if not isinstance(who, WhoamiResponse):
                raise LoginFailed("The homeserver refused matrix.access_token: check matrix.access_token "
                                  "(or QUORUM_MATRIX_ACCESS_TOKEN).")
            if who.user_id != config.user_id:
                raise LoginFailed(f"matrix.access_token belongs to {who.user_id}, not to {config.user_id}: set "
                                  "matrix.user_id to the token's account, or use that account's token.")
            if who.device_id and config.device_id and who.device_id != config.device_id:
                raise LoginFailed(f"matrix.access_token belongs to device {who.device_id}, not to matrix.device_id "
                                  f"{config.device_id}: remove matrix.device_id or use that device's token.")
            device = who.device_id or device
            if not device:
                raise LoginFailed("The homeserver does not say which device matrix.access_token belongs to: set "
                                  "matrix.device_id to it (end-to-end encryption needs a stable device).")
            await self._restore_keys(device)
            if device == saved_device and not store_file(self.store, config.user_id, device).exists():
                log.warning("the encryption store of device %s is missing: encrypted chats will not work until "
                            "matrix.access_token is replaced by a token of a new login (a new device)", device)
            self.client.restore_login(config.user_id, device, config.access_token)
        else:
            assert config.password is not None
            if device:
                await self._restore_keys(device)
            if device and device == saved_device and not store_file(self.store, config.user_id, device).exists():
                if config.device_id:
                    log.warning("the encryption store of matrix.device_id %s is missing: encrypted chats will not "
                                "work until matrix.device_id is removed or changed (a new device)", device)
                else:
                    # Its keys are gone: that device can no longer decrypt anything. Start a new one.
                    log.warning("the encryption store of device %s is missing; logging in as a new device", device)
                    device = None
            self.client.device_id = device
            password = config.password
            try:
                response = await self.sender.call(
                    lambda: self.client.login(password, device_name=DEVICE_NAME), f"log in as {config.user_id}",
                    patient=True)
            except GaveUp as e:
                raise TimeoutError(str(e)) from None
            except MatrixSendError as e:
                raise LoginFailed(f"The homeserver refused matrix.password for {config.user_id} ({e.reason}): check "
                                  "matrix.password (or QUORUM_MATRIX_PASSWORD) and matrix.user_id.") from None
            if not isinstance(response, LoginResponse):
                raise LoginFailed(f"The homeserver refused matrix.password for {config.user_id}: check "
                                  "matrix.password (or QUORUM_MATRIX_PASSWORD) and matrix.user_id.")
        if self.client.device_id and self.client.device_id != saved_device:
            await self.state.save_device(self.client.device_id)
        self._logged_in = True
        await exchange_keys(self.client)

    async def _logged_out(self, response: ErrorResponse) -> None:
        """The homeserver no longer accepts the bot's access token. A soft logout (the token
        expired) keeps the device and its keys: log in again as it. A real logout (the device
        signed out, e.g. in Element's session list, or by an administrator) deleted the device
        and its keys on the server, while the local store still holds them as uploaded: logging
        in again as that device would leave a device with no keys, that nobody can encrypt for.
        So the bot logs in as a new device, with a new store whose keys it uploads; members'
        clients hear of it and encrypt for it from then on. Where that cannot be done unattended
        (an access token, a pinned device), the process stops, saying what to do."""
        if not self.config.password:
            raise LoginFailed(f"The homeserver no longer accepts matrix.access_token ({reason_of(response)}): log "
                              "in anew to get a token for a new device, set it as matrix.access_token and start "
                              "the bot again.")
        if response.soft_logout:
            log.warning("the homeserver logged the bot's device out softly; logging in again as the same device")
            await self._retrying(lambda: self._login(self.client.device_id), "log in again")
            return
        old = self.client.device_id
        if self.config.device_id:
            raise LoginFailed(f"The bot's device {old} was signed out on the homeserver, which deleted its "
                              "encryption keys: remove matrix.device_id (or set a new one) and start the bot again.")
        log.warning("the bot's device %s was signed out on the homeserver (its keys are gone there); logging in "
                    "as a new device with new encryption keys", old)
        self.client.olm = None
        self.client.store = None  # nio opens the new device's store at login
        self.client.device_id = None  # type: ignore[assignment]
        self._keys_stamp = None
        await self._retrying(lambda: self._login(None), "log in as a new device")

    async def _restore_keys(self, device: str) -> None:
        """Before the first login, put the device's encryption store in place as the process
        that ran the account before saved it in the shared database (if one did)."""
        if not self.state.shared or self._logged_in:
            return
        sealed = await self.state.crypto_store(device)
        if sealed is None:
            return  # never saved: what this process has (if anything) is all there is
        try:
            data = unseal(self.state.sealing_key, self.config.user_id, device, sealed)
        except ValueError:
            raise LoginFailed(f"The encryption store of device {device} in the database was sealed with another "
                              "secret: give every process the same bot.secret (or QUORUM_SECRET).") from None
        restore(store_file(self.store, self.config.user_id, device), data)
        self._keys_stamp = None

    def _keys_to_save(self) -> tuple[str, str] | None:
        """(device, sealed store) if the store changed since it was last saved, on a shared
        database; else None."""
        device = self.client.device_id
        if not self.state.shared or not device or self.client.olm is None:
            return None
        path = store_file(self.store, self.config.user_id, device)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._keys_stamp:
            return None
        data = snapshot(path)
        if data is None:
            return None
        self._pending_stamp = stamp
        return device, seal(self.state.sealing_key, self.config.user_id, device, data)

    # -- syncing -----------------------------------------------------------------------------

    def _filter(self) -> dict[str, Any]:
        return {
            "room": {"timeline": {"limit": self.timeline_limit}, "ephemeral": {"not_types": ["*"]}},
            "presence": {"not_types": ["*"]},
        }

    async def _sync_loop(self) -> None:
        backoff = Backoff(cap=self.max_backoff)
        lost = await self.state.unread()  # held past the saved token by the run before: never read again
        full_state = self.since is not None  # after a restart: learn every room's state again
        while not self._stopping:
            timeout = 0 if not self.synced.is_set() else self.long_poll_ms
            self._sync_task = asyncio.ensure_future(
                self.client.sync(timeout=timeout, sync_filter=self._filter(), since=self.since, full_state=full_state)
            )
            try:
                response = await self._sync_task
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except NETWORK_ERRORS as e:
                self.transport.connected = False
                wait = backoff.next()
                log.warning("Matrix sync failed (%s); retrying in %.1fs", type(e).__name__, wait)
                await asyncio.sleep(wait)
                continue
            finally:
                self._sync_task = None
            self.transport.connected = isinstance(response, SyncResponse)
            if isinstance(response, SyncError) or not isinstance(response, SyncResponse):
                if isinstance(response, ErrorResponse) and response.status_code == "M_UNKNOWN_TOKEN":
                    await self._logged_out(response)
                    full_state = True  # a new device tracks every member's devices afresh
                    continue
                wait = max(backoff.next(), (getattr(response, "retry_after_ms", None) or 0) / 1000)
                log.warning("Matrix sync failed (%s); retrying in %.1fs", response, wait)
                await asyncio.sleep(wait)
                continue
            backoff.reset()
            await exchange_keys(self.client)
            try:
                await self._handle_sync(response, self.since)
            except (MatrixSendError, *NETWORK_ERRORS) as e:
                # Not saved, so this sync is fetched and handled again; what was already
                # applied is recognised by its event id.
                wait = backoff.next()
                log.warning("handling a Matrix sync failed (%s); retrying in %.1fs", e, wait)
                await asyncio.sleep(wait)
                continue
            full_state = False
            answered, self._answered = self._answered, []
            await self.state.save_poll_responses(answered)
            keys = self._keys_to_save()
            # Not past what is held for the homeserver's answer (a poll's history, an edit's
            # original): after a restart (or in the process that takes over) it comes again, and
            # what was handled of it is known by its event id.
            position = self._held_position() or response.next_batch
            unread, self._unread = self._unread, []
            await self.state.save_unread(unread)  # before the token that passes them
            if position != self._saved_since or keys is not None:
                if not await self.state.save_token(position, keys):
                    self._lose()  # another process runs the account now: what it saved stands
                    return
                self._saved_since = position
                if keys is not None:
                    self._keys_stamp = self._pending_stamp
            self.since = response.next_batch
            self._retire_old_stores()
            if not self.synced.is_set():  # the account's first sync in this process: it can send now
                self.synced.set()
                self.core.can_send()
                if lost:
                    self._spawn(self._tell_unread(lost))

    def _retire_old_stores(self) -> None:
        """Once a sync has been handled as the device in use, with its store open (and, on a
        shared database, saved with the token), remove the stores of the account's other
        devices: one signed out and replaced (``_logged_out``), or one left by an earlier run.
        Their keys would decrypt past messages, and nothing reads with them any more. Once per
        device and run; on a shared database their sealed copies went with the save
        (``MatrixState.save_token``)."""
        device = self.client.device_id
        if not device or device == self._stores_retired_for or self.client.olm is None:
            return
        if not store_file(self.store, self.config.user_id, device).exists():
            return  # not in use yet: nothing is removed before the store that replaces it is there
        if self.state.shared and self._keys_stamp is None:
            return  # its sealed copy is not saved yet: the next sync saves it
        self._stores_retired_for = device
        try:
            retired = retire_stores(self.store, self.config.user_id, device)
        except OSError as e:
            log.warning("could not remove the encryption stores of the bot's former devices (%s)", type(e).__name__)
            return
        for old in retired:
            log.info("removed the encryption store of the bot's former device %s (device %s is in use)", old, device)

    def _held_position(self) -> str | None:
        """The sync token before the oldest event held, if any is held, and not for longer than
        ``hold_position_for``: past that, a restart no longer reads it again. Those events still
        count if the homeserver answers before the bot stops; meanwhile each is recorded as
        unread (saved before the token that passes it), and a restart tells their senders."""
        now = time.monotonic()
        for held in self._held.values():
            if now - held.since < self.hold_position_for:
                return held.position
            if not held.released:
                log.error("%d events have waited %.0f hours for the homeserver's answer; a restart will no longer "
                          "read them again: they count only if it answers before the bot stops, and their senders "
                          "are told after a restart", len(held.sources), (now - held.since) / 3600)
                held.position, held.released = None, True
                self._unread.extend(_unread_of(held.room_id, held.sources))
        return None

    async def _tell_unread(self, lost: list[tuple[str, str, str]]) -> None:
        """Tell the senders of LOST, events held past the saved sync token by the run before this
        one and never handled (a restart does not read them again), that what they sent did not
        count: privately, once per sender and room."""
        told: set[tuple[str, str]] = set()
        for event_id, room_id, sender in lost:
            if (room_id, sender) in told or await self.state.noticed(event_id):
                continue
            told.add((room_id, sender))
            with await self.core.speaking_to(qualified(sender), qualified(room_id)):
                text = notices.held_and_lost(self.rooms.title(room_id))
            try:
                await self.transport.deliver(SendPrivate(qualified(sender), text))
            except Exception as e:  # kept: told after the next restart, or the one after
                log.warning("could not tell a member that what they sent was lost (%s)", type(e).__name__)
                return
            await self.state.save_notice(event_id)
        await self.state.read_at_last([event_id for event_id, _, _ in lost])

    async def _handle_sync(self, response: SyncResponse, since: str | None) -> None:
        self._position = since
        # Room state first (a tombstone, a replacement's creation), so that an upgraded room has
        # moved before anything said in its replacement is handled.
        for room_id, info in response.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                if (state := state_of(event)) is not None:
                    self.rooms.note_event(room_id, state)
        for event in response.account_data_events:
            event_type = getattr(event, "type", None)
            if event_type == "m.direct":
                self.direct.note_account_data(event_type, getattr(event, "content", {}) or {})
        for room_id, info in response.rooms.invite.items():
            await self._on_invite(room_id, [_stripped(e) for e in info.invite_state])
        for room_id, left in response.rooms.leave.items():
            # nio keeps rooms the bot has left; forget them, or their stale members would
            # make a lost direct room look usable and a left room look joined. Who organised
            # the room is kept, to tell them if something for it can no longer be posted.
            events = [state for e in [*left.state, *left.timeline.events] if (state := state_of(e)) is not None]
            self.rooms.forget(room_id, events)
        await self._follow_upgrades()
        for room_id, info in response.rooms.join.items():
            events = list(info.timeline.events)
            if since is None:
                continue  # the very first sync: everything in it is history, to be learnt from only
            if info.timeline.limited and info.timeline.prev_batch:
                events = await self._missed(room_id, info.timeline.prev_batch, since) + events
            raised = False
            for event in events:
                if (state := state_of(event)) is not None:
                    self.rooms.note_event(room_id, state)
                    raised = raised or (state.get("type") == "m.room.power_levels" and state.get("state_key") == "")
            if raised and self.rooms.may_post(room_id):
                await self._may_post_again(room_id)
            # Before what the room's members said in this sync: a late joiner's vote is refused.
            await self._memberships(room_id, [*info.state, *events])
            fresh = after_own_join(events, self.config.user_id)
            for event in fresh:
                if is_undecryptable(event):
                    await self._undecryptable(room_id, event.source)
            for step in steps(await self._inbound(room_id, fresh)):
                await asyncio.gather(*(self._handle_lane(lane) for lane in step))

    async def _memberships(self, room_id: str, events: list[Any]) -> None:
        """Hand the core each real join and leave among EVENTS, as the homeserver stamped it: a
        poll open to anyone in the room is for those there when it opened (one who left and came
        back included). The state of the first sync after a restart (the whole state) and the
        events missed while the bot was down count too, so a join while it was down is known;
        one seen again, or long before any open poll, the core passes over.

        An upgraded room's members join its replacement, after any poll moved there opened:
        one who is in the room it replaces (as the bot knows it) is following the room, which
        is no join; whoever else joins the replacement joins the room anew."""
        seen: set[tuple[str, datetime, bool]] = set()
        predecessor = self.rooms.predecessor(room_id)
        for event in events:
            state = state_of(event)
            found = membership_change(state, self.config.user_id) if state is not None else None
            if found is None or found in seen:
                continue
            seen.add(found)
            member, at, joined = found
            if joined and predecessor is not None and self.rooms.is_joined(predecessor, member):
                continue  # followed the room into its replacement
            actor = Actor(qualified(member), self.rooms.name_of(room_id, member))
            room = Room(qualified(room_id), title=self.rooms.title(room_id))
            try:
                if joined:
                    await self.core.joined(Joined(actor, room, at))
                else:
                    await self.core.left(Left(actor, room, at))
            except Exception:
                log.exception("noting a member of %s coming or going failed", room_id)

    # -- room upgrades -----------------------------------------------------------------------

    async def _follow_upgrades(self) -> None:
        """Follow each upgraded room to its replacement: join it, and once the bot is in it and
        the replacement names the old room as its predecessor (both rooms agree, so a tombstone
        cannot send the room's polls elsewhere on its own), move everything stored of the old
        room there. After a restart the full state shows the same pairs again: the core knows
        the move was made, and the old room is refused again."""
        for old, new in self.rooms.upgrades().items():
            if old in self._moved:
                continue
            if not self.rooms.is_joined(new, self.config.user_id):
                if new not in self._joining:
                    self._joining.add(new)
                    await self._join_replacement(old, new)
                continue
            if not self.rooms.replaces(new, old):
                if new not in self._joining:
                    self._joining.add(new)
                    log.warning("room %s points to %s, which does not say it replaces it: not moved", old, new)
                continue
            try:
                await self.core.move_room(qualified(old), qualified(new))
            except Exception:
                log.exception("moving room %s to %s failed", old, new)
                continue
            self._moved[old] = new

    async def _join_replacement(self, old: str, new: str) -> None:
        """Join the room that replaces OLD. An invite-only replacement refuses until someone
        invites the bot (Element's upgrade offers to invite the old room's members): the invite
        is then accepted whoever sends it, as the replacement was named by the old room."""
        try:
            await self.sender.call(lambda: self.client.join(new), f"join {new}", patient=True)
        except MatrixSendError as e:
            log.info("could not join the replacement of %s yet (%s); waiting for an invite", old, e.reason)
            return
        log.info("joined %s, which replaces %s", new, old)

    async def _refuse_in_old_room(self, old: str, events: list[Any]) -> None:
        """What members ask of a room that has moved is not done: each member who sends a
        command or answers a poll there is told once where the room went."""
        new = self._moved[old]
        for event in events:
            source = event.source
            sender = source.get("sender")
            if not isinstance(sender, str) or sender == self.config.user_id or (old, sender) in self._pointed:
                continue
            event_type = source.get("type")
            if event_type in (*content.POLL_RESPONSES, *content.POLL_ENDS):
                reply_to = None
            elif isinstance(found := self._to_core(old, source), Message) and found.text.startswith(
                    self.transport.prefixes):
                reply_to = source.get("event_id")
            else:
                continue
            self._pointed.add((old, sender))
            event_id = source.get("event_id")
            if not isinstance(event_id, str) or await self.state.noticed(event_id):
                continue  # read again: told already (and so told once in this run)
            await self._point_to(old, new, sender, reply_to, thread_root(source) if reply_to else None, event_id)
            await self.state.save_notice(event_id)

    async def _point_to(self, old: str, new: str, member: str, reply_to: str | None, thread: str | None,
                        about: str) -> None:
        """Tell MEMBER where room OLD went, about what they sent (the event ABOUT): in OLD (in
        reply to REPLY_TO, in its THREAD), or, where the upgrade left the bot no right to post
        there (Synapse lets only moderators post in a room it upgraded), privately."""
        with await self.core.speaking_to(qualified(member), qualified(old)):
            text = notices.room_upgraded(self.rooms.title(old), self.transport.room_link(qualified(new)))
        try:
            await self.sender.send(old, "m.room.message", content.notice(to_html(text), reply_to, thread),
                                   notice_tx(about))
            return
        except MatrixSendError as e:
            if not e.forbidden:
                log.warning("%s", e)
                return
        try:
            await self.transport.deliver(SendPrivate(qualified(member), text))
        except Exception as e:  # best effort: what they sent is refused either way
            log.warning("could not tell a member where an upgraded room went (%s)", type(e).__name__)

    async def _handle_lane(self, lane: list[Event]) -> None:
        for event in lane:
            await self.core.handle(event)

    async def _missed(self, room_id: str, prev_batch: str, since: str) -> list[Any]:
        """The events a limited timeline left out, back to where the last sync ended."""
        older: list[Any] = []
        start = prev_batch
        while True:
            page = await self.sender.call(
                lambda start=start: self.client.room_messages(
                    room_id, start=start, end=since, direction=MessageDirection.back, limit=100
                ),
                f"read missed events of {room_id}", patient=True,
            )
            if not isinstance(page, RoomMessagesResponse) or not page.chunk:
                break
            older.extend(page.chunk)
            if not page.end or page.end == start:
                break
            start = page.end
        older.reverse()
        log.info("fetched %d events of %s that the sync left out", len(older), room_id)
        return older

    async def _undecryptable(self, room_id: str, source: dict[str, Any]) -> None:
        """Ask the member to send again what the bot could not read: its keys never reached the
        bot's device (sent before the bot joined, or to an old device). Once an hour at most in a
        room, whatever the sessions: a script can make up a new one for each ciphertext, and the
        bot would answer each in the room."""
        sender = source.get("sender")
        if not isinstance(sender, str) or sender == self.config.user_id:
            return
        event_id = source.get("event_id")
        key, now = (room_id, sender), time.monotonic()
        told = self._told_undecryptable.get(key)
        if told is not None and now - told < ASK_AGAIN_AFTER or not isinstance(event_id, str):
            return
        self._told_undecryptable[key] = now
        self._told_undecryptable.move_to_end(key)
        while len(self._told_undecryptable) > TOLD_KEPT:
            self._told_undecryptable.popitem(last=False)
        if await self.state.noticed(event_id):
            return  # read again (a restart, a gappy sync filled in): asked already, which counts for the hour
        log.info("could not decrypt a message in %s", room_id)
        with await self.core.speaking_to(qualified(sender), qualified(room_id)):
            html = to_html(notices.undecryptable())
        # The thread it was sent in is readable: a relation is sent in the clear (the spec's rule).
        notice = content.notice(html, event_id, thread_root(source))
        try:
            await self.sender.send(room_id, "m.room.message", notice, notice_tx(event_id))
        except MatrixSendError as e:
            log.warning("%s", e)
            return
        await self.state.save_notice(event_id)

    async def _may_post_again(self, room_id: str) -> None:
        """The room's power levels changed (in its timeline: live, or while the bot was down)
        and now let the bot post: what the homeserver refused it there for want of that right
        (``NoRightToSend``) is sent after all, as on Telegram when the bot is promoted back, and
        a later refusal tells the organisers again."""
        self._told_forbidden.discard(room_id)
        try:
            await self.core.may_post_again(qualified(room_id))
        except Exception:  # the database is away: what waits is sent at the next raise
            log.exception("could not queue again what %s refused the bot", room_id)

    def _forbidden(self, room_id: str, reason: str) -> None:
        """The homeserver forbids the bot to post in ROOM_ID: tell its organisers, privately,
        once per run (nothing is retried, so nothing else would tell them)."""
        if room_id in self._told_forbidden:
            return
        self._told_forbidden.add(room_id)
        self._spawn(self._tell_organisers(room_id, reason))

    async def _tell_organisers(self, room_id: str, reason: str) -> None:
        title = self.rooms.title(room_id) or room_id
        for user_id in sorted(self.rooms.organisers(room_id) - {self.config.user_id}):
            with await self.core.speaking_to(f"mx:{user_id}", qualified(room_id)):
                text = notices.cannot_post(title, reason)
            try:
                await self.transport.deliver(SendPrivate(f"mx:{user_id}", text))
            except Exception as e:  # best effort: the refusal is logged either way
                log.warning("could not tell an organiser that a room refused the bot (%s)", type(e).__name__)

    # -- what people did, for the core ---------------------------------------------------------

    async def _inbound(self, room_id: str, events: list[Any]) -> list[Event]:
        """The core's events for a room's new timeline events, in order. In a room that has
        moved, what came after its tombstone is refused (``_refuse_in_old_room``)."""
        if room_id in self._moved:
            after = len(events)
            while after > 0 and not _is_tombstone(events[after - 1]):
                after -= 1
            # No tombstone in this batch: it came before, and all of the batch is after it.
            await self._refuse_in_old_room(room_id, events[after:])
            events = events[:after]
        out: list[Event] = []
        for event in events:
            source = event.source
            if source.get("sender") == self.config.user_id:
                continue
            if (root := thread_root(source)) is not None:
                self.transport.note_thread(str(source.get("event_id")), root)
            if source.get("type") == "m.room.redaction" and getattr(event, "decrypted", False):
                # Redactions are never encrypted (the homeserver reads what they redact and checks
                # who may): this is a member's message claiming to be one, of anyone's answer.
                log.info("ignored an encrypted message claiming to be a redaction")
                continue
            if source.get("type") in POLL_EVENTS:
                found = await self._about_poll(room_id, source)
            else:
                found = await self._said(room_id, source)
            if found is not None:
                out.append(found)
        return out

    async def _said(self, room_id: str, source: dict[str, Any]) -> Event | None:
        """The core's event for a message. An edit needs its original (``_own_edit``): while the
        homeserver fails to give it, the edit waits, and what its sender says after it in the
        room waits behind it (``_hold``), so that their commands count in the order they were
        sent; nobody else waits."""
        lane = f"{room_id}|{source.get('sender')}"
        return await self._read_or_hold(lane, room_id, source, partial(self._message_event, room_id),
                                        "the original of an edit (%s): its sender waits, the rest goes on")

    async def _message_event(self, room_id: str, source: dict[str, Any]) -> Event | None:
        found = self._to_core(room_id, source)
        if isinstance(found, Message) and found.edited:
            return await self._own_edit(room_id, source, found)
        return found

    # -- native polls ------------------------------------------------------------------------

    async def _about_poll(self, room_id: str, source: dict[str, Any]) -> Event | None:
        """The core's event for a poll's response, its redaction or its end. While the poll's
        history is not known (the homeserver fails to give it), what concerns the poll is held,
        in order, and handed over once it comes (``_hold``); nothing else waits for it."""
        ref = await self._poll_of(room_id, source)
        if ref is None:
            return None
        return await self._read_or_hold(ref, room_id, source, partial(self._poll_event, room_id, ref),
                                        "a poll's history (%s): what concerns it waits, the rest goes on")

    async def _poll_of(self, room_id: str, source: dict[str, Any]) -> str | None:
        """The native ref of the poll SOURCE (a response, its redaction, an end) concerns; None
        if none, or if it redacts something else than a response to one of the bot's polls."""
        if source.get("type") == "m.room.redaction":
            redacts = source.get("redacts") or (source.get("content") or {}).get("redacts")
            if not isinstance(redacts, str):
                return None
            known = self.responses.poll_of(redacts) or self._held_events.get(redacts)
            if known is not None:
                return known
            # Answered before a restart: the database knows its poll (the redaction took its
            # relation away).
            found = await self.state.poll_response(redacts)
            return found[0] if found is not None else None
        relation = (source.get("content") or {}).get("m.relates_to")
        start = relation.get("event_id") if isinstance(relation, dict) else None
        if not isinstance(start, str) or relation.get("rel_type") != "m.reference":
            return None
        return native_ref(room_id, start)

    async def _poll_event(self, room_id: str, ref: str, source: dict[str, Any]) -> Event | None:
        """The core's event for SOURCE, about poll REF; raises Unavailable if that needs the
        poll's history and the homeserver does not give it now."""
        event_type = source.get("type")
        if event_type == "m.room.redaction":
            return await self._redacted(room_id, ref, source)
        if event_type in content.POLL_ENDS:
            return self._poll_end(room_id, source)
        found = self._to_core(room_id, source)
        return await self._counting(room_id, source, found) if isinstance(found, NativePollAnswer) else None

    async def _read_or_hold(self, key: str, room_id: str, source: dict[str, Any],
                            read: Callable[[dict[str, Any]], Awaitable[Event | None]], missing: str) -> Event | None:
        """READ SOURCE now, unless something is held under KEY already (it then waits behind it,
        in order), or the homeserver fails to give what READ needs (MISSING says what, and who
        waits): then it is held (``_hold``)."""
        if key not in self._held:
            try:
                return await read(source)
            except Unavailable as e:
                log.warning("could not read " + missing, e)
        self._hold(key, room_id, source, read)
        return None

    def _hold(self, key: str, room_id: str, source: dict[str, Any],
              read: Callable[[dict[str, Any]], Awaitable[Event | None]]) -> None:
        """Keep SOURCE behind what is held under KEY (a poll's ref, or a member's lane in a room)
        until READ can read it; the first held starts asking the homeserver again."""
        held = self._held.get(key)
        if held is None:
            held = self._held[key] = _Held(room_id, self._position, read)
            self._spawn(self._when_answered(key, held))
        held.sources.append(source)
        if held.released:  # the saved token is past it already
            self._unread.extend(_unread_of(room_id, [source]))
        if isinstance(event_id := source.get("event_id"), str) and source.get("type") in content.POLL_RESPONSES:
            self._held_events[event_id] = key

    async def _when_answered(self, key: str, held: _Held) -> None:
        """Read what is held under KEY until the homeserver answers what that needs (waiting
        longer each time, and as long as a 429 asks), handing it to the core in order. What
        comes under KEY meanwhile is held behind it, so each member's latest word counts."""
        backoff = Backoff(cap=self.max_backoff)
        try:
            while held.sources:
                source = held.sources[0]
                try:
                    found = await held.read(source)
                except Unavailable as e:
                    wait = min(LONGEST_WAIT, max(backoff.next(), e.retry_after or 0))
                    log.warning("the homeserver did not answer (%s); asking again in %.1fs", e, wait)
                    await asyncio.sleep(wait)
                    continue
                except Exception:  # a fault of ours: this one is lost, the others still count
                    log.exception("handling an event held for the homeserver's answer failed")
                    found = None
                held.sources.pop(0)
                self._held_events.pop(str(source.get("event_id")), None)
                if found is not None:
                    await self.core.handle(found)
                if held.released:  # read at last: not lost after all
                    await self.state.read_at_last([str(source.get("event_id"))])
        finally:
            if not held.sources:
                del self._held[key]
        log.info("handled what was held for the homeserver's answer")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _own_edit(self, room_id: str, source: dict[str, Any], edit: Message) -> Message | None:
        """EDIT if it is valid as the specification defines an edit: of its sender's own message
        (of the same type, not itself an edit). Clients show no other; one of someone else's
        message would have the bot act on words nobody sees as the sender's. An edit that is no
        command is dropped unread, as the core would drop it, without asking for its original
        (bots that keep editing their own messages would cost a request each)."""
        assert edit.ref is not None
        if not edit.text.startswith(self.transport.prefixes):
            return None
        original = await self.history.event(room_id, edit.ref)
        relation = ((original or {}).get("content") or {}).get("m.relates_to")
        if (original is None or original.get("sender") != source.get("sender") or "state_key" in original
                or original.get("type") != source.get("type")
                or (isinstance(relation, dict) and relation.get("rel_type") == "m.replace")):
            log.info("ignored an edit: its original is not its sender's own message, or could not be read")
            return None
        if (root := thread_root(original)) is not None:  # the answer goes where the message was sent
            self.transport.note_thread(edit.ref, root)
        return edit

    async def _counting(self, room_id: str, source: dict[str, Any], answer: NativePollAnswer) -> Event | None:
        """ANSWER if it is now the member's response that counts (their latest by the time it
        was sent); None if a later one counts. Answers to polls that are not the bot's go on."""
        if not await self.history.load(room_id, answer.native_ref):
            return answer
        answer = replace(answer, options=self.responses.read(answer.native_ref, answer.options))
        response = Response(int(source.get("origin_server_ts") or 0), str(source["event_id"]), answer.options)
        self._answered.append((response.event_id, answer.native_ref, str(source["sender"])))
        if self.responses.add(answer.native_ref, str(source["sender"]), response) is None:
            log.info("a poll response older than the one that counts was not counted")
            return None
        return answer

    async def _redacted(self, room_id: str, ref: str, source: dict[str, Any]) -> Event | None:
        """A redacted response to poll REF no longer counts: the member's response before it
        counts again (or none). (A redacted command is simply not read: if it was redacted
        before the bot saw it, its text is gone; if after, it was handled when it came.)"""
        redacts = source.get("redacts") or (source.get("content") or {}).get("redacts")
        if not isinstance(redacts, str):
            return None
        if self.responses.seen(redacts):
            change = self.responses.redact(redacts)
        else:
            # Answered before a restart: the database knows who answered. The poll's history,
            # read now, no longer has the response.
            found = await self.state.poll_response(redacts)
            if found is None:
                return None
            _, member = found
            await self.history.load(room_id, ref)
            change = ref, member, self.responses.counting(ref, member)
        if change is None:
            return None
        ref, member, options = change
        actor = Actor(qualified(member), self.rooms.name_of(room_id, member))
        return NativePollAnswer(actor, ref, options, event_id=source.get("event_id"), sent_at=sent_at(source))

    def _poll_end(self, room_id: str, source: dict[str, Any]) -> Event | None:
        """A poll ended by someone else than the bot: it closes in Quorum too if they may end
        it (MSC3381: its sender, or whoever may redact others' events); otherwise, as clients
        do, the end is ignored."""
        relation = (source.get("content") or {}).get("m.relates_to") or {}
        start, sender = relation.get("event_id"), source.get("sender")
        if relation.get("rel_type") != "m.reference" or not isinstance(start, str) or not isinstance(sender, str):
            return None
        if not self.rooms.may_redact_others(room_id, sender):
            log.info("ignored the end of a poll by someone who may not end it")
            return None
        actor = Actor(qualified(sender), self.rooms.name_of(room_id, sender))
        return NativePollAnswer(actor, native_ref(room_id, start), (), event_id=source.get("event_id"), ended=True)

    def _to_core(self, room_id: str, source: dict[str, Any]) -> Event | None:
        sender = source.get("sender")
        if not isinstance(sender, str) or sender == self.config.user_id:
            return None
        room = self.rooms.room(room_id)
        bot_names = [self.config.user_id, self.config.user_id[1:].split(":", 1)[0]]
        if room is not None:
            bot_names.append(room.user_name(self.config.user_id) or "")
        return to_core_event(
            source,
            room_id,
            bot_user_id=self.config.user_id,
            bot_names=sorted(bot_names, key=len, reverse=True),
            private=self.rooms.is_private(room_id, sender),
            room_title=self.rooms.title(room_id),
            sender_name=self.rooms.name_of(room_id, sender),
        )

    async def _direct_instead(self, inviter: str) -> None:
        """Someone the bot may not be brought in by wanted a private chat with it: it cannot
        join theirs, so it invites them to its own (as it does to tell anyone something
        privately), if they share a room with it. A member must be able to reach it privately:
        secret ballots are cast there. A stranger gets nothing: any account anywhere could
        otherwise have the bot open rooms on demand."""
        if not any(self.rooms.is_joined(room_id, inviter) for room_id in list(self.client.rooms)):
            log.info("declined a direct chat from someone who shares no room with the bot")
            return
        with await self.core.speaking_to(qualified(inviter)):
            text = notices.write_here()
        try:
            await self.transport.deliver(SendPrivate(qualified(inviter), text))
        except Exception as e:  # best effort: the invite is declined either way
            log.warning("could not open a direct chat instead of a declined one (%s)", type(e).__name__)

    async def _on_invite(self, room_id: str, invite_state: list[dict[str, Any]]) -> None:
        invite = invite_of(invite_state, self.config.user_id)
        if invite is None:
            return
        inviter, is_direct = invite
        try:
            if not may_invite(inviter, self.config.allowed_inviters) and not self.rooms.is_replacement(room_id):
                log.info("declined an invite from someone not in matrix.allowed_inviters")
                await self.sender.call(lambda: self.client.room_leave(room_id), f"decline {room_id}",
                                       patient=True)
                if is_direct:
                    await self._direct_instead(inviter)
                return
            response = await self.sender.call(lambda: self.client.join(room_id), f"join {room_id}", patient=True)
        except MatrixSendError as e:
            log.warning("%s", e)
            return
        if isinstance(response, JoinResponse):
            note_new_room(self.client, room_id, self.config.user_id, {inviter: False}, is_encrypted(invite_state))
            if is_direct:
                await self.direct.remember(inviter, room_id, just_joined=True)
