"""Choosing a reader for a ballot file by what it looks like."""

from __future__ import annotations

from pathlib import Path

from bot.counting.blt import read_blt
from bot.counting.errors import BallotFileError
from bot.counting.preflib import read_preflib
from bot.counting.profile import Profile
from bot.counting.votecount import read_votecount


def read_ballots(text: str, source: str = "<ballots>", suffix: str = "") -> Profile:
    """Parse ballot text in any supported format: PrefLib by suffix or header, Vote::Count by its
    `:CHOICES:` line, otherwise BLT."""
    suffix = suffix.lower().lstrip(".")
    if suffix in ("soi", "toi", "soc", "toc") or "# ALTERNATIVE NAME" in text[:20000]:
        return read_preflib(text, source, suffix if suffix in ("soi", "toi", "soc", "toc") else None)
    if ":CHOICES:" in text[:200000]:
        return read_votecount(text, source)
    return read_blt(text, source)


def load_ballots(path: str | Path) -> Profile:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BallotFileError(p.name, None, f"not UTF-8 text ({exc.reason})") from None
    return read_ballots(text, p.name, p.suffix)
