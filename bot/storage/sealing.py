"""Personal data sealed under a key per supporter, and erasure by destroying that key.

What a supporter gives (a sign-up's name, area and contact, the name and branch on a model-motion
signature, a pool volunteer's name and answers) is stored encrypted with AES-GCM under a data key
of their own, made the first time something of theirs is stored. An erasure deletes their rows
and their data key in one transaction; every copy of those rows then left anywhere — old row
versions in PostgreSQL's table pages until a vacuum, its WAL archives and replicas, backups of
either backend — is ciphertext that nothing can open any more. (On SQLite the rows' space is also
overwritten and the log truncated: see database.py.)

The data keys live in ``data_keys``, each wrapped (AES-GCM) under a key derived from the bot
secret, which is kept apart from the database (``bot.secret`` or the key file): a copy of the
database alone opens nothing. A key's row is found by an HMAC of the identity under the bot
secret, so the table does not list who has data either. Each sealed value has a random nonce and
is bound to its place (table and column) and its owner through the associated data, so a
ciphertext moved to another column or another supporter's row does not open.

A sealed value is text, ``PREFIX`` then the nonce and ciphertext in URL-safe base64, so the
columns keep their types on both backends; rows written before sealing existed are sealed when
the bot starts (``seal_plaintext``), told apart by the prefix.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed1:"
KEYS_TABLE = "data_keys"
NONCE = 12  # bytes: AES-GCM's standard nonce, random per value (2^-32 collision odds after 2^32 values per key)
_BATCH = 500  # identities per key lookup (well under SQLite's limit on parameters)


class Unopenable(Exception):
    """A sealed value that does not open: its key was destroyed, or it was altered or moved."""


def _derive(secret: str, purpose: str) -> bytes:
    return hmac.digest(secret.encode(), f"data keys\x00{purpose}".encode(), "sha256")


def _aad(place: str, identity: str) -> bytes:
    return f"{place}\x00{identity}".encode()


def seal_value(key: bytes, place: str, identity: str, value: str, nonce: bytes | None = None) -> str:
    """VALUE encrypted under KEY, bound to PLACE ("table.column") and IDENTITY."""
    nonce = os.urandom(NONCE) if nonce is None else nonce
    sealed = AESGCM(key).encrypt(nonce, value.encode(), _aad(place, identity))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_value(key: bytes, place: str, identity: str, sealed: str) -> str:
    """The text SEALED holds, or Unopenable if KEY, PLACE or IDENTITY is not the one it was
    sealed with, or a byte of it changed."""
    if not sealed.startswith(PREFIX):
        raise Unopenable(f"{place}: not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX):].encode())
        return AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], _aad(place, identity)).decode()
    except (InvalidTag, ValueError) as e:
        raise Unopenable(f"{place}: the value does not open under its owner's key") from e


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class Key:
    """One supporter's data key, to seal and open their values."""

    def __init__(self, identity: str, key: bytes) -> None:
        self.identity = identity
        self._key = key

    def seal(self, place: str, value: str | None) -> str | None:
        return None if value is None else seal_value(self._key, place, self.identity, value)

    def open(self, place: str, value: str | None) -> str | None:
        return None if value is None else open_value(self._key, place, self.identity, value)


@dataclass(frozen=True)
class Sealed:
    """A table's sealed columns, for the pass that seals rows stored before sealing existed:
    IDENTITY is the column naming whose key seals the row, ROW the columns that pick out one row."""

    table: str
    identity: str
    row: tuple[str, ...]
    columns: tuple[str, ...]

    def place(self, column: str) -> str:
        return f"{self.table}.{column}"


class Sealer:
    """The data keys in the database, wrapped under a key derived from the bot secret.

    Keys are read from the database each time (never kept in memory between transactions), so
    a key another process destroyed is gone here too."""

    def __init__(self, secret: str) -> None:
        self._holders = _derive(secret, "holder")
        self._wrapping = AESGCM(_derive(secret, "wrapping"))

    def holder(self, identity: str) -> str:
        """The key row's name for IDENTITY: a keyed hash, so the table names nobody."""
        return hmac.new(self._holders, identity.encode(), hashlib.sha256).hexdigest()

    def new_key(self, identity: str) -> tuple[str, str]:
        """A fresh data key for IDENTITY as its row is stored: (holder, wrapped key)."""
        holder = self.holder(identity)
        key, nonce = os.urandom(32), os.urandom(NONCE)
        return holder, base64.urlsafe_b64encode(nonce + self._wrapping.encrypt(nonce, key, holder.encode())).decode()

    def _unwrap(self, identity: str, holder: str, wrapped: str) -> Key:
        raw = base64.urlsafe_b64decode(wrapped.encode())
        try:
            return Key(identity, self._wrapping.decrypt(raw[:NONCE], raw[NONCE:], holder.encode()))
        except InvalidTag:
            raise Unopenable("a data key does not open with this bot secret: was bot.secret (or the key file) "
                             "changed? Put back the one the database was used with.") from None

    async def opens(self, reader: Any) -> bool:
        """Whether this secret opens the data keys in the database (one of them, as all are
        wrapped alike), or there are none: a key check for databases from before the check value."""
        rows = await reader.execute_fetchall(f"SELECT holder, wrapped FROM {KEYS_TABLE} LIMIT 1")
        try:
            return not rows or bool(self._unwrap("", rows[0][0], rows[0][1]))
        except Unopenable:
            return False

    async def key(self, conn: Any, identity: str) -> Key:
        """IDENTITY's data key, made (inside CONN's transaction) if they have none yet. Two
        processes making one at once: the second's insert waits for the first's and does
        nothing, and both then read the first's key."""
        holder, wrapped = self.new_key(identity)
        await conn.execute(f"INSERT INTO {KEYS_TABLE}(holder, wrapped) VALUES (?, ?) ON CONFLICT (holder) DO NOTHING",
                           (holder, wrapped))
        rows = await conn.execute_fetchall(f"SELECT wrapped FROM {KEYS_TABLE} WHERE holder = ?", (holder,))
        return self._unwrap(identity, holder, rows[0][0])

    async def keys(self, conn: Any, identities: Iterable[str]) -> dict[str, Key]:
        """The data keys there are of IDENTITIES (one read per few hundred), by identity."""
        by_holder = {self.holder(i): i for i in set(identities)}
        holders = list(by_holder)
        found: dict[str, Key] = {}
        for start in range(0, len(holders), _BATCH):
            part = holders[start:start + _BATCH]
            rows = await conn.execute_fetchall(
                f"SELECT holder, wrapped FROM {KEYS_TABLE} WHERE holder IN ({', '.join('?' * len(part))})", part)
            for holder, wrapped in rows:
                found[by_holder[holder]] = self._unwrap(by_holder[holder], holder, wrapped)
        return found

    async def open_rows(self, conn: Any, rows: list[Any], spec: Sealed) -> list[dict[str, Any]]:
        """ROWS (with SPEC's identity column and any of its sealed columns) as dicts with the
        sealed columns opened."""
        keys = await self.keys(conn, (r[spec.identity] for r in rows))
        out = []
        for r in rows:
            row = {k: r[k] for k in r.keys()}
            key = keys.get(row[spec.identity])
            for column in spec.columns:
                if column in row and row[column] is not None:
                    if key is None:
                        raise Unopenable(f"{spec.place(column)}: its owner's key is gone but the row is not")
                    row[column] = key.open(spec.place(column), row[column])
            out.append(row)
        return out

    async def destroy(self, conn: Any, identity: str) -> bool:
        """Delete IDENTITY's data key (inside the erasure's transaction); whether there was one."""
        cur = await conn.execute(f"DELETE FROM {KEYS_TABLE} WHERE holder = ?", (self.holder(identity),))
        return bool(cur.rowcount)

    @staticmethod
    async def _plaintext(conn: Any, spec: Sealed, limit: str = "") -> list[Any]:
        columns = ", ".join((spec.identity, *spec.row, *spec.columns))
        unsealed = " OR ".join(f"substr({c}, 1, {len(PREFIX)}) <> ?" for c in spec.columns)
        return list(await conn.execute_fetchall(f"SELECT {columns} FROM {spec.table} WHERE {unsealed}{limit}",
                                                (PREFIX,) * len(spec.columns)))

    async def any_plaintext(self, reader: Any, spec: Sealed) -> bool:
        """Whether SPEC's table has a row stored before sealing existed (a read: on most starts
        there is none, and no write is taken for it)."""
        return bool(await self._plaintext(reader, spec, " LIMIT 1"))

    async def seal_plaintext(self, conn: Any, spec: Sealed) -> int:
        """Seal SPEC's columns in the rows stored before sealing existed; how many rows."""
        rows = await self._plaintext(conn, spec)
        n = 0
        for r in rows:
            values = dict(zip((spec.identity, *spec.row, *spec.columns), r, strict=True))
            plain = [c for c in spec.columns if values[c] is not None and not is_sealed(values[c])]
            if not plain:
                continue
            key = await self.key(conn, values[spec.identity])
            await conn.execute(
                f"UPDATE {spec.table} SET {', '.join(f'{c} = ?' for c in plain)}"
                f" WHERE {' AND '.join(f'{c} = ?' for c in spec.row)}",
                (*(key.seal(spec.place(c), values[c]) for c in plain), *(values[c] for c in spec.row)))
            n += 1
        return n
