"""Deadlines as people type them: ``30m``, ``1.5h``, ``1d12h``, ``18:00``, ``2026-06-03 18:00``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.kernel.errors import ParseError
from bot.kernel.language import _
from bot.kernel.wording import quoted, utc_offset

_PART = re.compile(r"(\d{1,6}(?:\.\d{1,6})?)([dhms])", re.ASCII)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
MAX_AHEAD = timedelta(days=366)
MIN_AHEAD = timedelta(seconds=10)


class DeadlineError(ParseError):
    pass


def _parts(text: str) -> dict[str, Fraction] | None:
    """The amount of each unit in TEXT (``1d12h`` -> d: 1, h: 12); None if it is not a duration."""
    t = text.strip().lower()
    if not t or _PART.sub("", t) != "":
        return None
    parts = dict.fromkeys(_UNITS, Fraction(0))
    for n, u in _PART.findall(t):
        parts[u] += Fraction(n)
    return parts


def _length(parts: dict[str, Fraction]) -> timedelta:
    seconds = sum(n * _UNITS[u] for u, n in parts.items())
    return timedelta(microseconds=int(seconds * 1_000_000))


def parse_duration(text: str) -> timedelta | None:
    """``1h30m`` and ``1.5h`` -> 90 minutes; None if TEXT is not a duration. Decimals are read
    exactly (never as floats): six places of a second's unit are whole microseconds."""
    parts = _parts(text)
    return None if parts is None else _length(parts)


def _days_later(now: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The same time of day as NOW, DAYS calendar days on, on the clocks of TZ.

    ``--closes 1d`` at 13:00 the day before the clocks change closes at 13:00 the next day, as
    people mean a day (25 or 23 hours then), not 12:00 or 14:00; hours and minutes are elapsed
    time. A time of day the change skips is read as the same moment 24 hours would give."""
    local = now.astimezone(tz)
    return (local + timedelta(days=days)).astimezone(now.tzinfo)


def parse_deadline(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """An absolute UTC-aware deadline for TEXT, relative to NOW, local times read in TZ."""
    t = text.strip()
    parts = _parts(t)
    if parts is not None:
        whole = int(parts["d"])
        if whole > MAX_AHEAD.days:  # needs no calendar to be too far, and may be beyond it
            raise DeadlineError(_("the deadline {deadline} is more than a year away").format(deadline=t))
        when = _days_later(now, whole, tz) + _length({**parts, "d": parts["d"] - whole})
    else:
        when = _absolute(t, now, tz)
    if when - now < MIN_AHEAD:
        raise DeadlineError(_("the deadline {deadline} is in the past or too close; give e.g. 30m or 2h").format(
            deadline=t))
    if when > _days_later(now, MAX_AHEAD.days, tz):
        raise DeadlineError(_("the deadline {deadline} is more than a year away").format(deadline=t))
    return when


def _instants(local: datetime, tz: ZoneInfo) -> list[datetime]:
    """The moments (in UTC) at which the clocks of TZ read LOCAL (naive): none in the hour the
    clocks go forward over, two in the hour they go back over, else one."""
    found: list[datetime] = []
    for fold in (0, 1):
        moment = local.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if moment.astimezone(tz).replace(tzinfo=None) == local and moment not in found:
            found.append(moment)
    return found


def _pick(local: datetime, tz: ZoneInfo, now: datetime, typed: str) -> datetime:
    """The one moment LOCAL names in TZ: refused if the clocks skip it, or if they show it
    twice and both are still ahead (a deadline decides whether a vote counts: never guessed)."""
    found = _instants(local, tz)
    if not found:
        after = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        raise DeadlineError(_("{deadline} does not exist in {zone}: the clocks go forward over it; give a time "
                              "after the change, such as {later}").format(
            deadline=quoted(typed), zone=tz.key, later=after.strftime("%H:%M")))
    ahead = [m for m in found if m - now >= MIN_AHEAD]
    if len(ahead) > 1:
        day = local.strftime("%Y-%m-%dT%H:%M")
        first, second = (f"{day}{utc_offset(m.astimezone(tz))}" for m in ahead)
        raise DeadlineError(_("{deadline} happens twice in {zone}, as the clocks go back; say which: {first} or "
                              "{second}").format(deadline=quoted(typed), zone=tz.key, first=first, second=second))
    return ahead[0] if ahead else found[-1]


def _absolute(t: str, now: datetime, tz: ZoneInfo) -> datetime:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", t, re.ASCII)
    if m:
        hh, mm = int(m.group(1)), int(m.group(2))
        if hh > 23 or mm > 59:
            raise DeadlineError(_("{time} is not a time of day; use HH:MM such as 18:00").format(time=t))
        # The next time the clocks read HH:MM: today, or else tomorrow.
        today = now.astimezone(tz).date()
        for day in (today, today + timedelta(days=1)):
            local = datetime.combine(day, time(hh, mm))
            found = _instants(local, tz)
            if not found and local > now.astimezone(tz).replace(tzinfo=None) or any(moment > now for moment in found):
                return _pick(local, tz, now, t)
        return _pick(datetime.combine(today + timedelta(days=2), time(hh, mm)), tz, now, t)
    try:
        parsed = datetime.fromisoformat(t.replace(" ", "T", 1))
    except ValueError:
        d = _DAY.match(t)
        if d and _not_a_day(d):
            raise DeadlineError(_("{day} is not a day of the calendar").format(day=quoted(d.group(0)))) from None
        raise DeadlineError(_("cannot read the deadline {deadline}; use a duration (30m, 2h, 1d) or a date-time "
                              "(2026-06-03T18:00)").format(deadline=quoted(t))) from None
    if "T" not in t.replace(" ", "T", 1).upper():
        # A day alone: its start (midnight) is a day earlier than most people mean by it.
        raise DeadlineError(_("{deadline} is a day; give the time on it too, such as {example}").format(
            deadline=quoted(t), example=f"{parsed.date().isoformat()} 18:00"))
    if abs(parsed.year - now.year) > 1:
        # Far off either way, and perhaps off the calendar in UTC (9999-12-31T23:59-05:00).
        return (datetime.max if parsed.year > now.year else datetime.min).replace(tzinfo=UTC)
    if parsed.tzinfo is None:
        return _pick(parsed, tz, now, t)
    return parsed.astimezone(now.tzinfo)


def _not_a_day(m: re.Match[str]) -> bool:
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return True
    return False
