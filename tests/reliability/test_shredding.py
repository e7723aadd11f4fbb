"""Erasure by crypto-shredding, on the backend of the run (SQLite or PostgreSQL).

A supporter's details are stored sealed under a data key of their own (bot/storage/sealing.py):
nothing of them is in the database in the clear, and once they erase, their key is gone from
the database, so a copy taken before the erasure (the ciphertext and all) no longer opens with
the keys of the live database, even given the bot secret. Organisers' exports and /mydata still
read the details in the clear.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.storage.sealing import Sealer, Unopenable
from tests.helpers import Chat, add_members, database_run, exported_csv, migrate_until
from tests.peers.postgresql import PostgresServer, shared, use_postgresql

SECRET = "test-secret-for-tests"  # the key Chat.start gives the bot
NAME = "Zebedee Quixotic-Marchbanks"
AREA = "Upper Snodsbury"
CONTACT = "zq.privacy-check@example.org"
BRANCH = "Nether Wallop"
SEALED = {"signups": ("name", "area", "contact"), "campaign_signatures": ("name", "branch")}


async def _stored(chat: Chat, table: str) -> bytes:
    """What the database keeps of TABLE, as stored: on SQLite the whole file and its log; on
    PostgreSQL every row as text and the table's file itself (after a checkpoint wrote it)."""
    if not use_postgresql():
        path = chat.app.config.database
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    rows = await chat.query(f"SELECT t::text FROM {table} t")
    return "\n".join(r[0] for r in rows).encode() + await _relation_file(chat, table)


async def _relation_file(chat: Chat, table: str) -> bytes:
    await chat.query("CHECKPOINT")
    relative = (await chat.query(f"SELECT pg_relation_filepath('{table}')"))[0][0]
    path = shared().data / relative
    try:
        return path.read_bytes()
    except PermissionError:  # the server's files belong to its own user: read them as it
        run = await asyncio.create_subprocess_exec("runuser", "-u", "postgres", "--", "cat", str(path),
                                                   stdout=subprocess.PIPE)
        out, _ = await run.communicate()
        assert run.returncode == 0, f"cannot read {path}"
        return out


async def _sign_up_and_sign(chat: Chat) -> str:
    """Zebedee signs up on S1 and signs the campaign M1 with a branch; their identity."""
    await chat.say("chair: /signup open Assembly",
                   "chair: /motion new Fund our schools",
                   "chair: /motion M1 resolves To support the national campaign for school funding.",
                   "chair: /motion M1 status carried",
                   "chair: /campaign M1 open --signatures 10")
    await chat.say("zebedee (private): /signup S1", f"zebedee (private): {NAME}", f"zebedee (private): {AREA}",
                   f"zebedee (private): {CONTACT}", "zebedee (private): yes",
                   f"zebedee (private): /sign M1 yes {BRANCH}")
    identities = await chat.query("SELECT identity FROM signups")
    assert len(identities) == 1
    return str(identities[0][0])


async def _copy(chat: Chat) -> dict[str, list[dict[str, Any]]]:
    """A copy of the sealed tables and the keys, as a backup would hold them."""
    copy: dict[str, list[dict[str, Any]]] = {}
    for table in (*SEALED, "data_keys"):
        rows = await chat.app.reader.execute_fetchall(f"SELECT * FROM {table}")
        copy[table] = [{k: r[k] for k in r.keys()} for r in rows]
    return copy


class _Copy:
    """A copy of the database as a reader (only what _copy took), for Sealer.keys."""

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self._keys = {r["holder"]: r["wrapped"] for r in keys}

    async def execute_fetchall(self, sql: str, params: list[str]) -> list[tuple[str, str]]:
        assert "FROM data_keys" in sql
        return [(h, self._keys[h]) for h in params if h in self._keys]


def _open_all(sealer: Sealer, copy: dict[str, list[dict[str, Any]]], keys: dict[str, Any]) -> list[str]:
    opened = []
    for table, columns in SEALED.items():
        for row in copy[table]:
            if row["identity"] not in keys:
                continue
            for column in columns:
                opened.append(keys[row["identity"]].open(f"{table}.{column}", row[column]))
    return opened


async def test_details_are_stored_sealed_and_read_in_the_clear(chat: Chat) -> None:
    identity = await _sign_up_and_sign(chat)
    for table in SEALED:
        stored = await _stored(chat, table)
        assert b"sealed1:" in stored  # the check reads the right place
        for detail in (NAME, AREA, CONTACT, BRANCH):
            assert detail.encode() not in stored, (table, detail)
    keys = await chat.query("SELECT holder FROM data_keys")
    assert keys == [(Sealer(SECRET).holder(identity),)]  # one key, named by a keyed hash only
    assert identity not in repr(keys)
    # Those entitled read them in the clear.
    rows = exported_csv(await chat.say("chair: /signup S1 export"))
    assert rows[1][:3] == [NAME, AREA, CONTACT]
    rows = exported_csv(await chat.say("chair: /campaign M1 export"))
    assert rows[1][0] == "zebedee" and rows[1][2] == BRANCH
    out = await chat.say("zebedee (private): /mydata")
    assert NAME in out and AREA in out and CONTACT in out and BRANCH in out


async def test_a_copy_taken_before_an_erasure_no_longer_opens(chat: Chat) -> None:
    identity = await _sign_up_and_sign(chat)
    await chat.say("amy (private): /signup S1", "amy (private): Amy Jones", "amy (private): Lowtown",
                   "amy (private): skip", "amy (private): yes")
    before = await _copy(chat)
    sealer = Sealer(SECRET)
    # The copy opens with its own keys given the secret (so the check below means something),
    # and with the live database's keys, as long as the key lives there.
    assert NAME in _open_all(sealer, before, await sealer.keys(_Copy(before["data_keys"]), [identity]))
    assert NAME in _open_all(sealer, before, await sealer.keys(chat.app.reader, [identity]))
    # Without the bot secret the copy names no key of anyone's.
    assert await Sealer("not the bot secret").keys(_Copy(before["data_keys"]), [identity]) == {}

    out = await chat.say("zebedee (private): /mydata erase")
    assert "Erased: 1 sign-up, 1 model-motion signature." in out, out
    assert await chat.query("SELECT count(*) FROM data_keys WHERE holder = ?", sealer.holder(identity)) == [(0,)]
    assert await sealer.keys(chat.app.reader, [identity]) == {}
    # Nor does the one key left (another supporter's) open what the copy holds of Zebedee.
    amy = next(r["identity"] for r in before["signups"] if r["identity"] != identity)
    live = await sealer.keys(chat.app.reader, [amy])
    assert set(live) == {amy} and len(await chat.query("SELECT * FROM data_keys")) == 1
    erased = [(f"{table}.{column}", row[column]) for table, columns in SEALED.items() for row in before[table]
              if row["identity"] == identity for column in columns if row[column] is not None]
    assert len(erased) == 5
    for place, value in erased:
        with pytest.raises(Unopenable):
            live[amy].open(place, value)
    # Another supporter's data is untouched and reads in the clear.
    rows = exported_csv(await chat.say("chair: /signup S1 export"))
    assert [r[0] for r in rows[1:]] == ["Amy Jones"]


async def test_details_stored_before_sealing_are_sealed_at_start(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /signup open Assembly")

        async def plain(conn: Any) -> None:  # as an older version stored it
            await conn.execute("INSERT INTO signups(form_id, identity, name, area, contact, consent, signed_at)"
                               " VALUES (1, 'console:old', ?, ?, NULL, 1, '2026-01-01T00:00:00')", (NAME, AREA))

        await chat.app.writer.run(plain)
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        stored = await chat.query("SELECT name, area, contact FROM signups")
        assert all(v.startswith("sealed1:") for v in stored[0][:2]) and stored[0][2] is None, stored
        rows = exported_csv(await chat.say("chair: /signup S1 export"))
        assert rows[1][:3] == [NAME, AREA, ""]
    finally:
        await chat.stop()


async def test_on_postgresql_a_destroyed_key_leaves_the_keys_table_file(
    tmp_path: Path, postgresql: PostgresServer
) -> None:
    """A deleted row stays in PostgreSQL's table file (a dead version until a vacuum, and its
    bytes are not zeroed even then): after an erasure the bot rewrites the keys table, so the
    destroyed key's bytes leave its file. This runs on the suite's PostgreSQL whichever
    database the rest of the run uses."""
    chat = await Chat.start(tmp_path, database_url=postgresql.database_for(str(tmp_path) + "/shred"))
    try:
        await _sign_up_and_sign(chat)
        wrapped = (await chat.query("SELECT wrapped FROM data_keys"))[0][0]
        assert wrapped.encode() in await _relation_file(chat, "data_keys")  # the check reads the right file
        file_before = (await chat.query("SELECT pg_relation_filepath('data_keys')"))[0][0]
        assert "Erased:" in await chat.say("zebedee (private): /mydata erase")
        assert await chat.query("SELECT count(*) FROM data_keys") == [(0,)]
        assert (await chat.query("SELECT pg_relation_filepath('data_keys')"))[0][0] != file_before
        assert wrapped.encode() not in await _relation_file(chat, "data_keys")
    finally:
        await chat.stop()


async def test_a_fired_triggers_signatures_stay_readable_after_an_erasure(chat: Chat) -> None:
    """Kept on purpose (the record of why a ballot was held), and not sealed under the signer's
    key: the member's sign-up goes, their key with it, and the trigger's list still reads."""
    await add_members(chat, [(f"m{i}", "Riverside") for i in range(3)])
    await chat.say("chair: /signup open Assembly", "chair: /trigger open recall Cllr Smith --signatures 3 --closes 14d")
    await chat.say("m0 (private): /signup S1", f"m0 (private): {NAME}", f"m0 (private): {AREA}",
                   "m0 (private): skip", "m0 (private): yes")
    for i in range(3):
        await chat.say(f"m{i} (private): /sign T1 yes")
    out = await chat.say("m0 (private): /mydata erase")
    assert "Erased: 1 sign-up." in out
    assert await chat.query("SELECT count(*) FROM data_keys WHERE holder = ?",
                            Sealer(SECRET).holder("console:m0")) == [(0,)]
    rows = exported_csv(await chat.say("chair: /trigger T1 export"))
    assert sorted(r[0] for r in rows[1:]) == ["m0", "m1", "m2"]


async def test_a_key_left_after_everything_was_withdrawn_is_destroyed_on_erasure(chat: Chat) -> None:
    await chat.say("chair: /signup open Assembly")
    await chat.say("amy (private): /signup S1", "amy (private): Amy Jones", "amy (private): Lowtown",
                   "amy (private): skip", "amy (private): yes", "amy (private): /mydata withdraw S1")
    holder = Sealer(SECRET).holder("console:amy")
    assert await chat.query("SELECT count(*) FROM data_keys WHERE holder = ?", holder) == [(1,)]
    assert "nothing to erase" in await chat.say("amy (private): /mydata erase")
    assert await chat.query("SELECT count(*) FROM data_keys WHERE holder = ?", holder) == [(0,)]


# -- sortition pool volunteers --------------------------------------------------------------------

DIET = "vegetarian"  # the answer to a question with no quota: never published, only kept for the organisers


async def _volunteer(chat: Chat, who: str = "zebedee", name: str = NAME) -> None:
    await chat.say(f"{who} (private): /pool 1 join", f"{who} (private): f", f"{who} (private): {DIET}",
                   f"{who} (private): {name}")
    assert "You are registered in pool 1" in await chat.say(f"{who} (private): yes")


async def test_a_pool_volunteers_name_and_answers_are_stored_sealed(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | diet: omnivore, vegetarian")
    await _volunteer(chat)
    stored = await _stored(chat, "pool_volunteers")
    assert b"sealed1:" in stored  # the check reads the right place
    assert NAME.encode() not in stored
    assert json.dumps({"gender": "f", "diet": DIET}).encode() not in stored
    assert f'"diet": "{DIET}"'.encode() not in stored
    rows = await chat.query("SELECT name, answers FROM pool_volunteers")
    assert all(v.startswith("sealed1:") for v in rows[0]), rows
    out = await chat.say("zebedee (private): /mydata")
    assert NAME in out and f"diet: {DIET}" in out


async def test_erasing_a_frozen_pools_registration_destroys_what_a_copy_holds(chat: Chat) -> None:
    """The row stays for the draw, but a copy of it taken before the erasure no longer opens, and
    on SQLite the old ciphertext is gone from the file too."""
    await chat.say("chair: /pool new Assembly | gender: f, m | diet: omnivore, vegetarian")
    await _volunteer(chat)
    for n, gender in enumerate("fmm"):
        await chat.say(f"p{n} (private): /pool 1 join", f"p{n} (private): {gender}", f"p{n} (private): omnivore",
                       f"p{n} (private): Person {n}", f"p{n} (private): yes")
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota gender=f 1-1")
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    identity = "console:zebedee"
    (before,) = await chat.app.reader.execute_fetchall(
        "SELECT name, answers, ticket FROM pool_volunteers WHERE identity = ?", (identity,))
    sealer = Sealer(SECRET)
    key = (await sealer.keys(chat.app.reader, [identity]))[identity]
    assert key.open("pool_volunteers.name", before["name"]) == NAME  # the copy opens while the key lives

    assert "Erased: 1 pool registration." in await chat.say("zebedee (private): /mydata erase")
    assert await sealer.keys(chat.app.reader, [identity]) == {}
    assert await chat.query("SELECT identity, name, answers, erased FROM pool_volunteers WHERE ticket = ?",
                            before["ticket"]) == [(f"erased:{before['ticket']}", None, None, 1)]
    for other in (await sealer.keys(chat.app.reader, [f"console:p{n}" for n in range(3)])).values():
        with pytest.raises(Unopenable):
            other.open("pool_volunteers.name", before["name"])
    if not use_postgresql():  # PostgreSQL keeps the dead row version until a vacuum: the key is what is gone
        stored = await _stored(chat, "pool_volunteers")
        assert before["name"].encode() not in stored and before["answers"].encode() not in stored


async def test_registrations_stored_before_sealing_are_sealed_at_start(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /pool new Assembly | gender: f, m | diet: omnivore, vegetarian")

        async def plain(conn: Any) -> None:  # as an older version stored it
            await conn.execute("INSERT INTO pool_volunteers(pool_id, identity, name, answers, consent_at, seq)"
                               " VALUES (1, 'console:old', ?, ?, '2026-01-01T00:00:00', 1)",
                               (NAME, json.dumps({"gender": "f", "diet": DIET})))

        await chat.app.writer.run(plain)
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        stored = await chat.query("SELECT name, answers FROM pool_volunteers")
        assert all(v.startswith("sealed1:") for v in stored[0]), stored
        out = await chat.say("old (private): /mydata")
        assert f"• pool P1 (Assembly): name {NAME}; answers gender: f; diet: {DIET}; since 2026-01-01" in out, out
    finally:
        await chat.stop()


async def test_registrations_from_before_sealing_survive_the_migration_and_are_sealed(tmp_path: Path) -> None:
    """A database last used before pool registrations were sealed (its migrations up to 0023):
    the rebuilt table keeps every registration, and the start seals them."""
    await migrate_until(tmp_path, 24)
    questions = [{"name": "gender", "options": ["f", "m"]}, {"name": "diet", "options": ["omnivore", DIET]}]
    await database_run(tmp_path, "INSERT INTO pools(id, room, title, questions, status, created_by, created_at)"
                       " VALUES (1, 'console:#general', 'Assembly', ?, 'open', 'console:chair', '2026-01-01T00:00:00')",
                       json.dumps(questions))
    await database_run(tmp_path, "INSERT INTO pool_volunteers(pool_id, identity, name, answers, consent_at, seq)"
                       " VALUES (1, 'console:old', ?, ?, '2026-01-01T00:00:00', 1)",
                       NAME, json.dumps({"gender": "f", "diet": DIET}))
    chat = await Chat.start(tmp_path)
    try:
        stored = await chat.query("SELECT identity, name, answers, seq, ticket, declined, erased FROM pool_volunteers")
        assert len(stored) == 1 and stored[0][0] == "console:old" and stored[0][3:] == (1, None, 0, 0), stored
        assert all(v.startswith("sealed1:") for v in stored[0][1:3]), stored
        out = await chat.say("old (private): /mydata")
        assert f"• pool P1 (Assembly): name {NAME}; answers gender: f; diet: {DIET}; since 2026-01-01" in out, out
        assert "Erased: 1 pool registration." in await chat.say("old (private): /mydata erase")
        assert await chat.query("SELECT count(*) FROM pool_volunteers") == [(0,)]
    finally:
        await chat.stop()
