"""Reminders before a poll closes: privately to electors who have not voted, and a warning in
the group. Members are never named in the group unless an organiser asks (/remind POLL --names).

Only roll (and branch) polls have a known electorate, so only they get private reminders: a
Telegram bot cannot list a group's members, and "anyone in the room" names nobody in advance.
Each round is queued once, in one transaction with its messages (see bot/storage/outbox.py), so a
restart neither repeats nor loses one. When the bot was down across several rounds of one poll,
only the latest is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiosqlite

from bot.kernel.errors import UserError
from bot.kernel.events import platform_of
from bot.kernel.markup import b, esc
from bot.kernel.secrecy import voter_hash
from bot.poll import Poll, iso
from bot.poll_render import when
from bot.storage.outbox import Outbox, enqueue

if TYPE_CHECKING:
    from bot.core import Quorum

log = logging.getLogger(__name__)


def _label(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _in_words(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes >= 1440 and minutes % 1440 == 0:
        n = minutes // 1440
        return f"{n} day{'s' if n > 1 else ''}"
    if minutes >= 60 and minutes % 60 == 0:
        n = minutes // 60
        return f"{n} hour{'s' if n > 1 else ''}"
    return f"{minutes} minutes"


def rounds_for(poll: Poll, offsets: tuple[timedelta, ...], warning: timedelta | None) -> list[tuple[str, datetime]]:
    """The scheduled rounds of POLL as (name, when); rounds that would fall before the poll
    opened are left out (a 30-minute poll gets no 24-hour reminder)."""
    if poll.closes_at is None:
        return []
    out = []
    if poll.electorate_kind != "room":
        out += [(_label(o), poll.closes_at - o) for o in offsets if poll.closes_at - o > poll.opened_at]
    if warning is not None and poll.closes_at - warning > poll.opened_at:
        out.append((f"group-{_label(warning)}", poll.closes_at - warning))
    return out


class Reminders:
    def __init__(self, core: Quorum, outbox: Outbox) -> None:
        self.core = core
        self.outbox = outbox
        self._done: dict[int, set[str]] = {}

    async def start(self) -> None:
        assert self.core.db is not None
        async with self.core.db.execute(
            "SELECT r.poll_id, r.round FROM reminder_rounds r JOIN polls p ON p.id = r.poll_id"
            " WHERE p.closed_at IS NULL"
        ) as cur:
            for poll_id, name in await cur.fetchall():
                self._done.setdefault(poll_id, set()).add(name)
        self.core.scheduler.add("reminders", self.next_due, self.fire_due)

    def _pending(self, poll: Poll) -> list[tuple[str, datetime]]:
        cfg = self.core.config
        done = self._done.get(poll.id, set())
        return [(n, t) for n, t in rounds_for(poll, cfg.reminder_offsets, cfg.group_warning) if n not in done]

    def next_due(self) -> datetime | None:
        times = [t for poll in self.core.polls.open.values() for _, t in self._pending(poll)]
        return min(times) if times else None

    async def fire_due(self) -> None:
        now = self.core.clock.now()
        for poll in list(self.core.polls.open.values()):
            due = [(n, t) for n, t in self._pending(poll) if t <= now]
            if not due or (poll.closes_at is not None and poll.closes_at <= now):
                if due:  # the poll is closing now: reminders would be too late
                    self._done.setdefault(poll.id, set()).update(n for n, _ in due)
                continue
            private = [n for n, _ in due if not n.startswith("group-")]
            group = [n for n, _ in due if n.startswith("group-")]
            await self._queue_round(poll, due_names=[n for n, _ in due], private=bool(private), group=bool(group))

    async def remind_now(self, poll: Poll, names_in_group: bool) -> int:
        """An organiser's reminder: privately to non-voters now, and a note in the group."""
        n = sum(1 for r in self._done.get(poll.id, set()) if r.startswith("manual-")) + 1
        return await self._queue_round(poll, due_names=[f"manual-{n}"], private=True, group=True,
                                       names_in_group=names_in_group, manual=True)

    async def _queue_round(self, poll: Poll, *, due_names: list[str], private: bool, group: bool,
                           names_in_group: bool = False, manual: bool = False) -> int:
        core = self.core
        now = core.clock.now()
        tz = core.config.tz
        key = due_names[-1]
        non_voters = await self._non_voters(poll) if poll.electorate_kind != "room" else []
        voted = await core.polls.count_votes(poll)
        deadline = ""
        if poll.closes_at:
            deadline = f" closes at {when(poll.closes_at, tz, now)} (in {_in_words(poll.closes_at - now)})"
        how = f"/rank {poll.id} …" if poll.ranked else f"/vote {poll.id} OPTION"
        where = "privately, here" if poll.private_voting else "in the group or here"
        private_text = (
            f"⏰ {b('Reminder')}: poll {poll.id}, {esc(poll.question)},{esc(deadline) or ' is open'}. "
            f"You have not voted yet. Vote {where}: {esc(how)}  (Send /remind off to stop reminders.)"
        )
        turnout = f"{voted} of {poll.electorate_size} have voted" if poll.electorate_size else f"{voted} have voted"
        group_text = f"⏰ Poll {poll.id}, {esc(poll.question)},{esc(deadline) or ' is open'}. {turnout}."
        if names_in_group and non_voters:
            group_text += " Not yet voted: " + esc(", ".join(sorted(name for _, name in non_voters))) + "."

        async def op(conn: aiosqlite.Connection) -> int:
            queued = 0
            for name in due_names:
                await conn.execute(
                    "INSERT OR IGNORE INTO reminder_rounds(poll_id, round, queued_at) VALUES (?, ?, ?)",
                    (poll.id, name, iso(now)),
                )
            if private:
                for identity, _ in non_voters:
                    await enqueue(conn, dedupe=f"remind:{poll.id}:{key}:{identity}", target=identity,
                                  private=True, text=private_text, now=now)
                    queued += 1
            if group:
                await enqueue(conn, dedupe=f"warn:{poll.id}:{key}", target=poll.room, private=False,
                              text=group_text, now=now)
            return queued

        assert core.writer is not None
        queued = await core.writer.run(op)
        self._done.setdefault(poll.id, set()).update(due_names)
        self.outbox.poke()
        log.info("poll %s: reminder round %s queued for %d members", poll.id, key, queued)
        return queued

    async def _non_voters(self, poll: Poll) -> list[tuple[str, str]]:
        """(identity to write to, member name) for each elector who has not voted and has not
        opted out. One identity per member: on the poll's platform if they have one there."""
        core = self.core
        assert core.db is not None and poll.electorate is not None
        async with core.db.execute("SELECT voter FROM votes WHERE poll_id = ?", (poll.id,)) as cur:
            voted = {row[0] for row in await cur.fetchall()}
        async with core.db.execute(
            "SELECT i.identity, i.member_id, m.name FROM identities i JOIN members m ON m.id = i.member_id"
            " JOIN poll_electorate e ON e.member_id = i.member_id AND e.poll_id = ?"
            " WHERE i.identity NOT IN (SELECT identity FROM reminder_optout) ORDER BY i.identity",
            (poll.id,),
        ) as cur:
            rows = await cur.fetchall()
        async with core.db.execute(
            "SELECT i.member_id FROM identities i JOIN reminder_optout o ON o.identity = i.identity"
        ) as cur:
            opted_out = {row[0] for row in await cur.fetchall()}
        platform = platform_of(poll.room)
        chosen: dict[int, tuple[str, str]] = {}
        for identity, member_id, name in rows:
            if member_id in opted_out:
                continue
            key = f"m:{member_id}"
            if (voter_hash(core.secret, poll.id, key) if poll.secret else key) in voted:
                continue
            if member_id not in chosen or platform_of(identity) == platform:
                chosen[member_id] = (identity, name)
        return sorted(chosen.values())

    async def set_opt_out(self, identity: str, off: bool) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            if off:
                await conn.execute("INSERT OR IGNORE INTO reminder_optout(identity) VALUES (?)", (identity,))
            else:
                await conn.execute("DELETE FROM reminder_optout WHERE identity = ?", (identity,))

        assert self.core.writer is not None
        await self.core.writer.run(op)


def check_remind_args(args: str) -> tuple[str, bool]:
    words = args.split()
    if not words:
        raise UserError("Usage: /remind POLL [--names] (organisers), or /remind off | on.")
    names = "--names" in words
    rest = [w for w in words if w != "--names"]
    if len(rest) != 1:
        raise UserError("Usage: /remind POLL [--names] (organisers), or /remind off | on.")
    return rest[0], names
