"""Reading what campaigns are told: dates as branch secretaries write them ("3 June",
"3 Jun 2026", "2026-06-03", "today"), goals, and branch reports ("North branch on 3 June")."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.kernel.errors import ParseError, UserError
from bot.kernel.grammar import is_number
from bot.kernel.language import _
from bot.kernel.wording import quoted

MAX_BRANCH = 100

_MONTHS = {m: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], 1) for m in names}


class DateError(ParseError):
    pass


def parse_day(text: str, today: date, earliest: date | None = None) -> date:
    """The date TEXT names, reported as past (a meeting that passed a motion).

    A day and month without a year is the most recent such day ("20 December" in January is last
    December's), unless that day is before EARLIEST, the first day it can be (the campaign
    opened): then it is this year's. Nobody reports last year's meeting for a campaign that
    did not exist yet, so "3 June" typed on 1 June means this June, and its caller refuses it
    as in the future (with its year shown) rather than as before the campaign opened, which
    would say the opposite of what went wrong."""
    t = text.strip().lower().rstrip(".")
    if t == "today":
        return today
    if t == "yesterday":
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)(?:\s+(\d{4}))?", t)
    if m and m.group(2) in _MONTHS:
        day, month = int(m.group(1)), _MONTHS[m.group(2)]
        if m.group(3):
            return _make(int(m.group(3)), month, day, text)
        found = _make(today.year, month, day, text)
        if found <= today:
            return found
        last = _make(today.year - 1, month, day, text)
        return found if earliest is not None and last < earliest else last
    raise DateError(_("cannot read the date {typed}; write e.g. 3 June, 2026-06-03 or today").format(
        typed=quoted(text.strip(), 30)))


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(_("{typed} is not a real date").format(typed=quoted(text.strip(), 30))) from None


def goal(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    if not is_number(value) or not 0 < int(value) <= 1_000_000:
        raise ParseError(_("{option} takes a whole number of at least 1").format(option=f"--{what}"))
    return int(value)


def _dated(text: str) -> bool:
    """Whether TEXT, what follows an "on", is meant as a date (a real one or not): it has a digit,
    a month's name or a day's word, where "Trent" in "Stoke on Trent" has none."""
    words = [w.strip(".,") for w in text.lower().split()]
    return not words or any(c.isdigit() for c in text) or any(
        w in _MONTHS or w in ("today", "yesterday", "tomorrow") for w in words)


def branch_report(args: str, usage: str) -> tuple[str, str | None]:
    """'North branch on 3 June' -> ('North branch', '3 June'): the last "on" followed by a date
    starts it ('Stoke on Trent' is a branch's name; 'Stoke on Trent on 3 June' one with a date)."""
    words = args.split()
    on = None
    lowered = [w.lower() for w in words]
    for at in range(len(words) - 1, -1, -1):
        if lowered[at] == "on" and _dated(" ".join(words[at + 1:])):
            on, words = " ".join(words[at + 1:]), words[:at]
            break
    branch = " ".join(words)
    if not branch:
        raise UserError(_("Name the branch. Usage: {usage}").format(usage=usage))
    return short_branch(branch), on


def short_branch(branch: str) -> str:
    """BRANCH, a name as a report gives it, if it is short enough to be one (a longer one is no
    branch's, and would not fit the answer that names it)."""
    if len(branch) > MAX_BRANCH:
        raise UserError(_("That branch name is too long; keep it under {limit} characters.").format(
            limit=MAX_BRANCH))
    return branch
