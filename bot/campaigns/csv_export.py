"""Lists for organisers as CSV, cut into message-sized parts.

A chat message holds at most 4096 characters, so a long list is sent as several messages, each
a complete CSV with the header row, so every part opens on its own in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

PART = 3500


def _line(row: Sequence[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(["" if v is None else _safe(str(v)) for v in row])
    return buf.getvalue()


def _safe(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_parts(header: Sequence[str], rows: Iterable[Sequence[object]], limit: int = PART) -> list[str]:
    head = _line(header)
    parts: list[str] = []
    current = head
    for row in rows:
        line = _line(row)
        if len(current) + len(line) > limit and current != head:
            parts.append(current)
            current = head
        current += line
    parts.append(current)
    return parts
