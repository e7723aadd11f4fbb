"""Sending events reliably: retried on rate limiting and on lost connections, never twice.

Each event gets one transaction id, reused on every retry: if the homeserver stored the event
but the answer was lost, the retry returns the same event instead of posting a duplicate.

A delivery is retried briefly (BRIEF: a few tries over seconds) and then given up as ``GaveUp``:
the outbox waits a longer outage out itself, holding back only that chat's later messages, so
none of its senders is tied up meanwhile. What the adapter does for itself, which nothing else
would try again (joining a room it was invited to, reading the events a sync left out), asks
to be ``patient``. A refusal the same request would get again (``MatrixSendError.for_good``: a
4xx other than a rate limit or a lapsed login) is raised at once, and the transport turns it
into ``DeliveryRefused``, so the outbox gives that message up and the chat's next one goes.
"""

from __future__ import annotations

import asyncio
import io
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from nio import AsyncClient, ErrorResponse, RoomRedactResponse, RoomSendResponse, UploadResponse

from bot.kernel.ports import PlatformDown

log = logging.getLogger(__name__)
T = TypeVar("T")

NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError, OSError)

BRIEF = 10.0
"""Seconds a delivery is retried before it is left to the outbox's backoff (tries after 0.5, 1,
2 and 4 seconds): a blip is bridged, an outage is not waited out here."""

PATIENT = 600.0
"""Seconds the adapter's own work (a join, the events a sync left out) is retried."""

RETRIED_CLIENT_ERRORS = frozenset({401, 408, 429})
"""4xx statuses that asking again can cure: a login that lapsed (the adapter logs in again), a
request timeout, a rate limit."""

RETRIED_CODES = frozenset({"M_LIMIT_EXCEEDED", "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"})


class MatrixSendError(RuntimeError):
    """The homeserver refused an event for good (not a rate limit, not an outage). ``reason``
    is what the homeserver said, in its words ("Invalid username or password")."""

    def __init__(self, message: str, reason: str = "", code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        self.code = code
        self.status = status
        """The HTTP status of the refusal (None: no answer, or not the homeserver's)."""

    @property
    def for_good(self) -> bool:
        """The same request will be refused again, however often it is sent: forbidden, or a
        client error (too large, malformed, a room that no longer exists). Not a rate limit, a
        lapsed login, a server error or an outage, which time cures."""
        if self.forbidden:
            return True
        if self.status is None or not 400 <= self.status < 500:
            return False
        return self.status not in RETRIED_CLIENT_ERRORS and self.code not in RETRIED_CODES

    @property
    def forbidden(self) -> bool:
        """The bot may not do this here (kicked, banned, not allowed to post): asking again will
        not change that, only an organiser can."""
        return self.code == "M_FORBIDDEN"


def reason_of(response: ErrorResponse) -> str:
    """What a refusal says, without the class name and error code around it."""
    return str(getattr(response, "message", "") or response.status_code or response)


class GaveUp(MatrixSendError, PlatformDown):
    """Retried for too long: the homeserver is unreachable or keeps failing, or asked the bot to
    wait longer than the retry allows (``retry_after``, seconds, for the outbox to honour: a
    429, which rests no platform). Either way the homeserver's, not one room's: ``PlatformDown``."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def for_good(self) -> bool:
        return False


class Backoff:
    """Exponential waits with jitter, capped; reset after a success."""

    def __init__(self, first: float = 0.5, cap: float = 30.0) -> None:
        self.first = first
        self.cap = cap
        self.failures = 0

    def next(self) -> float:
        self.failures += 1
        wait = min(self.cap, self.first * 2 ** (self.failures - 1))
        return wait * random.uniform(0.8, 1.0)

    def reset(self) -> None:
        self.failures = 0


def status_of(response: ErrorResponse) -> int | None:
    """The HTTP status the refusal came with, if it came over HTTP."""
    status = getattr(response.transport_response, "status", None)
    return status if isinstance(status, int) else None


def retry_after(response: ErrorResponse) -> float | None:
    """Seconds to wait before retrying RESPONSE, or None if retrying cannot help."""
    status = status_of(response)
    if response.status_code == "M_LIMIT_EXCEEDED" or status == 429:
        return (response.retry_after_ms or 1000) / 1000
    if status is not None and status >= 500:
        return 0.0  # the caller's backoff decides
    return None


class Sender:
    def __init__(self, client: AsyncClient, brief: float = BRIEF, patient: float = PATIENT,
                 max_backoff: float = 30.0) -> None:
        self.client = client
        self.brief = brief
        self.patient = patient
        self.max_backoff = max_backoff
        self.allowed: Callable[[], bool] = lambda: True
        """Whether this process may act as the account now (it runs its sync; the adapter sets it)."""

    async def send(self, room_id: str, event_type: str, content: dict[str, Any], tx_id: str | None = None) -> str:
        """Send one event and return its event id once the homeserver has it. TX_ID: the same
        one on every send of the same event, across restarts too (the homeserver returns the
        event it already has for it); a new one if None."""
        tx_id = tx_id or uuid.uuid4().hex
        if self.client.olm is not None and room_id not in self.client.rooms:
            # nio encrypts only for rooms it knows, and it knows every room the bot is in
            # (those it just joined or opened too): the bot has left this one, or was removed.
            raise MatrixSendError(f"could not send {event_type} to {room_id}: the bot is not in it",
                                  "the bot is not in the room", "M_FORBIDDEN")

        async def attempt() -> RoomSendResponse | ErrorResponse:
            # Trust on first use: in an encrypted room every member's device gets the room key.
            return await self.client.room_send(room_id, event_type, content, tx_id=tx_id,
                                               ignore_unverified_devices=True)

        response = await self.call(attempt, f"send {event_type} to {room_id}")
        assert isinstance(response, RoomSendResponse)
        return str(response.event_id)

    async def redact(self, room_id: str, event_id: str) -> None:
        """Redact EVENT_ID (its content is stripped for everyone), with one transaction id for
        every retry. The homeserver refuses (M_FORBIDDEN) another's event unless the bot's power
        level reaches the room's ``redact`` level."""
        tx_id = uuid.uuid4().hex

        async def attempt() -> RoomRedactResponse | ErrorResponse:
            return await self.client.room_redact(room_id, event_id, tx_id=tx_id)

        await self.call(attempt, f"redact {event_id} in {room_id}")

    async def upload(self, data: bytes, content_type: str, filename: str) -> str:
        """Put DATA into the content repository; return its ``mxc://`` address. A retry after a
        lost answer may store a second copy, which nobody links to: harmless."""

        async def attempt() -> UploadResponse | ErrorResponse:
            response, _ = await self.client.upload(lambda *_: io.BytesIO(data), content_type=content_type,
                                                   filename=filename, filesize=len(data))
            return response

        response = await self.call(attempt, f"upload {filename}")
        assert isinstance(response, UploadResponse)
        return str(response.content_uri)

    async def call(self, request: Callable[[], Awaitable[T]], what: str, *, patient: bool = False) -> T:
        """Run REQUEST until it succeeds, waiting out rate limits and blips (outages too, if
        PATIENT); raise MatrixSendError on a refusal, GaveUp when it takes too long."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.patient if patient else self.brief)
        backoff = Backoff(cap=self.max_backoff)
        while True:
            if not self.allowed():
                raise MatrixSendError(f"could not {what}: another process runs this Matrix account now",
                                      "another process runs this Matrix account now")
            try:
                response = await request()
            except NETWORK_ERRORS as e:
                wait = backoff.next()
                log.warning("could not %s (%s); retrying in %.1fs", what, type(e).__name__, wait)
            else:
                if not isinstance(response, ErrorResponse):
                    return response
                wait_for = retry_after(response)
                if wait_for is None:
                    raise MatrixSendError(f"could not {what}: {response}", reason_of(response),
                                          str(response.status_code or ""), status_of(response))
                if wait_for and loop.time() + wait_for > deadline:  # asked to wait longer: the outbox will
                    raise GaveUp(f"gave up trying to {what}: asked to wait {wait_for:.1f}s", wait_for)
                wait = wait_for or backoff.next()
                log.warning("could not %s (%s); retrying in %.1fs", what, response, wait)
            if loop.time() + wait > deadline:
                raise GaveUp(f"gave up trying to {what}")
            await asyncio.sleep(wait)
