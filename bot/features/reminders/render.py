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
    minutes = round(delta.total_seconds() / 60)
    if minutes >= 1440 and minutes % 1440 == 0:
        return ngettext("{n} day", "{n} days", minutes // 1440).format(n=number(minutes // 1440))
    if minutes >= 60 and minutes % 60 == 0:
        return ngettext("{n} hour", "{n} hours", minutes // 60).format(n=number(minutes // 60))
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=number(minutes))


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
