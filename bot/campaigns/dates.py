"""Dates as branch secretaries write them: "3 June", "3 Jun 2026", "2026-06-03", "today"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_MONTHS = {m: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], 1) for m in names}


class DateError(ValueError):
    pass


def parse_day(text: str, today: date) -> date:
    """The date TEXT names; a day and month without a year is the most recent such day."""
    t = text.strip().lower().rstrip(".")
    if t == "today":
        return today
    if t == "yesterday":
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)(?:\s+(\d{4}))?", t)
    if m and m.group(2) in _MONTHS:
        day, month = int(m.group(1)), _MONTHS[m.group(2)]
        if m.group(3):
            return _make(int(m.group(3)), month, day, text)
        found = _make(today.year, month, day, text)
        return found if found <= today else _make(today.year - 1, month, day, text)
    raise DateError(f"cannot read the date {text.strip()[:30]!r}; write e.g. 3 June, 2026-06-03 or today")


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(f"{text.strip()[:30]!r} is not a real date") from None


def days_left(deadline: datetime, now: datetime, tz) -> int:  # type: ignore[no-untyped-def]
    """Whole calendar days from today to the deadline's day, in the organisation's time zone."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days
