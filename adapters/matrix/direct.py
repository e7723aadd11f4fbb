"""Direct-message rooms: where the bot writes to one person (secret ballots, private notes).

The bot reuses the room it last used with a person (kept in the database), or one the person
opened with it (the ``is_direct`` invite, or the bot's ``m.direct`` account data), as long as
nobody else is in it; otherwise it opens a new direct room and invites the person.

Rooms the bot opens are end-to-end encrypted from their first event, as Element's are. The bot
lists its direct rooms in its ``m.direct`` account data, as clients do, so that after losing its
database it finds them again instead of opening new ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import quote

from nio import AsyncClient, RoomCreateResponse, RoomPreset

from adapters.matrix.crypto import ENCRYPTION_STATE, note_new_room
from adapters.matrix.rooms import Rooms
from adapters.matrix.sending import NETWORK_ERRORS, MatrixSendError, Sender
from bot.kernel.ports import MatrixStore

log = logging.getLogger(__name__)


class DirectRooms:
    def __init__(self, client: AsyncClient, sender: Sender, rooms: Rooms, state: MatrixStore) -> None:
        self.client = client
        self.sender = sender
        self.rooms = rooms
        self.state = state
        self.known: dict[str, str] = {}
        self._m_direct: dict[str, list[str]] = {}
        self._fresh: set[str] = set()  # created by us, not yet seen in a sync
        self._locks: dict[str, asyncio.Lock] = {}

    def load(self, saved: dict[str, str]) -> None:
        self.known.update(saved)

    def note_account_data(self, event_type: str, content: dict[str, Any]) -> None:
        if event_type == "m.direct":
            self._m_direct = {
                user: [r for r in rooms if isinstance(r, str)]
                for user, rooms in content.items()
                if isinstance(rooms, list)
            }

    async def remember(self, user_id: str, room_id: str, *, just_joined: bool = False) -> None:
        """A person opened a direct room with the bot: use it for them from now on (even before
        the sync that shows the bot in it, if it JUST_JOINED)."""
        if just_joined:
            self._fresh.add(room_id)
        if self.known.get(user_id) != room_id:
            self.known[user_id] = room_id
            await self.state.save_direct_room(user_id, room_id)
        if room_id not in self._m_direct.get(user_id, []):
            await self._list_in_m_direct(user_id, room_id)

    async def _list_in_m_direct(self, user_id: str, room_id: str) -> None:
        """Add ROOM_ID to the bot's ``m.direct`` account data (the whole map is written, as the
        specification asks; a failure is logged: the database still knows the room)."""
        listed = {user: list(rooms) for user, rooms in self._m_direct.items()}
        listed.setdefault(user_id, []).append(room_id)
        path = f"/_matrix/client/v3/user/{quote(self.rooms.bot_user_id, safe='')}/account_data/m.direct"
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        try:
            response = await self.client.send("PUT", path, json.dumps(listed), headers=headers)
            ok = response.status == 200
            response.release()
        except NETWORK_ERRORS as e:
            ok = False
            log.warning("could not update m.direct (%s)", type(e).__name__)
        if ok:
            self._m_direct = listed
        else:
            log.warning("the homeserver did not take the bot's m.direct list")

    def _usable(self, room_id: str, user_id: str) -> bool:
        members = self.rooms.members(room_id)
        if members is None:
            return room_id in self._fresh
        self._fresh.discard(room_id)
        return user_id in members and members <= {self.rooms.bot_user_id, user_id} and self.rooms.is_closed(room_id)

    async def room_for(self, user_id: str) -> str:
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            candidates = [self.known.get(user_id), *reversed(self._m_direct.get(user_id, []))]
            for room_id in candidates:
                if room_id and self._usable(room_id, user_id):
                    await self.remember(user_id, room_id)
                    return room_id
            response = await self.sender.call(
                lambda: self.client.room_create(
                    is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
                    initial_state=[ENCRYPTION_STATE],
                ),
                f"open a direct room with {user_id}",
            )
            if not isinstance(response, RoomCreateResponse):
                raise MatrixSendError(f"could not open a direct room with {user_id}: {response}")
            room_id = str(response.room_id)
            self._fresh.add(room_id)
            note_new_room(self.client, room_id, self.rooms.bot_user_id, {user_id: True}, encrypted=True)
            await self.remember(user_id, room_id)
            log.info("opened a direct room")  # never whose: logs name nobody
            return room_id
