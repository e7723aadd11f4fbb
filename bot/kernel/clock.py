"""The clock seam.

Deadlines decide whether a vote counts, so time enters the core only through a Clock: the
system clock in production, a manual one in tests (which never sleep), and the console's
system clock with an offset that ``:advance`` moves forward for rehearsals and demos.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

# A long wait is cut into slices so that a wall-clock jump (NTP, DST on a badly set host)
# is noticed within this many seconds rather than at the end of the original wait.
_MAX_SLICE_S = 30.0


class Clock:
    """Real time plus an adjustable offset; ``advance`` wakes every sleeper."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._changed = asyncio.Event()

    def _base_now(self) -> datetime:
        return datetime.now(UTC)

    def now(self) -> datetime:
        # Read for every vote (fair use): adding a zero offset would cost as much as the reading.
        now = self._base_now()
        return now + self._offset if self._offset else now

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._offset += delta
        self._changed.set()
        self._changed = asyncio.Event()

    def _slice(self, remaining: float) -> float | None:
        return min(remaining, _MAX_SLICE_S)

    async def sleep_until(self, when: datetime) -> None:
        while True:
            remaining = (when - self.now()).total_seconds()
            if remaining <= 0:
                return
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), self._slice(remaining))
            except TimeoutError:
                pass


class ManualClock(Clock):
    """A clock that stands still until a test advances it."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self._start = start or datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def _base_now(self) -> datetime:
        return self._start

    def _slice(self, remaining: float) -> float | None:
        return None
