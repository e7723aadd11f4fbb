"""Reading and writing motions, their history and their amendments.

Functions take the connection they work on: the writer's inside ``writer.run`` (so a check and
the change it guards commit together), or the core's read connection for showing things.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.kernel.errors import UserError
from bot.motions.amendments import Amendment
from bot.motions.text import MotionInfo, MotionText
from bot.poll import parse_iso

PENDING = ("proposed", "seconded", "voting")
EDITABLE = ("draft",)
AMENDABLE = ("draft", "submitted")


@dataclass
class Motion:
    id: int
    room: str
    text: MotionText
    proposer: str | None
    mover: str | None
    seconder: str | None
    status: str
    emergency: bool
    deadline: datetime | None
    vote_poll_id: int | None
    created_by: str

    @property
    def ref(self) -> str:
        return f"M{self.id}"

    @property
    def info(self) -> MotionInfo:
        return MotionInfo(self.ref, self.proposer, self.mover, self.seconder, self.status, self.emergency)

    @classmethod
    def from_row(cls, row: Any) -> Motion:
        return cls(
            id=row["id"],
            room=row["room"],
            text=MotionText(row["title"], row["voice"], MotionText.sections_from_json(row["sections"])),
            proposer=row["proposer"],
            mover=row["mover"],
            seconder=row["seconder"],
            status=row["status"],
            emergency=bool(row["emergency"]),
            deadline=parse_iso(row["deadline"]),
            vote_poll_id=row["vote_poll_id"],
            created_by=row["created_by"],
        )


@dataclass
class AmendmentRow:
    id: int
    motion_id: int
    amendment: Amendment
    mover: str
    mover_name: str
    seconder: str | None
    status: str
    poll_id: int | None
    note: str | None

    @property
    def ref(self) -> str:
        return f"A{self.id}"

    @classmethod
    def from_row(cls, row: Any) -> AmendmentRow:
        return cls(
            id=row["id"],
            motion_id=row["motion_id"],
            amendment=Amendment.from_json(row["spec"]),
            mover=row["mover"],
            mover_name=row["mover_name"],
            seconder=row["seconder"],
            status=row["status"],
            poll_id=row["poll_id"],
            note=row["note"],
        )


async def load_motion(conn: aiosqlite.Connection, motion_id: int) -> Motion:
    async with conn.execute("SELECT * FROM motions WHERE id = ?", (motion_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UserError(f"There is no motion M{motion_id}. Send /motion list to see the motions.")
    return Motion.from_row(row)


async def load_amendment(conn: aiosqlite.Connection, amendment_id: int) -> AmendmentRow:
    async with conn.execute("SELECT * FROM amendments WHERE id = ?", (amendment_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UserError(f"There is no amendment A{amendment_id}. Send /motion M… amendments to list them.")
    return AmendmentRow.from_row(row)


async def amendments_of(conn: aiosqlite.Connection, motion_id: int) -> list[AmendmentRow]:
    async with conn.execute("SELECT * FROM amendments WHERE motion_id = ? ORDER BY id", (motion_id,)) as cur:
        return [AmendmentRow.from_row(r) for r in await cur.fetchall()]


async def record(conn: aiosqlite.Connection, motion_id: int, actor: str, name: str, at: str, change: str) -> int:
    """Add a history entry; its id (so a step undone because its ballot failed to open leaves
    no trace)."""
    cur = await conn.execute(
        "INSERT INTO motion_history(motion_id, actor, actor_name, at, change) VALUES (?, ?, ?, ?, ?)",
        (motion_id, actor, name, at, change),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def save_text(conn: aiosqlite.Connection, motion: Motion) -> None:
    await conn.execute(
        "UPDATE motions SET title = ?, voice = ?, sections = ? WHERE id = ?",
        (motion.text.title, motion.text.voice, motion.text.to_json(), motion.id),
    )


async def history(conn: aiosqlite.Connection, motion_id: int) -> list[tuple[str, str, str]]:
    async with conn.execute(
        "SELECT at, actor_name, change FROM motion_history WHERE motion_id = ? ORDER BY id", (motion_id,)
    ) as cur:
        return [(r[0], r[1], r[2]) for r in await cur.fetchall()]
