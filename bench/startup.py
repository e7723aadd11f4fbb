"""Benchmark: starting the bot on a database of a large organisation, against an empty one.

The database: 100,000 members on the roll, each with a linked chat identity; 1,000 closed polls
with 100 votes each; 1,000,000 applied update ids (what two weeks of a busy bot leave, and what
the record of redeliveries keeps). The bot is started in a fresh process as `quorum run` starts
it (bootstrap, then start: migrations checked, keys loaded, deadlines and the outbox resumed) and
the time from launching the process to the bot being started is measured, with the process's
resident set then and its peak. The reference, in the same run and taking turns with it: the
same start on an empty database; and the resident set of a Python set holding the 1,000,000
update ids, which is what the bot used to load at start.

The started bot is also asked about one update id that is on record and one that is not, to
show the bounded record answers exactly.

    python bench/startup.py [--members 100000] [--polls 1000] [--updates 1000000] [--repeat 3]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key-16"
KNOWN = "bench:known-update"

CHILD = """
import asyncio, json, sys, time
from dataclasses import replace
from pathlib import Path
async def main():
    from bot.app import Transports, bootstrap
    from bot.kernel.clock import Clock
    from bot.kernel.config import parse_config
    config = replace(parse_config({}), database=Path(sys.argv[1]), secret=sys.argv[2])
    app = await bootstrap(config, Clock(), Transports())
    await app.start()
    t = time.perf_counter()
    print("started", flush=True)
    known = await app.writer.has_seen(sys.argv[3])
    unknown = await app.writer.has_seen(sys.argv[3] + "-never")
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    kb = lambda k: int(status[k].split()[0]) / 1024
    print(json.dumps({"rss_mb": round(kb("VmRSS"), 1), "peak_mb": round(kb("VmHWM"), 1),
                      "known_is_seen": known, "unknown_is_seen": unknown}), flush=True)
    await app.stop()
asyncio.run(main())
"""

SET_CHILD = """
import json, sqlite3, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
before = rss()
conn = sqlite3.connect(sys.argv[1])
seen = {row[0] for row in conn.execute("SELECT event_id FROM seen_events")}
print(json.dumps({"ids": len(seen), "set_mb": round(rss() - before, 1)}))
"""


def build(path: Path, members: int, polls: int, votes_per_poll: int, updates: int) -> None:
    from bot.storage.database import migrate
    from bot.storage.writer import Writer

    asyncio.run(migrate(path))
    rng = random.Random(7)
    now = "2026-01-15T12:00:00+00:00"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    with conn:
        conn.executemany(
            "INSERT INTO members(id, number, name, branch, weight, join_code, created_at) VALUES (?,?,?,?,1,?,?)",
            ((i, f"M{i:06d}", f"Member {i}", f"Branch {i % 50}", f"J{i:08d}", now) for i in range(1, members + 1)),
        )
        conn.executemany(
            "INSERT INTO identities(identity, display_name, member_id, linked_at) VALUES (?,?,?,?)",
            ((f"tg:{1000 + i}", f"Member {i}", i, now) for i in range(1, members + 1)),
        )
        result = json.dumps({"ballots": votes_per_poll, "counts": [votes_per_poll, 0, 0]})
        conn.executemany(
            "INSERT INTO polls(id, room, creator, question, options, kind, electorate_kind, opened_at, closed_at,"
            " closed_by, result) VALUES (?, 'tg:-100', 'tg:1001', ?, '[\"Yes\",\"No\",\"Abstain\"]', 'choice',"
            " 'room', ?, ?, 'tg:1001', ?)",
            ((p, f"Question {p}?", now, now, result) for p in range(1, polls + 1)),
        )
        conn.executemany(
            "INSERT INTO votes(poll_id, voter, choice, weight, cast_at) VALUES (?, ?, ?, 1, ?)",
            ((p, f"tg:{1000 + v}", "0", now)
             for p in range(1, polls + 1) for v in rng.sample(range(1, members + 1), min(votes_per_poll, members))),
        )
    recent = "2026-11-20T00:00:00+00:00"  # within the fortnight the record keeps
    token = Writer(None, lambda: now, SECRET).token  # type: ignore[arg-type]
    with conn:
        conn.executemany(
            "INSERT OR IGNORE INTO seen_events(event_id, seen_at) VALUES (?, ?)",
            ((f"k:{rng.getrandbits(128):032x}", recent) for _ in range(updates - 1)),
        )
        conn.execute("INSERT INTO seen_events(event_id, seen_at) VALUES (?, ?)", (token(KNOWN), recent))
    conn.close()


def start(db: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), SECRET, KNOWN], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    started = time.perf_counter() - t0
    if line.strip() != "started":
        proc.wait()
        raise SystemExit(f"the bot did not start: {line!r}")
    report = json.loads(proc.stdout.readline())
    proc.wait()
    return {"start_s": round(started, 3), **report}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--polls", type=int, default=1000)
    ap.add_argument("--votes-per-poll", type=int, default=100)
    ap.add_argument("--updates", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="quorum-bench-") as tmp:
        big, empty = Path(tmp) / "big.db", Path(tmp) / "empty.db"
        t0 = time.perf_counter()
        build(big, args.members, args.polls, args.votes_per_poll, args.updates)
        built = time.perf_counter() - t0
        build(empty, 0, 0, 0, 1)
        runs: dict[str, list[dict[str, object]]] = {"big": [], "empty": []}
        for _ in range(args.repeat):
            runs["big"].append(start(big))
            runs["empty"].append(start(empty))
        old = subprocess.run([sys.executable, "-c", SET_CHILD, str(big)], capture_output=True, text=True, check=True)

        def med(which: str, key: str) -> float:
            return round(statistics.median(float(r[key]) for r in runs[which]), 3)  # type: ignore[arg-type]

        print(json.dumps({
            "bench": "startup",
            "cores": os.cpu_count(),
            "members": args.members, "closed_polls": args.polls, "votes": args.polls * args.votes_per_poll,
            "applied_update_ids": args.updates,
            "database_mb": round(big.stat().st_size / 2**20, 1),
            "build_s": round(built, 1),
            "start_s": med("big", "start_s"), "start_runs_s": [r["start_s"] for r in runs["big"]],
            "rss_mb": med("big", "rss_mb"), "peak_mb": med("big", "peak_mb"),
            "reference_empty_start_s": med("empty", "start_s"),
            "reference_empty_rss_mb": med("empty", "rss_mb"), "reference_empty_peak_mb": med("empty", "peak_mb"),
            "reference_python_set_of_ids_mb": json.loads(old.stdout)["set_mb"],
            "known_id_recognised": all(r["known_is_seen"] for r in runs["big"]),
            "unknown_id_recognised": any(r["unknown_is_seen"] for r in runs["big"]),
        }))


if __name__ == "__main__":
    main()
