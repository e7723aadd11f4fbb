"""Fair use: how often one person (or one room) may ask something of the bot.

A TokenBucket lets a burst through and then a steady rate; Attempts counts failures (wrong join
codes, wrong drafting codes) in a sliding window, so codes cannot be guessed by trying. Both are
kept in memory per key and forget keys that have been quiet, so a flood of new keys cannot grow
them without bound. Time comes from the caller (a clock's ``now``), so tests need not sleep.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.kernel.errors import UserError
from bot.kernel.language import ngettext
from bot.kernel.wording import number

WRONG_CODES = 5
"""Wrong codes (join codes, drafting codes) one account may send in an hour: a code cannot be
found by trying."""


def code_attempts(now: Callable[[], datetime]) -> Attempts:
    return Attempts(WRONG_CODES, timedelta(hours=1), now)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: datetime
    warned_at: datetime | None = None


class TokenBucket:
    """Per key: CAPACITY at once, refilled at RATE a second."""

    def __init__(self, capacity: int, rate: float, now: Callable[[], datetime], keys: int = 100_000) -> None:
        self.capacity = capacity
        self.rate = rate
        self._now = now
        self._keys = keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> bool:
        """Whether KEY may go ahead now (one token spent if so)."""
        now = self._now()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
            if len(self._buckets) > self._keys:
                self._buckets.popitem(last=False)
        else:
            elapsed = (now - bucket.at).total_seconds()
            bucket.tokens = min(float(self.capacity), bucket.tokens + max(0.0, elapsed) * self.rate)
            bucket.at = now
            self._buckets.move_to_end(key)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def warn(self, key: str, every: timedelta) -> bool:
        """Whether KEY, held back, should be told so now: once per EVERY, never more."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return False
        now = self._now()
        if bucket.warned_at is not None and now - bucket.warned_at < every:
            return False
        bucket.warned_at = now
        return True


class Attempts:
    """Per key: at most LIMIT failures within WINDOW; then refused until the oldest ages out."""

    def __init__(self, limit: int, window: timedelta, now: Callable[[], datetime], keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._now = now
        self._keys = keys
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def _recent(self, key: str) -> deque[datetime]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        cutoff = self._now() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def blocked_until(self, key: str) -> datetime | None:
        """When KEY may try again, if it has used up its failures; else None."""
        failures = self._recent(key)
        return failures[0] + self.window if len(failures) >= self.limit else None

    def check(self, key: str, what: str) -> None:
        """Refuse KEY, with a sentence, while it has used up its failures at WHAT ("join codes",
        "drafting codes": each its own whole sentence, so that it translates)."""
        until = self.blocked_until(key)
        if until is None:
            return
        minutes = max(1, -(-int((until - self._now()).total_seconds()) // 60))
        if what == "join codes":
            text = ngettext("Too many wrong join codes from this account: try again in {n} minute, or ask an "
                            "organiser.",
                            "Too many wrong join codes from this account: try again in {n} minutes, or ask an "
                            "organiser.", minutes)
        elif what == "drafting codes":
            text = ngettext("Too many wrong drafting codes from this account: try again in {n} minute, or ask an "
                            "organiser.",
                            "Too many wrong drafting codes from this account: try again in {n} minutes, or ask an "
                            "organiser.", minutes)
        else:
            text = ngettext("Too many wrong codes from this account: try again in {n} minute, or ask an organiser.",
                            "Too many wrong codes from this account: try again in {n} minutes, or ask an organiser.",
                            minutes)
        raise UserError(text.format(n=number(minutes)))

    def failed(self, key: str) -> None:
        failures = self._failures.setdefault(key, deque())
        failures.append(self._now())
        self._failures.move_to_end(key)
        if len(self._failures) > self._keys:
            self._failures.popitem(last=False)
