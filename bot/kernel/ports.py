"""The ports: what a layer may ask of the world around it, as protocols.

Services are given these in their constructors (never the whole bot), so a test can build any
service with fakes, and the core never names a chat library or a database driver:

* ``Sender``: hand an effect to the platforms; it never raises (a failure is logged).
* ``Directory``: who organises a room, who is in it, how often a message there may be edited.
* ``Languages``: which language a member or a room reads.
* ``Publish``: announce a domain event (a poll closed, a trigger fired) to whoever subscribed.
* ``Conn``, ``Reader``, ``Writer``: the database, read as committed and changed through the
  single writer (see bot/storage/writer.py).
* ``Transport``: what each platform adapter provides; ``Core``: what an adapter sees of the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from bot.kernel.effects import Delivered, Effect
from bot.kernel.events import Event, Joined, Left
from bot.kernel.language import Speech

T = TypeVar("T")

Sender = Callable[[Effect], Awaitable[Delivered | None]]
Publish = Callable[[object], Awaitable[None]]


class DeliveryRefused(Exception):
    """The platform will never accept this message (blocked bot, unknown chat): do not retry."""


class NoRightToSend(DeliveryRefused):
    """The platform refuses because the bot may not post in the chat now (no longer an
    administrator in a group where only administrators write, restricted): not worth a retry,
    but what was refused so is sent again once the bot regains the right (``Core.may_post_again``)."""


class PlatformDown(Exception):
    """The platform itself cannot take messages now (unreachable, timing out, failing with a
    5xx, the account's login lapsed): not this chat's trouble but every chat's there, so the
    outbox rests the whole platform rather than try each chat in turn. Any other failure worth
    a retry (not a refusal for good, not a 429) concerns the chat it was sent to: only that
    chat waits. A builtin ``OSError`` or ``TimeoutError`` (or one in its causes) counts as this."""


class PartlyDelivered(Exception):
    """A text sent in parts failed after its first PARTS (counted from its very first part, not
    from ``from_part``) were delivered; CAUSE is the failure, to be judged as if raised alone (a
    refusal for good, or trouble worth a retry). Whoever retries resumes with ``from_part=PARTS``,
    so no reader sees the earlier parts twice."""

    def __init__(self, parts: int, cause: Exception) -> None:
        super().__init__(f"{parts} parts delivered, then: {cause}")
        self.parts = parts
        self.cause = cause


class Transport(Protocol):
    """One chat platform, as its adapter presents it to the core."""

    platform: str
    prefixes: tuple[str, ...]
    bot_username: str | None
    edit_interval: float  # seconds to wait between edits of one message (rate limits)
    # An adapter that takes SendFile says so with ``files = True``; one that does not (yet) has
    # a text file sent as messages instead (bot/app/transports.py).
    # A transport may also have ``connected: bool`` (whether its platform answers now), which
    # /healthz reports; one without it is reported as not saying. One that can send only while
    # this process runs its account (Matrix, with several processes) says so with ``sending``.
    # One whose room ids mean nothing to members (Matrix's ``!abc:server``) shows a room with
    # ``room_link(room) -> Markup`` (its name and a link members can follow).

    async def deliver(self, effect: Effect) -> Delivered | None: ...

    async def is_admin(self, actor_id: str, room_id: str) -> bool: ...

    async def is_member(self, actor_id: str, room_id: str) -> bool: ...


class Directory(Protocol):
    """Who is who in the rooms the bot serves."""

    async def is_organiser(self, actor_id: str, room_id: str) -> bool: ...

    async def is_member(self, actor_id: str, room_id: str) -> bool: ...

    def edit_interval(self, room_id: str) -> float: ...


class Languages(Protocol):
    """Which language each reader reads (bot/features/language)."""

    async def speech_for(self, target: str, room: str | None = None) -> Speech:
        """The language to write in to TARGET, a member's or a room's id; for a member with no
        language of their own, that of ROOM (the room the message is about) if given."""
        ...


class Conn(Protocol):
    """A database connection as the stores use it: the reader, or the writer's inside a change."""

    def execute(self, sql: str, parameters: Any = ...) -> Any: ...

    async def execute_fetchall(self, sql: str, parameters: Any = ...) -> Sequence[Any]: ...

    async def executemany(self, sql: str, parameters: Any) -> Any: ...


Reader = Conn
"""The read side: sees only committed state."""

Op = Callable[[Any], Awaitable[T]]
"""A change: run by the writer inside its transaction, with the writer's connection."""


class Writer(Protocol):
    """The one way to change the database (bot/storage/writer.py)."""

    async def run(
        self, fn: Callable[[Any], Awaitable[T]], event_id: str | None = None, *, secret: bool = False
    ) -> T: ...

    async def vote(self, item: Any) -> str | None: ...

    async def has_seen(self, event_id: str) -> bool: ...

    async def forget_before(self, cutoff: str) -> int: ...


class Vacuum(Protocol):
    """Frees the old versions of changed and deleted rows of some tables now (the database's
    ``vacuum``); FULL rewrites the tables, so those versions' bytes leave their files too."""

    async def __call__(self, tables: Sequence[str], *, full: bool = False) -> None: ...


@dataclass
class MatrixSaved:
    """What the Matrix adapter keeps across restarts."""

    next_batch: str | None = None
    device_id: str | None = None
    direct_rooms: dict[str, str] = field(default_factory=dict)


class Lease(Protocol):
    """Something that runs in one process at a time when several share the database
    (bot/storage/leases.py): taken and renewed with ``hold``, lost if not renewed in time."""

    name: str
    ttl: timedelta

    @property
    def held(self) -> bool: ...

    async def hold(self) -> bool: ...

    async def release(self) -> None: ...


class MatrixStore(Protocol):
    shared: bool  # other processes may run the account: its keys are kept in the database too
    lease: Lease  # the account's sync runs where this is held
    sealing_key: bytes  # what the encryption store is sealed with in the database

    async def load(self) -> MatrixSaved: ...

    async def save_token(self, next_batch: str, keys: tuple[str, str] | None = None) -> bool: ...

    async def crypto_store(self, device_id: str) -> str | None: ...

    async def save_device(self, device_id: str) -> None: ...

    async def save_direct_room(self, user_id: str, room_id: str) -> None: ...

    async def save_poll_responses(self, responses: Sequence[tuple[str, str, str]]) -> None: ...

    async def poll_response(self, event_id: str) -> tuple[str, str] | None: ...

    async def noticed(self, event_id: str) -> bool: ...

    async def save_notice(self, event_id: str) -> None: ...

    async def save_unread(self, events: Sequence[tuple[str, str, str]]) -> None: ...

    async def read_at_last(self, event_ids: Sequence[str]) -> None: ...

    async def unread(self) -> list[tuple[str, str, str]]: ...


class Core(Protocol):
    """What a platform adapter sees of the bot: where to hand events, the command menu, and
    the store for its own state."""

    async def handle(self, event: Event) -> None: ...

    async def move_room(self, old: str, new: str) -> bool:
        """Room OLD now has the id NEW (a group upgraded, a room replaced): everything stored
        of it moves there in one transaction; False if that move was made before."""
        ...

    async def joined(self, event: Joined) -> None:
        """Someone joined a group (see ``Joined``); never raises for a join nobody needs."""
        ...

    async def left(self, event: Left) -> None:
        """Someone left a group (see ``Left``); never raises for a leave nobody needs."""
        ...

    def menu(self, where: str = "any", language: str | None = None) -> list[tuple[str, str]]: ...

    def menu_languages(self) -> tuple[str, ...]: ...

    async def speaking_to(self, target: str, room: str | None = None) -> AbstractContextManager[Speech]:
        """Write in TARGET's language (a member's or a room's id) inside the block."""
        ...

    def matrix_store(self, account: str) -> MatrixStore: ...

    async def may_post_again(self, room: str) -> None:
        """The bot may post in ROOM again (promoted back, its restriction lifted): what the
        platform refused there for want of that right (``NoRightToSend``) is sent after all."""
        ...

    def can_send(self) -> None:
        """This process can send on a platform it could not send on before (a Matrix account
        taken over from another process): the due work and the outbox, which waited for it, go
        now rather than at the scheduler's next safety tick."""
        ...
