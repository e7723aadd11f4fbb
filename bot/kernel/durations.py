"""Deadlines and lengths of time as people type them: ``30m``, ``1.5h``, ``1d12h``, ``2w``,
``18:00``, ``6pm``, ``6:30 pm``, ``2026-06-03 18:00``.

A length is read one way wherever it is typed (a deadline, how long a trigger's ballot stays
open, a reminder before a close): a day, and a week of seven, is a calendar day, ending at the
same time of day on the organisation's clocks (23 or 25 hours across a clock change, as people
mean a day); hours, minutes and seconds are elapsed time (``Span``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.kernel.errors import ParseError
from bot.kernel.language import _
from bot.kernel.wording import quoted, utc_offset

_PART = re.compile(r"(\d{1,6}(?:\.\d{1,6})?)([wdhms])", re.ASCII)
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
"""A time of day on the 24-hour clock: ``18:00``, ``9:30``."""
_HALF_DAY = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\.?", re.ASCII | re.IGNORECASE)
"""A time of day on the 12-hour clock: ``6pm``, ``6:30 pm``, ``6.30pm``, ``6 p.m.``, ``12am``."""
_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](.+)", re.ASCII | re.DOTALL)
MAX_AHEAD = timedelta(days=366)
MIN_AHEAD = timedelta(seconds=10)


class DeadlineError(ParseError):
    pass


def _parts(text: str) -> dict[str, Fraction] | None:
    """The amount of each unit in TEXT (``1d12h`` -> d: 1, h: 12); None if it is not a length."""
    t = text.strip().lower()
    if not t or _PART.sub("", t) != "":
        return None
    parts = dict.fromkeys(_UNITS, Fraction(0))
    for n, u in _PART.findall(t):
        parts[u] += Fraction(n)
    return parts


def _micro(seconds: Fraction) -> timedelta:
    return timedelta(microseconds=int(seconds * 1_000_000))


@dataclass(frozen=True)
class Span:
    """A length of time as people type it: whole calendar DAYS (``1w`` is 7), then REST, elapsed
    time (``1.5d`` is a day and 12 hours; ``24h`` is 24 hours whatever the clocks do)."""

    days: int
    rest: timedelta = timedelta(0)

    @property
    def length(self) -> timedelta:
        """How long it is on a day the clocks do not change: to compare with limits, and to name it."""
        return timedelta(days=self.days) + self.rest

    def after(self, start: datetime, tz: ZoneInfo) -> datetime:
        """The moment this long after START, its days counted on the clocks of TZ."""
        return _days_later(start, self.days, tz) + self.rest

    def before(self, end: datetime, tz: ZoneInfo) -> datetime:
        """The moment this long before END (a reminder ``1d`` before a close at 13:00 is at 13:00
        the day before), its days counted on the clocks of TZ."""
        return _days_later(end - self.rest, -self.days, tz)


def parse_span(text: str) -> Span | None:
    """``1w``, ``1d12h``, ``1.5h`` as a Span; None if TEXT is not a length. Decimals are read
    exactly (never as floats): six places of a second's unit are whole microseconds."""
    parts = _parts(text)
    if parts is None:
        return None
    days = parts["w"] * 7 + parts["d"]
    whole = int(days)
    rest = (days - whole) * 86400 + sum(parts[u] * _UNITS[u] for u in "hms")
    return Span(whole, _micro(rest))


def parse_duration(text: str) -> timedelta | None:
    """A length as elapsed time (``1h30m`` and ``1.5h`` -> 90 minutes), for what runs on the
    machine's time rather than people's calendar (a lease, the console's clock); None if TEXT is
    not a length."""
    span = parse_span(text)
    return None if span is None else span.length


def _days_later(now: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The same time of day as NOW, DAYS calendar days on (or back), on the clocks of TZ.

    ``--closes 1d`` at 13:00 the day before the clocks change closes at 13:00 the next day, as
    people mean a day (25 or 23 hours then), not 12:00 or 14:00; hours and minutes are elapsed
    time. A time of day the change skips is read as the same moment 24 hours would give."""
    local = now.astimezone(tz)
    return (local + timedelta(days=days)).astimezone(now.tzinfo)


def parse_deadline(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """An absolute UTC-aware deadline for TEXT, relative to NOW, local times read in TZ."""
    t = text.strip()
    span = parse_span(t)
    if span is not None:
        if span.days > MAX_AHEAD.days:  # needs no calendar to be too far, and may be beyond it
            raise DeadlineError(_("the deadline {deadline} is more than a year away").format(deadline=t))
        when = span.after(now, tz)
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
    if not found:  # offered with its day, which the next such time of day might not be
        after = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        raise DeadlineError(_("{deadline} does not exist in {zone}: the clocks go forward over it; give a time "
                              "after the change, such as {later}").format(
            deadline=quoted(typed), zone=tz.key, later=after.strftime("%Y-%m-%d %H:%M")))
    ahead = [m for m in found if m - now >= MIN_AHEAD]
    if len(ahead) > 1:
        day = local.strftime("%Y-%m-%dT%H:%M")
        first, second = (f"{day}{utc_offset(m.astimezone(tz))}" for m in ahead)
        raise DeadlineError(_("{deadline} happens twice in {zone}, as the clocks go back; say which: {first} or "
                              "{second}").format(deadline=quoted(typed), zone=tz.key, first=first, second=second))
    return ahead[0] if ahead else found[-1]


def _time_of_day(t: str) -> time | None:
    """The time of day T names (``18:00``, ``6pm``, ``6:30 pm``); None if T is not written as one.
    Written as one but no time of day (``25:00``, ``13pm``) is refused with the forms that are."""
    half = _HALF_DAY.fullmatch(t)
    clock = half or _CLOCK.fullmatch(t)
    if clock is None:
        return None
    hh, mm = int(clock.group(1)), int(clock.group(2) or 0)
    if mm > 59 or (not 1 <= hh <= 12 if half else hh > 23):
        raise DeadlineError(_("{time} is not a time of day; give one such as 18:00, 6pm or 6:30 pm").format(time=t))
    if half:
        hh = hh % 12 + (12 if half.group(3).lower() == "p" else 0)  # 12am is midnight, 12pm noon
    return time(hh, mm)


def reads_as_time(text: str) -> bool:
    """Whether TEXT is written as a deadline is (a time of day such as ``6pm``, ``2 pm`` or
    ``18:00``, or a length such as ``1w``): where a number was wanted, it says the member wrote
    a deadline in the wrong place rather than a wrong number."""
    t = text.strip()
    try:
        return parse_span(t) is not None or _time_of_day(t) is not None
    except DeadlineError:  # written as a time of day, but none (13pm)
        return True


def _next(clock: time, now: datetime, tz: ZoneInfo, typed: str) -> datetime:
    """The next time the clocks of TZ read CLOCK: today, or else tomorrow."""
    today = now.astimezone(tz).date()
    for day in (today, today + timedelta(days=1)):
        local = datetime.combine(day, clock)
        found = _instants(local, tz)
        if not found and local > now.astimezone(tz).replace(tzinfo=None) or any(moment > now for moment in found):
            return _pick(local, tz, now, typed)
    return _pick(datetime.combine(today + timedelta(days=2), clock), tz, now, typed)


def _far(local: datetime, now: datetime) -> datetime | None:
    """A stand-in for a moment years off either way, which may be off the calendar in UTC
    (9999-12-31T23:59-05:00): the limits refuse it without reading it further."""
    if abs(local.year - now.year) > 1:
        return (datetime.max if local.year > now.year else datetime.min).replace(tzinfo=UTC)
    return None


def _absolute(t: str, now: datetime, tz: ZoneInfo) -> datetime:
    clock = _time_of_day(t)
    if clock is not None:
        return _next(clock, now, tz, t)
    dated = _DATED.fullmatch(t)
    if dated is not None and (clock := _time_of_day(dated.group(2).strip())) is not None:
        day = _DAY.fullmatch(dated.group(1))
        assert day is not None
        if _not_a_day(day):
            raise DeadlineError(_("{day} is not a day of the calendar").format(day=quoted(day.group(0))))
        local = datetime.combine(date.fromisoformat(dated.group(1)), clock)
        return _far(local, now) or _pick(local, tz, now, t)
    try:
        parsed = datetime.fromisoformat(t.replace(" ", "T", 1))
    except ValueError:
        d = _DAY.match(t)
        if d and _not_a_day(d):
            raise DeadlineError(_("{day} is not a day of the calendar").format(day=quoted(d.group(0)))) from None
        raise DeadlineError(_("cannot read the deadline {deadline}; give a length of time (30m, 2h, 1d, 1w), a time "
                              "of day (18:00, 6pm, 6:30 pm) or a date and time (2026-06-03 18:00)").format(
            deadline=quoted(t))) from None
    if "T" not in t.replace(" ", "T", 1).upper():
        # A day alone: its start (midnight) is a day earlier than most people mean by it.
        raise DeadlineError(_("{deadline} is a day; give the time on it too, such as {example}").format(
            deadline=quoted(t), example=f"{parsed.date().isoformat()} 18:00"))
    far = _far(parsed, now)
    if far is not None:
        return far
    if parsed.tzinfo is None:
        return _pick(parsed, tz, now, t)
    return parsed.astimezone(now.tzinfo)


def _not_a_day(m: re.Match[str]) -> bool:
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return True
    return False
