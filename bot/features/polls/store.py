"""Polls in the database: the poll, its fixed electorate, its ballot messages, votes and receipts.

Votes themselves are written by the single writer's vote path (bot/storage/writer.py), which
commits thousands in one transaction; everything else about a poll is read and written here.
Open ballots are in ``votes``, secret ballots (keyed hashes, no times) in ``secret_ballots``,
whose pages never hold a row that names anyone.
Functions take the connection they work on: the writer's inside ``writer.run`` (so a check and
the change it guards commit together), or the reader for showing things.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.engines.counting.choice import Majority, QuorumRule
from bot.features.polls.model import Poll, PollSpec, Proxy
from bot.kernel.ports import Conn
from bot.kernel.times import iso, parse_iso
from bot.storage import dialect
from bot.storage.rows import from_row, marks


def _poll(row: Any) -> Poll:
    return from_row(
        Poll, row,
        options=tuple(json.loads(row["options"])),
        secret=bool(row["secret"]), hidden=bool(row["hidden"]), card=bool(row["card"]), native=bool(row["native"]),
        receipts_stored=bool(row["receipts_stored"]),
        quorum=QuorumRule.parse(row["quorum"]) if row["quorum"] else None,
        majority=Majority(row["majority"]) if row["majority"] else None,
        branch=row["electorate_branch"],
        opened_at=datetime.fromisoformat(row["opened_at"]),
        closes_at=parse_iso(row["closes_at"]),
        closed_at=parse_iso(row["closed_at"]),
        result=json.loads(row["result"]) if row["result"] else None,
    )


async def load_poll(conn: Conn, poll_id: int) -> Poll | None:
    """Poll POLL_ID, open or closed, with its electorate if it has one: who may read a closed
    poll's result and receipts is decided by it as much as who could vote."""
    rows = await conn.execute_fetchall("SELECT * FROM polls WHERE id = ?", (poll_id,))
    if not rows:
        return None
    poll = _poll(rows[0])
    if poll.electorate_kind != "room":
        poll.electorate = await electorate_of(conn, poll.id)
    return poll


async def open_polls(conn: Conn) -> list[Poll]:
    """Every open poll, with the electorate of those that have one."""
    polls = [_poll(r) for r in await conn.execute_fetchall("SELECT * FROM polls WHERE closed_at IS NULL")]
    for poll in polls:
        if poll.electorate_kind != "room":
            poll.electorate = await electorate_of(conn, poll.id)
    return polls


async def open_poll_ids(conn: Conn) -> list[int]:
    rows = await conn.execute_fetchall("SELECT id FROM polls WHERE closed_at IS NULL ORDER BY id")
    return [r[0] for r in rows]


async def electorate_of(conn: Conn, poll_id: int) -> dict[int, int]:
    rows = await conn.execute_fetchall("SELECT member_id, weight FROM poll_electorate WHERE poll_id = ?", (poll_id,))
    return {m: w for m, w in rows}


async def electorate_page(conn: Conn, poll_id: int, after: int | None, limit: int) -> list[int]:
    """The next LIMIT members of POLL_ID's electorate after member AFTER (None: from the first),
    in member-id order: a range of the table's key (poll_id, member_id), so a page costs its
    own rows and a seek, however large the electorate (a reminder round's walk)."""
    after_sql, args = ("", ()) if after is None else (" AND member_id > ?", (after,))
    rows = await conn.execute_fetchall(
        "SELECT member_id FROM poll_electorate WHERE poll_id = ?" + after_sql + " ORDER BY member_id LIMIT ?",
        (poll_id, *args, limit))
    return [r[0] for r in rows]


async def insert_poll(
    conn: Conn, room: str, creator: str, spec: PollSpec, opened_at: datetime, electorate: dict[int, int] | None
) -> int:
    size = len(electorate) if electorate is not None else None
    weight = sum(electorate.values()) if electorate is not None else None
    inserted = await conn.execute_fetchall(
        "INSERT INTO polls(room, creator, question, options, kind, max_choices, seats, secret,"
        " hidden, card, native, quorum, majority, electorate_kind, electorate_branch,"
        " electorate_size, electorate_weight, opened_at, closes_at, proxies)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            room, creator, spec.question, json.dumps(list(spec.options)),
            spec.kind, spec.max_choices, spec.seats, int(spec.secret), int(spec.hidden),
            int(spec.card), int(spec.native), str(spec.quorum) if spec.quorum else None,
            spec.majority.value if spec.majority else None, spec.electorate, spec.branch,
            size, weight, iso(opened_at), iso(spec.closes_at) if spec.closes_at else None, spec.proxies,
        ),
    )
    poll_id = inserted[0][0]
    assert poll_id is not None
    if electorate:
        await conn.executemany(
            "INSERT INTO poll_electorate(poll_id, member_id, weight) VALUES (?, ?, ?)",
            [(poll_id, m, w) for m, w in electorate.items()],
        )
    return int(poll_id)


async def latest_opened(conn: Conn, room: str, question: str, since: datetime) -> int | None:
    """The newest poll in ROOM asking QUESTION opened at or after SINCE."""
    rows = await conn.execute_fetchall(
        "SELECT id FROM polls WHERE room = ? AND question = ? AND opened_at >= ? ORDER BY id DESC LIMIT 1",
        (room, question, iso(since)),
    )
    return rows[0][0] if rows else None


async def still_open(conn: Conn, poll_id: int, lock: str | None = None) -> bool:
    """Whether POLL_ID is open in the database as the caller's transaction sees it. With LOCK,
    in the writer on a database other processes share, the row stays locked until the commit:
    FOR UPDATE by a close (which so waits for the vote batches under way, and then counts
    them), FOR SHARE by a change that needs the poll to stay open until it is committed. (A
    lock is a write there: a change takes it once it knows it will not be refused.)"""
    rows = await conn.execute_fetchall(
        "SELECT closed_at FROM polls WHERE id = ?" + (dialect.locking(conn, lock) if lock else ""), (poll_id,))
    return bool(rows) and rows[0][0] is None


async def close_poll(conn: Conn, poll_id: int, closed_at: datetime, by: str, result: dict[str, Any]) -> bool:
    """Close POLL_ID with its RESULT; False if it was closed already (by another process)."""
    cur = await conn.execute(
        "UPDATE polls SET closed_at = ?, closed_by = ?, result = ? WHERE id = ? AND closed_at IS NULL",
        (iso(closed_at), by, json.dumps(result), poll_id),
    )
    return bool(cur.rowcount)


# -- ballot messages ---------------------------------------------------------------------------


async def open_messages(conn: Conn) -> list[tuple[int, str, str, str | None]]:
    """(poll, room, message ref, native poll ref) of every message showing an open poll."""
    rows = await conn.execute_fetchall(
        "SELECT m.poll_id, m.room, m.ref, m.native_ref FROM poll_messages m"
        " JOIN polls p ON p.id = m.poll_id WHERE p.closed_at IS NULL"
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def messages_of(conn: Conn, poll_id: int) -> list[tuple[str, str, str | None]]:
    """(room, message ref, native poll ref) of every message showing POLL_ID, whichever process posted it."""
    rows = await conn.execute_fetchall(
        "SELECT room, ref, native_ref FROM poll_messages WHERE poll_id = ? ORDER BY room, ref", (poll_id,))
    return [(r[0], r[1], r[2]) for r in rows]


async def remember_message(conn: Conn, poll_id: int, room: str, ref: str, native_ref: str | None) -> None:
    await conn.execute(
        "INSERT INTO poll_messages(poll_id, room, ref, native_ref) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (poll_id, room, ref, native_ref),
    )


async def unposted(conn: Conn, now: datetime | None) -> list[int]:
    """The open polls whose ballot message is not in their room, and not claimed by a process
    beyond NOW (None: whatever their claims, which a single process left when it stopped)."""
    claimed = ("" if now is None else
               " AND NOT EXISTS (SELECT 1 FROM ballot_posts b WHERE b.poll_id = p.id AND b.claimed_until > ?)")
    rows = await conn.execute_fetchall(
        "SELECT id FROM polls p WHERE closed_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM poll_messages m WHERE m.poll_id = p.id AND m.room = p.room)" + claimed +
        " ORDER BY id", () if now is None else (iso(now),))
    return [r[0] for r in rows]


async def claim_post(conn: Conn, poll_id: int, now: datetime, until: datetime, held: datetime | None = None,
                     *, force: bool = False) -> bool:
    """Claim the posting of POLL_ID's ballot until UNTIL (see migrations/0029_ballot_posts.sql):
    False if its message is in its room already, or another process claimed it beyond NOW. HELD
    is the claim the caller holds already (it extends it); FORCE takes over any claim (a single
    process, whose earlier run left it)."""
    rows = await conn.execute_fetchall(
        "INSERT INTO ballot_posts(poll_id, claimed_until) SELECT ?, ?"
        " WHERE NOT EXISTS (SELECT 1 FROM poll_messages m JOIN polls p ON p.id = m.poll_id AND p.room = m.room"
        " WHERE m.poll_id = ?)"
        " ON CONFLICT(poll_id) DO UPDATE SET claimed_until = excluded.claimed_until"
        " WHERE ? = 1 OR ballot_posts.claimed_until <= ? OR ballot_posts.claimed_until = ?"
        " RETURNING poll_id",
        (poll_id, iso(until), poll_id, int(force), iso(now), iso(held) if held is not None else ""))
    return bool(rows)


async def poll_of_native(conn: Conn, native_ref: str) -> int | None:
    rows = await conn.execute_fetchall("SELECT poll_id FROM poll_messages WHERE native_ref = ?", (native_ref,))
    return rows[0][0] if rows else None


# -- votes and receipts ------------------------------------------------------------------------


def _table(secret: bool) -> str:
    return "secret_ballots" if secret else "votes"


async def ballots(conn: Conn, poll: Poll) -> list[tuple[tuple[int, ...], int]]:
    """Every ballot of POLL as (chosen option indexes, weight)."""
    # One call for the whole read: a cursor left open between awaits would hold the
    # connection's snapshot for whoever reads next.
    rows = await conn.execute_fetchall(f"SELECT choice, weight FROM {_table(poll.secret)} WHERE poll_id = ?",
                                       (poll.id,))
    return [(tuple(int(c) for c in choice.split(",")), weight) for choice, weight in rows]


async def secret_choices(conn: Conn, poll: Poll) -> list[tuple[str, tuple[int, ...]]]:
    """Every secret ballot of POLL as (keyed voter hash, chosen option indexes)."""
    rows = await conn.execute_fetchall("SELECT voter, choice FROM secret_ballots WHERE poll_id = ?", (poll.id,))
    return [(voter, tuple(int(c) for c in choice.split(","))) for voter, choice in rows]


async def choice_of(conn: Conn, poll: Poll, voter: str) -> tuple[int, ...] | None:
    rows = await conn.execute_fetchall(f"SELECT choice FROM {_table(poll.secret)} WHERE poll_id = ? AND voter = ?",
                                       (poll.id, voter))
    return tuple(int(c) for c in rows[0][0].split(",")) if rows else None


async def vote_count(conn: Conn, poll: Poll) -> int:
    rows = await conn.execute_fetchall(f"SELECT count(*) FROM {_table(poll.secret)} WHERE poll_id = ?", (poll.id,))
    return int(rows[0][0]) if rows else 0


async def voters(conn: Conn, poll: Poll) -> set[str]:
    """The keys that have voted in POLL (member keys, identities, or a secret ballot's hashes)."""
    rows = await conn.execute_fetchall(f"SELECT voter FROM {_table(poll.secret)} WHERE poll_id = ?", (poll.id,))
    return {row[0] for row in rows}


async def voted_among(conn: Conn, poll: Poll, keys: list[str]) -> set[str]:
    """Those of KEYS that have voted in POLL: a page of the electorate, not all of it."""
    voted: set[str] = set()
    for at in range(0, len(keys), 500):
        chunk = keys[at:at + 500]
        rows = await conn.execute_fetchall(
            f"SELECT voter FROM {_table(poll.secret)} WHERE poll_id = ? AND voter IN ({marks(chunk)})",
            (poll.id, *chunk))
        voted |= {row[0] for row in rows}
    return voted


async def choices_by_name(conn: Conn, poll_id: int) -> list[tuple[str, str]]:
    """(choice, voter's name) of every vote: for open (non-secret) ballots only."""
    rows = await conn.execute_fetchall(
        "SELECT v.choice, coalesce(nullif(i.display_name, ''), m.name, v.voter)"
        " FROM votes v LEFT JOIN identities i ON i.identity = v.voter"
        " LEFT JOIN members m ON v.voter = 'm:' || m.id WHERE v.poll_id = ?",
        (poll_id,),
    )
    return [(r[0], r[1]) for r in rows]


async def withdraw_vote(conn: Conn, poll: Poll, voter: str, receipt: str | None) -> bool:
    """Take back the vote stored under key VOTER in POLL, with a secret ballot's RECEIPT, so the
    published receipts stay one per ballot counted. False if there was no vote to take back."""
    cur = await conn.execute(f"DELETE FROM {_table(poll.secret)} WHERE poll_id = ? AND voter = ?", (poll.id, voter))
    if receipt is not None:
        await conn.execute("DELETE FROM receipts WHERE poll_id = ? AND code = ?", (poll.id, receipt))
    return cur.rowcount > 0


async def receipt_keys(conn: Conn, poll_id: int) -> list[str]:
    """What the receipt code of each secret ballot of POLL_ID is made from: its key, or the key it
    was first cast under (see move_vote)."""
    rows = await conn.execute_fetchall("SELECT coalesce(receipt_of, voter) FROM secret_ballots WHERE poll_id = ?",
                                       (poll_id,))
    return [r[0] for r in rows]


async def receipt_key(conn: Conn, poll_id: int, voter: str) -> str | None:
    """What the receipt code of the secret ballot under key VOTER is made from; None: no ballot."""
    rows = await conn.execute_fetchall(
        "SELECT coalesce(receipt_of, voter) FROM secret_ballots WHERE poll_id = ? AND voter = ?", (poll_id, voter))
    return rows[0][0] if rows else None


async def has_receipt(conn: Conn, poll_id: int, code: str) -> bool:
    rows = await conn.execute_fetchall("SELECT 1 FROM receipts WHERE poll_id = ? AND code = ?", (poll_id, code))
    return bool(rows)


async def receipt_codes(conn: Conn, poll_id: int) -> list[str]:
    rows = await conn.execute_fetchall("SELECT code FROM receipts WHERE poll_id = ? ORDER BY code", (poll_id,))
    return [r[0] for r in rows]


async def settle_secret_ballots(conn: Conn, poll_id: int) -> bool:
    """Rewrite the ballots and receipts of the closed secret poll POLL_ID in the order of their
    keys, in one transaction that writes nothing else. Afterwards neither their places in the
    tables nor the transaction that wrote them says who voted before whom, nor which receipt went
    with which ballot. Once per poll, whichever process comes first: False if there was nothing
    to do (settled already).

    PostgreSQL keeps rows where they arrived (migrations/0023_settled_ballots.sql): the poll's
    rows are written again, in key order. SQLite keeps a table's rows in key order in its tree,
    but within a page each row lies where there was room when it came, so a page read from the
    file lists its rows in the order they were written: the two tables are copied into new ones
    in key order (``_rebuilt``), which settles every closed secret poll at once."""
    if not dialect.in_arrival_order(conn):
        if not await conn.execute_fetchall(
                "INSERT INTO settled_polls(poll_id) SELECT id FROM polls p WHERE secret = 1 AND closed_at IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM settled_polls s WHERE s.poll_id = p.id) RETURNING poll_id"):
            return False
        await _rebuilt(conn, "secret_ballots", "poll_id, voter")
        await _rebuilt(conn, "receipts", "poll_id, code")
        return True
    if not await conn.execute_fetchall(
            "INSERT INTO settled_polls(poll_id) VALUES (?) ON CONFLICT DO NOTHING RETURNING poll_id", (poll_id,)):
        return False
    ballots = await conn.execute_fetchall(
        "SELECT poll_id, voter, choice, weight, cast_by, receipt_of FROM secret_ballots WHERE poll_id = ?"
        " ORDER BY voter", (poll_id,))
    codes = await conn.execute_fetchall("SELECT poll_id, code FROM receipts WHERE poll_id = ? ORDER BY code",
                                        (poll_id,))
    await conn.execute("DELETE FROM secret_ballots WHERE poll_id = ?", (poll_id,))
    await conn.execute("DELETE FROM receipts WHERE poll_id = ?", (poll_id,))
    await conn.executemany(
        "INSERT INTO secret_ballots(poll_id, voter, choice, weight, cast_by, receipt_of) VALUES (?, ?, ?, ?, ?, ?)",
        [tuple(r) for r in ballots])
    await conn.executemany("INSERT INTO receipts(poll_id, code) VALUES (?, ?)", [tuple(r) for r in codes])
    return True


async def _rebuilt(conn: Conn, table: str, key: str) -> None:
    """SQLite: TABLE (a WITHOUT ROWID table with primary key KEY) copied into a new table in key
    order, which then takes its name. Deleting and inserting its rows again would not do: a
    new row fills the gap an old one left, of whatever size. The old table's pages are
    overwritten as they are freed (``secure_delete``)."""
    rows = await conn.execute_fetchall("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    schema, n = re.subn(rf'^CREATE TABLE\s+"?{table}"?', f"CREATE TABLE {table}_rebuilt", rows[0][0])
    assert n == 1, rows[0][0]
    await conn.execute(schema)
    await conn.execute(f"INSERT INTO {table}_rebuilt SELECT * FROM {table} ORDER BY {key}")
    await conn.execute(f"DROP TABLE {table}")
    await conn.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")


async def followed_up(conn: Conn, poll_id: int) -> None:
    """Record that what follows POLL_ID's close is done (see migrations/0025_followed_up_polls.sql)."""
    await conn.execute(
        "INSERT INTO followed_up_polls(poll_id) VALUES (?)"
        " ON CONFLICT(poll_id) DO UPDATE SET claimed_until = NULL", (poll_id,))


async def claim_follow_up(conn: Conn, poll_id: int, now: datetime, until: datetime) -> bool:
    """Claim the follow-up of POLL_ID's close until UNTIL, for a process taking it over from one
    that was cut short (migrations/0026_follow_up_claims.sql): False if it is done, or claimed
    by another process until after NOW."""
    rows = await conn.execute_fetchall(
        "INSERT INTO followed_up_polls(poll_id, claimed_until) VALUES (?, ?)"
        " ON CONFLICT(poll_id) DO UPDATE SET claimed_until = excluded.claimed_until"
        " WHERE followed_up_polls.claimed_until IS NOT NULL AND followed_up_polls.claimed_until <= ?"
        " RETURNING poll_id", (poll_id, iso(until), iso(now)))
    return bool(rows)


async def not_followed_up(conn: Conn, now: datetime, closed_before: datetime | None = None) -> list[int]:
    """The closed polls (closed before CLOSED_BEFORE) whose follow-up is neither recorded done nor
    claimed by a process beyond NOW."""
    since = " AND closed_at < ?" if closed_before is not None else ""
    rows = await conn.execute_fetchall(
        "SELECT id FROM polls p WHERE closed_at IS NOT NULL" + since +
        " AND NOT EXISTS (SELECT 1 FROM followed_up_polls f WHERE f.poll_id = p.id"
        " AND (f.claimed_until IS NULL OR f.claimed_until > ?)) ORDER BY id",
        (*((iso(closed_before),) if closed_before is not None else ()), iso(now)))
    return [r[0] for r in rows]


async def unsettled_polls(conn: Conn) -> list[int]:
    """The closed secret polls whose ballots are still in the order they arrived (see
    settle_secret_ballots): their rewrite was cut short, or another process's."""
    rows = await conn.execute_fetchall(
        "SELECT id FROM polls p WHERE secret = 1 AND closed_at IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM settled_polls s WHERE s.poll_id = p.id) ORDER BY id")
    return [r[0] for r in rows]


async def linked_account_votes(conn: Conn, poll_id: int) -> list[tuple[str, int]]:
    """(account, member) of each open vote in POLL_ID still keyed by an account that is now
    linked to a member: cast in one process before it learned of a link made in another, and
    committed after that link moved the account's votes."""
    rows = await conn.execute_fetchall(
        "SELECT v.voter, i.member_id FROM votes v JOIN identities i ON i.identity = v.voter"
        " WHERE v.poll_id = ? AND i.member_id IS NOT NULL ORDER BY v.voter", (poll_id,))
    return [(r[0], r[1]) for r in rows]


MOVED, DROPPED = "moved", "dropped"


async def move_vote(conn: Conn, poll: Poll, src: str, dst: str, receipt: str | None) -> str | None:
    """The vote cast under key SRC now counts under DST, once: MOVED; or, if DST has voted
    already (from another linked account), that vote stays and SRC's goes, with its secret
    ballot's RECEIPT (a poll's stored receipts: see Poll.receipts_stored), so the receipts stay
    one per ballot counted: DROPPED. A moved secret ballot keeps the code its voter was given:
    it is still made from the key it was cast under. None if there was no vote under SRC."""
    table = _table(poll.secret)
    if not await conn.execute_fetchall(f"SELECT 1 FROM {table} WHERE poll_id = ? AND voter = ?", (poll.id, src)):
        return None
    if await conn.execute_fetchall(f"SELECT 1 FROM {table} WHERE poll_id = ? AND voter = ?", (poll.id, dst)):
        await conn.execute(f"DELETE FROM {table} WHERE poll_id = ? AND voter = ?", (poll.id, src))
        if receipt is not None:
            await conn.execute("DELETE FROM receipts WHERE poll_id = ? AND code = ?", (poll.id, receipt))
        return DROPPED
    keep = ", receipt_of = coalesce(receipt_of, voter)" if poll.secret else ""  # the old key, named by nothing
    await conn.execute(f"UPDATE {table} SET voter = ?{keep} WHERE poll_id = ? AND voter = ?", (dst, poll.id, src))
    return MOVED


async def receipts_among(conn: Conn, poll_id: int, codes: list[str]) -> set[str]:
    """Which of CODES are among POLL_ID's receipts."""
    marks = ", ".join("?" * len(codes))
    rows = await conn.execute_fetchall(f"SELECT code FROM receipts WHERE poll_id = ? AND code IN ({marks})",
                                       (poll_id, *codes))
    return {r[0] for r in rows}


# -- proxies -----------------------------------------------------------------------------------


async def proxies_of(conn: Conn, poll_id: int) -> list[Proxy]:
    """Every proxy given in POLL_ID, with the names of giver and holder as on the roll."""
    rows = await conn.execute_fetchall(
        "SELECT p.poll_id, p.giver, p.holder, g.name, h.name, g.number, p.cancelled, p.given_at FROM poll_proxies p"
        " JOIN members g ON g.id = p.giver JOIN members h ON h.id = p.holder WHERE p.poll_id = ?"
        " ORDER BY p.given_at, p.giver",
        (poll_id,),
    )
    return [Proxy(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows]


async def proxies_among(conn: Conn, poll_id: int, members: list[int]) -> list[Proxy]:
    """The proxies given in POLL_ID by or to one of MEMBERS (a page of the electorate), in the
    order ``proxies_of`` gives them: read through the keys on giver and holder, never the
    whole poll's list."""
    found: dict[int, Proxy] = {}
    for at in range(0, len(members), 400):  # two lists of parameters: well within every backend's limit
        chunk = members[at:at + 400]
        among = marks(chunk)
        rows = await conn.execute_fetchall(
            "SELECT p.poll_id, p.giver, p.holder, g.name, h.name, g.number, p.cancelled, p.given_at"
            " FROM poll_proxies p JOIN members g ON g.id = p.giver JOIN members h ON h.id = p.holder"
            f" WHERE p.poll_id = ? AND (p.giver IN ({among}) OR p.holder IN ({among}))",
            (poll_id, *chunk, *chunk),
        )
        found |= {r[1]: Proxy(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows}
    return sorted(found.values(), key=lambda p: (p.given_at, p.giver))


async def cancelled_proxy(conn: Conn, poll_id: int, mark: str) -> bool:
    """Whether the proxy whose keyed MARK this is was cancelled by its giver's vote (the mark is
    written with that vote: see bot/storage/writer.py and migrations/0031_proxy_cancellations.sql)."""
    rows = await conn.execute_fetchall("SELECT 1 FROM proxy_cancellations WHERE poll_id = ? AND mark = ?",
                                       (poll_id, mark))
    return bool(rows)


async def give_proxy(conn: Conn, poll_id: int, giver: int, holder: int, at: str) -> None:
    await conn.execute("INSERT INTO poll_proxies(poll_id, giver, holder, given_at) VALUES (?, ?, ?, ?)",
                       (poll_id, giver, holder, at))


async def revoke_proxy(conn: Conn, poll_id: int, giver: int) -> None:
    await conn.execute("DELETE FROM poll_proxies WHERE poll_id = ? AND giver = ?", (poll_id, giver))


async def cast_by(conn: Conn, poll: Poll, voter: str) -> tuple[bool, str | None]:
    """Whether a ballot is stored under key VOTER in POLL, and who cast it (see cast_by)."""
    rows = await conn.execute_fetchall(
        f"SELECT cast_by FROM {_table(poll.secret)} WHERE poll_id = ? AND voter = ?", (poll.id, voter)
    )
    return (True, rows[0][0]) if rows else (False, None)


async def electorate_names(conn: Conn, poll_id: int) -> list[tuple[int, str, str | None, str]]:
    """(member, name on the roll, membership number, a linked account's display name or '') of
    everyone in POLL_ID's electorate: whom a proxy may name."""
    rows = await conn.execute_fetchall(
        "SELECT m.id, m.name, m.number, coalesce(i.display_name, '') FROM poll_electorate e"
        " JOIN members m ON m.id = e.member_id LEFT JOIN identities i ON i.member_id = m.id WHERE e.poll_id = ?",
        (poll_id,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def put_ballot(conn: Conn, poll: Poll, voter: str, choice: str, weight: int, cast_by: str | None, at: str,
                     receipt: str | None) -> None:
    """Store a ballot cast outside the writer's vote batches (a proxy's), as the vote path
    stores any: a secret one without a time, with its receipt."""
    if poll.secret:
        await conn.execute(
            "INSERT INTO secret_ballots(poll_id, voter, choice, weight, cast_by) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(poll_id, voter) DO UPDATE SET choice = excluded.choice, weight = excluded.weight,"
            " cast_by = excluded.cast_by",
            (poll.id, voter, choice, weight, cast_by),
        )
    else:
        await conn.execute(
            "INSERT INTO votes(poll_id, voter, choice, weight, cast_at, cast_by) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(poll_id, voter) DO UPDATE SET choice = excluded.choice, weight = excluded.weight,"
            " cast_at = excluded.cast_at, cast_by = excluded.cast_by",
            (poll.id, voter, choice, weight, at, cast_by),
        )
    if receipt is not None:
        await conn.execute(
            "INSERT INTO receipts(poll_id, code) VALUES (?, ?) ON CONFLICT DO NOTHING", (poll.id, receipt)
        )

async def move_room(conn: Conn, old: str, new: str) -> list[int]:
    """Polls of room OLD now belong to room NEW; the messages that showed them in OLD are
    forgotten (the new room numbers its messages afresh, so an old reference could name another
    message there). Returns the open polls moved, whose ballots are posted again in NEW."""
    moved = [r[0] for r in await conn.execute_fetchall(
        "SELECT id FROM polls WHERE room = ? AND closed_at IS NULL ORDER BY id", (old,))]
    await conn.execute("UPDATE polls SET room = ? WHERE room = ?", (new, old))
    await conn.execute("DELETE FROM poll_messages WHERE room = ?", (old,))
    # The joins and leaves kept for the moved polls go with them: the group goes on under its new
    # id (a supergroup has the group's members; members follow an upgraded Matrix room into its
    # replacement, which the adapter reports as no join). Any the new id heard too are dropped.
    await conn.execute(
        "DELETE FROM room_changes WHERE room = ? AND EXISTS (SELECT 1 FROM room_changes o WHERE o.room = ?"
        " AND o.member = room_changes.member AND o.at = room_changes.at AND o.joined = room_changes.joined)",
        (new, old))
    await conn.execute("UPDATE room_changes SET room = ? WHERE room = ?", (new, old))
    old_prefix = _setting(old, "")
    new_prefix = _setting(new, "")
    # NEW's own settings give way to OLD's (as SQLite's UPDATE OR REPLACE did), then OLD's move.
    await conn.execute(
        "DELETE FROM settings WHERE key IN (SELECT CAST(? AS TEXT) || substr(key, length(CAST(? AS TEXT)) + 1)"
        " FROM settings WHERE substr(key, 1, length(CAST(? AS TEXT))) = ?)",
        (new_prefix, old_prefix, old_prefix, old_prefix),
    )
    await conn.execute(
        "UPDATE settings SET key = CAST(? AS TEXT) || substr(key, length(CAST(? AS TEXT)) + 1)"
        " WHERE substr(key, 1, length(CAST(? AS TEXT))) = ?",
        (new_prefix, old_prefix, old_prefix, old_prefix),
    )
    return moved


# -- a room's own settings (charts on or off) ----------------------------------------------------


def _setting(room: str, name: str) -> str:
    return f"room:{room}:{name}"


async def room_setting(conn: Conn, room: str, name: str) -> str | None:
    rows = await conn.execute_fetchall("SELECT value FROM settings WHERE key = ?", (_setting(room, name),))
    return rows[0][0] if rows else None


async def set_room_setting(conn: Conn, room: str, name: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_setting(room, name), value),
    )


# -- who came to a room and who left it while its polls were open (migrations/0041) ----------
#
# A change and an opening are stamped to the second, so one in the very second a poll opened
# may have come before the opening or after it. It is read in the member's favour, as one who
# may have been there was: a leave that second says they were there (it is kept, and they may
# come back and vote), a join that second says nothing (they may have come just before: it is
# not kept for that poll, and the first change after it decides). So a poll needs a change if
# it opened before it, or in its second and the change is a leave: ``model.needs_change`` in
# Python, and the SQL below.

_NEEDED_BY_OPEN_POLL = (
    "EXISTS (SELECT 1 FROM polls p WHERE p.closed_at IS NULL AND p.electorate_kind = 'room'"
    " AND (p.room = room_changes.room OR substr(p.room, 1, length(room_changes.room) + 1) = room_changes.room || '/')"
    " AND (p.opened_at < room_changes.at OR (p.opened_at = room_changes.at AND room_changes.joined = 0)))"
)
"""A change some open poll of its room (or of a topic of it) needs (``model.needs_change``)."""


async def record_change(conn: Conn, room: str, member: str, at: datetime, joined: bool) -> bool:
    """MEMBER joined ROOM (a group) at AT, or left it (not JOINED): kept only if an open poll of
    that room needs it (``model.needs_change``); False if nothing was kept (no poll needs it, or the
    same change was heard before, as a Matrix restart replays a room's state)."""
    stamp, topics = iso(at), room + "/"
    cur = await conn.execute(
        "INSERT INTO room_changes (room, member, at, joined) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM polls"
        " WHERE closed_at IS NULL AND electorate_kind = 'room' AND (room = ? OR substr(room, 1, ?) = ?)"
        " AND (opened_at < ? OR (opened_at = ? AND ? = 0)))"
        " ON CONFLICT (room, member, at, joined) DO NOTHING",
        (room, member, stamp, int(joined), room, len(topics), topics, stamp, stamp, int(joined)),
    )
    return bool(cur.rowcount)


async def any_change_kept(conn: Conn) -> bool:
    """Whether any join or leave is kept at all (none, most of the time: votes then need not look)."""
    return bool(await conn.execute_fetchall("SELECT 1 FROM room_changes LIMIT 1"))


Changes = dict[tuple[str, str], list[tuple[datetime, bool]]]
"""(room, member) -> their kept changes in that room: (when, whether a join), in order."""


async def changes_of(conn: Conn, asked: Iterable[tuple[str, str]]) -> Changes:
    """The kept joins and leaves of each (room, member) ASKED in that room (a group), in the
    order they happened (two of the same second in the order heard); those with none kept (no
    open poll needs to know) are left out. One query per 500 members."""
    wanted = set(asked)
    members = sorted({member for _room, member in wanted})
    found: Changes = {}
    for start in range(0, len(members), 500):
        chunk = members[start:start + 500]
        rows = await conn.execute_fetchall(
            f"SELECT room, member, at, joined FROM room_changes WHERE member IN ({marks(chunk)})"
            " ORDER BY at, id",
            tuple(chunk))
        for room, member, at, joined in rows:
            if (room, member) in wanted:
                found.setdefault((room, member), []).append((datetime.fromisoformat(at), bool(joined)))
    return found


async def forget_changes(conn: Conn, room: str) -> None:
    """Delete the joins and leaves of ROOM (a group) that no open poll needs any more (after a close)."""
    await conn.execute(f"DELETE FROM room_changes WHERE room = ? AND NOT {_NEEDED_BY_OPEN_POLL}", (room,))
