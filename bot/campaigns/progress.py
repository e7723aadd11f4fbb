"""How far a model-motion campaign has got, as one message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.campaigns.dates import days_left
from bot.kernel.markup import b, esc


@dataclass(frozen=True)
class Progress:
    ref: str
    title: str
    signatures: int
    branches: int
    goal_signatures: int | None
    goal_branches: int | None
    deadline: datetime | None
    closed: bool
    goal_reached: bool


def goal_met(signatures: int, branches: int, goal_signatures: int | None, goal_branches: int | None) -> bool:
    """Every goal the campaign set is met (a campaign sets at least one)."""
    if goal_signatures is None and goal_branches is None:
        return False
    return (goal_signatures is None or signatures >= goal_signatures) and (
        goal_branches is None or branches >= goal_branches
    )


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
