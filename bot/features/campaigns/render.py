"""How a campaign reads: its progress, its announcement, the goal reached."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.campaigns.model import Progress
from bot.kernel.markup import b, esc
from bot.kernel.wording import days_left


def progress_text(p: Progress, now: datetime, tz: ZoneInfo) -> str:
    sig = f"{p.signatures} signature{'s' if p.signatures != 1 else ''}"
    if p.goal_signatures is not None:
        sig += f" of {p.goal_signatures}"
    br = f"{p.branches} branch{'es' if p.branches != 1 else ''} adopted"
    if p.goal_branches is not None:
        br += f" (goal {p.goal_branches})"
    lines = [f"📣 {b(p.ref)}: {esc(p.title)}", f"{sig} · {br}"]
    if p.goal_reached:
        lines.append("🎉 The goal is reached.")
    if p.closed:
        lines.append("The campaign is closed.")
    elif p.deadline is not None:
        left = days_left(p.deadline, now, tz)
        day = p.deadline.astimezone(tz).strftime("%a %d %b %Y %H:%M")
        if now >= p.deadline:
            lines.append(f"The deadline ({day}) has passed.")
        elif left == 0:
            lines.append(f"Deadline today, {day}.")
        else:
            lines.append(f"{left} day{'s' if left != 1 else ''} left (deadline {day}).")
    if not p.closed:
        lines.append(f"Sign privately: send me sign {p.ref}")
    return "\n".join(lines)


def goal_reached(ref: str, title: str, signatures: int, branches: int) -> str:
    return (f"🎉 The model motion {b(ref)} ({esc(title)}) has reached its goal: {signatures} signatures, "
            f"{branches} branches. Send /campaign {ref} for the figures.")


def opened(motion_id: int, goal_branches: int | None, goal_signatures: int | None, deadline: datetime | None,
           tz: ZoneInfo, motion_text: str) -> str:
    """The announcement of a new campaign, with the motion's text (MOTION_TEXT, markup)."""
    goals = []
    if goal_branches:
        goals.append(f"{goal_branches} branches")
    if goal_signatures:
        goals.append(f"{goal_signatures} signatures")
    until = f" by {deadline.astimezone(tz).strftime('%a %d %b %Y %H:%M')}" if deadline else ""
    return (f"📣 Model motion campaign {b(f'M{motion_id}')} — goal: {' and '.join(goals)}{until}.\n"
            f"{motion_text}\n"
            f"Sign privately: tap the button or send me sign M{motion_id}. Branch secretaries: report a vote with "
            f"/campaign M{motion_id} adopted BRANCH on DATE.")
