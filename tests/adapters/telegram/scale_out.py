"""Several ``quorum run`` processes in webhook mode behind a load balancer, on one PostgreSQL.

The Telegram peer delivers the webhook round-robin to the processes (``balance_webhook``), as
many updates at once as Telegram would. Members vote with the ballots' buttons in many polls;
some updates are delivered twice; one process is SIGKILLed mid-run and started again. Used by
tests/adapters/telegram/test_scale_out.py (at a size the suite can afford) and by
``bench/scale_out.py`` (the issue's full size).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from tests.peers.telegram import TelegramPeer
from tests.peers.telegram.ptb import free_port

ROOT = Path(__file__).resolve().parents[3]
SECRET = "scale-out-secret"  # every process keys update ids and ballots alike
HOOK = "https://quorum.example.org/telegram-hook"  # what the balancer stands for


@dataclass
class Size:
    members: int = 400
    polls: int = 20
    votes_each: int = 5  # polls each member votes in
    groups: int = 10
    processes: int = 3
    redelivered: int = 100
    signers: int = 40  # of a trigger campaign needing THRESHOLD signatures
    threshold: int = 25
    closes: int = 150  # seconds from the polls' opening to their deadline
    remind_before: int = 60  # seconds before the deadline: the reminder round of the roll poll


@dataclass
class Process:
    index: int
    port: int
    workdir: Path
    proc: asyncio.subprocess.Process | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir / "quorum.log"

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram-hook"


@dataclass
class Outcome:
    acked: dict[tuple[int, int], int]  # (member, poll) -> option, as confirmed to the member
    pressed: int
    stored: dict[tuple[int, int], int]  # (member, poll) -> option, in the database
    results: dict[int, list[int]]  # poll -> counts in its stored result
    announced: Counter[int]  # poll -> result announcements in its group
    reminded: Counter[int]  # member -> reminders of the roll poll
    roll_non_voters: set[int]  # members who had not voted in the roll poll at its reminder round
    reachable: set[int]  # members who had written to the bot (Telegram lets a bot write only to those)
    fired: int  # announcements of the trigger's firing in its room
    trigger_status: str
    trigger_ballots: int  # polls opened by the trigger
    killed_at: int  # presses delivered when the process was killed
    seconds: float
    refused: Counter[str]  # the peer's 429s, by limit (overall, group, private)


def _config(url: str, peer: TelegramPeer, p: Process, size: Size) -> str:
    return (
        f'[bot]\ndatabase = "{url}"\nsecret = "{SECRET}"\n'
        f'[telegram]\nbase_url = "{peer.base_url}"\nwebhook_url = "{HOOK}"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {p.port}\n'
        f'[reminders]\noffsets = ["{size.remind_before}s"]\ngroup_warning = ""\n'
        f'[limits]\ncommands_burst = 1000000\ncommands_per_minute = 1000000\n'
        f'[charts]\nenabled = false\n'
    )


async def _start(p: Process, peer: TelegramPeer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    log = p.log.open("a")
    p.proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=p.workdir,
        env={**env, "PYTHONPATH": str(ROOT), "QUORUM_TELEGRAM_TOKEN": peer.token},
        stdout=asyncio.subprocess.DEVNULL, stderr=log)
    log.close()


async def _until(check: Any, what: str, seconds: float = 120) -> None:
    """Until CHECK holds (of the peer, fed by three processes), or fail saying WHAT did not happen."""
    try:
        async with asyncio.timeout(seconds):
            while not check():  # noqa: ASYNC110 - polled: the processes are not ours to signal
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


async def _up(p: Process) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", p.port)
    except OSError:
        return False
    writer.close()
    return True


async def _wait_up(p: Process) -> None:
    async with asyncio.timeout(120):
        while not await _up(p):
            assert p.proc is not None and p.proc.returncode is None, p.log.read_text()
            await asyncio.sleep(0.1)


async def run(tmp_path: Path, url: str, size: Size, seed: int = 15) -> Outcome:
    """Play the whole run; return what the members were told and what the database holds."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    started = loop.time()
    peer = await TelegramPeer(time_scale=0.05).start()
    processes = [Process(i, free_port(), tmp_path / f"p{i}") for i in range(size.processes)]
    try:
        organiser = peer.create_user("Olga", username="olga")
        members = peer.create_users(size.members)
        groups = [peer.create_group(f"Branch {g}", creator=organiser, members=members) for g in range(size.groups)]
        db = await asyncpg.connect(url)
        try:
            await _migrate(tmp_path, url)
            ids = await _roll(db, organiser, members)
        finally:
            await db.close()
        for p in processes:
            p.workdir.mkdir()
            (p.workdir / "quorum.toml").write_text(_config(url, peer, p, size), encoding="utf-8")
            await _start(p, peer)
        for p in processes:
            await _wait_up(p)
        peer.balance_webhook([p.address for p in processes])
        await _until(lambda: peer.world.webhook.url == HOOK, "setWebhook")
        for g in groups:
            peer.add_bot_to_group(g, organiser, as_admin=True)

        # The polls: the first on the roll (it has a reminder round), the rest of the room.
        ballots: dict[int, Any] = {}
        for n in range(1, size.polls + 1):
            group = groups[(n - 1) % len(groups)]
            roll = " --roll" if n == 1 else ""
            peer.send_message(organiser, f"/poll Question {n}? | Yes | No | Abstain --closes {size.closes}s"
                                         f" --hidden{roll}", group)
            await _until(lambda n=n, group=group: _ballot(peer, group, n) is not None, f"ballot {n}")
            ballots[n] = _ballot(peer, group, n)

        # A trigger campaign, signed privately by members on any process.
        peer.send_message(organiser, f"/trigger open recall Councillor --signatures {size.threshold} --closes 14d",
                          groups[0])
        await _until(lambda: any("T1" in t for t in peer.bot_texts(groups[0])), "the trigger's announcement")

        # The votes: each member in VOTES_EACH polls; the presses go out in waves, a process
        # is killed a third of the way through and started again at two thirds.
        presses = [(m, n, rng.randrange(3)) for m in range(size.members)
                   for n in rng.sample(range(1, size.polls + 1), size.votes_each)]
        rng.shuffle(presses)
        signs = rng.sample(range(size.members), size.signers)
        queries: dict[str, tuple[int, int, int]] = {}
        updates = []
        victim = processes[-1]
        killed_at = 0
        wave = max(1, len(presses) // 30)
        for start in range(0, len(presses), wave):
            for m, n, option in presses[start:start + wave]:
                query = peer.press_button(members[m], ballots[n], f"v:{n}:{option}")
                queries[query.id] = (ids[members[m].id], n, option)
                updates.append(query.update)
            if start // wave == 10:
                killed_at = len(updates)
                assert victim.proc is not None
                victim.proc.send_signal(signal.SIGKILL)
                await victim.proc.wait()
            if start // wave == 20:
                await _start(victim, peer)
                await _wait_up(victim)
            if start // wave in (5, 15, 25):
                for s in signs[:size.signers // 3] if start // wave == 5 else (
                        signs[size.signers // 3: 2 * size.signers // 3] if start // wave == 15
                        else signs[2 * size.signers // 3:]):
                    peer.send_message(members[s], "/sign T1 yes", peer.private_chat(members[s]))
            await _until(lambda: len(peer.world.queue.pending) < wave, "the wave delivered", 300)
        # Telegram delivers some updates again (no answer reached it in time).
        for update in rng.sample(updates, min(size.redelivered, len(updates))):
            peer.redeliver(update, keep_update_id=True)
        await _until(lambda: not peer.world.queue.pending, "every update delivered", 300)

        # The reminder round, then the deadlines: each once, whichever process is awake.
        await _until(lambda: len(_announcements(peer, groups)) >= size.polls, "every poll closed", 600)
        db = await asyncpg.connect(url)
        try:
            async with asyncio.timeout(300):  # the outbox sends what is queued, at Telegram's rate
                unsent = "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
                while await db.fetchval(unsent):  # noqa: ASYNC110 - polled, as an operator would
                    await asyncio.sleep(0.2)
            await asyncio.sleep(2)  # anything sent twice would be sent by now
            stored = {(int(r["voter"][2:]), r["poll_id"]): int(r["choice"])
                      for r in await db.fetch("SELECT poll_id, voter, choice FROM votes")}
            results = {r["id"]: json.loads(r["result"])["counts"]
                       for r in await db.fetch("SELECT id, result FROM polls WHERE result IS NOT NULL")}
            trigger = await db.fetchrow("SELECT status, ballot_poll_id FROM triggers WHERE id = 1")
            reminded_round = await db.fetch("SELECT target FROM outbox WHERE dedupe LIKE 'remind:1:%'")
        finally:
            await db.close()
        acked = {}
        for call in peer.calls("answerCallbackQuery"):
            if call.ok and str(call.params.get("text", "")).startswith("Your vote in poll"):
                member, n, option = queries[str(call.params["callback_query_id"])]
                acked[(member, n)] = option
        queued = {ids[int(r["target"].removeprefix("tg:"))] for r in reminded_round}
        reminded = Counter(ids[u.id] for u in members for text in peer.bot_texts(peer.private_chat(u))
                           if text.startswith("⏰ Reminder: poll 1,"))
        fired = sum("Trigger T1 has fired" in t for g in groups for t in peer.bot_texts(g))
        return Outcome(
            acked=acked, pressed=len(presses), stored=stored, results=results,
            announced=Counter(_announcements(peer, groups)), reminded=reminded, roll_non_voters=queued,
            reachable={ids[members[m].id] for m in signs}, fired=fired, trigger_status=trigger["status"],
            trigger_ballots=1 if trigger["ballot_poll_id"] else 0,
            killed_at=killed_at, seconds=loop.time() - started, refused=Counter(peer.world.flood.refusals),
        )
    finally:
        for p in processes:
            if p.proc is not None and p.proc.returncode is None:
                p.proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(p.proc.wait(), 60)
                except TimeoutError:
                    p.proc.kill()
        peer.balance_webhook([])
        await peer.stop()


def _ballot(peer: TelegramPeer, group: Any, n: int) -> Any:
    for message in peer.bot_messages(group):
        if any(b.get("callback_data") == f"v:{n}:0" for b in message.buttons):
            return message
    return None


def _announcements(peer: TelegramPeer, groups: list[Any]) -> list[int]:
    """The polls whose result was announced, once per announcement."""
    found = []
    for g in groups:
        for text in peer.bot_texts(g):
            m = re.match(r"📊 Result — poll (\d+):", text)
            if m:
                found.append(int(m.group(1)))
    return found


async def _migrate(tmp_path: Path, url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "migrate", cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "QUORUM_DATABASE": url},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


async def _roll(db: asyncpg.Connection, organiser: Any, members: list[Any]) -> dict[int, int]:
    """Every member on the roll, linked to their Telegram account; Telegram id -> member id."""
    ids = {}
    for n, user in enumerate([organiser, *members]):
        member = await db.fetchval(
            "INSERT INTO members(name, branch, join_code, created_at) VALUES ($1, 'North', $2, '2026-01-01')"
            " RETURNING id", user.first_name, f"CODE{n}")
        await db.execute("INSERT INTO identities(identity, display_name, member_id, linked_at)"
                         " VALUES ($1, $2, $3, '2026-01-01')", f"tg:{user.id}", user.first_name, member)
        ids[user.id] = member
    return ids
