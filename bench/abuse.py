"""One member floods the bot while a hundred others vote: do the others notice?

The whole bot (bootstrap, the shipped fair-use limits, a file database with synchronous=FULL)
takes votes from 100 members at a steady 50 a second, and in the same run one member sends
100,000 commands, in batches of 100 handled together as an adapter hands them over:

* "flood": at 5,000 a second, as fast as Telegram can deliver them to a bot (getUpdates returns
  at most 100 updates a call; at a 20 ms round trip that is 5,000 a second);
* "burst": as fast as this process can take them, a harsher case than any platform allows.

The reference ("no_flood") is the same 100 members voting with nobody flooding, measured in the
same process just before. For each run: the others' acknowledgement latency (p50, p99), what
the flooder got back (votes acknowledged, "slow down" answers), the database's growth, and the
process's peak resident memory (the peak so far: the runs share one process).

    python bench/abuse.py [--flood 100000] [--seconds 20]

Goals: the others' p99 under 100 ms in the flood, the flooder told "slow down" at most once a
minute, peak memory under 200 MB. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
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
from bot.kernel.effects import Delivered, Effect, Send  # noqa: E402
from bot.kernel.events import Actor, Message, Room  # noqa: E402

OTHERS = 100
RATE = 50  # the others' votes a second, together


class Counting:
    """Takes every effect at once and counts what each room was sent."""

    platform = "bench"
    prefixes = ("/",)
    bot_username = None
    edit_interval = 3600.0

    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = {}

    async def deliver(self, effect: Effect) -> Delivered | None:
        if isinstance(effect, Send):
            self.sent.setdefault(effect.room, []).append(effect.text)
        return Delivered(ref="1")

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return actor_id == "bench:chair"

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return True


def _size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


async def run(db: Path, flood: int, seconds: float, flood_rate: float | None) -> dict:
    transport = Counting()
    config = replace(parse_config({}), database=db, secret="bench-secret-key-16")
    app = await bootstrap(config, Clock(), Transports(transport))
    await app.start()
    tune_for_serving()
    group = Room("bench:room")
    await app.handle(Message(Actor("bench:chair", "chair"), group, "/poll Strike? | Alpha | Beta | Gamma"))
    before = _size(db)
    others = [Actor(f"bench:m{n}", f"member {n}") for n in range(OTHERS)]
    latencies: list[float] = []

    async def timed(k: int) -> None:
        voter = others[k % OTHERS]
        private = Room(f"bench:@{voter.id}", private=True)
        s = time.perf_counter()
        await app.handle(Message(voter, private, f"/vote 1 {('Alpha', 'Beta', 'Gamma')[k % 3]}", event_id=f"o{k}"))
        latencies.append((time.perf_counter() - s) * 1000)

    zed = Actor("bench:zed", "zed")
    zed_room = Room("bench:@zed", private=True)

    async def flooder() -> None:
        begin = time.perf_counter()
        for start in range(0, flood, 100):
            if flood_rate is not None:
                delay = begin + start / flood_rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            await asyncio.gather(*(app.handle(Message(zed, zed_room, "/vote 1 Alpha", event_id=f"z{i}"))
                                   for i in range(start, min(start + 100, flood))))
            await asyncio.sleep(0)

    flooding = asyncio.create_task(flooder())
    tasks = []
    begin = time.perf_counter()
    for k in range(int(RATE * seconds)):
        delay = begin + k / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(k)))
    await asyncio.gather(*tasks)
    await flooding
    growth = _size(db) - before
    await app.stop()
    latencies.sort()
    told = transport.sent.get("bench:@zed", [])
    return {
        "others_votes": len(latencies),
        "others_p50_ms": round(statistics.median(latencies), 2),
        "others_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "flood_sent": flood,
        "flooder_votes_acknowledged": sum("Your vote" in t for t in told),
        "flooder_told_slow_down": sum("faster than I take them" in t for t in told),
        "db_growth_kb": round(growth / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--flood", type=int, default=100_000)
    p.add_argument("--seconds", type=float, default=20.0, help="how long the others vote")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        quiet = asyncio.run(run(Path(tmp) / "quiet.db", 0, args.seconds, None))
        flooded = asyncio.run(run(Path(tmp) / "flood.db", args.flood, args.seconds, 5000.0))
        burst = asyncio.run(run(Path(tmp) / "burst.db", args.flood, args.seconds, None))
    print(json.dumps({
        "seconds": args.seconds,
        "no_flood": quiet,
        "flood": flooded,
        "burst": burst,
        "goals": {"others_p99_ms_below": 100, "slow_down_per_minute_at_most": 1, "peak_rss_mb_below": 200},
    }))


if __name__ == "__main__":
    main()
