"""The scale-out run at the issue's size: several ``quorum`` processes in webhook mode behind a
round-robin balancer (the Telegram peer), one PostgreSQL, one process SIGKILLed mid-run and
restarted, updates delivered twice. The suite plays the same run smaller
(tests/adapters/telegram/test_scale_out.py); this checks the same promises at full size and
prints what it took.

    python bench/scale_out.py [--members 2000] [--polls 20] [--votes-each 5] [--processes 3]

Needs Debian's postgresql (a throwaway server is started, as in the tests). Prints one JSON
object; exits non-zero if a promise is broken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.adapters.telegram.scale_out import Size, run  # noqa: E402
from tests.peers.postgresql import shared  # noqa: E402


async def main(size: Size) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="quorum-scale-out-") as tmp:
        out = await run(Path(tmp), shared().database_for(tmp), size)
    per_poll = Counter(n for _, n in out.stored)
    broken = {
        "acknowledged vote missing or changed": sum(out.stored.get(k) != v for k, v in out.acked.items()),
        "result not the stored votes": sum(sum(out.results.get(n, [])) != per_poll[n]
                                           for n in range(1, size.polls + 1)),
        "polls not announced exactly once": sum(out.announced.get(n, 0) != 1 for n in range(1, size.polls + 1)),
        "reminders not exactly once": sum(c != 1 for c in out.reminded.values())
        + len((out.roll_non_voters & out.reachable) ^ set(out.reminded)),
        "trigger announcements other than one": abs(out.fired - 1),
        "429 answers from Telegram": sum(out.refused.values()),
    }
    return {
        "bench": "scale_out", "cores": os.cpu_count(), "processes": size.processes, "members": size.members,
        "polls": size.polls, "votes_pressed": out.pressed, "votes_acknowledged": len(out.acked),
        "votes_stored": len(out.stored), "redelivered": size.redelivered, "killed_after_presses": out.killed_at,
        "seconds": round(out.seconds, 1), "broken": {k: v for k, v in broken.items() if v},
        "ok": not any(broken.values()),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--votes-each", type=int, default=5)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--closes", type=int, default=600, help="seconds from the polls' opening to their deadline")
    args = parser.parse_args()
    size = Size(members=args.members, polls=args.polls, votes_each=args.votes_each, processes=args.processes,
                groups=max(1, args.polls // 2), redelivered=500, signers=60, threshold=40, closes=args.closes,
                remind_before=args.closes // 3)
    report = asyncio.run(main(size))
    print(json.dumps(report))
    sys.exit(0 if report["ok"] else 1)
