"""How numbers and times read in messages: percentages exact to one decimal, rounded half up
(never a float's idea of rounding), and times in the organisation's own time zone."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo


def percent(part: int, whole: int) -> str:
    if not whole:
        return "–"
    value = Decimal(part * 100) / Decimal(whole)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def when(t: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    local = t.astimezone(tz)
    if now is not None and local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def days_left(deadline: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Whole calendar days from today to the deadline's day, in the organisation's time zone."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days
