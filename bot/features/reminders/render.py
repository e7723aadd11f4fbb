"""How reminders read: privately to an elector, and as a warning in the group."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.polls.model import Poll
from bot.kernel.markup import Markup, b, markup
from bot.kernel.wording import count_of, when


def in_words(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes >= 1440 and minutes % 1440 == 0:
        return count_of(minutes // 1440, "day")
    if minutes >= 60 and minutes % 60 == 0:
        return count_of(minutes // 60, "hour")
    return count_of(minutes, "minute")


def _deadline(poll: Poll, tz: ZoneInfo, now: datetime) -> str:
    if not poll.closes_at:
        return ""
    return f" closes at {when(poll.closes_at, tz, now)} (in {in_words(poll.closes_at - now)})"


def private_reminder(poll: Poll, tz: ZoneInfo, now: datetime) -> Markup:
    deadline = _deadline(poll, tz, now) or " is open"
    how = f"/rank {poll.id} …" if poll.ranked else f"/vote {poll.id} OPTION"
    where = "privately, here" if poll.private_voting else "in the group or here"
    return markup("⏰ {}: poll {}, {},{}. You have not voted yet. Vote {}: {}  (Send /remind off to stop reminders.)",
                  b("Reminder"), poll.id, poll.question, deadline, where, how)


def group_warning(poll: Poll, tz: ZoneInfo, now: datetime, voted: int, not_voted: list[str] | None) -> str:
    """Plain text: nothing in it is emphasised, so the seam escapes all of it."""
    deadline = _deadline(poll, tz, now) or " is open"
    verb = "has" if voted == 1 else "have"
    turnout = f"{voted} of {poll.electorate_size} {verb} voted" if poll.electorate_size else f"{voted} {verb} voted"
    text = f"⏰ Poll {poll.id}, {poll.question},{deadline}. {turnout}."
    if not_voted:
        text += " Not yet voted: " + ", ".join(sorted(not_voted)) + "."
    return text
