"""Unbiased random integers derived from public randomness and a commitment.

The organiser cannot steer the draw: the commitment is fixed before the randomness exists, and
the randomness (numbers called out by witnesses, a beacon value) is announced in advance. Both
go through SHA-256; integers are taken by rejection sampling, so no value is more likely than
another (a plain modulo would favour small values).
"""

from __future__ import annotations

import hashlib
import unicodedata

DOMAIN = b"quorum-sortition/1"


def normalise(randomness: str) -> str:
    """NFC, with runs of white space folded to one space, so retyping gives the same seed."""
    return " ".join(unicodedata.normalize("NFC", randomness).split())


class RandomStream:
    """SHA-256 in counter mode over (domain, commitment, purpose, randomness)."""

    def __init__(self, commitment: str, purpose: str, randomness: str) -> None:
        parts = [DOMAIN, commitment.encode(), purpose.encode(), normalise(randomness).encode()]
        self.seed = hashlib.sha256(b"\n".join(parts)).digest()
        self.counter = 0

    def _bytes(self, count: int) -> bytes:
        out = b""
        while len(out) < count:
            out += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
        return out[:count]

    def below(self, n: int) -> int:
        """A uniform integer in [0, n): the top bits of fresh blocks, redrawn if too large."""
        if n < 1:
            raise ValueError("below() needs a positive bound")
        if n == 1:
            return 0
        bits = (n - 1).bit_length()
        size = (bits + 7) // 8
        while True:
            value = int.from_bytes(self._bytes(size), "big") >> (8 * size - bits)
            if value < n:
                return value

    def sample(self, items: list[int], count: int) -> list[int]:
        """`count` distinct items, uniformly: a partial Fisher-Yates shuffle, result sorted."""
        pool = list(items)
        for i in range(count):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return sorted(pool[:count])

    def shuffle(self, items: list[int]) -> list[int]:
        """A uniformly random order of `items` (full Fisher-Yates, front to back)."""
        order = list(items)
        for i in range(len(order) - 1):
            j = i + self.below(len(order) - i)
            order[i], order[j] = order[j], order[i]
        return order
