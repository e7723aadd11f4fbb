"""Signing a trigger campaign, firing it exactly once, and closing it at its deadline.

The firing is decided inside the writer transaction that records the crossing signature: the
writer applies changes one after another, so exactly one signature finds the threshold newly
crossed and sets the status to 'fired' (with ``AND status = 'open'`` as a second guard), however
many arrive at once. A redelivered message carries the same event id and is dropped by the
writer. The deadline is checked in the same transaction, so nothing fires after it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import aiosqlite

from bot.campaigns.signing import SIGNABLE, Signable
from bot.context import Context
from bot.installers import INSTALLERS, Stopper
from bot.kernel.effects import Send, SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.markup import b, esc
from bot.poll import iso
from bot.poll_render import when
from bot.poll_spec import PollSpec
from bot.storage.database import Reader
from bot.storage.outbox import enqueue
from bot.storage.writer import Duplicate
from bot.triggers.store import Trigger, current, load_trigger
from bot.triggers.thresholds import Standing

if TYPE_CHECKING:
    from bot.core import Quorum

log = logging.getLogger(__name__)
_SERVICES: WeakKeyDictionary[Quorum, TriggerService] = WeakKeyDictionary()


def service(core: Quorum) -> TriggerService:
    return _SERVICES[core]


def standing_text(t: Trigger, s: Standing) -> str:
    if t.threshold.kind == "branches":
        return f"{s.have} of the {s.need} branches needed count"
    return f"{s.have} of {s.need} signatures needed"


class TriggerService:
    def __init__(self, core: Quorum) -> None:
        self.core = core
        self.deadlines: dict[int, datetime] = {}  # open campaigns: id -> deadline
        self.unfinished: list[int] = []  # fired before a stop, ballot not yet opened

    @property
    def db(self) -> Reader:
        assert self.core.db is not None
        return self.core.db

    async def start(self) -> None:
        async with self.db.execute("SELECT * FROM triggers WHERE status IN ('open', 'fired')") as cur:
            rows = [Trigger.from_row(r) for r in await cur.fetchall()]
        for t in rows:
            if t.status == "open":
                self.deadlines[t.id] = t.closes_at
            elif t.ballot_poll_id is None:  # fired, but the bot stopped before the ballot opened
                self.unfinished.append(t.id)
        # The core's scheduler runs this duty at each deadline (and at once, after the polls
        # are loaded, for triggers that fired just before a stop).
        self.core.scheduler.add("trigger campaigns", self._next, self.run_due)

    async def run_due(self) -> None:
        while self.unfinished:
            trigger_id = self.unfinished.pop(0)
            try:
                await self.follow_up(trigger_id)
            except Exception:
                log.exception("finishing fired trigger T%s failed", trigger_id)
        await self.expire_due()

    def opened(self, trigger_id: int, closes_at: datetime) -> None:
        self.deadlines[trigger_id] = closes_at
        self.core.scheduler.poke()

    def _next(self) -> datetime | None:
        if self.unfinished:
            return self.core.clock.now()
        return min(self.deadlines.values()) if self.deadlines else None

    # -- signing -------------------------------------------------------------------------------

    async def _member(self, ctx: Context, trigger_id: int) -> int:
        member = await self.core.member_of(ctx.actor.id)
        if member is None:
            raise UserError(f"Only members on the roll can sign T{trigger_id}. Link your account first: "
                            "send me /join CODE (your organiser has your code).")
        return member

    async def describe(self, ctx: Context, trigger_id: int) -> str:
        t = await load_trigger(self.db, trigger_id)
        refusal = t.refusal(self.core.clock.now())
        if refusal:
            raise UserError(refusal)
        await self._member(ctx, trigger_id)
        s = await current(self.db, t)
        return (f"You are signing trigger campaign {b(t.ref)} ({esc(t.title)}): {standing_text(t, s)}; "
                f"it closes {when(t.closes_at, self.core.config.tz)}.\n"
                "We keep your membership, branch and the time you signed; the campaign's organisers see them. "
                f"You can withdraw until the trigger fires: /unsign {t.ref}.")

    async def sign(self, ctx: Context, trigger_id: int, branch: str | None) -> str:
        del branch  # a member's branch is the one on the roll when the campaign opened
        member = await self._member(ctx, trigger_id)
        core = self.core

        async def op(conn: aiosqlite.Connection) -> tuple[Standing, bool]:
            now = core.clock.now()
            t = await load_trigger(conn, trigger_id)
            refusal = t.refusal(now)
            if refusal:
                raise UserError(refusal)
            async with conn.execute(
                "SELECT branch FROM trigger_electorate WHERE trigger_id = ? AND member_id = ?", (trigger_id, member)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise UserError(f"You are not in the electorate of T{trigger_id} (fixed when it opened).")
            async with conn.execute(
                "SELECT signed_at FROM trigger_signatures WHERE trigger_id = ? AND member_id = ?",
                (trigger_id, member),
            ) as cur:
                done = await cur.fetchone()
            if done is not None:
                raise UserError(f"You signed T{trigger_id} already (at {done[0].replace('T', ' ')[:16]} UTC); "
                                "nothing changed.")
            await conn.execute(
                "INSERT INTO trigger_signatures(trigger_id, member_id, identity, branch, consent, signed_at)"
                " VALUES (?, ?, ?, ?, 1, ?)",
                (trigger_id, member, ctx.actor.id, row[0], iso(now)),
            )
            s = await current(conn, t)
            if not s.crossed:
                return s, False
            cur = await conn.execute(
                "UPDATE triggers SET status = 'fired', fired_at = ? WHERE id = ? AND status = 'open'",
                (iso(now), trigger_id),
            )
            if cur.rowcount != 1:
                return s, False
            # The organisers are told through the outbox, queued with the firing itself, so the
            # message survives a crash and is sent once.
            for organiser in self.organisers(t):
                await enqueue(
                    conn, dedupe=f"trigger:{t.ref}:fired:{organiser}", target=organiser, private=True, now=now,
                    text=f"Trigger {t.ref} ({esc(t.title)}) fired at {when(now, core.config.tz)}: "
                         f"{standing_text(t, s)}. Its ballot opens in the room where the campaign was announced.",
                )
            return s, True

        assert core.writer is not None
        s, fired = await core.writer.run(op, ctx.event_id)
        if fired:
            self.deadlines.pop(trigger_id, None)
            core.outbox.poke()
            await self.follow_up(trigger_id)
            return f"Thank you: you signed T{trigger_id}, and your signature crossed the threshold: it has fired."
        t = await load_trigger(self.db, trigger_id)
        return f"Thank you: you signed T{trigger_id}. {standing_text(t, s).capitalize()}."

    async def unsign(self, ctx: Context, trigger_id: int) -> str:
        member = await self._member(ctx, trigger_id)
        core = self.core

        async def op(conn: aiosqlite.Connection) -> None:
            t = await load_trigger(conn, trigger_id)
            if t.status == "fired":
                raise UserError(f"Trigger T{trigger_id} has fired; signatures can no longer be withdrawn.")
            if t.status != "open" or core.clock.now() >= t.closes_at:
                raise UserError(f"Trigger T{trigger_id} is closed; its list is final.")
            cur = await conn.execute(
                "DELETE FROM trigger_signatures WHERE trigger_id = ? AND member_id = ?", (trigger_id, member)
            )
            if cur.rowcount == 0:
                raise UserError(f"You have not signed T{trigger_id}; nothing to withdraw.")

        assert core.writer is not None
        await core.writer.run(op, ctx.event_id)
        return f"Your signature on T{trigger_id} is withdrawn and deleted."

    # -- firing and expiry ---------------------------------------------------------------------

    async def follow_up(self, trigger_id: int) -> None:
        """Announce a fired trigger, open its ballot and tell the organisers (once)."""
        core = self.core
        t = await load_trigger(self.db, trigger_id)
        if t.status != "fired" or t.ballot_poll_id is not None:
            return
        s = await current(self.db, t)
        fired_at = t.fired_at or core.clock.now()
        await core.deliver(Send(t.room, f"🔔 Trigger {b(t.ref)} has fired: {esc(t.title)} — {standing_text(t, s)} "
                                        f"({esc(t.threshold.describe())}). The ballot opens now."))
        spec = PollSpec(
            question=f"{t.ref}: {t.ballot.question}"[:300], options=("Yes", "No", "Abstain"), kind="proposal",
            closes_at=core.clock.now() + timedelta(seconds=t.ballot.seconds), secret=t.ballot.secret,
            electorate="branch" if t.branch else "roll", branch=t.branch,
        )
        poll_id: int | None = None
        try:
            poll = await core.polls.open_poll(t.room, t.opened_by, spec, f"trigger-ballot:{t.ref}")
            poll_id = poll.id
        except Duplicate:  # opened before a restart, not yet linked
            async with self.db.execute(
                "SELECT id FROM polls WHERE room = ? AND question = ? AND opened_at >= ? ORDER BY id DESC LIMIT 1",
                (t.room, spec.question, iso(fired_at)),
            ) as cur:
                row = await cur.fetchone()
            poll_id = row[0] if row else None
        except UserError as e:
            note = f"The ballot of {t.ref} could not be opened: {e.message} Open it by hand with /poll."
            await core.deliver(Send(t.room, esc(note)))
            for organiser in self.organisers(t):
                await core.deliver(SendPrivate(organiser, esc(note)))
        if poll_id is not None:
            async def link(conn: aiosqlite.Connection) -> None:
                await conn.execute("UPDATE triggers SET ballot_poll_id = ? WHERE id = ?", (poll_id, t.id))

            assert core.writer is not None
            await core.writer.run(link)

    def organisers(self, t: Trigger) -> list[str]:
        people = [t.opened_by] + [o for o in self.core.config.organisers.get(t.room, ()) if o != t.opened_by]
        return people

    async def expire_due(self) -> None:
        core = self.core
        now = core.clock.now()
        for trigger_id in [i for i, d in self.deadlines.items() if d <= now]:
            async def op(conn: aiosqlite.Connection, trigger_id: int = trigger_id) -> bool:
                cur = await conn.execute(
                    "UPDATE triggers SET status = 'expired', ended_at = ? WHERE id = ? AND status = 'open'"
                    " AND closes_at <= ?",
                    (iso(now), trigger_id, iso(now)),
                )
                return cur.rowcount == 1

            assert core.writer is not None
            expired = await core.writer.run(op)
            self.deadlines.pop(trigger_id, None)
            if expired:
                t = await load_trigger(self.db, trigger_id)
                s = await current(self.db, t)
                await core.deliver(Send(t.room, f"Trigger {b(t.ref)} ({esc(t.title)}) closed at its deadline "
                                                f"without firing: {standing_text(t, s)}."))


async def _describe(ctx: Context, n: int) -> str:
    return await service(ctx.core).describe(ctx, n)


async def _sign(ctx: Context, n: int, branch: str | None) -> str:
    return await service(ctx.core).sign(ctx, n, branch)


async def _unsign(ctx: Context, n: int) -> str:
    return await service(ctx.core).unsign(ctx, n)


SIGNABLE["T"] = Signable(_describe, _sign, _unsign)


async def install(core: Quorum) -> Stopper | None:
    svc = TriggerService(core)
    _SERVICES[core] = svc
    await svc.start()
    return None


INSTALLERS.append(install)
