"""Lists for organisers as CSV, cut into message-sized parts.

A chat message holds at most 4096 characters, so a long list is sent as several messages, each
a complete CSV with the header row, so every part opens on its own in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from bot.kernel.context import Context
from bot.kernel.markup import markup, pre

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


async def send_privately(
    ctx: Context, label: str, header: Sequence[str], rows: Sequence[Sequence[object]], what: str
) -> None:
    """Send an organiser a list as CSV in their private chat (in parts if long): personal data
    never goes to the group."""
    parts = csv_parts(header, rows)
    for n, part in enumerate(parts, 1):
        suffix = f", part {n} of {len(parts)}" if len(parts) > 1 else ""
        await ctx.private(markup("{} ({}){}:\n{}", label, len(rows), suffix, pre(part)))
    if not ctx.room.private:
        await ctx.reply(f"I sent you {what} privately.")
