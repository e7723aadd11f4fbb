"""Vote ingestion through the core, against the raw limit of SQLite on the same machine.

Pushes button-press votes from many voters into many polls through ``App.handle`` on a
file-backed database, where each vote is acknowledged only after its commit is on disk
(synchronous=FULL), then measures latency at a fixed offered rate. The reference is plain
batched ``executemany`` inserts of the same rows with the same durability settings.

The core's run and the raw run take turns (--repeat rounds, each in a fresh database) and the
figures are medians, so a machine busy with other work slows both alike. With --profile, one
more core run is made under cProfile and the share of the main thread's time each function takes
is printed (the database itself works in aiosqlite's thread, which the profile sees as waiting).

    python bench/ingest.py [--votes 200000] [--voters 20000] [--polls 20] [--rate 5000] [--repeat 3]

Prints one JSON object (and with --profile a second one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import Transports, bootstrap  # noqa: E402
from bot.app.runtime import tune_for_serving  # noqa: E402
from bot.kernel.clock import Clock  # noqa: E402
from bot.kernel.config import parse_config  # noqa: E402
from bot.kernel.effects import Delivered, Effect  # noqa: E402
from bot.kernel.events import Actor, ButtonPress, Message, Room  # noqa: E402


class NullTransport:
    """Accepts every effect at once, so the figures are the core's and the disk's."""

    platform = "bench"
    prefixes = ("/",)
    bot_username = None
    edit_interval = 3600.0  # live-tally edits are throttled by the adapter; not measured here

    def __init__(self) -> None:
        self.n = 0

    async def deliver(self, effect: Effect) -> Delivered | None:
        self.n += 1
        return Delivered(ref=str(self.n))

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return actor_id == "bench:chair"

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return True


def make_votes(n: int, voters: int, polls: int, seed: int = 7) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    return [(rng.randrange(voters), 1 + rng.randrange(polls), rng.randrange(3)) for _ in range(n)]


async def run_core(
    db: Path, votes: list[tuple[int, int, int]], polls: int, rate: int, paced: int, in_flight: int = 4000
) -> dict:
    config = replace(parse_config({}), database=db, secret="bench")
    core = await bootstrap(config, Clock(), Transports(NullTransport()))
    await core.start()
    tune_for_serving()  # as `quorum run` does once the bot is up
    room = Room("bench:room")
    chair = Actor("bench:chair", "chair")
    for p in range(polls):
        await core.handle(Message(chair, room, f"/poll Question {p}? | Alpha | Beta | Gamma"))
    actors: dict[int, Actor] = {}

    def press(i: int, v: tuple[int, int, int]) -> ButtonPress:
        voter, poll, option = v
        actor = actors.get(voter) or actors.setdefault(voter, Actor(f"bench:{voter}", f"voter {voter}"))
        return ButtonPress(actor, room, f"v:{poll}:{option}", event_id=f"bench:{i}")

    # Throughput: a burst, as at a conference, with a bounded number of votes in flight
    # (workers rather than a semaphore: asyncio.Semaphore wakes waiters in O(n)).
    bulk = votes[: len(votes) - paced]
    pending = iter(enumerate(bulk))

    async def worker() -> None:
        for i, v in pending:
            await core.handle(press(i, v))

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - t0

    # Latency at a fixed offered rate: each vote from arrival to acknowledgement.
    latencies: list[float] = []

    async def timed(i: int, v: tuple[int, int, int]) -> None:
        s = time.perf_counter()
        await core.handle(press(i, v))
        latencies.append((time.perf_counter() - s) * 1000)

    tasks = []
    start = time.perf_counter()
    for k, v in enumerate(votes[len(bulk):]):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(len(bulk) + k, v)))
    await asyncio.gather(*tasks)
    async with core.reader.execute("SELECT count(*) FROM seen_events") as cur:
        row = await cur.fetchone()
    recorded = row[0] if row else 0
    batches = core.writer.batches  # type: ignore[attr-defined]
    await core.stop()
    latencies.sort()
    return {
        "votes_per_s": round(len(bulk) / elapsed),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "acknowledged_and_recorded": recorded,
        "commits": batches,
    }


def run_raw(db: Path, votes: list[tuple[int, int, int]], batch: int = 1000) -> float:
    """Plain SQLite: the same rows, the same table shape and durability, batched."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE votes (poll_id INTEGER, voter TEXT, choice TEXT, weight INTEGER, cast_at TEXT,"
        " PRIMARY KEY (poll_id, voter)) WITHOUT ROWID"
    )
    conn.execute("CREATE TABLE seen_events (event_id TEXT PRIMARY KEY, seen_at TEXT) WITHOUT ROWID")
    rows = [(p, f"bench:{v}", str(o), 1, "2026-01-01T00:00:00+00:00") for v, p, o in votes]
    t0 = time.perf_counter()
    for s in range(0, len(rows), batch):
        chunk = rows[s : s + batch]
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT(poll_id, voter) DO UPDATE SET"
            " choice = excluded.choice, cast_at = excluded.cast_at",
            chunk,
        )
        conn.executemany(
            "INSERT INTO seen_events VALUES (?, ?)", [(f"raw:{s + k}", r[4]) for k, r in enumerate(chunk)]
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return len(rows) / elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--votes", type=int, default=200_000)
    p.add_argument("--voters", type=int, default=20_000)
    p.add_argument("--polls", type=int, default=20)
    p.add_argument("--rate", type=int, default=5000, help="offered votes per second for the latency run")
    p.add_argument("--paced", type=int, default=25_000, help="how many of the votes are sent at --rate")
    p.add_argument("--repeat", type=int, default=3, help="rounds of core and raw runs, taking turns")
    p.add_argument("--profile", action="store_true", help="also profile one core run")
    args = p.parse_args()
    votes = make_votes(args.votes, args.voters, args.polls)
    cores: list[dict] = []
    raws: list[float] = []
    for r in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            cores.append(asyncio.run(run_core(Path(tmp) / "core.db", votes, args.polls, args.rate, args.paced)))
            raws.append(run_raw(Path(tmp) / f"raw{r}.db", votes))

    def med(key: str) -> float:
        return statistics.median(c[key] for c in cores)

    print(json.dumps({
        "bench": "ingest",
        "cores": os.cpu_count(),
        "votes": args.votes,
        "votes_per_s": round(med("votes_per_s")),
        "runs_votes_per_s": [c["votes_per_s"] for c in cores],
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "runs_p99_ms": [c["p99_ms"] for c in cores],
        "at_rate_per_s": args.rate,
        "raw_sqlite_rows_per_s": round(statistics.median(raws)),
        "runs_raw_rows_per_s": [round(x) for x in raws],
        "fraction_of_raw": round(med("votes_per_s") / statistics.median(raws), 3),
        "acknowledged_and_recorded": [c["acknowledged_and_recorded"] for c in cores],
        "commits": [c["commits"] for c in cores],
    }), flush=True)
    if args.profile:
        print(json.dumps(profile_core(votes, args)))


def profile_core(votes: list[tuple[int, int, int]], args: argparse.Namespace) -> dict:
    """Where the main thread's time goes in one core run: the top functions by own time."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        prof.enable()
        asyncio.run(run_core(Path(tmp) / "core.db", votes, args.polls, args.rate, args.paced))
        prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values())
    top = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:25]
    root = str(Path(__file__).resolve().parents[1])
    return {"profile": [
        {"function": f"{Path(f).name if not f.startswith(root) else f[len(root) + 1:]}:{line}({name})",
         "own_share": round(v[2] / total, 3)}
        for (f, line, name), v in top
    ]}


if __name__ == "__main__":
    main()
