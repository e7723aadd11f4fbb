"""A poll as the core holds it while deciding whether a vote counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.engines.counting.choice import Majority, QuorumRule


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def parse_iso(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


@dataclass
class Poll:
    id: int
    room: str
    creator: str
    question: str
    options: tuple[str, ...]
    kind: str
    max_choices: int
    seats: int
    secret: bool
    hidden: bool
    card: bool
    native: bool
    quorum: QuorumRule | None
    majority: Majority | None
    electorate_kind: str
    branch: str | None
    electorate_size: int | None
    electorate_weight: int | None
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None = None
    result: dict[str, Any] | None = None
    # member id -> weight, for roll and branch electorates of open polls
    electorate: dict[int, int] | None = field(default=None, repr=False)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def ranked(self) -> bool:
        return self.kind == "ranked"

    @property
    def private_voting(self) -> bool:
        """Secret and ranked ballots are cast in a private chat, never in the group."""
        return self.secret or self.ranked

    def refusal(self, now: datetime) -> str | None:
        if self.closed_at is not None:
            return f"Poll {self.id} is closed; late votes are not counted."
        if self.closes_at is not None and now >= self.closes_at:
            return f"Poll {self.id} closed at its deadline; late votes are not counted."
        return None

    def refusal_at(self, now: Callable[[], datetime]) -> str | None:
        """As refusal, reading the clock only when a deadline makes it matter (a hot path)."""
        if self.closed_at is None and self.closes_at is None:
            return None
        return self.refusal(now())

    @classmethod
    def from_row(cls, row: Any) -> Poll:
        quorum = None
        if row["quorum"]:
            quorum = QuorumRule.parse(row["quorum"])
        return cls(
            id=row["id"],
            room=row["room"],
            creator=row["creator"],
            question=row["question"],
            options=tuple(json.loads(row["options"])),
            kind=row["kind"],
            max_choices=row["max_choices"],
            seats=row["seats"],
            secret=bool(row["secret"]),
            hidden=bool(row["hidden"]),
            card=bool(row["card"]),
            native=bool(row["native"]),
            quorum=quorum,
            majority=Majority(row["majority"]) if row["majority"] else None,
            electorate_kind=row["electorate_kind"],
            branch=row["electorate_branch"],
            electorate_size=row["electorate_size"],
            electorate_weight=row["electorate_weight"],
            opened_at=datetime.fromisoformat(row["opened_at"]),
            closes_at=parse_iso(row["closes_at"]),
            closed_at=parse_iso(row["closed_at"]),
            result=json.loads(row["result"]) if row["result"] else None,
        )
