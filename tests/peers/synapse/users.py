"""Acting as a Matrix user in a test: a nio client plus a record of everything it has seen.

Every sync's timeline events are kept per room, so waiting for an event also finds events that
arrived during an earlier sync (for instance one made while waiting for something else). Waits
long-poll the homeserver instead of sleeping, and fail with what was seen instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, AsyncClientConfig, Event, SyncError, SyncResponse

from .registration import Credentials

EventPredicate = Callable[[Event], bool]

# Big enough that a test never meets a "limited" timeline (a gap the helper would not fill).
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 200}}}

_LONG_POLL_MS = 5_000


class EventNotReceived(AssertionError):
    """The awaited event did not arrive in time; the message lists what did arrive."""


def client_config(encrypted: bool = False) -> AsyncClientConfig:
    """Fail loudly on rate limiting, and retry quickly while the homeserver is restarting.
    ENCRYPTED: a client that reads and writes end-to-end encrypted rooms (needs a store)."""
    return AsyncClientConfig(
        encryption_enabled=encrypted,
        store_sync_tokens=False,
        max_limit_exceeded=0,
        max_timeouts=60,
        backoff_factor=0.1,
        max_timeout_retry_wait_time=0.5,
        request_timeout=30,
    )


def event_type(event: Event) -> str:
    """The wire type of any nio event, known to nio or not (``UnknownEvent`` keeps it too)."""
    return str(event.source.get("type", ""))


def of_type(*types: str) -> EventPredicate:
    """A predicate for ``wait_for_event``: any event of one of these wire types."""
    return lambda event: event_type(event) in types


def with_event_id(event_id: str) -> EventPredicate:
    """A predicate for ``wait_for_event``: exactly this event (as another user receives it)."""
    return lambda event: bool(event.source.get("event_id") == event_id)


def notice_from(sender: str, containing: str = "") -> EventPredicate:
    """A predicate for ``wait_for_event``: an ``m.notice`` (how bots answer) from ``sender``."""

    def matches(event: Event) -> bool:
        content = event.source.get("content", {})
        return (
            event_type(event) == "m.room.message"
            and event.source.get("sender") == sender
            and content.get("msgtype") == "m.notice"
            and containing in str(content.get("body", ""))
        )

    return matches


@dataclass
class MatrixUser:
    """A registered account with a logged-in client; close it when done (the fixture does)."""

    credentials: Credentials
    client: AsyncClient
    timelines: dict[str, list[Event]] = field(default_factory=dict)
    invited_rooms: set[str] = field(default_factory=set)

    @classmethod
    def from_credentials(cls, base_url: str, credentials: Credentials, store: str | None = None) -> MatrixUser:
        """Wrap the registration's access token in a client without a second login; with a
        STORE directory, the client has encryption on (its keys are kept there)."""
        client = AsyncClient(base_url, credentials.user_id, device_id=credentials.device_id,
                             store_path=store or "", config=client_config(encrypted=store is not None))
        client.restore_login(credentials.user_id, credentials.device_id, credentials.access_token)
        return cls(credentials=credentials, client=client)

    @property
    def encrypted(self) -> bool:
        return self.client.olm is not None

    async def exchange_keys(self) -> None:
        """What Element does between syncs: upload this device's keys, learn other devices,
        claim one-time keys and send queued room keys."""
        client = self.client
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    @property
    def user_id(self) -> str:
        return self.credentials.user_id

    @property
    def access_token(self) -> str:
        return self.credentials.access_token

    async def close(self) -> None:
        await self.client.close()

    async def sync(self, timeout_ms: int = 0) -> SyncResponse:
        """One sync; ``timeout_ms`` > 0 long-polls until something happens or it elapses."""
        response = await self.client.sync(timeout=timeout_ms, sync_filter=SYNC_FILTER, full_state=False)
        if isinstance(response, SyncError):
            raise AssertionError(f"sync for {self.user_id} failed: {response}")
        self._record(response)
        await self.exchange_keys()
        return response

    def _record(self, response: SyncResponse) -> None:
        for room_id, joined in response.rooms.join.items():
            self.timelines.setdefault(room_id, []).extend(joined.timeline.events)
            self.invited_rooms.discard(room_id)
        for room_id, left in response.rooms.leave.items():
            self.timelines.setdefault(room_id, []).extend(left.timeline.events)
            self.invited_rooms.discard(room_id)
        self.invited_rooms.update(response.rooms.invite)

    def events(self, room_id: str) -> list[Event]:
        """Every timeline event of the room seen so far, oldest first."""
        return list(self.timelines.get(room_id, []))

    def mark(self, room_id: str) -> int:
        """A position in the room's record; pass it as ``start`` to wait only for newer events."""
        return len(self.timelines.get(room_id, []))

    def find_events(self, room_id: str, predicate: EventPredicate, start: int = 0) -> list[Event]:
        return [event for event in self.timelines.get(room_id, [])[start:] if predicate(event)]

    async def wait_for_events(
        self,
        room_id: str,
        predicate: EventPredicate,
        count: int,
        *,
        within: float = 30.0,
        start: int = 0,
    ) -> list[Event]:
        """Sync until ``count`` matching events (from position ``start``) are seen; return them."""
        try:
            async with asyncio.timeout(within):
                while len(found := self.find_events(room_id, predicate, start)) < count:
                    await self.sync(_LONG_POLL_MS)
                return found[:count]
        except TimeoutError:
            seen = _describe(self.timelines.get(room_id, [])[start:])
            raise EventNotReceived(
                f"{self.user_id} saw {len(self.find_events(room_id, predicate, start))} of "
                f"{count} matching events in {room_id} within {within}s; saw: {seen}"
            ) from None

    async def wait_for_event(
        self,
        room_id: str,
        predicate: EventPredicate,
        *,
        within: float = 30.0,
        start: int = 0,
    ) -> Event:
        """Sync until an event matching ``predicate`` (from position ``start``) is seen.

        ``within`` seconds is generous by default: on two busy cores Synapse can be slow.
        """
        found = await self.wait_for_events(room_id, predicate, 1, within=within, start=start)
        return found[0]

    async def wait_for_invite(self, room_id: str | None = None, *, within: float = 30.0) -> str:
        """Sync until invited to ``room_id`` (or to any room); return the room id."""
        try:
            async with asyncio.timeout(within):
                while True:
                    pending = self.invited_rooms if room_id is None else {room_id}
                    ready = sorted(pending & self.invited_rooms)
                    if ready:
                        return ready[0]
                    await self.sync(_LONG_POLL_MS)
        except TimeoutError:
            raise EventNotReceived(
                f"{self.user_id} got no invite to {room_id or 'any room'} within {within}s"
            ) from None


def _describe(events: Iterable[Event]) -> str:
    return ", ".join(f"{event_type(e)} from {e.source.get('sender')}" for e in events) or "nothing"
