"""When a poll's reminder rounds fall due.

Only roll (and branch) polls have a known electorate, so only they get private reminders: a
Telegram bot cannot list a group's members, and "anyone in the room" names nobody in advance.
Every poll with a deadline gets the group warning.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.polls.model import Poll
from bot.kernel.durations import Span


def label(delta: timedelta) -> str:
    """A round's name, from how long before the close it falls: 1d, 1h, 30m."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def rounds_for(poll: Poll, offsets: tuple[Span, ...], warning: Span | None, tz: ZoneInfo) -> list[tuple[str, datetime]]:
    """The scheduled rounds of POLL as (name, when), each its offset before the close (days on
    the clocks of TZ, as the deadline's days are); rounds that would fall before the poll opened
    are left out (a 30-minute poll gets no 24-hour reminder)."""
    if poll.closes_at is None:
        return []
    out = []
    if poll.electorate_kind != "room":
        out += [(label(o.length), at) for o in offsets if (at := o.before(poll.closes_at, tz)) > poll.opened_at]
    if warning is not None and (at := warning.before(poll.closes_at, tz)) > poll.opened_at:
        out.append((f"group-{label(warning.length)}", at))
    return out
