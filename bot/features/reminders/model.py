"""When a poll's reminder rounds fall due.

Only roll (and branch) polls have a known electorate, so only they get private reminders: a
Telegram bot cannot list a group's members, and "anyone in the room" names nobody in advance.
Every poll with a deadline gets the group warning.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.features.polls.model import Poll


def label(delta: timedelta) -> str:
    """A round's name, from how long before the close it falls: 1d, 1h, 30m."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def rounds_for(poll: Poll, offsets: tuple[timedelta, ...], warning: timedelta | None) -> list[tuple[str, datetime]]:
    """The scheduled rounds of POLL as (name, when); rounds that would fall before the poll
    opened are left out (a 30-minute poll gets no 24-hour reminder)."""
    if poll.closes_at is None:
        return []
    out = []
    if poll.electorate_kind != "room":
        out += [(label(o), poll.closes_at - o) for o in offsets if poll.closes_at - o > poll.opened_at]
    if warning is not None and poll.closes_at - warning > poll.opened_at:
        out.append((f"group-{label(warning)}", poll.closes_at - warning))
    return out
