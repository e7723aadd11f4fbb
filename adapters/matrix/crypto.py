"""End-to-end encryption: the bot's device keys, its Olm and Megolm sessions, and what it does
when a message cannot be decrypted.

Element creates encrypted direct chats by default (Element X only encrypted ones), and secret and
ranked ballots are cast in direct chats, so a bot that cannot read them loses those votes without
a word. matrix-nio (with vodozemac) decrypts what it can during each sync and encrypts what the
bot sends to an encrypted room; this module keeps its keys moving between syncs.

Trust is on first use: the bot shares its room keys with every device of every member (verified
or not) and accepts room keys from any of their devices. Verifying devices interactively is not
something an unattended bot can do; a member who distrusts a device should remove it.

The keys live in a store beside the database (``matrix.store``): losing it means the bot starts
a new device with new sessions, and messages encrypted for the old device can no longer be read.
"""

from __future__ import annotations

import logging
from pathlib import Path

from nio import AsyncClient, ErrorResponse, MatrixRoom, MegolmEvent

from adapters.matrix.sending import NETWORK_ERRORS

log = logging.getLogger(__name__)

MEGOLM = "m.megolm.v1.aes-sha2"
ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
"""The initial state that makes a new room encrypted from its first event."""


def prepare_store(path: Path) -> Path:
    """The store's directory, made if missing and readable by the bot's user alone (it holds
    the keys that decrypt every encrypted chat the bot is in)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def store_file(path: Path, user_id: str, device_id: str) -> Path:
    """The file matrix-nio keeps one device's keys in."""
    return path / f"{user_id}_{device_id}.db"


async def exchange_keys(client: AsyncClient) -> None:
    """Upload the bot's keys, learn members' new devices and claim one-time keys for new Olm
    sessions, then send the queued to-device messages (room keys). Failures are logged and
    tried again after the next sync: nothing here is lost by waiting."""
    if client.olm is None:
        return
    try:
        if client.should_upload_keys:
            _check(await client.keys_upload(), "upload the device keys")
        if client.should_query_keys:
            _check(await client.keys_query(), "query members' device keys")
        if client.should_claim_keys:
            _check(await client.keys_claim(client.get_users_for_key_claiming()), "claim one-time keys")
        await client.send_to_device_messages()
    except NETWORK_ERRORS as e:
        log.warning("could not exchange encryption keys (%s); trying again after the next sync", type(e).__name__)


def _check(response: object, what: str) -> None:
    if isinstance(response, ErrorResponse):
        log.warning("could not %s: %s", what, response)


def is_undecryptable(event: object) -> bool:
    """An encrypted event nio could not decrypt (it would have replaced it otherwise)."""
    return isinstance(event, MegolmEvent)


def note_new_room(
    client: AsyncClient, room_id: str, bot_user_id: str, others: dict[str, bool], encrypted: bool
) -> None:
    """Make a room the bot just created or joined known to nio before the sync that shows it,
    so the first message can go out at once (encrypted for the devices of OTHERS, a map of user
    id to whether they are only invited): nio refuses to send to a room it has not seen, and
    the sync loop may be busy handling the very event that asked for this room."""
    room = client.rooms.get(room_id)
    if room is None:
        room = MatrixRoom(room_id, bot_user_id, encrypted=encrypted)
        client.rooms[room_id] = room
    room.encrypted = room.encrypted or encrypted
    room.add_member(bot_user_id, None, None)
    for user_id, invited in others.items():
        room.add_member(user_id, None, None, invited=invited)
    if client.olm is not None:
        client.olm.users_for_key_query.update(others)


def is_encrypted(invite_state: list[dict[str, object]]) -> bool:
    """Whether a room is encrypted, from the state shown with an invite to it."""
    return any(e.get("type") == "m.room.encryption" for e in invite_state)
