"""Two ``quorum run`` processes given the same Matrix account, on one PostgreSQL: one of them
runs the account (the lease ``matrix:<user id>``), the other waits; when the first is SIGKILLed
the second takes over within the lease's length, from the saved sync token and with the
encryption store the first left in the database (each process has a store directory of its
own, as on two machines). Votes sent before, during and after the takeover count once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from tests.adapters.matrix.scenes import (
    body,
    branch_room,
    command,
    count_line,
    joined,
    native_poll,
    replies_to,
)
from tests.peers.postgresql import shared
from tests.peers.synapse import (
    Credentials,
    MatrixUser,
    SynapseServer,
    UserFactory,
    notice_from,
    open_direct_room,
    send_poll_response,
    send_text,
)
from tests.peers.telegram.ptb import free_port

ROOT = Path(__file__).resolve().parents[3]
SECRET = "matrix-scale-out-secret"  # every process keys event ids and ballots alike, and unseals the keys
LEASE = 4  # seconds: the account's lease, short so the takeover is quick


@dataclass
class Process:
    workdir: Path
    proc: asyncio.subprocess.Process | None = None
    port: int = 0  # its web server's: /healthz
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True)
        self.log = self.workdir / "quorum.log"

    def config(self, url: str, synapse: SynapseServer, account: Credentials) -> None:
        self.port = free_port()
        (self.workdir / "quorum.toml").write_text(
            f'[bot]\ndatabase = "{url}"\nsecret = "{SECRET}"\n'
            f'[matrix]\nhomeserver = "{synapse.base_url}"\nuser_id = "{account.user_id}"\n'
            f'password = "{account.password}"\nstore = "{self.workdir / "keys"}"\nlease = "{LEASE}s"\n'
            f'[web]\nlisten = "127.0.0.1:{self.port}"\n'
            f'[limits]\ncommands_burst = 1000000\ncommands_per_minute = 1000000\n'
            f'[charts]\nenabled = false\n', encoding="utf-8")

    async def health(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{self.port}/healthz") as r:
            return dict(await r.json())

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
        with self.log.open("a") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=self.workdir, env={**env, "PYTHONPATH": str(ROOT)},
                stdout=asyncio.subprocess.DEVNULL, stderr=log)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def said(self, fragment: str) -> bool:
        return fragment in self.log.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def until(check: Any, what: str, seconds: float = 60) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not await check():  # noqa: ASYNC110 - polled: the processes are not ours to signal
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


async def holder_pid(db: asyncpg.Connection, account: str) -> int | None:
    """The pid of the process holding the account's lease (holders are named host:pid:random)."""
    row = await db.fetchrow("SELECT holder, expires_at FROM leases WHERE name = $1", f"matrix:{account}")
    return int(row["holder"].split(":")[1]) if row else None


async def direct_room(user: MatrixUser, bot_id: str) -> str:
    room_id = await open_direct_room(user, bot_id)
    await user.wait_for_event(room_id, joined(bot_id))
    return room_id


@pytest.mark.postgresql_run("two bot processes on one PostgreSQL database; SQLite has one process")
async def test_one_process_runs_the_account_and_another_takes_over_when_it_dies(
    tmp_path: Path, synapse: SynapseServer, matrix_users: UserFactory, bot_account: Credentials
) -> None:
    url = shared().database_for(str(tmp_path))
    bot_id = bot_account.user_id
    first, second = Process(tmp_path / "first"), Process(tmp_path / "second")
    for p in (first, second):
        p.config(url, synapse, bot_account)
    db = await asyncpg.connect(url)
    try:
        await first.start()

        async def first_synced() -> bool:
            assert first.proc is not None and first.proc.returncode is None, first.log.read_text()
            try:
                token = await db.fetchval("SELECT next_batch FROM matrix_accounts WHERE account = $1", bot_id)
            except asyncpg.UndefinedTableError:
                return False  # not migrated yet
            return token is not None and await holder_pid(db, bot_id) == first.pid

        await until(first_synced, "the first process synced", 120)
        await second.start()

        await asyncio.sleep(LEASE * 1.5)  # long enough to take the lease, were it free
        assert second.proc is not None and second.proc.returncode is None, second.log.read_text()
        assert await holder_pid(db, bot_id) == first.pid
        # Waiting is no fault: the standby is healthy and does not say whether Matrix is connected.
        health = await second.health()
        assert health["ok"] is True and health["adapters"] == {"mx": None}, health
        assert (await first.health())["adapters"] == {"mx": True}

        branch = await branch_room(matrix_users, bot_id)
        secretary, (ann, ben, cat) = branch.secretary, branch.members
        room = branch.room_id
        start_id, pizza, soup = await native_poll(branch, bot_id)
        await send_poll_response(ann, room, start_id, [pizza])
        await send_poll_response(ben, room, start_id, [pizza])
        _, ballot = await command(secretary, room, "/poll Strike? --secret", bot_id, "Poll 2")
        assert "Secret ballot" in body(ballot)
        ann_dm = await direct_room(ann, bot_id)  # encrypted, as Element opens it
        voted, _ = await command(ann, ann_dm, "/vote 2 yes", bot_id, "Your vote in poll 2: Yes")
        answered = [(ann, ann_dm, voted)]

        async def votes(poll: int) -> int:
            return int(await db.fetchval("SELECT count(*) FROM votes WHERE poll_id = $1", poll))

        async def two_votes() -> bool:
            return await votes(1) == 2

        await until(two_votes, "the first two votes were stored")
        assert await holder_pid(db, bot_id) == first.pid
        assert not second.said("took over")  # it never ran the account meanwhile (said as a warning)
        assert (await db.fetchval("SELECT count(*) FROM matrix_crypto_stores WHERE account = $1", bot_id)) == 1

        device = await db.fetchval("SELECT device_id FROM matrix_accounts WHERE account = $1", bot_id)

        # The first process dies. While nobody runs the account, a vote comes, and Ann writes in
        # the encrypted direct chat, with the room key her client shared with the bot's device
        # then: only that device's sessions, as the first process left them, can read it.
        assert first.proc is not None
        first.proc.kill()
        await first.proc.wait()
        killed = time.monotonic()
        await send_poll_response(cat, room, start_id, [pizza])
        mark = ann.mark(ann_dm)
        asked = await send_text(ann, ann_dm, "!polls")

        async def second_runs() -> bool:
            assert second.proc is not None and second.proc.returncode is None, second.log.read_text()
            return await holder_pid(db, bot_id) == second.pid

        await until(second_runs, "the second process took over", 60)
        took = time.monotonic() - killed
        assert second.said("took over the Matrix account")
        # The lease expires LEASE seconds after its last renewal at most, and the waiting process
        # asks every LEASE / 6 seconds (slack for a loaded machine).
        assert took < LEASE * 3, took

        # The second process runs the same device, with the sessions the first saved.
        await ann.wait_for_event(ann_dm, replies_to(bot_id, asked), start=mark)
        assert "Open polls" in body(ann.find_events(ann_dm, replies_to(bot_id, asked))[0])
        assert await db.fetchval("SELECT device_id FROM matrix_accounts WHERE account = $1", bot_id) == device
        await send_poll_response(ben, room, start_id, [soup])  # ben changes his vote
        ben_dm = await direct_room(ben, bot_id)
        voted, _ = await command(ben, ben_dm, "/vote 2 no", bot_id, "Your vote in poll 2: No")
        answered += [(ann, ann_dm, asked), (ben, ben_dm, voted)]

        _, result = await command(secretary, room, "!close 1", bot_id, "Result")
        text = body(result)
        assert count_line("Pizza", 2).search(text) and count_line("Soup", 1).search(text), text
        assert "Votes cast: 3" in text
        _, result = await command(secretary, room, "!close 2", bot_id, "Result")
        text = body(result)
        assert count_line("Yes", 1).search(text) and count_line("No", 1).search(text), text
        assert "Votes cast: 2" in text
        assert sorted(tuple(r) for r in await db.fetch("SELECT voter, choice FROM votes WHERE poll_id = 1")) == sorted(
            [(f"mx:{ann.user_id}", "0"), (f"mx:{ben.user_id}", "1"), (f"mx:{cat.user_id}", "0")])
        # Everything said once, by one process: each result, each answer to a command.
        for said in ("Votes cast: 3", "Votes cast: 2"):
            assert len(secretary.find_events(room, notice_from(bot_id, containing=said))) == 1
        for who, where, event_id in answered:
            assert len(who.find_events(where, replies_to(bot_id, event_id))) == 1

        await second.stop()
        assert second.proc is not None and second.proc.returncode == 0, second.log.read_text()
        # A clean stop gives the account up at once, so a process started next need not wait.
        assert await holder_pid(db, bot_id) is None
    finally:
        for p in (first, second):
            await p.stop()
        await db.close()
