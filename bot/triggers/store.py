"""Trigger campaigns in the database: the campaign, its fixed electorate, and its counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.kernel.errors import UserError
from bot.poll import parse_iso
from bot.triggers.spec import Ballot
from bot.triggers.thresholds import Standing, Threshold, standing

LABELS = {"open-selection": "open selection", "recall": "recall", "no-confidence": "no confidence"}


@dataclass
class Trigger:
    id: int
    room: str
    kind: str
    office: str
    threshold: Threshold
    branch: str | None
    ballot: Ballot
    opened_by: str
    closes_at: datetime
    status: str
    fired_at: datetime | None
    ballot_poll_id: int | None

    @property
    def ref(self) -> str:
        return f"T{self.id}"

    @property
    def title(self) -> str:
        return f"{LABELS[self.kind]}: {self.office}"

    def refusal(self, now: datetime) -> str | None:
        """Why it takes no signatures now, if it does not."""
        if self.status == "fired":
            poll = f" (poll {self.ballot_poll_id})" if self.ballot_poll_id else ""
            return f"Trigger {self.ref} has already fired; its ballot is open{poll}. No more signatures are needed."
        if self.status == "cancelled":
            return f"Trigger {self.ref} was cancelled by an organiser."
        if self.status == "expired" or now >= self.closes_at:
            return f"Trigger {self.ref} closed at its deadline; it takes no more signatures."
        return None

    @classmethod
    def from_row(cls, row: Any) -> Trigger:
        closes_at = parse_iso(row["closes_at"])
        assert closes_at is not None
        return cls(
            id=row["id"], room=row["room"], kind=row["kind"], office=row["office"],
            threshold=Threshold.from_json(row["threshold"]), branch=row["branch"],
            ballot=Ballot.from_json(row["ballot"]), opened_by=row["opened_by"], closes_at=closes_at,
            status=row["status"], fired_at=parse_iso(row["fired_at"]), ballot_poll_id=row["ballot_poll_id"],
        )


async def load_trigger(conn: aiosqlite.Connection, trigger_id: int) -> Trigger:
    async with conn.execute("SELECT * FROM triggers WHERE id = ?", (trigger_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UserError(f"There is no trigger campaign T{trigger_id}. Send /trigger list to see them.")
    return Trigger.from_row(row)


async def sizes(conn: aiosqlite.Connection, trigger_id: int) -> tuple[int, dict[str, int]]:
    """(electorate size, members per branch), as fixed when the campaign opened."""
    async with conn.execute(
        "SELECT branch, count(*) FROM trigger_electorate WHERE trigger_id = ? GROUP BY branch", (trigger_id,)
    ) as cur:
        rows = await cur.fetchall()
    return sum(r[1] for r in rows), {r[0]: r[1] for r in rows if r[0] is not None}


async def tally(conn: aiosqlite.Connection, trigger_id: int) -> tuple[int, dict[str, int]]:
    """(signatures, signatures per branch)."""
    async with conn.execute(
        "SELECT branch, count(*) FROM trigger_signatures WHERE trigger_id = ? GROUP BY branch", (trigger_id,)
    ) as cur:
        rows = await cur.fetchall()
    return sum(r[1] for r in rows), {r[0]: r[1] for r in rows if r[0] is not None}


async def current(conn: aiosqlite.Connection, t: Trigger) -> Standing:
    electorate, branch_sizes = await sizes(conn, t.id)
    signatures, by_branch = await tally(conn, t.id)
    return standing(t.threshold, electorate, branch_sizes, signatures, by_branch)
