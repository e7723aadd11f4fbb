"""A database written by a newer Quorum, recognised before anything reads it (both backends)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.kernel.errors import StartError


def refuse_newer(done: set[int], files: Sequence[tuple[int, Path]]) -> None:
    """Raise a StartError if the database has applied a migration this install does not have:
    a newer Quorum wrote it, and this one would misread (or write wrongly into) its tables."""
    unknown = done - {version for version, _ in files}
    if unknown:
        raise StartError(f"This database was written by a newer Quorum (migration {max(unknown)}): upgrade "
                         "Quorum, or restore a backup made by this version.")
