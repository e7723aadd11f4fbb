"""Motions, their history and their amendments in the database.

Functions take the connection they work on: the writer's inside ``writer.run`` (so a check and
the change it guards commit together), or the reader for showing things.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.features.motions.model import (
    ERASED_NAME,
    NAMING,
    SECONDED_ENTRY,
    Amendment,
    AmendmentRow,
    Composite,
    Entry,
    Motion,
    MotionText,
    Original,
    Origins,
    entry,
    name_key,
    stored,
)
from bot.kernel.language import ENGLISH_SPEECH, speaking
from bot.kernel.ports import Conn
from bot.kernel.times import iso, parse_iso
from bot.storage import dialect
from bot.storage.rows import from_row, marks


def _motion(row: Any) -> Motion:
    text = MotionText(row["title"], row["voice"], MotionText.sections_from_json(row["sections"]))
    return from_row(Motion, row, text=text, emergency=bool(row["emergency"]), deadline=parse_iso(row["deadline"]))


def _amendment(row: Any) -> AmendmentRow:
    return from_row(AmendmentRow, row, amendment=Amendment.from_json(row["spec"]))


async def load_motion(conn: Conn, motion_id: int, *, lock: bool = False) -> Motion | None:
    """Motion MOTION_ID; with LOCK (in the writer), its row stays locked until the commit, so on
    a database other processes share the changes to one motion and its amendments are made one
    after another, each to the text as the one before left it (never two read-change-write at
    once, the later writing over the earlier)."""
    rows = await conn.execute_fetchall(
        "SELECT * FROM motions WHERE id = ?" + (dialect.locking(conn) if lock else ""), (motion_id,))
    return _motion(rows[0]) if rows else None


async def recent_motions(conn: Conn, limit: int = 200) -> list[Motion]:
    rows = await conn.execute_fetchall("SELECT * FROM motions ORDER BY id DESC LIMIT ?", (limit,))
    return [_motion(r) for r in rows]


async def insert_motion(
    conn: Conn, room: str, text: MotionText, *, emergency: bool, deadline: str | None, created_by: str, at: str,
    proposer: str | None = None, composite_of: str | None = None,
) -> int:
    inserted = await conn.execute_fetchall(
        "INSERT INTO motions(room, title, voice, sections, proposer, emergency, deadline, composite_of, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (room, text.title, text.voice, text.to_json(), proposer, int(emergency), deadline, composite_of,
         created_by, at),
    )
    return int(inserted[0][0])


async def save_motion(conn: Conn, m: Motion) -> None:
    """Write back everything about M that changes after it is created."""
    await conn.execute(
        "UPDATE motions SET title = ?, voice = ?, sections = ?, proposer = ?, mover = ?, seconder = ?, status = ?,"
        " emergency = ?, deadline = ?, vote_poll_id = ?, submitted_at = ? WHERE id = ?",
        (m.text.title, m.text.voice, m.text.to_json(), m.proposer, m.mover, m.seconder, m.status, int(m.emergency),
         iso(m.deadline) if m.deadline else None, m.vote_poll_id, m.submitted_at, m.id),
    )


async def is_drafter(conn: Conn, motion_id: int, identity: str) -> bool:
    rows = await conn.execute_fetchall(
        "SELECT 1 FROM motion_drafters WHERE motion_id = ? AND identity = ?", (motion_id, identity)
    )
    return bool(rows)


async def add_drafter(conn: Conn, motion_id: int, identity: str, at: str) -> bool:
    """Make IDENTITY a drafter; False if they were one already."""
    cur = await conn.execute(
        "INSERT INTO motion_drafters(motion_id, identity, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (motion_id, identity, at),
    )
    return bool(cur.rowcount)


async def record(conn: Conn, motion_id: int, actor: str, name: str, at: str, change: Entry) -> int:
    """Add a history entry (kept as its message and fields, so each reader reads it in their
    own language); its id."""
    inserted = await conn.execute_fetchall(
        "INSERT INTO motion_history(motion_id, actor, actor_name, at, change) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (motion_id, actor, name, at, stored(change)),
    )
    return int(inserted[0][0])


async def history(conn: Conn, motion_id: int) -> list[tuple[str, str, str, str]]:
    """(at, actor, actor's name, change as stored) of each entry, oldest first."""
    rows = await conn.execute_fetchall(
        "SELECT at, actor, actor_name, change FROM motion_history WHERE motion_id = ? ORDER BY id", (motion_id,)
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def load_amendment(conn: Conn, amendment_id: int) -> AmendmentRow | None:
    rows = await conn.execute_fetchall("SELECT * FROM amendments WHERE id = ?", (amendment_id,))
    return _amendment(rows[0]) if rows else None


async def amendments_of(conn: Conn, motion_id: int) -> list[AmendmentRow]:
    rows = await conn.execute_fetchall("SELECT * FROM amendments WHERE motion_id = ? ORDER BY id", (motion_id,))
    return [_amendment(r) for r in rows]


def _english_summary(a: Amendment) -> str:
    """The summary column, kept in the code's own English whoever proposed it (members read the
    summary rendered from the amendment itself, in their language)."""
    with speaking(ENGLISH_SPEECH):
        return a.summary


async def insert_amendment(conn: Conn, motion_id: int, a: Amendment, mover: str, mover_name: str, at: str) -> int:
    inserted = await conn.execute_fetchall(
        "INSERT INTO amendments(motion_id, spec, summary, mover, mover_name, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (motion_id, a.to_json(), _english_summary(a), mover, mover_name, at),
    )
    return int(inserted[0][0])


async def save_amendment(conn: Conn, a: AmendmentRow, decided_at: str | None = None) -> None:
    """Write back where A stands (and, once decided, when), and the point it names (which
    follows its point when an earlier one is deleted)."""
    await conn.execute(
        "UPDATE amendments SET status = ?, seconder = ?, poll_id = ?, note = ?, spec = ?, summary = ?,"
        " decided_at = coalesce(?, decided_at) WHERE id = ?",
        (a.status, a.seconder, a.poll_id, a.note, a.amendment.to_json(), _english_summary(a.amendment), decided_at,
         a.id),
    )


async def decided_by(conn: Conn, poll_id: int) -> tuple[int | None, int | None]:
    """(amendment, motion) still waiting for the ballot POLL_ID."""
    amendment = await conn.execute_fetchall(
        "SELECT id FROM amendments WHERE poll_id = ? AND status = 'voting'", (poll_id,)
    )
    motion = await conn.execute_fetchall(
        "SELECT id FROM motions WHERE vote_poll_id = ? AND status = 'debated'", (poll_id,)
    )
    return (amendment[0][0] if amendment else None), (motion[0][0] if motion else None)


async def awaited_ballots(conn: Conn) -> list[int]:
    """The ballots an amendment or a motion is waiting for (to settle, once each has closed)."""
    rows = await conn.execute_fetchall(
        "SELECT poll_id FROM amendments WHERE status = 'voting' AND poll_id IS NOT NULL"
        " UNION SELECT vote_poll_id FROM motions WHERE status = 'debated' AND vote_poll_id IS NOT NULL"
    )
    return sorted(r[0] for r in rows)


# -- composites --------------------------------------------------------------------------------


async def insert_composite(conn: Conn, motion_id: int, origins: Origins, originals: list[int], at: str) -> int:
    inserted = await conn.execute_fetchall(
        "INSERT INTO composites(motion_id, origins, created_at) VALUES (?, ?, ?) RETURNING id",
        (motion_id, json.dumps(origins), at),
    )
    composite_id = int(inserted[0][0])
    await conn.executemany(
        "INSERT INTO composite_originals(composite_id, motion_id) VALUES (?, ?)",
        [(composite_id, m) for m in originals],
    )
    return composite_id


async def _composite(conn: Conn, where: str, value: int) -> Composite | None:
    rows = await conn.execute_fetchall(f"SELECT * FROM composites WHERE {where} = ?", (value,))
    if not rows:
        return None
    row = rows[0]
    originals = await conn.execute_fetchall(
        "SELECT o.*, m.created_by FROM composite_originals o JOIN motions m ON m.id = o.motion_id"
        " WHERE o.composite_id = ? ORDER BY o.motion_id", (row["id"],)
    )
    return Composite(row["id"], row["motion_id"], json.loads(row["origins"]),
                     [from_row(Original, o) for o in originals])


async def load_composite(conn: Conn, composite_id: int) -> Composite | None:
    return await _composite(conn, "id", composite_id)


async def composite_of(conn: Conn, motion_id: int) -> Composite | None:
    """The composite whose text is motion MOTION_ID, if it is one."""
    return await _composite(conn, "motion_id", motion_id)


async def agree(conn: Conn, composite_id: int, motion_id: int, identity: str, name: str, at: str,
                wording: str) -> None:
    await conn.execute(
        "UPDATE composite_originals SET agreed_by = ?, agreed_name = ?, agreed_at = ?, wording = ?"
        " WHERE composite_id = ? AND motion_id = ?",
        (identity, name, at, wording, composite_id, motion_id),
    )


async def drafted_by(conn: Conn, motion_ids: list[int], identity: str) -> set[int]:
    """Which of MOTION_IDS IDENTITY drafts: started it, or joined with its drafting code."""
    marks = ", ".join("?" * len(motion_ids))
    rows = await conn.execute_fetchall(
        f"SELECT id FROM motions WHERE id IN ({marks}) AND created_by = ?"
        f" UNION SELECT motion_id FROM motion_drafters WHERE motion_id IN ({marks}) AND identity = ?",
        (*motion_ids, identity, *motion_ids, identity),
    )
    return {r[0] for r in rows}


async def drafters_of(conn: Conn, motion_ids: list[int]) -> list[tuple[str, int]]:
    """(identity, motion) of everyone who drafts each of MOTION_IDS: who started it, and who
    joined with its drafting code."""
    marks = ", ".join("?" * len(motion_ids))
    rows = await conn.execute_fetchall(
        f"SELECT created_by, id FROM motions WHERE id IN ({marks})"
        f" UNION SELECT identity, motion_id FROM motion_drafters WHERE motion_id IN ({marks})"
        " ORDER BY 2, 1",
        (*motion_ids, *motion_ids),
    )
    return [(r[0], r[1]) for r in rows]


async def recent_composites(conn: Conn, limit: int = 200) -> list[tuple[str, str, str, str]]:
    """(C ref, M ref, title, room) of the latest composites, newest first."""
    rows = await conn.execute_fetchall(
        "SELECT c.id, c.motion_id, m.title, m.room FROM composites c JOIN motions m ON m.id = c.motion_id"
        " ORDER BY c.id DESC LIMIT ?", (limit,)
    )
    return [(f"C{r[0]}", f"M{r[1]}", r[2], r[3]) for r in rows]

# -- a person's own data (/mydata) ------------------------------------------------------------


async def _seconded(conn: Conn, identities: Sequence[str]) -> list[int]:
    """The amendments seconded from any of IDENTITIES. An amendment keeps its seconder's name
    only; who that was is in the history entry the seconding made (the history keeps actors'
    accounts), read here."""
    rows = await conn.execute_fetchall(
        f"SELECT change FROM motion_history WHERE actor IN ({marks(identities)}) ORDER BY id", tuple(identities))
    found = []
    for (change,) in rows:
        try:
            e = json.loads(change)
        except ValueError:  # plain text, written before entries were kept
            continue
        if isinstance(e, dict) and e.get("m") == SECONDED_ENTRY:
            ref = str(e.get("f", {}).get("ref", ""))
            if ref[1:].isdigit():
                found.append(int(ref[1:]))
    return found


_NAMED_FIELDS = ("proposer", "mover", "seconder")


async def _named(conn: Conn, names: Sequence[str]) -> tuple[list[tuple[int, str, str]], list[tuple[int, Entry]]]:
    """Where a drafter typed one of NAMES as a motion's proposer, mover or seconder: (motion,
    field, the name as typed) of each motion that names them so now, and (history id, entry) of
    each history entry that recorded it. A name typed is text, tied to no account: it is taken
    for the person's when it is the whole of one of NAMES, in any case and spacing (never a part
    of one: "Ann" is not "Anna", and "Ann Smith (North)" is not "Ann Smith")."""
    keys = {name_key(n) for n in names if n.strip() and n != ERASED_NAME}
    if not keys:
        return [], []
    rows = await conn.execute_fetchall(
        "SELECT id, proposer, mover, seconder FROM motions"
        " WHERE proposer IS NOT NULL OR mover IS NOT NULL OR seconder IS NOT NULL ORDER BY id")
    fields = [(r[0], field, r[k]) for r in rows for k, field in enumerate(_NAMED_FIELDS, 1)
              if r[k] and r[k] != ERASED_NAME and name_key(r[k]) in keys]
    patterns = [stored({"m": NAMING[f]})[:-1] + "%" for f in _NAMED_FIELDS]  # '{"m": "mover: {name}"%'
    entries = []
    for history_id, change in await conn.execute_fetchall(
            "SELECT id, change FROM motion_history WHERE change LIKE ? OR change LIKE ? OR change LIKE ? ORDER BY id",
            tuple(patterns)):
        try:
            e = json.loads(change)
        except ValueError:
            continue
        name = e.get("f", {}).get("name") if isinstance(e, dict) and e.get("m") in NAMING.values() else None
        if isinstance(name, str) and name != ERASED_NAME and name_key(name) in keys:
            entries.append((history_id, e))
    return fields, entries


async def records_of(
    conn: Conn, identities: Sequence[str], names: Sequence[str] = (),
) -> dict[str, list[tuple[Any, ...]]]:
    """What the motions keep of the person whose chat accounts are IDENTITIES, by kind:
    "moved" and "seconded" (amendment, motion, the name kept), "history" (motion, entries, the
    latest name kept), "agreed" (composite, original motion, the name kept), "drafts"
    (motion: they started it or joined its drafters) and "named" (motion, field, the name as
    typed: the proposer, mover or seconder a drafter named as one of NAMES, or of the names
    these records keep of them)."""
    among, values = marks(identities), tuple(identities)
    seconded = await _seconded(conn, identities)
    found = {
        "moved": [tuple(r) for r in await conn.execute_fetchall(
            f"SELECT id, motion_id, mover_name FROM amendments WHERE mover IN ({among}) ORDER BY id", values)],
        "seconded": [tuple(r) for r in await conn.execute_fetchall(
            f"SELECT id, motion_id, seconder FROM amendments WHERE id IN ({marks(seconded)})"
            f" AND seconder <> ? ORDER BY id", (*seconded, ERASED_NAME))] if seconded else [],
        "history": [tuple(r) for r in await conn.execute_fetchall(
            "SELECT motion_id, count(*), (SELECT actor_name FROM motion_history l WHERE l.motion_id = h.motion_id"
            f" AND l.actor IN ({among}) ORDER BY l.id DESC LIMIT 1) FROM motion_history h"
            f" WHERE actor IN ({among}) GROUP BY motion_id ORDER BY motion_id", values + values)],
        "agreed": [tuple(r) for r in await conn.execute_fetchall(
            f"SELECT composite_id, motion_id, agreed_name FROM composite_originals WHERE agreed_by IN ({among})"
            " ORDER BY composite_id, motion_id", values)],
        "drafts": [tuple(r) for r in await conn.execute_fetchall(
            f"SELECT id FROM motions WHERE created_by IN ({among})"
            f" UNION SELECT motion_id FROM motion_drafters WHERE identity IN ({among}) ORDER BY 1", values + values)],
    }
    kept = [r[2] for kind in ("moved", "seconded", "history", "agreed") for r in found[kind] if r[2]]
    found["named"] = (await _named(conn, [*names, *kept]))[0]
    return found


async def unname(conn: Conn, identities: Sequence[str], names: Sequence[str] = ()) -> int:
    """Take the person whose chat accounts are IDENTITIES off the motions' records: their name
    becomes ERASED_NAME where it was kept (amendments moved and seconded, the history, agreements
    to a composite, and a motion's proposer, mover or seconder typed as one of NAMES or of the
    names these records keep of them, with the history entry that named it), their accounts go
    (and with them the right to draft that came with them). The motions, amendments and history
    entries stay: they are the organisation's record. How many motions named them."""
    among, values = marks(identities), tuple(identities)
    found = await records_of(conn, identities, names)
    motions = ({r[1] for r in found["moved"]} | {r[1] for r in found["seconded"]} | {r[0] for r in found["history"]}
               | {r[1] for r in found["agreed"]} | {r[0] for r in found["drafts"]} | {r[0] for r in found["named"]})
    kept = [r[2] for kind in ("moved", "seconded", "history", "agreed") for r in found[kind] if r[2]]
    fields, entries = await _named(conn, [*names, *kept])  # read before the names kept go
    for motion_id, field, _name in fields:
        await conn.execute(f"UPDATE motions SET {field} = ? WHERE id = ?", (ERASED_NAME, motion_id))
    for history_id, e in entries:
        e["f"] = {**e.get("f", {}), "name": entry(ERASED_NAME)}  # read in each reader's language
        await conn.execute("UPDATE motion_history SET change = ? WHERE id = ?", (stored(e), history_id))
    seconded = [r[0] for r in found["seconded"]]
    if seconded:  # read from the history, so before its actors go
        await conn.execute(f"UPDATE amendments SET seconder = ? WHERE id IN ({marks(seconded)})",
                           (ERASED_NAME, *seconded))
    await conn.execute(f"UPDATE amendments SET mover = '', mover_name = ? WHERE mover IN ({among})",
                       (ERASED_NAME, *values))
    await conn.execute(f"UPDATE motion_history SET actor = '', actor_name = ? WHERE actor IN ({among})",
                       (ERASED_NAME, *values))
    await conn.execute(f"UPDATE composite_originals SET agreed_by = '', agreed_name = ? WHERE agreed_by IN ({among})",
                       (ERASED_NAME, *values))
    await conn.execute(f"UPDATE motions SET created_by = '' WHERE created_by IN ({among})", values)
    await conn.execute(f"DELETE FROM motion_drafters WHERE identity IN ({among})", values)
    return len(motions)


async def move_room(conn: Conn, old: str, new: str) -> int:
    """Motions of room OLD now belong to room NEW; how many moved."""
    cur = await conn.execute("UPDATE motions SET room = ? WHERE room = ?", (new, old))
    return int(cur.rowcount)
