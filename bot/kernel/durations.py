"""Deadlines as people type them: ``30m``, ``1.5h``, ``1d12h``, ``18:00``, ``2026-06-03 18:00``."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.kernel.errors import ParseError
from bot.kernel.language import _
from bot.kernel.wording import quoted

_PART = re.compile(r"(\d{1,6}(?:\.\d{1,6})?)([dhms])", re.ASCII)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
MAX_AHEAD = timedelta(days=366)
MIN_AHEAD = timedelta(seconds=10)


class DeadlineError(ParseError):
    pass


def parse_duration(text: str) -> timedelta | None:
    """``1h30m`` and ``1.5h`` -> 90 minutes; None if TEXT is not a duration. Decimals are read
    exactly (never as floats): six places of a second's unit are whole microseconds."""
    t = text.strip().lower()
    if not t or _PART.sub("", t) != "":
        return None
    seconds = sum(Fraction(n) * _UNITS[u] for n, u in _PART.findall(t))
    return timedelta(microseconds=int(seconds * 1_000_000))


def parse_deadline(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """An absolute UTC-aware deadline for TEXT, relative to NOW, local times read in TZ."""
    t = text.strip()
    delta = parse_duration(t)
    if delta is not None:
        when = now + delta
    else:
        when = _absolute(t, now, tz)
    if when - now < MIN_AHEAD:
        raise DeadlineError(_("the deadline {deadline} is in the past or too close; give e.g. 30m or 2h").format(
            deadline=t))
    if when - now > MAX_AHEAD:
        raise DeadlineError(_("the deadline {deadline} is more than a year away").format(deadline=t))
    return when


def _absolute(t: str, now: datetime, tz: ZoneInfo) -> datetime:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", t)
    if m:
        hh, mm = int(m.group(1)), int(m.group(2))
        if hh > 23 or mm > 59:
            raise DeadlineError(_("{time} is not a time of day; use HH:MM such as 18:00").format(time=t))
        local_now = now.astimezone(tz)
        when = datetime.combine(local_now.date(), time(hh, mm), tzinfo=tz)
        if when <= local_now:
            when += timedelta(days=1)
        return when.astimezone(now.tzinfo)
    try:
        parsed = datetime.fromisoformat(t.replace(" ", "T", 1))
    except ValueError:
        raise DeadlineError(_("cannot read the deadline {deadline}; use a duration (30m, 2h, 1d) or a date-time "
                              "(2026-06-03T18:00)").format(deadline=quoted(t))) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(now.tzinfo)
