"""Flood control: the peer's 429 answers with ``retry_after``."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from .clock import Clock
from .errors import too_many_requests
from .limits import Bucket, Limits

_EPSILON = 1e-9


@dataclass
class _Level:
    tokens: float
    stamp: float


class FloodControl:
    """Token buckets for the whole bot, each group and each private chat.

    A request is admitted only if every bucket that applies has a whole token; a refused
    request takes no token, so a client that obeys ``retry_after`` always gets through.
    """

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._levels: dict[tuple[str, int], _Level] = {}
        self.refusals: Counter[str] = Counter()
        """How many 429s were sent, by bucket kind: ``overall``, ``group``, ``private``."""

    @property
    def total_refusals(self) -> int:
        return sum(self.refusals.values())

    def admit(self, chat_id: int) -> None:
        """Take one token for a message into ``chat_id`` or raise the 429 Telegram would."""
        if not self.limits.flood_control:
            return
        now = self.clock.monotonic()
        kind = "group" if chat_id < 0 else "private"
        bucket = self.limits.per_group if chat_id < 0 else self.limits.per_private_chat
        checks = [(("overall", 0), self.limits.overall), ((kind, chat_id), bucket)]
        waits: list[tuple[float, str]] = []
        for key, spec in checks:
            level = self._refill(key, spec, now)
            if level.tokens < 1 - _EPSILON:
                waits.append(((1 - level.tokens) / spec.rate, key[0]))
        if waits:
            wait, kind_hit = max(waits)
            self.refusals[kind_hit] += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        for key, _spec in checks:
            self._levels[key].tokens -= 1

    def _refill(self, key: tuple[str, int], spec: Bucket, now: float) -> _Level:
        level = self._levels.get(key)
        if level is None:
            level = self._levels[key] = _Level(float(spec.capacity), now)
        elapsed = max(0.0, now - level.stamp)
        level.tokens = min(float(spec.capacity), level.tokens + elapsed * spec.rate)
        level.stamp = now
        return level
