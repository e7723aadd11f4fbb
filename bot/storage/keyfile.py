"""The key for secret-ballot hashes, kept in a file beside the database (never inside it), so a
copy of the database alone links nobody to a vote.

The database keeps a check value of its key (an HMAC of a fixed text under the key, which tells
nothing of the key) in ``settings``. A secret ballot's row is found by a keyed hash of its voter:
started with another key, the bot would not find a voter's earlier ballot and count her twice,
and nothing sealed would open. So a key that does not match the check value stops the start, and
a new key is made only for a database with nothing keyed yet."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from bot.kernel.errors import StartError
from bot.kernel.secrecy import new_secret
from bot.storage.sealing import Sealer

MIN_LENGTH = 16  # characters; the key file the bot makes holds 64 (32 random bytes in hex)
CHECK = "key check"  # the settings row with the check value (no room's setting has this name)
_RESTORE = ("put back the key it was used with (the key file {key}, or the old bot.secret / QUORUM_SECRET), "
            "as a new key would count secret voters twice and open nothing sealed")


def key_path(database: Path | str) -> Path:
    return Path(f"{database}.key")


def check_value(secret: str) -> str:
    return hmac.new(secret.encode(), b"quorum key check", hashlib.sha256).hexdigest()


def read_key(database: Path | str, secret: str | None) -> str | None:
    """The configured key: SECRET (bot.secret or QUORUM_SECRET), else the key file's text; None
    when there is no key file. A StartError when the key cannot be read or is too short."""
    if secret is not None and secret != "":
        where = "bot.secret (or QUORUM_SECRET)"
        text = secret
    else:
        key = key_path(database)
        where = f"The key file {key}"
        try:
            text = key.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise StartError(f"The key file {key} cannot be read ({reason}): it must be a file this user may "
                             "read, holding the key the database was used with.") from None
    if len(text) < MIN_LENGTH:
        raise StartError(f"{where} holds a key of {len(text)} characters, too short to keep secret ballots "
                         f"secret: it must have at least {MIN_LENGTH} (put back the key the database was used "
                         "with, or for a new database remove the key file and the bot makes one).")
    return text


def _make_key(database: Path | str) -> str:
    """A new key in the key file (the file another process made meanwhile wins: its key, then)."""
    key = key_path(database)
    secret = new_secret()
    try:
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        found = read_key(database, None)
        assert found is not None
        return found
    except OSError as e:
        raise StartError(f"The key file {key} cannot be made ({e.strerror}): let this user write in the "
                         "database's folder, or set bot.secret (or QUORUM_SECRET).") from None
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return secret


async def _check(reader: Any) -> str | None:
    rows = await reader.execute_fetchall("SELECT value FROM settings WHERE key = ?", (CHECK,))
    return rows[0][0] if rows else None


async def _keyed(reader: Any) -> bool:
    """Whether the database holds anything made with a key: a secret poll (its ballots and
    receipts), a data key (personal data sealed under it), a Matrix encryption store."""
    for sql in ("SELECT 1 FROM polls WHERE secret <> 0 LIMIT 1", "SELECT 1 FROM data_keys LIMIT 1",
                "SELECT 1 FROM matrix_crypto_stores LIMIT 1"):
        if await reader.execute_fetchall(sql):
            return True
    return False


async def settle_key(database: Any, path: Path | str, secret: str | None) -> str:
    """The key for DATABASE (opened from PATH, the SQLite file or the one whose key file a
    PostgreSQL database uses), SECRET if configured, else the key file's, made for a database
    with nothing keyed yet. A StartError, in one sentence, when the key is not the database's."""
    if str(path) == ":memory:" and not secret:
        key: str | None = new_secret()
    else:
        key = read_key(path, secret)
    reader, conn = database.reader, database.wconn
    stored = await _check(reader)
    if key is None:
        if stored is not None or await _keyed(reader):
            raise StartError(f"The key file {key_path(path)} is missing but this database holds secret ballots "
                             "or sealed data made with a key: " + _RESTORE.format(key=key_path(path)) + ".")
        key = _make_key(path)
    elif stored is None and not await Sealer(key).opens(reader):
        stored = ""  # written before the check value existed, and the data keys do not open
    if stored is None:  # a new database, or one from before the check value: it is this key's now
        await conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                           (CHECK, check_value(key)))
        stored = await _check(reader)  # another process's, if it wrote one first
    if not hmac.compare_digest(stored or "", check_value(key)):
        where = "bot.secret (or QUORUM_SECRET)" if secret else f"the key file {key_path(path)}"
        raise StartError(f"This database was made with another key than {where}: "
                         + _RESTORE.format(key=key_path(path)) + ".")
    return key
