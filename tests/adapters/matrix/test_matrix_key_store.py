"""The Matrix encryption store as kept in a shared database (adapters/matrix/crypto.py): a
consistent image of nio's store file, sealed so that only the bot's secret opens it, and put
back in place byte for byte. The takeover itself runs against Synapse in
test_matrix_scale_out.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters.matrix.crypto import restore, seal, snapshot, unseal

KEY = bytes(range(32))


def _store(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS sessions (id INTEGER PRIMARY KEY, pickle TEXT)")
        db.executemany("INSERT INTO sessions(pickle) VALUES (?)", [(f"session {n}",) for n in range(rows)])
    db.close()


def test_a_store_image_is_put_back_whole_over_an_older_one(tmp_path: Path) -> None:
    source, target = tmp_path / "a" / "store.db", tmp_path / "b" / "store.db"
    source.parent.mkdir()
    target.parent.mkdir()
    assert snapshot(source) is None
    _store(source, 100)
    _store(target, 3)  # what the other process kept from an earlier turn
    target.with_name("store.db-wal").write_bytes(b"stale log")

    restore(target, snapshot(source) or b"")

    with sqlite3.connect(target) as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (100,)
    assert not target.with_name("store.db-wal").exists()
    assert target.stat().st_mode & 0o077 == 0  # the keys are the bot's user's alone


def test_a_sealed_store_opens_only_with_its_key_account_and_device(tmp_path: Path) -> None:
    data = b"olm account pickle " * 1000
    sealed = seal(KEY, "@quorum:example.org", "DEVICE", data)
    assert b"olm account" not in sealed.encode()
    assert len(sealed) < len(data)  # compressed before it is encrypted
    assert unseal(KEY, "@quorum:example.org", "DEVICE", sealed) == data
    for key, account, device in [(bytes(32), "@quorum:example.org", "DEVICE"), (KEY, "@other:example.org", "DEVICE"),
                                 (KEY, "@quorum:example.org", "OTHER")]:
        with pytest.raises(ValueError):
            unseal(key, account, device, sealed)
