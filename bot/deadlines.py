"""Closing polls on time, in process.

This loop sleeps until the earliest deadline the core knows of and then asks it to close what
is due. It holds no state of its own: deadlines live in the database and the poll cache, so
after a restart the loop simply finds the overdue polls and closes them at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock

log = logging.getLogger(__name__)


class DeadlineLoop:
    def __init__(
        self,
        clock: Clock,
        next_due: Callable[[], datetime | None],
        fire: Callable[[], Awaitable[None]],
    ) -> None:
        self._clock = clock
        self._next_due = next_due
        self._fire = fire
        self._poked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="quorum-deadlines")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def poke(self) -> None:
        """A deadline was added or removed: recompute the next wake-up."""
        self._poked.set()

    async def _run(self) -> None:
        while True:
            self._poked.clear()
            due = self._next_due()
            if due is not None and due <= self._clock.now():
                try:
                    await self._fire()
                except Exception:
                    log.exception("closing due polls failed; retrying shortly")
                    await asyncio.sleep(1)
                continue
            sleepers = [asyncio.ensure_future(self._poked.wait())]
            if due is not None:
                sleepers.append(asyncio.ensure_future(self._clock.sleep_until(due)))
            try:
                await asyncio.wait(sleepers, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for s in sleepers:
                    s.cancel()
