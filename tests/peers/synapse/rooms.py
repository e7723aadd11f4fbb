"""Room chores a test performs as a user: create, invite, join, power levels, direct rooms.

Each helper raises with the homeserver's error instead of returning it, so a broken setup step
fails at the line that caused it rather than as a puzzling assertion later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from nio import (
    ErrorResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPreset,
    RoomPutStateResponse,
    RoomSendResponse,
)

from .users import MatrixUser

ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def _fail(action: str, user: MatrixUser, response: object) -> AssertionError:
    return AssertionError(f"{user.user_id} could not {action}: {response}")


async def create_room(
    user: MatrixUser,
    *,
    name: str | None = None,
    invite: Iterable[MatrixUser | str] = (),
    power_levels: dict[str, int] | None = None,
    is_direct: bool = False,
    preset: RoomPreset = RoomPreset.private_chat,
    room_version: str | None = None,
    encrypted: bool = False,
) -> str:
    """Create a room as ``user`` and return its id (end-to-end ENCRYPTED from its first event
    if asked, as Element makes direct chats).

    ``power_levels`` maps user ids to levels applied at creation, so a test can make an
    organiser without an extra state event. The creator is listed at 100 for room versions
    before 12; from version 12 on (Synapse's default) creators outrank every level and Synapse
    refuses to list them, so their power shows only in the ``m.room.create`` event.
    """
    override = None
    if power_levels:
        version = room_version or await default_room_version(user)
        creator = {} if creators_outrank_power_levels(version) else {user.user_id: 100}
        override = {"users": {**creator, **power_levels}}
    response = await user.client.room_create(
        name=name,
        invite=[_user_id(who) for who in invite],
        is_direct=is_direct,
        preset=preset,
        power_level_override=override,
        room_version=room_version,
        initial_state=[ENCRYPTION_STATE] if encrypted else [],
    )
    if not isinstance(response, RoomCreateResponse):
        raise _fail("create a room", user, response)
    return str(response.room_id)


def creators_outrank_power_levels(room_version: str) -> bool:
    """Whether the room version gives creators unlimited power (MSC4289, version 12 on)."""
    if room_version.startswith("org.matrix.hydra."):
        return True
    return room_version.isdigit() and int(room_version) >= 12


async def default_room_version(user: MatrixUser) -> str:
    """The version the homeserver gives new rooms, from its advertised capabilities."""
    headers = {"Authorization": f"Bearer {user.access_token}"}
    async with await user.client.send("GET", "/_matrix/client/v3/capabilities", headers=headers) as response:
        body = await response.json()
    return str(body["capabilities"]["m.room_versions"]["default"])


async def invite(user: MatrixUser, room_id: str, invitee: MatrixUser | str) -> None:
    response = await user.client.room_invite(room_id, _user_id(invitee))
    if isinstance(response, ErrorResponse):
        raise _fail(f"invite {_user_id(invitee)} to {room_id}", user, response)


async def join(user: MatrixUser, room_id: str, *, wait_for_invite: bool = True) -> None:
    """Join a room, first waiting (by syncing) for the invite as a real client would."""
    if wait_for_invite:
        await user.wait_for_invite(room_id)
    response = await user.client.join(room_id)
    if isinstance(response, ErrorResponse):
        raise _fail(f"join {room_id}", user, response)
    user.invited_rooms.discard(room_id)


async def leave(user: MatrixUser, room_id: str) -> None:
    """Leave a room (a member event "leave" after "join"); the member may join it again, if its
    join rules let them (or once invited again)."""
    response = await user.client.room_leave(room_id)
    if isinstance(response, ErrorResponse):
        raise _fail(f"leave {room_id}", user, response)


async def get_power_levels(user: MatrixUser, room_id: str) -> dict[str, Any]:
    """The room's ``m.room.power_levels`` content as the homeserver holds it."""
    response = await user.client.room_get_state_event(room_id, "m.room.power_levels")
    if not isinstance(response, RoomGetStateEventResponse):
        raise _fail(f"read power levels of {room_id}", user, response)
    return dict(response.content)


async def set_power_level(user: MatrixUser, room_id: str, target: MatrixUser | str, level: int) -> None:
    """Give ``target`` the power ``level`` in the room (``user`` must be allowed to)."""
    content = await get_power_levels(user, room_id)
    content["users"] = {**content.get("users", {}), _user_id(target): level}
    response = await user.client.room_put_state(room_id, "m.room.power_levels", content)
    if not isinstance(response, RoomPutStateResponse):
        raise _fail(f"set power levels in {room_id}", user, response)


async def set_power_levels(user: MatrixUser, room_id: str, **levels: Any) -> None:
    """Change the room's power levels other than users' (``events_default=50``, ``events={…}``),
    as Element's "Roles & Permissions" does: the rest of the event is kept (``user`` must be
    allowed to)."""
    content = await get_power_levels(user, room_id)
    content.update(levels)
    response = await user.client.room_put_state(room_id, "m.room.power_levels", content)
    if not isinstance(response, RoomPutStateResponse):
        raise _fail(f"set power levels in {room_id}", user, response)


async def send_text(user: MatrixUser, room_id: str, body: str) -> str:
    """Send an ``m.text`` message (how a member types a command); return its event id."""
    return await send_event(user, room_id, "m.room.message", {"msgtype": "m.text", "body": body})


async def send_event(user: MatrixUser, room_id: str, event_type: str, content: dict[str, Any]) -> str:
    """Send any message event; return its event id. In an encrypted room it is encrypted for
    every member's device, verified or not, as Element does by default."""
    if user.encrypted and room_id not in user.client.rooms:
        await user.sync()  # a client with encryption on sends only to rooms it has seen
    response = await user.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)
    if not isinstance(response, RoomSendResponse):
        raise _fail(f"send {event_type} to {room_id}", user, response)
    return str(response.event_id)


async def open_direct_room(user: MatrixUser, other: MatrixUser | str, *, encrypted: bool = False) -> str:
    """Open a direct-message room with ``other`` the way Element does; return its id.

    Besides ``is_direct`` on the invite, Element records the room in the creator's ``m.direct``
    account data; a bot that tells direct rooms apart may look at either. In room version 12
    the trusted private chat preset makes the invitee an additional creator as well.
    """
    other_id = _user_id(other)
    room_id = await create_room(user, invite=[other_id], is_direct=True, preset=RoomPreset.trusted_private_chat,
                                encrypted=encrypted)
    await _add_to_m_direct(user, other_id, room_id)
    return room_id


async def _add_to_m_direct(user: MatrixUser, other_id: str, room_id: str) -> None:
    # nio can read m.direct but not write it, so this one request is made by hand.
    path = f"/_matrix/client/v3/user/{quote(user.user_id, safe='')}/account_data/m.direct"
    headers = {"Authorization": f"Bearer {user.access_token}"}
    async with await user.client.send("GET", path, headers=headers) as response:
        current: dict[str, list[str]] = await response.json() if response.status == 200 else {}
    current[other_id] = [*current.get(other_id, []), room_id]
    body = json.dumps(current)
    headers["Content-Type"] = "application/json"
    async with await user.client.send("PUT", path, body, headers=headers) as response:
        if response.status != 200:
            raise _fail("record the direct room", user, await response.text())


def _user_id(who: MatrixUser | str) -> str:
    return who if isinstance(who, str) else who.user_id


async def upgrade_room(user: MatrixUser, room_id: str, new_version: str | None = None) -> str:
    """Upgrade the room as Element's "upgrade room" does (Synapse's ``/upgrade`` endpoint: a
    new room whose creation names the old one, and a tombstone in the old one pointing to it);
    return the replacement's id. Nobody is moved: as Element offers, invite them afterwards."""
    version = new_version or await default_room_version(user)
    path = f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/upgrade"
    headers = {"Authorization": f"Bearer {user.access_token}", "Content-Type": "application/json"}
    async with await user.client.send("POST", path, json.dumps({"new_version": version}), headers=headers) as response:
        body = await response.json()
        if response.status != 200:
            raise _fail(f"upgrade {room_id}", user, body)
    return str(body["replacement_room"])


async def download(user: MatrixUser, mxc: str) -> bytes:
    """The bytes of an upload, fetched as a client does since authenticated media (the
    ``/_matrix/client/v1/media`` path, with the user's token)."""
    assert mxc.startswith("mxc://"), mxc
    server, media_id = mxc[len("mxc://"):].split("/", 1)
    path = f"/_matrix/client/v1/media/download/{quote(server, safe='')}/{quote(media_id, safe='')}"
    headers = {"Authorization": f"Bearer {user.access_token}"}
    async with await user.client.send("GET", path, headers=headers) as response:
        if response.status != 200:
            raise _fail(f"download {mxc}", user, await response.text())
        return bytes(await response.read())
