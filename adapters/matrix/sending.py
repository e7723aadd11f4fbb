"""Sending events reliably: retried on rate limiting and on lost connections, never twice.

Each event gets one transaction id, reused on every retry: if the homeserver stored the event
but the answer was lost, the retry returns the same event instead of posting a duplicate.
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

log = logging.getLogger(__name__)
T = TypeVar("T")

NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError, OSError)


class MatrixSendError(RuntimeError):
    """The homeserver refused an event for good (not a rate limit, not an outage). ``reason``
    is what the homeserver said, in its words ("Invalid username or password")."""

    def __init__(self, message: str, reason: str = "", code: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message
        self.code = code

    @property
    def forbidden(self) -> bool:
        """The bot may not do this here (kicked, banned, not allowed to post): asking again will
        not change that, only an organiser can."""
        return self.code == "M_FORBIDDEN"


def reason_of(response: ErrorResponse) -> str:
    """What a refusal says, without the class name and error code around it."""
    return str(getattr(response, "message", "") or response.status_code or response)


class GaveUp(MatrixSendError):
    """Retried for too long: the homeserver is unreachable or keeps failing."""


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


def retry_after(response: ErrorResponse) -> float | None:
    """Seconds to wait before retrying RESPONSE, or None if retrying cannot help."""
    status = getattr(response.transport_response, "status", None)
    if response.status_code == "M_LIMIT_EXCEEDED" or status == 429:
        return (response.retry_after_ms or 1000) / 1000
    if status is not None and status >= 500:
        return 0.0  # the caller's backoff decides
    return None


class Sender:
    def __init__(self, client: AsyncClient, give_up_after: float = 600.0, max_backoff: float = 30.0) -> None:
        self.client = client
        self.give_up_after = give_up_after
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

    async def call(self, request: Callable[[], Awaitable[T]], what: str) -> T:
        """Run REQUEST until it succeeds, waiting out rate limits and outages; raise
        MatrixSendError on a refusal that retrying cannot cure, or when it takes too long."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
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
                                          str(response.status_code or ""))
                wait = wait_for or backoff.next()
                log.warning("could not %s (%s); retrying in %.1fs", what, response, wait)
            if loop.time() + wait > deadline:
                raise GaveUp(f"gave up trying to {what}")
            await asyncio.sleep(wait)
