"""The scheduler's wake-ups with the real APScheduler and the real clock (bot/storage/scheduler.py):
deadlines that move while a pass is under way are kept, without a wake-up skipped on the way; a
duty whose work fails holds up no other."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from bot.kernel.clock import Clock
from bot.storage.scheduler import Scheduler


async def test_a_deadline_set_during_a_pass_is_kept_and_no_wake_up_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock = Clock()
    scheduler = Scheduler(clock)
    due: dict[str, datetime | None] = {"first": clock.now() + timedelta(milliseconds=50), "second": None}
    done: list[str] = []
    both = asyncio.Event()

    async def first() -> None:
        due["first"] = None
        # Its work sets another deadline, a moment away, and says so several times (as a sync
        # learning several polls does); the pass is still under way when that deadline comes.
        due["second"] = clock.now() + timedelta(milliseconds=100)
        for _ in range(5):
            scheduler.poke()
        await asyncio.sleep(0.3)
        done.append("first")

    async def second() -> None:
        due["second"] = None
        done.append("second")
        both.set()

    scheduler.add("first", lambda: due["first"], first)
    scheduler.add("second", lambda: due["second"], second)
    scheduler.start()
    try:
        await asyncio.wait_for(both.wait(), 5)
    finally:
        await scheduler.shutdown()
    assert done == ["first", "second"]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == []


async def test_a_duty_whose_work_fails_holds_up_no_other_and_is_not_retried_in_a_spin(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every feature's timed work shares the scheduler: a failing one (a bug, a row it cannot
    handle) must not keep a poll from closing, nor be retried in a loop."""
    clock = Clock()
    scheduler = Scheduler(clock)
    soon = clock.now() + timedelta(milliseconds=50)
    attempts: list[datetime] = []
    closed = asyncio.Event()
    due: dict[str, datetime | None] = {"broken": soon, "close": soon}

    async def broken() -> None:
        attempts.append(clock.now())
        raise RuntimeError("a row this duty cannot handle")

    async def close() -> None:
        due["close"] = None
        closed.set()

    scheduler.add("broken", lambda: due["broken"], broken)  # first: its failure comes first
    scheduler.add("close", lambda: due["close"], close)
    scheduler.start()
    try:
        await asyncio.wait_for(closed.wait(), 5)
        await asyncio.sleep(0.5)
    finally:
        await scheduler.shutdown()
    assert len(attempts) == 1  # tried again at the safety tick, not at once
    assert "scheduled work broken failed; it will be retried" in caplog.text
