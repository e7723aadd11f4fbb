"""How a campaign reads: its progress, its announcement, the goal reached."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.campaigns.model import Progress
from bot.kernel.markup import Markup, b, lines, markup
from bot.kernel.wording import count_of, days_left


def progress_text(p: Progress, now: datetime, tz: ZoneInfo) -> Markup:
    sig = count_of(p.signatures, "signature")
    if p.goal_signatures is not None:
        sig += f" of {p.goal_signatures}"
    br = f"{count_of(p.branches, 'branch', 'branches')} adopted"
    if p.goal_branches is not None:
        br += f" (goal {p.goal_branches})"
    out: list[str] = [markup("📣 {}: {}", b(p.ref), p.title), f"{sig} · {br}"]
    if p.goal_reached:
        out.append("🎉 The goal is reached.")
    if p.closed:
        out.append("The campaign is closed.")
    elif p.deadline is not None:
        left = days_left(p.deadline, now, tz)
        day = p.deadline.astimezone(tz).strftime("%a %d %b %Y %H:%M")
        if now >= p.deadline:
            out.append(f"The deadline ({day}) has passed.")
        elif left == 0:
            out.append(f"Deadline today, {day}.")
        else:
            out.append(f"{count_of(left, 'day')} left (deadline {day}).")
    if not p.closed:
        out.append(f"Sign privately: send me sign {p.ref}")
    return lines(*out)


def goal_reached(ref: str, title: str, signatures: int, branches: int) -> Markup:
    return markup("🎉 The model motion {} ({}) has reached its goal: {}, {}. "
                  "Send /campaign {} for the figures.", b(ref), title, count_of(signatures, "signature"),
                  count_of(branches, "branch", "branches"), ref)


def opened(motion_id: int, goal_branches: int | None, goal_signatures: int | None, deadline: datetime | None,
           tz: ZoneInfo, motion_text: Markup) -> Markup:
    """The announcement of a new campaign, with the motion's text (MOTION_TEXT, markup)."""
    goals = []
    if goal_branches:
        goals.append(count_of(goal_branches, "branch", "branches"))
    if goal_signatures:
        goals.append(count_of(goal_signatures, "signature"))
    until = f" by {deadline.astimezone(tz).strftime('%a %d %b %Y %H:%M')}" if deadline else ""
    return markup("📣 Model motion campaign {} — goal: {}{}.\n{}\n"
                  "Sign privately: tap the button or send me sign M{}. Branch secretaries: report a vote with "
                  "/campaign M{} adopted BRANCH on DATE.", b(f"M{motion_id}"), " and ".join(goals), until,
                  motion_text, motion_id, motion_id)
