"""The peer's clock, injectable so flood-control windows can be tested without sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the peer needs to know about time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back; used for rate-limit buckets."""
        ...

    def unix(self) -> int:
        """Wall-clock seconds; used for ``date`` fields of messages and updates."""
        ...


class SystemClock:
    """Real time. The default, because PTB's own rate limiter runs on real time too."""

    def monotonic(self) -> float:
        return time.monotonic()

    def unix(self) -> int:
        return int(time.time())


class ManualClock:
    """A clock a test moves by hand, for checking flood control without waiting."""

    def __init__(self, start_unix: int = 1_700_000_000) -> None:
        self._offset = 0.0
        self._start_unix = start_unix

    def monotonic(self) -> float:
        return self._offset

    def unix(self) -> int:
        return self._start_unix + int(self._offset)

    def advance(self, seconds: float) -> None:
        """Move time forward; refills the flood-control buckets accordingly."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._offset += seconds
