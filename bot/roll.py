"""The membership roll: importing it from CSV, and the join codes that link chat accounts.

Telegram bots cannot list a group's members, so an organisation that needs turnout keeps a
roll. Each member gets a join code; ``/join CODE`` links a chat identity to the member, and a
member's linked identities (say, on Telegram and on Matrix) vote as one.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

import aiosqlite

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped
_COLUMNS = {
    "name": "name",
    "number": "number",
    "member_number": "number",
    "membership_number": "number",
    "branch": "branch",
    "weight": "weight",
}


class RollError(ValueError):
    pass


def new_join_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


@dataclass(frozen=True)
class RollEntry:
    name: str
    number: str | None
    branch: str | None
    weight: int


def parse_roll_csv(text: str) -> list[RollEntry]:
    """Rows of a roll CSV (a header row naming the columns: name, and optionally number,
    branch, weight). Errors name the line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise RollError("the file is empty; the first line must name the columns, e.g. name,number,branch") from None
    cols: dict[str, int] = {}
    for idx, raw in enumerate(header):
        key = raw.strip().lower().replace(" ", "_")
        if key not in _COLUMNS:
            raise RollError(f"line 1: unknown column {raw!r}; use name, number, branch, weight")
        if _COLUMNS[key] in cols:
            raise RollError(f"line 1: column {raw!r} appears twice")
        cols[_COLUMNS[key]] = idx
    if "name" not in cols:
        raise RollError("line 1: there is no 'name' column")
    entries: list[RollEntry] = []
    numbers: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RollError(f"line {line_no}: {len(row)} fields, but the header has {len(header)}")

        def cell(col: str, row: list[str] = row) -> str | None:
            return row[cols[col]].strip() or None if col in cols else None

        name = cell("name")
        if not name:
            raise RollError(f"line {line_no}: the name is empty")
        number = cell("number")
        if number is not None:
            if number in numbers:
                raise RollError(f"line {line_no}: member number {number} appears twice")
            numbers.add(number)
        weight_text = cell("weight")
        weight = 1
        if weight_text is not None:
            if not (weight_text.isascii() and weight_text.isdigit()) or int(weight_text) < 1:
                raise RollError(f"line {line_no}: weight {weight_text!r} must be a whole number of at least 1")
            weight = int(weight_text)
        entries.append(RollEntry(name, number, cell("branch"), weight))
    return entries


async def import_roll(
    conn: aiosqlite.Connection, entries: list[RollEntry], now: str, replace: bool = False
) -> list[tuple[str | None, str, str | None, str]]:
    """Add or update members; returns (number, name, branch, join code) for every entry.

    Members are matched by number, or by name and branch when there is no number. With
    REPLACE, members missing from the file are marked inactive (they keep their history).
    """
    out = []
    keep: set[int] = set()
    await conn.execute("BEGIN IMMEDIATE")
    try:
        for e in entries:
            if e.number is not None:
                cur = await conn.execute("SELECT id, join_code FROM members WHERE number = ?", (e.number,))
            else:
                cur = await conn.execute(
                    "SELECT id, join_code FROM members WHERE number IS NULL AND name = ? AND branch IS ?",
                    (e.name, e.branch),
                )
            row = await cur.fetchone()
            if row is None:
                code = new_join_code()
                cur = await conn.execute(
                    "INSERT INTO members(number, name, branch, weight, join_code, active, created_at)"
                    " VALUES (?, ?, ?, ?, ?, 1, ?)",
                    (e.number, e.name, e.branch, e.weight, code, now),
                )
                member_id = cur.lastrowid
            else:
                member_id, code = row[0], row[1]
                await conn.execute(
                    "UPDATE members SET name = ?, branch = ?, weight = ?, active = 1 WHERE id = ?",
                    (e.name, e.branch, e.weight, member_id),
                )
            assert member_id is not None
            keep.add(member_id)
            out.append((e.number, e.name, e.branch, code))
        if replace:
            cur = await conn.execute("SELECT id FROM members WHERE active = 1")
            for (mid,) in await cur.fetchall():
                if mid not in keep:
                    await conn.execute("UPDATE members SET active = 0 WHERE id = ?", (mid,))
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    return out
