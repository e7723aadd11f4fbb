"""The roll in the database: members, their join codes, and the chat identities linked to them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.features.roll.model import (
    Member,
    RollEntry,
    RollError,
    new_join_code,
    number_key,
    numbered_which,
    same_member,
    zeros_differ,
)
from bot.kernel.ports import Conn
from bot.storage.rows import marks


async def links(conn: Conn) -> dict[str, int]:
    """Every identity linked to a member."""
    rows = await conn.execute_fetchall("SELECT identity, member_id FROM identities WHERE member_id IS NOT NULL")
    return {row[0]: row[1] for row in rows}


_ASKED_AT_ONCE = 512
"""Identities asked about in one query (padded up to a power of two, so that the server, which
prepares each distinct statement once per connection, sees ten shapes rather than 512)."""


async def members_of(conn: Conn, identities: list[str]) -> dict[str, int]:
    """The members IDENTITIES are linked to, those linked (one query per 512 identities)."""
    found: dict[str, int] = {}
    for i in range(0, len(identities), _ASKED_AT_ONCE):
        chunk = identities[i:i + _ASKED_AT_ONCE]
        size = 1 << (len(chunk) - 1).bit_length()
        chunk += [chunk[-1]] * (size - len(chunk))
        rows = await conn.execute_fetchall(
            f"SELECT identity, member_id FROM identities WHERE identity IN ({', '.join('?' * size)})"
            " AND member_id IS NOT NULL", chunk)
        found.update((r[0], r[1]) for r in rows)
    return found


async def member(conn: Conn, member_id: int) -> Member | None:
    rows = await conn.execute_fetchall("SELECT id, name, branch, active FROM members WHERE id = ?", (member_id,))
    return Member(rows[0][0], rows[0][1], rows[0][2], bool(rows[0][3])) if rows else None


async def names_of(conn: Conn, identities: Sequence[str], member_id: int | None) -> list[str]:
    """The names a person goes by here: the roll's name of MEMBER_ID, and the name each of
    IDENTITIES had when it was linked."""
    rows = await conn.execute_fetchall(
        f"SELECT display_name FROM identities WHERE identity IN ({marks(identities)})",
        tuple(identities)) if identities else []
    names = [r[0] for r in rows if r[0]]
    if member_id is not None:
        names += [r[0] for r in await conn.execute_fetchall("SELECT name FROM members WHERE id = ?", (member_id,))]
    return names


async def member_by_code(conn: Conn, code: str) -> Member | None:
    rows = await conn.execute_fetchall("SELECT id, name, branch, active FROM members WHERE join_code = ?", (code,))
    return Member(rows[0][0], rows[0][1], rows[0][2], bool(rows[0][3])) if rows else None


async def replace_join_code(conn: Conn, member_id: int) -> str:
    """Give MEMBER_ID a new join code in place of theirs (which others have seen); the new one."""
    while True:
        code = new_join_code()
        if not await conn.execute_fetchall("SELECT 1 FROM members WHERE join_code = ?", (code,)):
            break
    await conn.execute("UPDATE members SET join_code = ? WHERE id = ?", (code, member_id))
    return code


async def active_members(conn: Conn, branch: str | None = None) -> list[tuple[int, int, str | None]]:
    """(member, weight, branch) of every active member, or of those in BRANCH (any case, in any
    alphabet: the databases' lower() folds only A to Z, so "łódź" would miss "Łódź")."""
    rows = await conn.execute_fetchall("SELECT id, weight, branch FROM members WHERE active = 1")
    wanted = None if branch is None else branch.casefold()
    return [(r[0], r[1], r[2]) for r in rows if wanted is None or (r[2] is not None and r[2].casefold() == wanted)]


async def contacts_of(conn: Conn, members: list[int]) -> list[tuple[str, int, str]]:
    """(identity, member, member's name) of the linked identities of MEMBERS, in identity order."""
    out: list[tuple[str, int, str]] = []
    for at in range(0, len(members), 500):
        chunk = members[at:at + 500]
        rows = await conn.execute_fetchall(
            "SELECT i.identity, i.member_id, m.name FROM identities i JOIN members m ON m.id = i.member_id"
            f" WHERE i.member_id IN ({marks(chunk)})", tuple(chunk))
        out += [(r[0], r[1], r[2]) for r in rows]
    return sorted(out)


async def linked_since(conn: Conn, at: str) -> list[tuple[str, int]]:
    rows = await conn.execute_fetchall(
        "SELECT identity, member_id FROM identities WHERE member_id IS NOT NULL AND linked_at >= ?", (at,)
    )
    return [(r[0], r[1]) for r in rows]


async def linked_member(conn: Conn, identity: str) -> int | None:
    rows = await conn.execute_fetchall("SELECT member_id FROM identities WHERE identity = ?", (identity,))
    return rows[0][0] if rows else None


async def has_link_on(conn: Conn, member_id: int, platform: str) -> bool:
    """Whether MEMBER_ID has an identity linked on PLATFORM already."""
    rows = await conn.execute_fetchall(
        "SELECT identity FROM identities WHERE member_id = ? AND identity LIKE ?", (member_id, platform + ":%")
    )
    return bool(rows)


async def link(conn: Conn, identity: str, name: str, member_id: int, at: str) -> None:
    await conn.execute(
        "INSERT INTO identities(identity, display_name, member_id, linked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(identity) DO UPDATE SET member_id = excluded.member_id, linked_at = excluded.linked_at",
        (identity, name, member_id, at),
    )


async def import_roll(
    conn: Conn, entries: list[RollEntry], now: str, replace: bool = False
) -> tuple[list[tuple[str | None, str, str | None, str]], list[tuple[str | None, str]], int,
           list[tuple[str | None, str, str]]]:
    """Add or update members, inside the caller's transaction; returns (number, name, branch,
    join code) for every entry, (number, name) of every member made inactive, how many entries
    were new members, and (number, name before, name now) of every member the file renamed.

    Members are matched by number, or by name and branch when there is no number; a numbered
    entry no member has the number of yet is the one member with its name and branch and no
    number (a roll numbered after it was first imported), when that is certain. Two entries
    matching one member, or a numbered entry that could be any of several, refuse the whole
    import (RollError): each entry is a member of its own, or the count is wrong.
    """
    alike = Counter((e.name, e.branch) for e in entries if e.number is None)
    for (name, branch), n in alike.items():
        if n > 1:
            raise RollError(same_member(name, branch))
    matched: list[tuple[int, str] | None] = []
    named: dict[int, str] = {}  # the name each member matched by number has on the roll now
    for e in entries:
        if e.number is not None:
            rows = await conn.execute_fetchall("SELECT id, join_code, name FROM members WHERE number = ?",
                                               (e.number,))
            named.update((r[0], r[2]) for r in rows)
        else:
            rows = await conn.execute_fetchall(
                "SELECT id, join_code FROM members WHERE number IS NULL AND name = ? AND branch IS NOT DISTINCT FROM ?",
                (e.name, e.branch),
            )
        matched.append((rows[0][0], rows[0][1]) if rows else None)
    if any(e.number is not None and m is None for e, m in zip(entries, matched, strict=True)):
        # A number new to the roll that it holds written otherwise (7 for 007) would be a second
        # member of one: the file most likely lost its leading zeros in a spreadsheet.
        on_roll = {number_key(r[0]): r[0] for r in await conn.execute_fetchall(
            "SELECT number FROM members WHERE number IS NOT NULL")}
        for e, m in zip(entries, matched, strict=True):
            if e.number is not None and m is None and number_key(e.number) in on_roll:
                raise RollError(zeros_differ(e.number, on_roll[number_key(e.number)], e.name))
    unnumbered = {(e.name, e.branch) for e in entries if e.number is None}
    newly_numbered = Counter((e.name, e.branch) for e, m in zip(entries, matched, strict=True)
                             if e.number is not None and m is None)
    for i, e in enumerate(entries):
        if matched[i] is not None or e.number is None or (e.name, e.branch) in unnumbered:
            continue
        rows = await conn.execute_fetchall(
            "SELECT id, join_code FROM members WHERE number IS NULL AND name = ? AND branch IS NOT DISTINCT FROM ?",
            (e.name, e.branch),
        )
        if not rows:
            continue
        if len(rows) > 1 or newly_numbered[(e.name, e.branch)] > 1:
            raise RollError(numbered_which(e.name, e.branch))
        matched[i] = (rows[0][0], rows[0][1])
    seen: set[int] = set()
    for e, m in zip(entries, matched, strict=True):
        if m is not None:
            if m[0] in seen:
                raise RollError(same_member(e.name, e.branch))
            seen.add(m[0])

    out = []
    added = 0
    renamed: list[tuple[str | None, str, str]] = []
    # A new code is drawn again if it is taken: among 100,000 members two alike are about one in 200.
    taken = {r[0] for r in await conn.execute_fetchall("SELECT join_code FROM members")}
    for e, m in zip(entries, matched, strict=True):
        if m is None:
            code = new_join_code()
            while code in taken:
                code = new_join_code()
            taken.add(code)
            await conn.execute(
                "INSERT INTO members(number, name, branch, weight, join_code, active, created_at)"
                " VALUES (?, ?, ?, ?, ?, 1, ?)",
                (e.number, e.name, e.branch, e.weight, code, now),
            )
            added += 1
        else:
            member_id, code = m
            if member_id in named and named[member_id] != e.name:
                renamed.append((e.number, named[member_id], e.name))
            await conn.execute(
                "UPDATE members SET number = ?, name = ?, branch = ?, weight = ?, active = 1 WHERE id = ?",
                (e.number, e.name, e.branch, e.weight, member_id),
            )
        out.append((e.number, e.name, e.branch, code))
    dropped: list[tuple[str | None, str]] = []
    if replace:
        keep = {code for *_, code in out}
        for mid, number, name, code in await conn.execute_fetchall(
            "SELECT id, number, name, join_code FROM members WHERE active = 1 ORDER BY name, number, id"
        ):
            if code not in keep:
                await conn.execute("UPDATE members SET active = 0 WHERE id = ?", (mid,))
                dropped.append((number, name))
    return out, dropped, added, renamed


async def accounts_of(conn: Conn, member_id: int) -> list[str]:
    """The chat accounts linked to MEMBER_ID, most recently linked first."""
    rows = await conn.execute_fetchall(
        "SELECT identity FROM identities WHERE member_id = ? ORDER BY linked_at DESC", (member_id,)
    )
    return [r[0] for r in rows]
