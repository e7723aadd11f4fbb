"""Helpers shared by the counting tests: where the real elections live, and small profiles."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bot.engines.counting.profile import Profile, build_profile


def elections_dir() -> Path:
    """The shared real-election data: $QUORUM_ELECTIONS_DIR, else ../shared/data/elections
    beside the repository."""
    env = os.environ.get("QUORUM_ELECTIONS_DIR")
    if env:
        return Path(env)
    return (Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "elections").resolve()


def make(candidates: str, ballots: Sequence[tuple[int, str]], seats: int | None = None) -> Profile:
    """A profile from `(count, "ABC")` pairs, one letter per candidate, in preference order."""
    names = list(candidates)
    rows = [[names.index(ch) for ch in order] for _, order in ballots]
    weights = [n for n, _ in ballots]
    return build_profile(names, rows, weights, seats=seats)
