"""A 100,000-member reminder through the outbox and the Telegram adapter, against flood control.

The reminders are queued in the core's durable outbox and drained through the real adapter
(python-telegram-bot with its rate limiter, over HTTP) into the local Bot API peer, which
enforces Telegram's limits and answers 429 when they are exceeded. The peer runs in its own
process, as Telegram would be another machine. The reference is the rate Telegram allows
(30 messages a second overall); with ``--time-scale`` below 1 the peer's flood-control
periods and the adapter's pacing shrink alike, the allowed rate grows to 30 / scale, and the
fraction is computed against that scaled rate (the JSON says so).

Memory is sampled every second while the outbox drains, for the bot's process and the peer's:
a broadcast is read from the outbox a page at a time, so the bot's resident set stays flat
however many reminders are queued.

    python bench/broadcast.py [--messages 100000] [--time-scale 1]

At Telegram's own rates (the default) 100,000 messages take about 56 minutes.

Prints one JSON object: {"sent", "rate_fraction", "http_429", "lost", "duplicates",
"rss_mb": {start, max, end}, "peer_rss_mb": {...}, "cores", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.telegram import TelegramAdapter  # noqa: E402
from adapters.telegram.limiter import MESSAGES_PER_SECOND  # noqa: E402
from bot.app import Transports, bootstrap  # noqa: E402
from bot.app.runtime import tune_for_serving  # noqa: E402
from bot.kernel.clock import Clock  # noqa: E402
from bot.kernel.config import TelegramConfig, parse_config  # noqa: E402
from bot.storage.outbox import enqueue  # noqa: E402


async def serve_peer(members: int, time_scale: float) -> None:
    """The peer's process: print where it listens and who the members are, then, on any line
    from stdin, print what each member received and how many 429s were sent."""
    from tests.peers.telegram import TelegramPeer

    peer = await TelegramPeer(time_scale=time_scale).start()
    users = peer.create_users(members)
    for user in users:
        user.started_bot = True  # each member has talked to the bot before
    print(json.dumps({"base_url": peer.base_url, "token": peer.token, "users": [u.id for u in users]}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    received = Counter({u.id: len(peer.bot_messages(peer.private_chat(u))) for u in users})
    report = {
        "received": dict(received),
        "http_429": peer.too_many_requests_sent,
        "by_kind": peer.too_many_requests_by_kind,
        "failed_calls": len(peer.failed_calls()),
    }
    print(json.dumps(report), flush=True)
    await peer.stop()


async def broadcast(messages: int, time_scale: float) -> dict[str, object]:
    peer = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-peer", str(messages), str(time_scale),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, limit=2**26,
    )
    assert peer.stdin is not None and peer.stdout is not None
    try:
        hello = json.loads(await peer.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            config = replace(
                parse_config({}),
                database=Path(tmp) / "quorum.db",
                secret="bench-secret-key-16",
                telegram=TelegramConfig(token=hello["token"], base_url=hello["base_url"]),
            )
            assert config.telegram is not None
            core = await bootstrap(config, Clock(), Transports())
            adapter = TelegramAdapter(config.telegram, core, time_scale=time_scale, poll_timeout=1)
            core.transports.add(adapter.transport)
            await core.start()
            tune_for_serving()  # as `quorum run` does once the bot is up: the collector's pace is part of memory
            await core.outbox.stop()  # drained explicitly below, so that it is what is timed
            runner = asyncio.create_task(adapter.run())
            await adapter.transport.ready.wait()
            now = core.clock.now()

            async def queue(conn):  # type: ignore[no-untyped-def]
                for n, user_id in enumerate(hello["users"]):
                    await enqueue(conn, dedupe=f"bench:{n}", target=f"tg:{user_id}", private=True,
                                  text=f"Reminder: poll {n % 7 + 1} closes in one hour. Vote with /vote.", now=now)

            await core.writer.run(queue)
            samples: list[tuple[float, float | None]] = []

            async def sample() -> None:
                while True:
                    samples.append((_rss_mb("self"), _rss_mb(str(peer.pid))))
                    await asyncio.sleep(1.0)

            sampler = asyncio.create_task(sample())
            start = time.perf_counter()
            while await core.outbox.drain():
                pass
            seconds = time.perf_counter() - start
            sampler.cancel()
            samples.append((_rss_mb("self"), _rss_mb(str(peer.pid))))
            async with core.reader.execute("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL") as cur:
                row = await cur.fetchone()
            marked = int(row[0]) if row else 0
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
            await core.stop()
        peer.stdin.write(b"report\n")
        await peer.stdin.drain()
        report = json.loads(await peer.stdout.readline())
    finally:
        with contextlib.suppress(Exception):
            peer.stdin.close()
        await asyncio.wait_for(peer.wait(), 30)
    received = Counter({int(k): v for k, v in report["received"].items()})
    sent = sum(received.values())
    allowed = MESSAGES_PER_SECOND / time_scale
    return {
        "sent": sent,
        "marked_sent": marked,
        "seconds": round(seconds, 2),
        "rate": round(sent / seconds, 1),
        "allowed_rate": allowed,
        "rate_fraction": round(sent / seconds / allowed, 3),
        "http_429": report["http_429"],
        "http_429_by_limit": report["by_kind"],
        "lost": sum(1 for uid in hello["users"] if received[uid] == 0),
        "duplicates": sum(max(0, n - 1) for n in received.values()),
        "failed_calls": report["failed_calls"],
        "rss_mb": _summary([a for a, _ in samples]),
        "peer_rss_mb": _summary([b for _, b in samples if b is not None]),
        "cores": os.cpu_count(),
        "time_scale": time_scale,
        "note": f"peer flood-control periods scaled by {time_scale}: the allowed rate is 30/{time_scale} "
        "messages per second and rate_fraction is measured against it",
    }


def _rss_mb(pid: str) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"start": values[0], "max": max(values), "end": values[-1]}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-peer":
        asyncio.run(serve_peer(int(sys.argv[2]), float(sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--time-scale", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(broadcast(args.messages, args.time_scale))))


if __name__ == "__main__":
    main()
