"""A model-motion campaign as the core holds it: its goal, its deadline, and whether it still
takes signatures and branch reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kernel.language import _


@dataclass
class Campaign:
    motion_id: int
    room: str
    opened_by: str
    goal_branches: int | None
    goal_signatures: int | None
    deadline: datetime | None
    closed_at: datetime | None
    goal_reached_at: datetime | None
    opened_at: datetime | None = None

    @property
    def ref(self) -> str:
        return f"M{self.motion_id}"

    def refusal(self, now: datetime) -> str | None:
        if self.closed_at is not None:
            return _("The campaign for {ref} is closed; it takes no more signatures or reports.").format(ref=self.ref)
        if self.deadline is not None and now >= self.deadline:
            return _("The campaign for {ref} ended at its deadline; it takes no more signatures or reports.").format(
                ref=self.ref)
        return None

    def final(self, now: datetime) -> str | None:
        """Why its figures can no longer change (closed, or past its deadline), or None: its
        signatures are no longer withdrawn nor its branch reports removed (a person's data is
        still erased with everything else kept about them, /mydata erase)."""
        if self.closed_at is not None:
            return _("The campaign for {ref} is closed; its figures are final.").format(ref=self.ref)
        if self.deadline is not None and now >= self.deadline:
            return _("The campaign for {ref} ended at its deadline; its figures are final.").format(ref=self.ref)
        return None


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

    def signing(self, now: datetime) -> bool:
        """Whether it still takes signatures (not closed, its deadline not passed)."""
        return not self.closed and (self.deadline is None or now < self.deadline)


def goal_met(signatures: int, branches: int, goal_signatures: int | None, goal_branches: int | None) -> bool:
    """Every goal the campaign set is met (a campaign sets at least one)."""
    if goal_signatures is None and goal_branches is None:
        return False
    return (goal_signatures is None or signatures >= goal_signatures) and (
        goal_branches is None or branches >= goal_branches
    )
