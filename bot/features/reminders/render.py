"""How reminders read: privately to an elector, and as a warning in the group, each in its
reader's language (the caller sets it: bot/kernel/language.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.polls.model import Poll
from bot.kernel.language import _, ngettext
from bot.kernel.markup import Markup, b, markup
from bot.kernel.wording import number, when


def in_words(delta: timedelta) -> str:
    """How long is left, as people say it: the two largest units, the smaller cut off, never
    rounded up ("2 days 16 hours", "5 hours 47 minutes", "12 minutes")."""
    minutes = max(0, round(delta.total_seconds() / 60))
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    in_days = ngettext("{n} day", "{n} days", days).format(n=number(days))
    in_hours = ngettext("{n} hour", "{n} hours", hours).format(n=number(hours))
    in_minutes = ngettext("{n} minute", "{n} minutes", mins).format(n=number(mins))
    if days:
        # TRANSLATORS: how long is left before a poll closes, e.g. "2 days 16 hours".
        return _("{days} {hours}").format(days=in_days, hours=in_hours) if hours else in_days
    if hours:
        # TRANSLATORS: how long is left before a poll closes, e.g. "5 hours 47 minutes".
        return _("{hours} {minutes}").format(hours=in_hours, minutes=in_minutes) if mins else in_hours
    return in_minutes


def private_reminder(poll: Poll, tz: ZoneInfo, now: datetime) -> Markup:
    how = f"/rank {poll.id} …" if poll.ranked else f"/vote {poll.id} OPTION"
    fields = {"reminder": b(_("Reminder")), "id": poll.id, "question": poll.question, "how": how}
    if poll.closes_at:
        fields.update(when=when(poll.closes_at, tz, now), left=in_words(poll.closes_at - now))
        if poll.private_voting:
            template = _("⏰ {reminder}: poll {id}, {question}, closes at {when} (in {left}). You have not voted yet. "
                         "Vote privately, here: {how}  (Send /remind off to stop reminders.)")
        else:
            template = _("⏰ {reminder}: poll {id}, {question}, closes at {when} (in {left}). You have not voted yet. "
                         "Vote in the group or here: {how}  (Send /remind off to stop reminders.)")
    elif poll.private_voting:
        template = _("⏰ {reminder}: poll {id}, {question}, is open. You have not voted yet. Vote privately, here: "
                     "{how}  (Send /remind off to stop reminders.)")
    else:
        template = _("⏰ {reminder}: poll {id}, {question}, is open. You have not voted yet. Vote in the group or "
                     "here: {how}  (Send /remind off to stop reminders.)")
    return markup(template, **fields)


def group_warning(poll: Poll, tz: ZoneInfo, now: datetime, voted: int, not_voted: list[str] | None) -> str:
    """Plain text: nothing in it is emphasised, so the seam escapes all of it."""
    if poll.electorate_size:
        turnout = ngettext("{n} of {electorate} has voted", "{n} of {electorate} have voted", voted).format(
            n=number(voted), electorate=number(poll.electorate_size))
    else:
        turnout = ngettext("{n} has voted", "{n} have voted", voted).format(n=number(voted))
    if poll.closes_at:
        text = _("⏰ Poll {id}, {question}, closes at {when} (in {left}). {turnout}.").format(
            id=poll.id, question=poll.question, when=when(poll.closes_at, tz, now),
            left=in_words(poll.closes_at - now), turnout=turnout)
    else:
        text = _("⏰ Poll {id}, {question}, is open. {turnout}.").format(id=poll.id, question=poll.question,
                                                                       turnout=turnout)
    if not_voted:
        text += " " + _("Not yet voted: {names}.").format(names=", ".join(sorted(not_voted)))
    return text
