"""Three ``quorum`` processes in webhook mode behind a round-robin balancer, on one PostgreSQL:
many votes in many polls, updates delivered twice, one process SIGKILLed mid-run and started
again. Every vote a member was told is counted is stored once and counted once; each poll is
closed and announced once; its reminder round goes out once; the trigger fires once.

The suite plays it at a size two shared cores finish in a few minutes; ``bench/scale_out.py``
plays the issue's size (10,000 votes from 2,000 members in 20 polls).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.adapters.telegram.scale_out import Size, run
from tests.peers.postgresql import shared


@pytest.mark.postgresql_run("three bot processes on one PostgreSQL database; SQLite has one process")
async def test_three_processes_lose_nothing_and_do_everything_once(tmp_path: Path) -> None:
    size = Size()
    out = await run(tmp_path, shared().database_for(str(tmp_path)), size)

    assert out.killed_at > 0
    assert len(out.acked) > out.pressed * 0.8, (len(out.acked), out.pressed)  # most answered despite the kill
    for key, option in out.acked.items():  # every acknowledged vote is there, as acknowledged
        assert out.stored.get(key) == option, key
    per_poll = Counter(n for _, n in out.stored)
    for n in range(1, size.polls + 1):  # counted once: the result holds exactly the stored votes
        assert sum(out.results[n]) == per_poll[n], n
    assert out.announced == Counter(range(1, size.polls + 1))  # each closed and announced once
    # Reminded once each: the non-voters Telegram lets the bot write to (those who wrote to it).
    assert out.reminded and set(out.reminded) == out.roll_non_voters & out.reachable
    assert set(out.reminded.values()) == {1}
    assert out.fired == 1 and out.trigger_status == "fired" and out.trigger_ballots == 1
    assert not out.refused, out.refused  # together within Telegram's limits: no 429
