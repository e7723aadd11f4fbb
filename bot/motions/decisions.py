"""What happens when the ballot on an amendment or on a motion closes.

A carried amendment is applied to the motion's text in one writer transaction together with
its new status and a history entry, so the text and the record never disagree. The installer
also settles ballots that closed while the bot was down (the close and this step are separate
commits, and a crash may fall between them).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import aiosqlite

from bot.installers import INSTALLERS, Stopper
from bot.kernel.effects import Send
from bot.kernel.markup import b, esc
from bot.motions.amendments import AmendmentError, apply
from bot.motions.store import load_amendment, load_motion, record, save_text
from bot.poll import Poll, iso

if TYPE_CHECKING:
    from bot.core import Quorum

log = logging.getLogger(__name__)


def carried(result: dict | None) -> bool:
    return bool(result) and result.get("outcome") == "passed"  # type: ignore[union-attr]


def _why_lost(result: dict | None) -> str:
    outcome = (result or {}).get("outcome", "")
    return {"tie": "a tie", "not quorate": "no quorum", "no votes": "no votes"}.get(outcome, "the vote")


async def settle_amendment(core: Quorum, amendment_id: int, result: dict | None) -> str | None:
    """Decide amendment AMENDMENT_ID from its ballot's RESULT; the announcement, or None if it
    was already decided."""
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> str | None:
        row = await load_amendment(conn, amendment_id)
        if row.status != "voting":
            return None
        motion = await load_motion(conn, row.motion_id)
        summary = esc(row.amendment.summary)
        if not carried(result):
            await conn.execute(
                "UPDATE amendments SET status = 'lost', decided_at = ? WHERE id = ?", (now, row.id)
            )
            await record(conn, motion.id, "ballot", "ballot", now, f"amendment {row.ref} lost ({_why_lost(result)})")
            return f"Amendment {b(row.ref)} to {b(motion.ref)} is lost on {_why_lost(result)}: {summary}"
        try:
            sections = apply(motion.text.sections, row.amendment)
        except AmendmentError as e:
            await conn.execute(
                "UPDATE amendments SET status = 'void', decided_at = ?, note = ? WHERE id = ?", (now, str(e), row.id)
            )
            await record(conn, motion.id, "ballot", "ballot", now, f"amendment {row.ref} carried but could not be "
                         f"applied: {e}")
            return (f"Amendment {b(row.ref)} to {b(motion.ref)} was carried but no longer fits the text "
                    f"({esc(str(e))}); the text is unchanged. Propose it again against the current text.")
        motion.text.sections = sections
        await save_text(conn, motion)
        await conn.execute(
            "UPDATE amendments SET status = 'carried', decided_at = ? WHERE id = ?", (now, row.id)
        )
        await record(conn, motion.id, "ballot", "ballot", now, f"amendment {row.ref} carried and applied: "
                     f"{row.amendment.summary}")
        return (f"Amendment {b(row.ref)} to {b(motion.ref)} is carried and applied: {summary}\n"
                f"Send /motion {motion.ref} show for the text as amended.")

    assert core.writer is not None
    return await core.writer.run(op)


async def settle_motion(core: Quorum, motion_id: int, result: dict | None) -> str | None:
    now = iso(core.clock.now())
    status = "carried" if carried(result) else "lost"

    async def op(conn: aiosqlite.Connection) -> str | None:
        motion = await load_motion(conn, motion_id)
        if motion.status != "debated":
            return None
        await conn.execute("UPDATE motions SET status = ? WHERE id = ?", (status, motion.id))
        await record(conn, motion.id, "ballot", "ballot", now, f"status: {status} by ballot")
        if status == "carried":
            return f"Motion {b(motion.ref)} ({esc(motion.text.title)}) is carried."
        return f"Motion {b(motion.ref)} ({esc(motion.text.title)}) is lost on {_why_lost(result)}."

    assert core.writer is not None
    return await core.writer.run(op)


async def _settle(core: Quorum, poll_id: int, room: str, result: dict | None) -> None:
    assert core.db is not None
    async with core.db.execute("SELECT id FROM amendments WHERE poll_id = ? AND status = 'voting'", (poll_id,)) as cur:
        amendment = await cur.fetchone()
    async with core.db.execute("SELECT id FROM motions WHERE vote_poll_id = ? AND status = 'debated'",
                               (poll_id,)) as cur:
        motion = await cur.fetchone()
    text = None
    if amendment is not None:
        text = await settle_amendment(core, amendment[0], result)
    elif motion is not None:
        text = await settle_motion(core, motion[0], result)
    if text:
        await core.deliver(Send(room, text))


async def install(core: Quorum) -> Stopper | None:
    async def on_close(poll: Poll) -> None:
        await _settle(core, poll.id, poll.room, poll.result)

    core.polls.close_listeners.append(on_close)
    # Ballots that closed while the bot was down, before they were settled.
    assert core.db is not None
    async with core.db.execute(
        "SELECT p.id, p.room, p.result FROM polls p WHERE p.closed_at IS NOT NULL AND ("
        " p.id IN (SELECT poll_id FROM amendments WHERE status = 'voting')"
        " OR p.id IN (SELECT vote_poll_id FROM motions WHERE status = 'debated'))"
    ) as cur:
        rows = await cur.fetchall()
    for poll_id, room, result in rows:
        try:
            await _settle(core, poll_id, room, json.loads(result) if result else None)
        except Exception:
            log.exception("settling the ballot of poll %s failed", poll_id)
    return None


INSTALLERS.append(install)
