"""Model-motion campaigns in the database: the campaign, its counts, and reaching the goal.

``reach_goal`` runs inside the same writer transaction as the signature or adoption report that
may complete the goal, so the goal is announced exactly once however many arrive together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.campaigns.progress import goal_met
from bot.kernel.errors import UserError
from bot.kernel.markup import b, esc
from bot.poll import iso, parse_iso
from bot.storage.outbox import enqueue


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

    @property
    def ref(self) -> str:
        return f"M{self.motion_id}"

    def refusal(self, now: datetime) -> str | None:
        if self.closed_at is not None:
            return f"The campaign for {self.ref} is closed; it takes no more signatures or reports."
        if self.deadline is not None and now >= self.deadline:
            return f"The campaign for {self.ref} ended at its deadline; it takes no more signatures or reports."
        return None

    @classmethod
    def from_row(cls, row: Any) -> Campaign:
        return cls(
            motion_id=row["motion_id"],
            room=row["room"],
            opened_by=row["opened_by"],
            goal_branches=row["goal_branches"],
            goal_signatures=row["goal_signatures"],
            deadline=parse_iso(row["deadline"]),
            closed_at=parse_iso(row["closed_at"]),
            goal_reached_at=parse_iso(row["goal_reached_at"]),
        )


async def load_campaign(conn: aiosqlite.Connection, motion_id: int) -> Campaign:
    async with conn.execute("SELECT * FROM campaigns WHERE motion_id = ?", (motion_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UserError(f"M{motion_id} is not a model-motion campaign (an organiser publishes one with "
                        f"/campaign M{motion_id} open --branches 100).")
    return Campaign.from_row(row)


async def counts(conn: aiosqlite.Connection, motion_id: int) -> tuple[int, int]:
    """(signatures, branches adopted)."""
    async with conn.execute("SELECT count(*) FROM campaign_signatures WHERE motion_id = ?", (motion_id,)) as cur:
        row = await cur.fetchone()
    signatures = int(row[0]) if row else 0
    async with conn.execute("SELECT count(*) FROM campaign_adoptions WHERE motion_id = ?", (motion_id,)) as cur:
        row = await cur.fetchone()
    return signatures, int(row[0]) if row else 0


async def reach_goal(conn: aiosqlite.Connection, campaign: Campaign, now: datetime) -> bool:
    """Mark the goal reached if it just was, and queue its announcement in the same transaction
    (the outbox delivers it even across a crash); True only for the change that reached it."""
    if campaign.goal_reached_at is not None:
        return False
    signatures, branches = await counts(conn, campaign.motion_id)
    if not goal_met(signatures, branches, campaign.goal_signatures, campaign.goal_branches):
        return False
    cur = await conn.execute(
        "UPDATE campaigns SET goal_reached_at = ? WHERE motion_id = ? AND goal_reached_at IS NULL",
        (iso(now), campaign.motion_id),
    )
    if cur.rowcount != 1:
        return False
    async with conn.execute("SELECT title FROM motions WHERE id = ?", (campaign.motion_id,)) as title_cur:
        row = await title_cur.fetchone()
    title = row[0] if row else ""
    await enqueue(
        conn, dedupe=f"campaign:{campaign.ref}:goal", target=campaign.room, private=False, now=now,
        text=f"🎉 The model motion {b(campaign.ref)} ({esc(title)}) has reached its goal: {signatures} signatures, "
             f"{branches} branches. Send /campaign {campaign.ref} for the figures.",
    )
    return True
