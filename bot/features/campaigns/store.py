"""Model-motion campaigns in the database: the campaign, its signatures and branch reports.

A signature's name and branch are stored sealed under the signer's data key
(bot/storage/sealing.py) and opened here when read; erasure destroys the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.features.campaigns.model import Campaign
from bot.kernel.ports import Conn
from bot.kernel.times import parse_iso
from bot.storage import dialect
from bot.storage.rows import from_row, marks
from bot.storage.sealing import Sealed, Sealer

SEALED = Sealed("campaign_signatures", identity="identity", row=("motion_id", "signer"), columns=("name", "branch"))


def _campaign(row: Any) -> Campaign:
    return from_row(Campaign, row, deadline=parse_iso(row["deadline"]), closed_at=parse_iso(row["closed_at"]),
                  goal_reached_at=parse_iso(row["goal_reached_at"]), opened_at=parse_iso(row["opened_at"]))


async def load_campaign(conn: Conn, motion_id: int, *, lock: bool = False) -> Campaign | None:
    """Campaign MOTION_ID; with LOCK (in the writer), its row stays locked until the commit, so
    on a database other processes share the signatures and branch reports of one campaign are
    counted one after another and exactly one finds the goal newly reached."""
    rows = await conn.execute_fetchall(
        "SELECT * FROM campaigns WHERE motion_id = ?" + (dialect.locking(conn) if lock else ""), (motion_id,))
    return _campaign(rows[0]) if rows else None


async def insert_campaign(
    conn: Conn, motion_id: int, room: str, opened_by: str, goal_branches: int | None, goal_signatures: int | None,
    deadline: str | None, at: str,
) -> bool:
    """Open the campaign; False if the motion is one already (on a shared database, one that
    another process opened while this transaction ran: the key decides)."""
    cur = await conn.execute(
        "INSERT INTO campaigns(motion_id, room, opened_by, goal_branches, goal_signatures, deadline, opened_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (motion_id) DO NOTHING",
        (motion_id, room, opened_by, goal_branches, goal_signatures, deadline, at),
    )
    return bool(cur.rowcount)


async def close_campaign(conn: Conn, motion_id: int, at: str) -> bool:
    """Close it; False if it was closed already."""
    cur = await conn.execute(
        "UPDATE campaigns SET closed_at = ? WHERE motion_id = ? AND closed_at IS NULL", (at, motion_id)
    )
    return bool(cur.rowcount)


async def mark_goal_reached(conn: Conn, motion_id: int, at: str) -> bool:
    cur = await conn.execute(
        "UPDATE campaigns SET goal_reached_at = ? WHERE motion_id = ? AND goal_reached_at IS NULL", (at, motion_id)
    )
    return cur.rowcount == 1


async def counts(conn: Conn, motion_id: int) -> tuple[int, int]:
    """(signatures, branches adopted)."""
    sig = await conn.execute_fetchall("SELECT count(*) FROM campaign_signatures WHERE motion_id = ?", (motion_id,))
    br = await conn.execute_fetchall("SELECT count(*) FROM campaign_adoptions WHERE motion_id = ?", (motion_id,))
    return int(sig[0][0]), int(br[0][0])


# -- signatures --------------------------------------------------------------------------------


def _among(signers: Sequence[str]) -> str:
    return "signer IN (" + ", ".join("?" * len(signers)) + ")"


async def signed_at(conn: Conn, motion_id: int, signers: Sequence[str]) -> str | None:
    """When the first of SIGNERS (one person's keys: see CampaignService._keys) signed."""
    rows = await conn.execute_fetchall(
        f"SELECT min(signed_at) FROM campaign_signatures WHERE motion_id = ? AND {_among(signers)}",
        (motion_id, *signers),
    )
    return rows[0][0] if rows else None


async def signatures_among(conn: Conn, signers: Sequence[str]) -> list[tuple[int, str]]:
    """(motion, signer) of every signature under SIGNERS (one person's keys), each campaign's
    earliest first (and, signed in the same instant, by signer: the same order every time)."""
    rows = await conn.execute_fetchall(
        f"SELECT motion_id, signer FROM campaign_signatures WHERE {_among(signers)}"
        " ORDER BY motion_id, signed_at, signer",
        tuple(signers),
    )
    return [(r[0], r[1]) for r in rows]


async def insert_signature(
    conn: Conn, sealer: Sealer, motion_id: int, signer: str, identity: str, name: str, member: int | None,
    branch: str | None, at: str,
) -> None:
    key = await sealer.key(conn, identity)
    await conn.execute(
        "INSERT INTO campaign_signatures(motion_id, signer, identity, name, member_id, branch, consent, signed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
        (motion_id, signer, identity, key.seal(SEALED.place("name"), name), member,
         key.seal(SEALED.place("branch"), branch), at),
    )


async def delete_signature(conn: Conn, motion_id: int, signers: Sequence[str]) -> bool:
    """Delete the signature of the person whose keys SIGNERS are; False if they had none."""
    cur = await conn.execute(f"DELETE FROM campaign_signatures WHERE motion_id = ? AND {_among(signers)}",
                             (motion_id, *signers))
    return bool(cur.rowcount)


async def signature_list(conn: Conn, sealer: Sealer, motion_id: int) -> list[tuple[str, str, str | None, str, str]]:
    """(name, member or supporter, branch, signed at, consent) of every signature, for export,
    by time signed and name (sorted here: the names are sealed in the table)."""
    rows = await sealer.open_rows(conn, await conn.execute_fetchall(
        "SELECT identity, name, CASE WHEN member_id IS NULL THEN 'supporter' ELSE 'member' END AS kind, branch,"
        " signed_at, consent FROM campaign_signatures WHERE motion_id = ?",
        (motion_id,),
    ), SEALED)
    return sorted(((r["name"], r["kind"], r["branch"], r["signed_at"], "yes" if r["consent"] else "no") for r in rows),
                  key=lambda r: (r[3], r[0]))


def _person(identities: Sequence[str], signers: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The condition (and its values) for the signatures one person made: given from any of
    IDENTITIES (their chat accounts), or under any of SIGNERS (their keys: see
    CampaignService._keys; a signature given as a supporter before the account was linked is
    under the account's own key, and the member's under m:ID)."""
    return (f"(identity IN ({marks(identities)}) OR {_among(signers)})", (*identities, *signers))


async def signatures_of(
    conn: Conn, sealer: Sealer, identities: Sequence[str], signers: Sequence[str]
) -> list[tuple[int, str, str | None, str]]:
    """(motion, name, branch, signed at) of every signature a person made (see ``_person``)."""
    where, values = _person(identities, signers)
    rows = await sealer.open_rows(conn, await conn.execute_fetchall(
        f"SELECT motion_id, identity, name, branch, signed_at FROM campaign_signatures WHERE {where}"
        " ORDER BY motion_id, signed_at", values,
    ), SEALED)
    return [(r["motion_id"], r["name"], r["branch"], r["signed_at"]) for r in rows]


async def erase_signatures(conn: Conn, identities: Sequence[str], signers: Sequence[str]) -> int:
    """Delete every signature a person made (see ``_person``); how many."""
    where, values = _person(identities, signers)
    cur = await conn.execute(f"DELETE FROM campaign_signatures WHERE {where}", values)
    return int(cur.rowcount)


# -- branch reports ----------------------------------------------------------------------------


async def adoption(conn: Conn, motion_id: int, key: str) -> tuple[str, str, str, str] | None:
    """(branch, passed on, reporter's name, reporter's identity) of one branch's report."""
    rows = await conn.execute_fetchall(
        "SELECT branch, passed_on, reporter, reported_by FROM campaign_adoptions"
        " WHERE motion_id = ? AND branch_key = ?",
        (motion_id, key),
    )
    return (rows[0][0], rows[0][1], rows[0][2], rows[0][3]) if rows else None


async def insert_adoption(
    conn: Conn, motion_id: int, branch: str, passed_on: str, reported_by: str, reporter: str, at: str
) -> None:
    await conn.execute(
        "INSERT INTO campaign_adoptions(motion_id, branch_key, branch, passed_on, reported_by, reporter,"
        " reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (motion_id, branch.casefold(), branch, passed_on, reported_by, reporter, at),
    )


async def delete_adoption(conn: Conn, motion_id: int, key: str) -> None:
    await conn.execute("DELETE FROM campaign_adoptions WHERE motion_id = ? AND branch_key = ?", (motion_id, key))


async def adoptions_reported_by(conn: Conn, identities: Sequence[str]) -> list[tuple[int, str, str]]:
    """(motion, branch, passed on) of every branch report made from any of IDENTITIES (one
    person's chat accounts)."""
    rows = await conn.execute_fetchall(
        f"SELECT motion_id, branch, passed_on FROM campaign_adoptions WHERE reported_by IN ({marks(identities)})"
        " ORDER BY motion_id, branch_key", tuple(identities))
    return [(r[0], r[1], r[2]) for r in rows]


async def unname_reports(conn: Conn, identities: Sequence[str]) -> int:
    """Take the person's name and account off the branch reports made from any of IDENTITIES
    (the branch's vote stands: it is the branch's record, not theirs); how many."""
    cur = await conn.execute(
        f"UPDATE campaign_adoptions SET reported_by = '', reporter = '' WHERE reported_by IN ({marks(identities)})",
        tuple(identities))
    return int(cur.rowcount)


async def adoptions(conn: Conn, motion_id: int) -> list[tuple[str, str]]:
    rows = await conn.execute_fetchall(
        "SELECT branch, passed_on FROM campaign_adoptions WHERE motion_id = ? ORDER BY passed_on, branch_key",
        (motion_id,),
    )
    return [(r[0], r[1]) for r in rows]


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Campaigns run from room OLD now run from room NEW; how many moved."""
    cur = await conn.execute("UPDATE campaigns SET room = ? WHERE room = ?", (new, old))
    return int(cur.rowcount)
