"""Reading a native poll's responses back from the homeserver, after a restart.

The relations of a poll's start event are every response not redacted (the homeserver drops a
redacted event from its relations), so they rebuild what ``responses.PollResponses`` knew. Read
once per poll and run, the first time a response concerns a poll the bot has not seen since it
started, and only for the bot's own polls. If the homeserver fails to answer (rate limited,
or down behind its proxy), that is ``Unavailable``: the adapter holds what concerns the poll and
asks again later, rather than count it against part of a history.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any
from urllib.parse import quote, urlencode

from nio import AsyncClient, Event, MegolmEvent

from adapters.matrix.content import answer_index, poll_shape, selections
from adapters.matrix.responses import PollResponses, Response
from adapters.matrix.sending import NETWORK_ERRORS, MatrixSendError, Sender

log = logging.getLogger(__name__)

PAGE = 100
FOREIGN_KEPT = 10_000
"""Polls remembered as someone else's: past that, the least recently answered is forgotten, and
an answer to it asks the homeserver once more who started it (a request, never a wrong count).
Anyone may start polls in a room, as many as they like: unbounded, they would fill the memory."""


class Unavailable(MatrixSendError):
    """The homeserver gave no answer about an event now (rate limited, failing, unreachable):
    not an answer about it, so ask again later. RETRY_AFTER: seconds it asked to wait, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PollHistory:
    def __init__(self, client: AsyncClient, sender: Sender, responses: PollResponses, bot_user_id: str) -> None:
        self.client = client
        self.sender = sender
        self.responses = responses
        self.bot_user_id = bot_user_id
        self._foreign: OrderedDict[str, None] = OrderedDict()  # polls someone else started, least recent first
        self.foreign_kept = FOREIGN_KEPT

    async def load(self, room_id: str, ref: str) -> bool:
        """Whether REF is a poll of the bot's, its history read if need be."""
        if self.responses.known(ref):
            return True
        if ref in self._foreign:
            self._foreign.move_to_end(ref)
            return False
        start = ref.split("|", 1)[1]
        origin = await self.event(room_id, start)
        if origin is None or origin.get("sender") != self.bot_user_id:
            self._foreign[ref] = None
            while len(self._foreign) > self.foreign_kept:
                self._foreign.popitem(last=False)
            return False
        shape = poll_shape(origin.get("content") or {})
        if shape is not None:
            self.responses.shape(ref, *shape)
        count = 0
        for source in await self._relations(room_id, start):
            chosen = selections(str(source.get("type", "")), source.get("content") or {})
            sender, event_id = source.get("sender"), source.get("event_id")
            if chosen is None or not isinstance(sender, str) or not isinstance(event_id, str):
                continue
            options = self.responses.read(ref, tuple(dict.fromkeys(answer_index(a) for a in chosen)))
            self.responses.add(ref, sender, Response(int(source.get("origin_server_ts") or 0), event_id, options))
            count += 1
        self.responses.start(ref)
        log.info("read %d earlier responses of a poll", count)
        return True

    async def event(self, room_id: str, event_id: str) -> dict[str, Any] | None:
        """One event of ROOM_ID as the bot reads it (decrypted); None if the homeserver does
        not give it (unknown, or not visible to the bot) or it cannot be decrypted."""
        raw = await self._get(f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/event/{quote(event_id, safe='')}")
        return None if raw is None else self._readable(room_id, raw)

    async def _relations(self, room_id: str, start: str) -> list[dict[str, Any]]:
        base = (f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}/relations/"
                f"{quote(start, safe='')}/m.reference")
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            query = {"limit": PAGE, **({"from": token} if token else {})}
            page = await self._get(f"{base}?{urlencode(query)}")
            if page is None:
                break
            for raw in page.get("chunk") or []:
                source = self._readable(room_id, raw)
                if source is not None:
                    found.append(source)
            token = page.get("next_batch")
            if not token:
                break
        return found

    def _readable(self, room_id: str, raw: dict[str, Any]) -> dict[str, Any] | None:
        """RAW as the bot reads it: decrypted if it was encrypted (None if it cannot be)."""
        if raw.get("type") != "m.room.encrypted":
            return raw
        event = Event.parse_event(raw)
        if not isinstance(event, MegolmEvent) or self.client.olm is None:
            return None
        event.room_id = room_id
        try:
            decrypted = self.client.decrypt_event(event)
        except Exception:  # no key for it: as if it were not there
            return None
        return dict(getattr(decrypted, "source", None) or {}) or None

    async def _get(self, path: str) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        try:
            response = await self.client.send("GET", path, headers=headers)
            async with response:
                if response.status == 429 or response.status >= 500:
                    # Not an answer about the poll: taken as one, the bot's own poll would pass
                    # for someone else's (or its history for shorter than it is) until a restart.
                    raise Unavailable(f"the homeserver answered {response.status}",
                                      await _retry_after(response) if response.status == 429 else None)
                if response.status != 200:
                    log.warning("reading a poll's history: the homeserver answered %s", response.status)
                    return None
                body = await response.json()
        except NETWORK_ERRORS as e:
            raise Unavailable(f"the homeserver could not be reached: {type(e).__name__}") from e
        return body if isinstance(body, dict) else None


async def _retry_after(response: Any) -> float | None:
    """The wait a 429 asks for, in seconds (``retry_after_ms``, the Matrix way), if it says."""
    try:
        body = await response.json(content_type=None)
    except (ValueError, *NETWORK_ERRORS):
        return None
    wait = body.get("retry_after_ms") if isinstance(body, dict) else None
    return wait / 1000 if isinstance(wait, int | float) and not isinstance(wait, bool) and wait > 0 else None
