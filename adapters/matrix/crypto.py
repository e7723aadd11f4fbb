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

With several processes on one database, the account syncs in one of them at a time (a lease),
and whichever takes over must decrypt with the very sessions the last one left: a copy of the
device's keys made earlier would lack the Olm sessions and room keys received since, and would
answer with one-time keys already used. So the holder saves its store into the database with
each sync token (``snapshot``, sealed with AES-GCM under a key derived from the bot's secret,
which the database does not hold) and the next holder puts it in place before logging in.
"""

from __future__ import annotations

import base64
import logging
import os
import sqlite3
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nio import AsyncClient, ErrorResponse, MatrixRoom, MegolmEvent

from adapters.matrix.sending import NETWORK_ERRORS

log = logging.getLogger(__name__)

MEGOLM = "m.megolm.v1.aes-sha2"
ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
"""The initial state that makes a new room encrypted from its first event."""

NONCE = 12  # bytes: AES-GCM's standard nonce


def prepare_store(path: Path) -> Path:
    """The store's directory, made if missing and readable by the bot's user alone (it holds
    the keys that decrypt every encrypted chat the bot is in)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def store_file(path: Path, user_id: str, device_id: str) -> Path:
    """The file matrix-nio keeps one device's keys in."""
    return path / f"{user_id}_{device_id}.db"


STORE_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".db.partial", ".trusted_devices",
                  ".blacklisted_devices", ".ignored_devices")
"""The files matrix-nio (and ``restore``) keep one device's keys and trust in."""


def retire_stores(path: Path, user_id: str, device_id: str) -> list[str]:
    """Remove from the store directory PATH the files of USER_ID's devices other than DEVICE_ID
    (the one in use): a device signed out and replaced, or one the operator moved away from.
    Their Olm and Megolm keys would decrypt past messages for whoever copies the directory,
    and the bot no longer reads with them (the homeserver deleted a signed-out device's keys).
    A file that might be DEVICE_ID's is kept, whatever else it could be. Returns the devices
    whose files were removed."""
    prefix, mine = f"{user_id}_", f"{user_id}_{device_id}."
    removed: set[str] = set()
    try:
        names = [entry.name for entry in path.iterdir()]
    except FileNotFoundError:
        return []
    for name in sorted(names):
        if not name.startswith(prefix) or name.startswith(mine):
            continue
        suffix = next((s for s in STORE_SUFFIXES if name.endswith(s)), None)
        if suffix is None or len(name) == len(prefix) + len(suffix):
            continue
        target = path / name
        if target.is_symlink() or not target.is_file():
            continue  # not a file nio wrote: someone else's
        target.unlink(missing_ok=True)
        removed.add(name[len(prefix):-len(suffix)])
    return sorted(removed)


def snapshot(path: Path) -> bytes | None:
    """The store file PATH as one consistent image (SQLite's backup, whatever nio is doing),
    or None if there is none yet."""
    if not path.exists():
        return None
    source = sqlite3.connect(path)
    image = sqlite3.connect(":memory:")
    try:
        source.backup(image)
        return image.serialize()
    finally:
        image.close()
        source.close()


def restore(path: Path, data: bytes) -> None:
    """Put the store image DATA in place at PATH (before nio opens it), replacing what this
    process kept there from an earlier turn, which is older than the database's."""
    partial = path.with_name(path.name + ".partial")
    image = sqlite3.connect(":memory:")
    try:
        image.deserialize(data)
        if partial.exists():
            partial.unlink()
        target = sqlite3.connect(partial)
        try:
            image.backup(target)
        finally:
            target.close()
    finally:
        image.close()
    partial.chmod(0o600)
    for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    os.replace(partial, path)


def _label(account: str, device_id: str) -> bytes:
    return f"quorum matrix store {account} {device_id}".encode()


def seal(key: bytes, account: str, device_id: str, data: bytes) -> str:
    """DATA compressed and encrypted under KEY (AES-GCM, a random nonce), bound to this account
    and device."""
    nonce = os.urandom(NONCE)
    body = AESGCM(key).encrypt(nonce, zlib.compress(data), _label(account, device_id))
    return base64.b64encode(nonce + body).decode("ascii")


def unseal(key: bytes, account: str, device_id: str, sealed: str) -> bytes:
    """What ``seal`` sealed; ValueError if KEY is not the one it was sealed with (another
    bot.secret) or the text was altered."""
    raw = base64.b64decode(sealed)
    try:
        return zlib.decompress(AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], _label(account, device_id)))
    except InvalidTag as e:
        raise ValueError("the Matrix store does not open with this bot.secret, or was altered") from e


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
