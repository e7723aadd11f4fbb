"""How reminders read: privately to an elector, and as a warning in the group, each in its
reader's language (the caller sets it: bot/kernel/language.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.polls.model import Poll
from bot.kernel.language import _, ngettext
from bot.kernel.markup import Markup, b, lines, markup
from bot.kernel.wording import number, when, zoned


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


def private_reminder(poll: Poll, tz: ZoneInfo, now: datetime, *, voted: bool = False, proxy_with: str | None = None,
                     holding: tuple[str, ...] = ()) -> Markup:
    """A member's reminder: to vote, if they have not (VOTED); if their proxy is with a holder
    who has not cast it (PROXY_WITH), where it is, and not to vote unless they mean to cancel
    it; and for each proxy they hold and have not cast (HOLDING: the givers), how to cast it."""
    verb = "/rank" if poll.ranked else "/vote"
    fields = {"reminder": b(_("Reminder")), "id": poll.id, "question": poll.question,
              "how": f"{verb} {poll.id} …" if poll.ranked else f"{verb} {poll.id} OPTION"}
    if poll.closes_at:
        fields.update(when=zoned(when(poll.closes_at, tz, now), tz), left=in_words(poll.closes_at - now))
    if voted:
        if poll.closes_at:
            template = ngettext(
                "⏰ {reminder}: poll {id}, {question}, closes at {when}, in {left}. You hold a proxy in it that you "
                "have not cast yet.  (Send /remind off to stop reminders.)",
                "⏰ {reminder}: poll {id}, {question}, closes at {when}, in {left}. You hold {n} proxies in it that "
                "you have not cast yet.  (Send /remind off to stop reminders.)", len(holding))
        else:
            template = ngettext(
                "⏰ {reminder}: poll {id}, {question}, is open. You hold a proxy in it that you have not cast yet.  "
                "(Send /remind off to stop reminders.)",
                "⏰ {reminder}: poll {id}, {question}, is open. You hold {n} proxies in it that you have not cast "
                "yet.  (Send /remind off to stop reminders.)", len(holding))
        fields["n"] = number(len(holding))
    elif proxy_with is not None:
        fields["holder"] = proxy_with
        if poll.closes_at:
            template = _("⏰ {reminder}: poll {id}, {question}, closes at {when}, in {left}. Your proxy is with "
                         "{holder}, who has not cast it yet. Should you vote yourself, your own vote counts and "
                         "cancels the proxy.  (Send /remind off to stop reminders.)")
        else:
            template = _("⏰ {reminder}: poll {id}, {question}, is open. Your proxy is with {holder}, who has not cast "
                         "it yet. Should you vote yourself, your own vote counts and cancels the proxy.  (Send "
                         "/remind off to stop reminders.)")
    elif poll.closes_at:
        if poll.private_voting:
            template = _("⏰ {reminder}: poll {id}, {question}, closes at {when}, in {left}. You have not voted yet. "
                         "Vote privately, here: {how}  (Send /remind off to stop reminders.)")
        else:
            template = _("⏰ {reminder}: poll {id}, {question}, closes at {when}, in {left}. You have not voted yet. "
                         "Vote in the group or here: {how}  (Send /remind off to stop reminders.)")
    elif poll.private_voting:
        template = _("⏰ {reminder}: poll {id}, {question}, is open. You have not voted yet. Vote privately, here: "
                     "{how}  (Send /remind off to stop reminders.)")
    else:
        template = _("⏰ {reminder}: poll {id}, {question}, is open. You have not voted yet. Vote in the group or "
                     "here: {how}  (Send /remind off to stop reminders.)")
    text = markup(template, **fields)
    for giver in holding:
        how = f"{verb} {poll.id} … --for {giver}" if poll.ranked else f"{verb} {poll.id} OPTION --for {giver}"
        text = lines(text, markup(_("{giver} gave you their proxy: cast it with {how}"), giver=giver, how=how))
    return text


def group_warning(poll: Poll, tz: ZoneInfo, now: datetime, voted: int, not_voted: list[str] | None) -> str:
    """Plain text: nothing in it is emphasised, so the seam escapes all of it."""
    if poll.electorate_size:
        turnout = ngettext("{n} of {electorate} has voted", "{n} of {electorate} have voted", voted).format(
            n=number(voted), electorate=number(poll.electorate_size))
    else:
        turnout = ngettext("{n} has voted", "{n} have voted", voted).format(n=number(voted))
    if poll.closes_at:
        text = _("⏰ Poll {id}, {question}, closes at {when}, in {left}. {turnout}.").format(
            id=poll.id, question=poll.question, when=zoned(when(poll.closes_at, tz, now), tz),
            left=in_words(poll.closes_at - now), turnout=turnout)
    else:
        text = _("⏰ Poll {id}, {question}, is open. {turnout}.").format(id=poll.id, question=poll.question,
                                                                       turnout=turnout)
    if not_voted:
        text += " " + _("Not yet voted: {names}.").format(names=", ".join(sorted(not_voted)))
    return text
