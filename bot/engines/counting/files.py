"""Choosing a reader for a ballot file by its name, or else by what it looks like."""

from __future__ import annotations

from pathlib import Path

from bot.engines.counting.blt import read_blt
from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.preflib import read_preflib
from bot.engines.counting.profile import Profile
from bot.engines.counting.votecount import read_votecount

_PREFLIB = ("soi", "toi", "soc", "toc")


def read_ballots(text: str, source: str = "<ballots>", suffix: str = "") -> Profile:
    """Parse ballot text: `.blt` is BLT, PrefLib suffixes are PrefLib; otherwise a file with a
    `:CHOICES:` line is Vote::Count, one opening with `#` comments is PrefLib, the rest BLT."""
    kind = suffix.lower().lstrip(".")
    if kind == "blt":
        return read_blt(text, source)
    if kind in _PREFLIB:
        return read_preflib(text, source, kind)
    head = text.lstrip()[:200]
    if ":CHOICES:" in text[:100_000] and (head.startswith("#") or head.startswith(":")):
        return read_votecount(text, source)
    if head.startswith("#"):
        return read_preflib(text, source)
    return read_blt(text, source)


def load_ballots(path: str | Path) -> Profile:
    """Read a ballot file; undecodable text is reported like any other damage."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BallotFileError(p.name, None, f"not UTF-8 text ({exc.reason})") from None
    if "\r" in text:  # what reading in text mode would do, without its cost on every file
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return read_ballots(text, p.name, p.suffix)
