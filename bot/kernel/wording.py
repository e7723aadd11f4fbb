"""How numbers, times and words read in messages: percentages exact to one decimal, rounded
half up (never a float's idea of rounding), times in the organisation's own time zone, each
written as the language being written in writes them (bot/kernel/language.py)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.kernel.language import current


def percent(part: int, whole: int) -> str:
    """PART of WHOLE as a percentage with one decimal, rounded half up, written as the language
    being written in writes it ("12.5%", "12,5%")."""
    if not whole:
        return "–"
    value = Decimal(part * 100) / Decimal(whole)
    return current().percent(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def number(n: int) -> str:
    """A count as the language being written in writes it ("12,345", "12 345")."""
    return current().number(n)


def when(t: datetime, tz: ZoneInfo, now: datetime, *, lasting: bool = False) -> str:
    """A moment in the organisation's time zone, in the language being written in: its year if
    it is in another year than NOW's ("Wed 06 Jan 2027 14:00", which on 30 December would read
    as the 6 January just gone), else its day ("Mon 05 Jan 14:00"), or the time alone if it is
    today (a reply, read at once) unless LASTING.

    LASTING is for a text that stays on screen to be read later (a ballot pinned for weeks,
    ``/motion … show``, a trigger's announcement): never the time alone, as it may be read on
    another day. Its year follows the same rule, from NOW, when it is rendered, and needs no
    other: a deadline in NOW's year is read before it passes in that same year, so its day alone
    is never taken for another year's, however far ahead it is (a deadline of 20 November seen
    in February is this November's; one in the next year, even a week ahead, names its year).
    A rule such as "more than six months away" would add the year only where nothing is in
    doubt; a text that outlives its moment in a later year is re-rendered (a ballot when it
    closes) or is a chat message dated by the platform itself."""
    local = t.astimezone(tz)
    today = now.astimezone(tz).date()
    if local.date() == today and not lasting:
        return _which(current().moment(local, "time"), local)
    if local.year != today.year:
        return _which(current().moment(local, "full"), local)
    return _which(current().moment(local, "day"), local)


def when_in_full(t: datetime, tz: ZoneInfo) -> str:
    """A moment with its year ("Mon 05 Jan 2026 14:00"), e.g. a campaign's deadline."""
    local = t.astimezone(tz)
    return _which(current().moment(local, "full"), local)


def zoned(shown: str, tz: ZoneInfo) -> str:
    """A deadline as shown (by ``when``), with the zone it is read in: "Mon 01 Jun 15:00
    (Europe/London)". Members may read it far from the organisation, and a deadline is the
    organisation's."""
    return f"{shown} ({tz.key})"


def _which(shown: str, local: datetime) -> str:
    """SHOWN, and in the hour the clocks show twice as they go back, which of the two it is:
    "01:30 BST" or "01:30 GMT" (else "01:30" alone says nothing of which)."""
    if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():
        return shown
    name = local.tzname() or ""
    if not name.isalpha():  # zones with no abbreviation give their offset ("+1345")
        name = f"UTC{utc_offset(local)}"
    return f"{shown} {name}"


def utc_offset(local: datetime) -> str:
    """LOCAL's offset from UTC as ISO 8601 writes it: "+01:00", "+12:45", "-05:00"."""
    text = local.strftime("%z")  # "+0100"
    return f"{text[:3]}:{text[3:5]}"


def day_of(t: datetime | date) -> str:
    """A day ("05 January 2026"), e.g. when a branch passed a motion."""
    return current().moment(t if isinstance(t, datetime) else datetime(t.year, t.month, t.day), "date")


def days_left(deadline: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Whole calendar days from today to the deadline's day, in the organisation's time zone."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def quoted(text: str, limit: int = 40) -> str:
    """What someone typed, quoted back in a message: between curly quotes, as a person reads it
    (not Python's 'repr', with its backslashes), as ``clipped`` shows it."""
    return f"“{clipped(text, limit)}”"


def clipped(text: str, limit: int = 40) -> str:
    """What someone typed, shown back where quotes would not fit (``/{name}``): runs of spaces and
    line breaks as one space, any other control character as U+FFFD, and cut to LIMIT characters
    with an ellipsis, so that a refusal stays one short message whatever was typed."""
    shown = _CONTROL.sub("\ufffd", _SPACES.sub(" ", text.strip()))
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return shown
