"""Vote ingestion through the core, against the raw limit of SQLite on the same machine.

Pushes button-press votes from many voters into many polls through ``App.handle`` on a
file-backed database, where each vote is acknowledged only after its commit is on disk
(synchronous=FULL), then measures latency at a fixed offered rate. The reference is plain
batched ``executemany`` inserts of the same rows with the same durability settings.

A second reference, the asyncio floor (``run_floor``), is the least any bot taking one update
at a time could do: each vote a coroutine awaiting a future, one task group-committing the same
rows through aiosqlite (asyncpg on PostgreSQL), no checks and no answer. The raw rate is what the
database allows; the floor is what is left of it once each update has its own coroutine, so
``fraction_of_floor`` is the bot's own cost, and ``floor_p99_ms`` the latency the disk's commits
leave for any bot at the offered rate.

The core's run and the raw run take turns (--repeat rounds, each in a fresh database) and the
figures are medians, so a machine busy with other work slows both alike. With --profile, one
more core run is made under cProfile and the share of the main thread's time each function takes
is printed (the database itself works in aiosqlite's thread, which the profile sees as waiting).

    python bench/ingest.py [--votes 200000] [--voters 20000] [--polls 20] [--rate 5000] [--repeat 3]

With ``--database postgresql://…`` the bot runs on that PostgreSQL database instead (which each
round empties: give it a database of its own) in ``--processes N`` processes, each taking its
share of the votes as a process behind a load balancer would; the reference is then asyncpg's
batched inserts of the same rows on N connections at once, in the same run.

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
from collections.abc import Awaitable, Callable
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


Vote = tuple[int, int, int]  # (voter, poll, option)
Row = tuple[int, str, str, int, str]  # a vote as the references store it (``row``)
Send = Callable[[int, Vote], Awaitable[None]]  # the I-th vote sent, awaited until acknowledged

CAST_AT = "2026-01-01T00:00:00+00:00"
SQLITE_TABLES = (
    "CREATE TABLE votes (poll_id INTEGER, voter TEXT, choice TEXT, weight INTEGER, cast_at TEXT,"
    " PRIMARY KEY (poll_id, voter)) WITHOUT ROWID",
    "CREATE TABLE seen_events (event_id TEXT PRIMARY KEY, seen_at TEXT) WITHOUT ROWID",
)
POSTGRESQL_TABLES = (
    "CREATE TABLE votes (poll_id INTEGER, voter TEXT, choice TEXT, weight INTEGER, cast_at TEXT,"
    " PRIMARY KEY (poll_id, voter));"
    " CREATE TABLE seen_events (event_id TEXT PRIMARY KEY, seen_at TEXT)"
)
UPSERT = ("INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT(poll_id, voter) DO UPDATE SET"
          " choice = excluded.choice, cast_at = excluded.cast_at")
SEEN = "INSERT INTO seen_events VALUES (?, ?)"
"""The references' statements, in SQLite's placeholders (``numbered`` gives PostgreSQL's)."""


def numbered(sql: str) -> str:
    """SQL with ``?`` placeholders in PostgreSQL's ``$1, $2, …``."""
    parts = sql.split("?")
    return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))


def row(vote: Vote) -> Row:
    """A vote as the references store it: the bot's own rows, stripped to the same columns."""
    voter, poll, option = vote
    return poll, f"bench:{voter}", str(option), 1, CAST_AT


async def burst(votes: list[Vote], in_flight: int, send: Send) -> tuple[float, float]:
    """VOTES sent as fast as they are acknowledged, IN_FLIGHT at a time, as at a conference
    (workers rather than a semaphore: asyncio.Semaphore wakes waiters in O(n)): (seconds taken,
    seconds of the main thread's CPU)."""
    pending = iter(enumerate(votes))

    async def worker() -> None:
        for i, v in pending:
            await send(i, v)

    t0, cpu = time.perf_counter(), time.thread_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - t0, time.thread_time() - cpu


async def at_rate(first: int, votes: list[Vote], rate: int, send: Send) -> list[float]:
    """VOTES (numbered from FIRST) offered at RATE a second, each timed from its arrival to its
    acknowledgement: the milliseconds, sorted. Only the votes in flight are held (a task group
    lets go of each task as it finishes), as a server holds its requests: a list of every task
    made would keep each finished one alive, and the garbage collector would then walk tens of
    thousands of them in the middle of the timing."""
    latencies: list[float] = []

    async def timed(i: int, v: Vote) -> None:
        s = time.perf_counter()
        await send(i, v)
        latencies.append((time.perf_counter() - s) * 1000)

    start = time.perf_counter()
    async with asyncio.TaskGroup() as in_flight:
        for k, v in enumerate(votes):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            in_flight.create_task(timed(first + k, v))
    latencies.sort()
    return latencies


def make_votes(n: int, voters: int, polls: int, seed: int = 7) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    return [(rng.randrange(voters), 1 + rng.randrange(polls), rng.randrange(3)) for _ in range(n)]


async def run_core(
    db: Path | str, votes: list[tuple[int, int, int]], polls: int, rate: int, paced: int, in_flight: int = 4000,
    *, share: tuple[int, int] = (0, 1), start_at: float | None = None,
) -> dict:
    """One process's run: SHARE (i, n) is its part of the votes (every n-th from the i-th) when
    n processes share a PostgreSQL database DB; the first opens the polls; all begin at START_AT."""
    url = str(db) if str(db).startswith("postgresql://") else None
    config = replace(parse_config({}), database=Path("bench.db") if url else Path(db), database_url=url,
                     secret="bench-secret-key-16")
    core = await bootstrap(config, Clock(), Transports(NullTransport()))
    await core.start()
    tune_for_serving()  # as `quorum run` does once the bot is up
    room = Room("bench:room")
    chair = Actor("bench:chair", "chair")
    if start_at is None:  # one process alone: it opens the polls
        for p in range(polls):
            await core.handle(Message(chair, room, f"/poll Question {p}? | Alpha | Beta | Gamma"))
    index, n = share
    numbered = list(enumerate(votes))[index::n]
    votes = [v for _, v in numbered]
    ids = [i for i, _ in numbered]
    paced, rate, in_flight = paced // n, max(1, rate // n), max(1, in_flight // n)
    if start_at is not None:
        await asyncio.sleep(max(0.0, start_at - time.time()))
    actors: dict[int, Actor] = {}

    def press(i: int, v: tuple[int, int, int]) -> ButtonPress:
        voter, poll, option = v
        actor = actors.get(voter) or actors.setdefault(voter, Actor(f"bench:{voter}", f"voter {voter}"))
        return ButtonPress(actor, room, f"v:{poll}:{option}", event_id=f"bench:{ids[i]}")

    async def send(i: int, v: Vote) -> None:
        await core.handle(press(i, v))

    bulk = votes[: len(votes) - paced]
    began = time.time()
    elapsed, cpu = await burst(bulk, in_flight, send)  # throughput
    ended = time.time()
    latencies = await at_rate(len(bulk), votes[len(bulk):], rate, send)  # latency at a fixed offered rate
    async with core.reader.execute("SELECT count(*) FROM seen_events") as cur:
        row = await cur.fetchone()
    recorded = row[0] if row else 0
    batches = core.writer.batches  # type: ignore[attr-defined]
    await core.stop()
    return {
        "votes_per_s": round(len(bulk) / elapsed),
        "main_thread_us_per_vote": round(cpu / len(bulk) * 1e6, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "acknowledged_and_recorded": recorded,
        "commits": batches,
        "bulk": len(bulk), "began": began, "ended": ended, "latencies": latencies,
    }


async def _empty(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def _open_polls(url: str, polls: int) -> None:
    """Migrate the database and open the polls, as the first process to start would."""
    config = replace(parse_config({}), database=Path("bench.db"), database_url=url, secret="bench-secret-key-16")
    core = await bootstrap(config, Clock(), Transports(NullTransport()))
    await core.start()
    for p in range(polls):
        await core.handle(Message(Actor("bench:chair", "chair"), Room("bench:room"),
                                  f"/poll Question {p}? | Alpha | Beta | Gamma"))
    await core.stop()


def run_core_processes(url: str, votes: list[tuple[int, int, int]], args: argparse.Namespace) -> dict:
    """The bot in --processes processes on one PostgreSQL database: the polls opened by one,
    then every process started at once on its share of the votes."""
    import subprocess

    asyncio.run(_empty(url))
    asyncio.run(_open_polls(url, args.polls))
    start_at = time.time() + 3.0 + args.processes  # every process up and connected by then
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", f"{i}/{args.processes}", "--start-at",
                                 str(start_at), "--database", url, "--votes", str(args.votes), "--voters",
                                 str(args.voters), "--polls", str(args.polls), "--rate", str(args.rate),
                                 "--paced", str(args.paced)], stdout=subprocess.PIPE, text=True)
               for i in range(args.processes)]
    parts = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    bulk = sum(p["bulk"] for p in parts)
    latencies = sorted(x for p in parts for x in p["latencies"])
    return {
        "votes_per_s": round(bulk / (max(p["ended"] for p in parts) - min(p["began"] for p in parts))),
        "main_thread_us_per_vote": round(statistics.median(p["main_thread_us_per_vote"] for p in parts), 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "acknowledged_and_recorded": max(p["acknowledged_and_recorded"] for p in parts),
        "commits": sum(p["commits"] for p in parts),
    }


async def run_raw_postgresql(url: str, votes: list[tuple[int, int, int]], connections: int, batch: int = 1000
                             ) -> float:
    """asyncpg alone: the same rows in the same table shapes, batched, on CONNECTIONS connections at once."""
    import asyncpg

    await _empty(url)
    conns = [await asyncpg.connect(url) for _ in range(connections)]
    await conns[0].execute(POSTGRESQL_TABLES)
    rows = [(*row(v), f"raw:{k}") for k, v in enumerate(votes)]

    async def one(conn: asyncpg.Connection, share: list[tuple]) -> None:
        for s in range(0, len(share), batch):
            chunk = sorted({(r[0], r[1]): r for r in share[s:s + batch]}.values())
            async with conn.transaction():
                await conn.executemany(numbered(UPSERT), [r[:5] for r in chunk])
                await conn.executemany(numbered(SEEN), [(r[5], r[4]) for r in chunk])

    t0 = time.perf_counter()
    await asyncio.gather(*(one(c, rows[i::connections]) for i, c in enumerate(conns)))
    elapsed = time.perf_counter() - t0
    for c in conns:
        await c.close()
    return len(rows) / elapsed


def run_raw(db: Path, votes: list[tuple[int, int, int]], batch: int = 1000) -> float:
    """Plain SQLite: the same rows, the same table shape and durability, batched."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for table in SQLITE_TABLES:
        conn.execute(table)
    rows = [row(v) for v in votes]
    t0 = time.perf_counter()
    for s in range(0, len(rows), batch):
        chunk = rows[s : s + batch]
        conn.execute("BEGIN")
        conn.executemany(UPSERT, chunk)
        conn.executemany(SEEN, [(f"raw:{s + k}", r[4]) for k, r in enumerate(chunk)])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return len(rows) / elapsed


Commit = Callable[[list[tuple[Row, str]]], Awaitable[None]]
"""Commits (row, update id) pairs in one transaction."""


async def run_floor(commit: Commit, votes: list[Vote], rate: int, paced: int, in_flight: int = 4000,
                    batch: int = 1000) -> dict:
    """The least any bot taking one update at a time could do on asyncio: each vote a coroutine
    that queues its row and awaits a future, one task committing what is queued (COMMIT: the
    rows and durability of the raw reference) and resolving the futures after the commit. No
    checks, no answer. It shows what of the raw rate is left once each update has its own
    coroutine, so the bot's own cost can be read off apart from asyncio's and the driver's; and,
    timed as ``run_core`` times its PACED votes at RATE, the latency the disk's commits leave
    for any bot."""
    queue: asyncio.Queue[tuple[Row, str, asyncio.Future[None]]] = asyncio.Queue()

    async def writer() -> None:
        while True:
            items = [await queue.get()]
            while len(items) < batch and not queue.empty():
                items.append(queue.get_nowait())
            await commit([(r, e) for r, e, _ in items])
            for _row, _e, fut in items:
                fut.set_result(None)

    loop = asyncio.get_running_loop()

    async def send(i: int, v: Vote) -> None:
        fut = loop.create_future()
        queue.put_nowait((row(v), f"floor:{i}", fut))
        await fut

    bulk = votes[: len(votes) - paced]
    task = asyncio.create_task(writer())
    try:
        elapsed, cpu = await burst(bulk, in_flight, send)
        latencies = await at_rate(len(bulk), votes[len(bulk):], rate, send)
    finally:
        task.cancel()
    return {"rows_per_s": len(bulk) / elapsed, "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
            "main_thread_us_per_row": cpu / len(bulk) * 1e6}


async def run_floor_sqlite(db: Path, votes: list[Vote], rate: int, paced: int) -> dict:
    """``run_floor`` through aiosqlite, with ``run_raw``'s tables and durability."""
    import aiosqlite

    conn = await aiosqlite.connect(db, isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=FULL")
    for table in SQLITE_TABLES:
        await conn.execute(table)

    async def commit(items: list[tuple[Row, str]]) -> None:
        await conn.execute("BEGIN")
        await conn.executemany(UPSERT, [r for r, _ in items])
        await conn.executemany(SEEN, [(e, r[4]) for r, e in items])
        await conn.execute("COMMIT")

    try:
        return await run_floor(commit, votes, rate, paced)
    finally:
        await conn.close()


async def run_floor_postgresql(url: str, votes: list[Vote], rate: int, paced: int) -> dict:
    """``run_floor`` through one asyncpg connection (one process, as the bot's one-process run),
    with ``run_raw_postgresql``'s tables and statements."""
    import asyncpg

    await _empty(url)
    conn = await asyncpg.connect(url)
    await conn.execute(POSTGRESQL_TABLES)

    async def commit(items: list[tuple[Row, str]]) -> None:
        rows = sorted({(r[0], r[1]): r for r, _ in items}.values())
        async with conn.transaction():
            await conn.executemany(numbered(UPSERT), rows)
            await conn.executemany(numbered(SEEN), [(e, r[4]) for r, e in items])

    try:
        return await run_floor(commit, votes, rate, paced)
    finally:
        await conn.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--votes", type=int, default=200_000)
    p.add_argument("--voters", type=int, default=20_000)
    p.add_argument("--polls", type=int, default=20)
    p.add_argument("--rate", type=int, default=5000, help="offered votes per second for the latency run")
    p.add_argument("--paced", type=int, default=25_000, help="how many of the votes are sent at --rate")
    p.add_argument("--repeat", type=int, default=3, help="rounds of core and raw runs, taking turns")
    p.add_argument("--profile", action="store_true", help="also profile one core run")
    p.add_argument("--database", help="a postgresql:// database of its own (emptied) instead of SQLite files")
    p.add_argument("--processes", type=int, default=1, help="bot processes on the PostgreSQL database")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # i/n: one of the processes
    p.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    votes = make_votes(args.votes, args.voters, args.polls)
    if args.worker:
        i, n = (int(x) for x in args.worker.split("/"))
        print(json.dumps(asyncio.run(run_core(args.database, votes, args.polls, args.rate, args.paced,
                                              share=(i, n), start_at=args.start_at))), flush=True)
        return
    cores: list[dict] = []
    raws: list[float] = []
    floors: list[dict] = []
    for r in range(args.repeat):
        if args.database:
            cores.append(run_core_processes(args.database, votes, args))
            raws.append(asyncio.run(run_raw_postgresql(args.database, votes, args.processes)))
            floors.append(asyncio.run(run_floor_postgresql(args.database, votes, args.rate, args.paced)))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            cores.append(asyncio.run(run_core(Path(tmp) / "core.db", votes, args.polls, args.rate, args.paced)))
            raws.append(run_raw(Path(tmp) / f"raw{r}.db", votes))
            floors.append(asyncio.run(run_floor_sqlite(Path(tmp) / f"floor{r}.db", votes, args.rate, args.paced)))

    def med(key: str) -> float:
        return statistics.median(c[key] for c in cores)

    print(json.dumps({
        "bench": "ingest",
        "cores": os.cpu_count(),
        "votes": args.votes,
        "votes_per_s": round(med("votes_per_s")),
        "runs_votes_per_s": [c["votes_per_s"] for c in cores],
        "main_thread_us_per_vote": med("main_thread_us_per_vote"),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "runs_p99_ms": [c["p99_ms"] for c in cores],
        "at_rate_per_s": args.rate,
        **({"database": "postgresql", "processes": args.processes} if args.database else {}),
        ("raw_asyncpg_rows_per_s" if args.database else "raw_sqlite_rows_per_s"): round(statistics.median(raws)),
        "runs_raw_rows_per_s": [round(x) for x in raws],
        "fraction_of_raw": round(med("votes_per_s") / statistics.median(raws), 3),
        **floor_figures(floors, med("votes_per_s"), statistics.median(raws)),
        "acknowledged_and_recorded": [c["acknowledged_and_recorded"] for c in cores],
        "commits": [c["commits"] for c in cores],
    }), flush=True)
    if args.profile:
        print(json.dumps(profile_core(votes, args)))


def floor_figures(floors: list[dict], votes_per_s: float, raw: float) -> dict:
    """The asyncio floor's figures (``run_floor``), and the bot's rate as a share of it."""
    rate = statistics.median(f["rows_per_s"] for f in floors)
    return {"floor_asyncio_rows_per_s": round(rate), "floor_fraction_of_raw": round(rate / raw, 3),
            "fraction_of_floor": round(votes_per_s / rate, 3),
            "floor_p99_ms": round(statistics.median(f["p99_ms"] for f in floors), 2),
            "floor_main_thread_us_per_row": round(statistics.median(f["main_thread_us_per_row"] for f in floors), 1)}


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
