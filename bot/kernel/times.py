"""Times as the database stores them: ISO 8601 text, to the second, always with a zone."""

from __future__ import annotations

from datetime import datetime


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def parse_iso(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None
