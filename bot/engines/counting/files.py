"""Choosing a reader for a ballot file by its name, or else by what it looks like."""

from __future__ import annotations

from pathlib import Path

from bot.engines.counting.blt import read_blt, read_blt_bytes
from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.preflib import read_preflib, read_preflib_bytes
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


def read_ballot_bytes(data: bytes, source: str = "<ballots>", suffix: str = "") -> Profile:
    """Read a ballot file's bytes; undecodable text is reported like any other damage.

    A BLT or PrefLib file is first offered to its reader's bulk path as bytes (a large plain
    file is then never decoded as a whole); anything that path declines is decoded and read as
    text by read_ballots, which also gives every error message."""
    kind = suffix.lower().lstrip(".")
    fast = (
        read_blt_bytes(data, source)
        if kind == "blt"
        else read_preflib_bytes(data, source, kind)
        if kind in _PREFLIB
        else None
    )
    if fast is not None:
        return fast
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BallotFileError(source, None, f"not UTF-8 text ({exc.reason})") from None
    if "\r" in text:  # what reading in text mode would do, without its cost on every file
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return read_ballots(text, source, suffix)


def load_ballots(path: str | Path) -> Profile:
    """Read a ballot file, choosing the reader by its suffix or its content."""
    p = Path(path)
    return read_ballot_bytes(p.read_bytes(), p.name, p.suffix)
