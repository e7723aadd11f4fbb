"""Polls: opening them, taking votes, closing them and announcing results.

Every rule of DOMAIN.md about a single ballot lives here or in the pure modules it calls:
the electorate is fixed at opening; one member, one vote (linked identities share a key);
a later vote replaces an earlier one until the close; late votes are refused; secret ballots
are stored under keyed hashes and their choices are never shown per voter.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.choice_input import ChoiceError, parse_choice
from bot.context import Context
from bot.engines.counting.choice import abstain_index, decide, tally
from bot.kernel.effects import Button, CloseNativePoll, Edit, Send, SendNativePoll, SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.events import Actor, NativePollAnswer, Room
from bot.kernel.grammar import is_number
from bot.kernel.markup import esc
from bot.kernel.secrecy import receipt, voter_hash
from bot.poll import Poll, iso
from bot.poll_render import ballot_buttons, ballot_text, results_text, when
from bot.poll_spec import PollSpec
from bot.storage.database import Reader
from bot.storage.writer import DUPLICATE, Duplicate, VoteWrite

if TYPE_CHECKING:
    from bot.core import Quorum

log = logging.getLogger(__name__)

LATE_NOTE_AFTER = timedelta(minutes=2)


class PollService:
    def __init__(self, core: Quorum) -> None:
        self.core = core
        self.open: dict[int, Poll] = {}
        self._messages: dict[int, list[tuple[str, str, str | None]]] = {}
        self._native: dict[str, int] = {}
        self._refreshing: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._drafts: dict[tuple[str, int], list[int]] = {}
        self._close_lock = asyncio.Lock()
        # Called with each poll once it has closed and its result is announced (e.g. to apply a
        # carried amendment). A failing listener is logged; it never undoes the close.
        self.close_listeners: list[Callable[[Poll], Awaitable[None]]] = []

    @property
    def db(self) -> Reader:
        assert self.core.db is not None
        return self.core.db

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        async with self.db.execute("SELECT * FROM polls WHERE closed_at IS NULL") as cur:
            rows = await cur.fetchall()
        for row in rows:
            poll = Poll.from_row(row)
            if poll.electorate_kind != "room":
                poll.electorate = await self._load_electorate(poll.id)
            self.open[poll.id] = poll
        async with self.db.execute(
            "SELECT m.poll_id, m.room, m.ref, m.native_ref FROM poll_messages m"
            " JOIN polls p ON p.id = m.poll_id WHERE p.closed_at IS NULL"
        ) as cur:
            for poll_id, room, ref, native_ref in await cur.fetchall():
                self._remember_message(poll_id, room, ref, native_ref)
        self.core.scheduler.add("poll deadlines", self.next_deadline, self.close_due)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _load_electorate(self, poll_id: int) -> dict[int, int]:
        async with self.db.execute(
            "SELECT member_id, weight FROM poll_electorate WHERE poll_id = ?", (poll_id,)
        ) as cur:
            return {m: w for m, w in await cur.fetchall()}

    def _remember_message(self, poll_id: int, room: str, ref: str, native_ref: str | None) -> None:
        self._messages.setdefault(poll_id, []).append((room, ref, native_ref))
        if native_ref:
            self._native[native_ref] = poll_id

    def next_deadline(self) -> datetime | None:
        deadlines = [p.closes_at for p in self.open.values() if p.closes_at is not None]
        return min(deadlines) if deadlines else None

    # -- lookups -----------------------------------------------------------------------------

    async def get(self, poll_id: int) -> Poll:
        poll = self.open.get(poll_id)
        if poll is not None:
            return poll
        async with self.db.execute("SELECT * FROM polls WHERE id = ?", (poll_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            raise UserError(f"There is no poll {poll_id}. Send /polls to see the open polls.")
        return Poll.from_row(row)

    @staticmethod
    def parse_id(text: str, usage: str) -> tuple[int, str]:
        """Split 'POLL rest' into the poll number and the rest."""
        head, _, rest = text.strip().partition(" ")
        digits = head.lstrip("#")
        if not digits:
            raise UserError(f"Say which poll. Usage: {usage}")
        if not is_number(digits):
            raise UserError(f"{head!r} is not a poll number. Usage: {usage}")
        return int(digits), rest.strip()

    # -- opening -----------------------------------------------------------------------------

    async def open_poll(self, room: str, creator: str, spec: PollSpec, event_id: str | None = None) -> Poll:
        """Open a poll in ROOM and post its ballot. Used by /poll and by features that open
        ballots themselves (amendments, fired triggers); EVENT_ID makes a redelivery harmless."""
        now = self.core.clock.now()
        electorate: dict[int, int] | None = None
        if spec.electorate in ("roll", "branch"):
            if spec.electorate == "roll":
                sql, args = "SELECT id, weight FROM members WHERE active = 1", ()
            else:
                sql = "SELECT id, weight FROM members WHERE active = 1 AND lower(branch) = lower(?)"
                args = (spec.branch,)
            async with self.db.execute(sql, args) as cur:
                electorate = {m: w for m, w in await cur.fetchall()}
            if not electorate:
                if spec.electorate == "roll":
                    raise UserError("The membership roll is empty: import it first (quorum members import FILE).")
                raise UserError(f"No member on the roll is in branch {spec.branch!r}; check the name.")
        size = len(electorate) if electorate is not None else None
        total_weight = sum(electorate.values()) if electorate is not None else None

        async def insert(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute(
                "INSERT INTO polls(room, creator, question, options, kind, max_choices, seats, secret,"
                " hidden, card, native, quorum, majority, electorate_kind, electorate_branch,"
                " electorate_size, electorate_weight, opened_at, closes_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    room, creator, spec.question, json.dumps(list(spec.options)),
                    spec.kind, spec.max_choices, spec.seats, int(spec.secret), int(spec.hidden),
                    int(spec.card), int(spec.native), str(spec.quorum) if spec.quorum else None,
                    spec.majority.value if spec.majority else None, spec.electorate, spec.branch,
                    size, total_weight, iso(now), iso(spec.closes_at) if spec.closes_at else None,
                ),
            )
            poll_id = cur.lastrowid
            assert poll_id is not None
            if electorate:
                await conn.executemany(
                    "INSERT INTO poll_electorate(poll_id, member_id, weight) VALUES (?, ?, ?)",
                    [(poll_id, m, w) for m, w in electorate.items()],
                )
            return poll_id

        assert self.core.writer is not None
        poll_id = await self.core.writer.run(insert, event_id)
        poll = Poll(
            id=poll_id, room=room, creator=creator, question=spec.question,
            options=spec.options, kind=spec.kind, max_choices=spec.max_choices, seats=spec.seats,
            secret=spec.secret, hidden=spec.hidden, card=spec.card, native=spec.native,
            quorum=spec.quorum, majority=spec.majority, electorate_kind=spec.electorate,
            branch=spec.branch, electorate_size=size, electorate_weight=total_weight,
            opened_at=now, closes_at=spec.closes_at, electorate=electorate,
        )
        self.open[poll_id] = poll
        self.core.scheduler.poke()
        await self._post(poll)
        return poll

    async def _post(self, poll: Poll) -> None:
        core = self.core
        now = core.clock.now()
        if poll.native:
            delivered = await core.deliver(
                SendNativePoll(poll.room, poll.question, poll.options, poll.max_choices,
                               text=ballot_text(poll, core.config.tz, now, None))
            )
        else:
            delivered = await core.deliver(
                Send(poll.room, ballot_text(poll, core.config.tz, now, self._live(poll, None)),
                     ballot_buttons(poll))
            )
        if delivered is not None and delivered.ref is not None:
            ref, native_ref = delivered.ref, delivered.native_ref

            async def remember(conn: aiosqlite.Connection) -> None:
                await conn.execute(
                    "INSERT OR IGNORE INTO poll_messages(poll_id, room, ref, native_ref) VALUES (?, ?, ?, ?)",
                    (poll.id, poll.room, ref, native_ref),
                )

            assert core.writer is not None
            await core.writer.run(remember)
            self._remember_message(poll.id, poll.room, ref, native_ref)

    def _live(self, poll: Poll, result: dict[str, Any] | None) -> tuple[list[int], int] | None:
        """The tally shown on the ballot message while open: never for hidden or secret polls."""
        if poll.hidden or poll.private_voting:
            return None
        if result is None:
            return ([0] * len(poll.options), 0)
        return (result["counts"], result["ballots"])

    # -- voting ------------------------------------------------------------------------------

    async def eligibility(self, actor: Actor, room: Room, poll: Poll) -> tuple[str, int]:
        """The key under which ACTOR votes in POLL, and the weight of their vote."""
        member = self.core.member(actor.id)
        if poll.electorate_kind != "room":
            if member is None:
                raise UserError(
                    f"Poll {poll.id} is for members on the roll. Link your account first: "
                    "send me /join CODE privately (your organiser has your code)."
                )
            assert poll.electorate is not None
            weight = poll.electorate.get(member)
            if weight is None:
                raise UserError(f"You are not in the electorate of poll {poll.id} (it was fixed when the poll opened).")
            return f"m:{member}", (weight if poll.card else 1)
        if room.id != poll.room:
            if not room.private:
                raise UserError(f"Poll {poll.id} belongs to another room: vote there, or privately with me.")
            transport = self.core.transports.get(poll.room)
            is_member = False
            if transport is not None:
                try:
                    is_member = await transport.is_member(actor.id, poll.room)
                except Exception:
                    log.exception("membership check failed")
            if not is_member:
                raise UserError(f"Only people in the room where poll {poll.id} was started can vote in it.")
        return (f"m:{member}" if member is not None else actor.id), 1

    async def cast(
        self, ctx: Context, poll: Poll, chosen: tuple[int, ...], *, room: Room | None = None
    ) -> str:
        """Record a vote (an empty CHOSEN withdraws it) once committed; return the confirmation."""
        core = self.core
        room = room or ctx.room
        clock = core.clock
        refusal = poll.refusal_at(clock.now)
        if refusal:
            raise UserError(refusal)
        if poll.private_voting and not room.private:
            how = f"/rank {poll.id} …" if poll.ranked else f"/vote {poll.id} …"
            raise UserError(
                f"Poll {poll.id} is a secret ballot: your vote was not counted here. "
                f"Message me privately: {how}"
            )
        if poll.electorate_kind == "room" and room.id == poll.room:  # the common case, without a coroutine
            member = core.member(ctx.actor.id)
            voter, weight = (f"m:{member}" if member is not None else ctx.actor.id), 1
        else:
            voter, weight = await self.eligibility(ctx.actor, room, poll)
        key = voter_hash(core.secret, poll.id, voter) if poll.secret else voter
        assert core.writer is not None
        outcome = await core.writer.vote(
            VoteWrite(
                poll_id=poll.id,
                voter=key,
                choice=",".join(map(str, chosen)) if chosen else None,
                weight=weight,
                timed=not poll.secret,
                event_id=ctx.event_id,
                check=lambda: poll.refusal_at(clock.now),
                identity=(ctx.actor.id, ctx.actor.name) if ctx.actor.name else None,
                receipt=receipt(core.secret, poll.id, voter) if poll.secret else None,
            )
        )
        if outcome == DUPLICATE:
            raise Duplicate()
        if outcome is not None:
            raise UserError(outcome)
        self.schedule_refresh(poll)
        until = ""
        if poll.closes_at:
            until = f" — you can change it until {when(poll.closes_at, core.config.tz, core.clock.now())}"
        else:
            until = " — you can change it until the poll closes"
        if not chosen:
            return f"Your vote in poll {poll.id} is withdrawn."
        if poll.ranked:
            ranking = ", ".join(f"{n}. {poll.options[c]}" for n, c in enumerate(chosen, 1))
            return f"Your ranking in poll {poll.id}: {ranking}{until}."
        return f"Your vote in poll {poll.id}: {', '.join(poll.options[c] for c in chosen)}{until}."

    async def current_choice(self, poll: Poll, actor: Actor, room: Room) -> tuple[int, ...]:
        voter, _ = await self.eligibility(actor, room, poll)
        key = voter_hash(self.core.secret, poll.id, voter) if poll.secret else voter
        async with self.db.execute(
            "SELECT choice FROM votes WHERE poll_id = ? AND voter = ?", (poll.id, key)
        ) as cur:
            row = await cur.fetchone()
        return tuple(int(c) for c in row[0].split(",")) if row else ()

    async def vote_text(self, ctx: Context, poll_id: int, text: str, *, ranked: bool) -> None:
        poll = await self.get(poll_id)
        if poll.ranked and not ranked:
            raise UserError(
                f"Poll {poll_id} is a ranked election: use /rank {poll_id} followed by option numbers in order."
            )
        if ranked and not poll.ranked:
            raise UserError(f"Poll {poll_id} is not ranked: use /vote {poll_id} OPTION.")
        refusal = poll.refusal(self.core.clock.now())
        if refusal:
            raise UserError(refusal)
        try:
            chosen = parse_choice(text, poll.options, poll.max_choices, ranked=poll.ranked)
        except ChoiceError as e:
            raise UserError(f"Poll {poll_id}: {e}.") from None
        await ctx.reply(await self.cast(ctx, poll, chosen))

    async def on_press(self, ctx: Context, data: str) -> str | None:
        kind, _, rest = data.partition(":")
        parts = rest.split(":")
        if kind not in ("v", "r") or len(parts) != 2 or not is_number(parts[0]):
            return "This button is no longer valid."
        poll = self.open.get(int(parts[0])) or await self.get(int(parts[0]))
        refusal = poll.refusal_at(self.core.clock.now)
        if refusal:
            return refusal
        if kind == "v":
            if not is_number(parts[1]) or int(parts[1]) >= len(poll.options) or poll.ranked:
                return "This button is no longer valid."
            idx = int(parts[1])
            chosen: tuple[int, ...] = (idx,)
            if poll.max_choices > 1:
                current = await self.current_choice(poll, ctx.actor, ctx.room)
                if idx in current:
                    chosen = tuple(c for c in current if c != idx)
                elif len(current) >= poll.max_choices:
                    return f"You have chosen {poll.max_choices} already: tap one again to remove it first."
                else:
                    chosen = (*current, idx)
            return await self.cast(ctx, poll, chosen)
        return await self._rank_press(ctx, poll, parts[1])

    async def _rank_press(self, ctx: Context, poll: Poll, what: str) -> str | None:
        """Build a ranking one press at a time; only the confirmed ranking is recorded."""
        if not poll.ranked or not ctx.room.private:
            return "This button is no longer valid."
        key = (ctx.actor.id, poll.id)
        draft = self._drafts.setdefault(key, [])
        if what == "reset":
            draft.clear()
        elif what == "ok":
            if not draft:
                return "Pick at least one candidate first."
            answer = await self.cast(ctx, poll, tuple(draft))
            self._drafts.pop(key, None)
            await self._show_draft(ctx, poll, [], done=answer)
            return answer
        elif is_number(what) and int(what) < len(poll.options):
            if int(what) not in draft:
                draft.append(int(what))
        else:
            return "This button is no longer valid."
        await self._show_draft(ctx, poll, draft)
        return f"Ranked {len(draft)} so far." if draft else "Start again: pick your first choice."

    async def _show_draft(self, ctx: Context, poll: Poll, draft: list[int], done: str | None = None) -> None:
        event = ctx.event
        ref = getattr(event, "message_ref", None)
        text, buttons = self.private_ballot(poll, draft, done)
        if ref:
            await self.core.deliver(Edit(ctx.room.id, ref, text, buttons))
        else:
            await ctx.reply(text, buttons)

    def private_ballot(self, poll: Poll, draft: list[int] | None = None, done: str | None = None):  # type: ignore[no-untyped-def]
        core = self.core
        text = ballot_text(poll, core.config.tz, core.clock.now(), None)
        if not poll.ranked:
            return text, ballot_buttons(poll, private_chat=True)
        draft = draft or []
        if done:
            return text + "\n\n" + esc(done), ()
        if draft:
            text += "\n\nYour ranking so far: " + ", ".join(
                f"{n}. {esc(poll.options[c])}" for n, c in enumerate(draft, 1)
            )
        text += (f"\nPick candidates in order of preference, then Confirm — or send /rank {poll.id} "
                 "followed by option numbers in order.")
        rows = [
            (Button(o, data=f"r:{poll.id}:{n}"),) for n, o in enumerate(poll.options) if n not in draft
        ]
        rows.append((Button("Confirm", data=f"r:{poll.id}:ok"), Button("Start again", data=f"r:{poll.id}:reset")))
        return text, tuple(rows)

    async def on_native_answer(self, event: NativePollAnswer) -> None:
        poll_id = self._native.get(event.native_ref)
        if poll_id is None:
            async with self.db.execute(
                "SELECT poll_id FROM poll_messages WHERE native_ref = ?", (event.native_ref,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                log.info("answer to an unknown native poll %s ignored", event.native_ref)
                return
            poll_id = row[0]
        poll = await self.get(poll_id)
        ctx = Context(self.core, event.actor, Room(poll.room), event)
        try:
            if len(event.options) > poll.max_choices or any(not 0 <= o < len(poll.options) for o in event.options):
                raise UserError(f"Poll {poll.id}: choose at most {poll.max_choices} option(s).")
            await self.cast(ctx, poll, tuple(event.options))
        except UserError as e:
            await self.core.deliver(SendPrivate(event.actor.id, f"Your answer was not counted. {e.message}"))

    # -- live tally --------------------------------------------------------------------------

    def schedule_refresh(self, poll: Poll) -> None:
        if poll.id in self._refreshing or self._live(poll, None) is None or not self._messages.get(poll.id):
            return
        self._refreshing.add(poll.id)
        task = asyncio.get_running_loop().create_task(self._refresh(poll))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh(self, poll: Poll) -> None:
        transport = self.core.transports.get(poll.room)
        try:
            await asyncio.sleep(transport.edit_interval if transport else 0)
        finally:
            self._refreshing.discard(poll.id)
        if not poll.is_open or poll.native:
            return
        result = await self.compute(self.db, poll)
        text = ballot_text(poll, self.core.config.tz, self.core.clock.now(), self._live(poll, result))
        for room, ref, _ in self._messages.get(poll.id, []):
            await self.core.deliver(Edit(room, ref, text, ballot_buttons(poll)))

    # -- counting and closing ----------------------------------------------------------------

    async def compute(self, conn: aiosqlite.Connection, poll: Poll) -> dict[str, Any]:
        # One call for the whole read: a cursor left open between awaits would hold the
        # connection's snapshot for whoever reads next.
        rows = await conn.execute_fetchall("SELECT choice, weight FROM votes WHERE poll_id = ?", (poll.id,))
        ballots = [(tuple(int(c) for c in choice.split(",")), weight) for choice, weight in rows]
        electorate = poll.electorate_weight if poll.card else poll.electorate_size
        if poll.ranked:
            from bot.election import count_ranked  # the STV/IRV engine, only needed for elections

            return count_ranked(poll, ballots, electorate)
        t = tally(poll.options, ballots)
        d = decide(
            t,
            proposal=poll.kind == "proposal",
            majority=poll.majority,
            quorum=poll.quorum,
            electorate=electorate,
            max_choices=poll.max_choices,
        )
        return {
            "kind": poll.kind,
            "counts": list(t.counts),
            "ballots": t.ballots,
            "weight": t.weight,
            "counted": d.counted,
            "abstain": abstain_index(poll.options),
            "electorate": electorate,
            "outcome": d.outcome.value,
            "winners": list(d.winners),
            "turnout": str(d.turnout) if d.turnout is not None else None,
            "quorum_met": d.quorum_met,
            "reasons": list(d.reasons),
        }

    async def close(self, poll_id: int, by: str, event_id: str | None = None) -> Poll:
        poll = await self.get(poll_id)
        if not poll.is_open:
            self.open.pop(poll_id, None)
            raise UserError(f"Poll {poll_id} is already closed. Send /results {poll_id} to see the result.")
        core = self.core

        async def op(conn: aiosqlite.Connection) -> dict[str, Any] | None:
            if poll.closed_at is not None:
                return None
            result = await self.compute(conn, poll)
            now = core.clock.now()
            await conn.execute(
                "UPDATE polls SET closed_at = ?, closed_by = ?, result = ? WHERE id = ? AND closed_at IS NULL",
                (iso(now), by, json.dumps(result), poll.id),
            )
            # Set inside the writer, so any vote queued behind this close is refused.
            poll.closed_at = now
            poll.result = result
            return result

        assert core.writer is not None
        try:
            result = await core.writer.run(op, event_id)
        except Duplicate:
            raise
        except Exception:
            poll.closed_at, poll.result = None, None
            raise
        if result is None:
            self.open.pop(poll.id, None)
            raise UserError(f"Poll {poll_id} is already closed.")
        self.open.pop(poll.id, None)
        self.core.scheduler.poke()
        await self._announce(poll, by)
        for listener in self.close_listeners:
            try:
                await listener(poll)
            except Exception:
                log.exception("a close listener failed for poll %s", poll.id)
        return poll

    async def close_due(self) -> None:
        """Close every poll whose deadline has passed (also those missed while the bot was down)."""
        async with self._close_lock:
            now = self.core.clock.now()
            due = sorted(
                (p for p in self.open.values() if p.closes_at is not None and p.closes_at <= now),
                key=lambda p: (p.closes_at, p.id),
            )
            for poll in due:
                try:
                    await self.close(poll.id, "deadline")
                except UserError:
                    pass

    async def _announce(self, poll: Poll, by: str) -> None:
        core = self.core
        assert poll.result is not None and poll.closed_at is not None
        text = self.result_text(poll, final=True)
        if by == "deadline" and poll.closes_at and poll.closed_at - poll.closes_at > LATE_NOTE_AFTER:
            text += (
                f"\n(The deadline was {when(poll.closes_at, core.config.tz)}; the bot was offline then, "
                "so this result comes late. No vote after the deadline was accepted.)"
            )
        await core.deliver(Send(poll.room, text))
        closed_text = ballot_text(poll, core.config.tz, core.clock.now(), self._live(poll, poll.result))
        for room, ref, native_ref in self._messages.pop(poll.id, []):
            if native_ref:
                self._native.pop(native_ref, None)
                await core.deliver(CloseNativePoll(room, ref, native_ref, text=closed_text))
            else:
                await core.deliver(Edit(room, ref, closed_text))

    def result_text(self, poll: Poll, final: bool, result: dict[str, Any] | None = None,
                    names: dict[int, list[str]] | None = None) -> str:
        r = result if result is not None else poll.result
        assert r is not None
        if poll.ranked:
            from bot.election import election_text

            return election_text(poll, r, final)
        return results_text(poll, r, final, names)

    async def voter_names(self, poll: Poll) -> dict[int, list[str]]:
        """Who chose what, for open (non-secret) ballots only."""
        if poll.secret:
            raise UserError(f"Poll {poll.id} is a secret ballot: who voted what is never shown.")
        names: dict[int, list[str]] = {}
        async with self.db.execute(
            "SELECT v.choice, v.voter, coalesce(nullif(i.display_name, ''), m.name, v.voter)"
            " FROM votes v LEFT JOIN identities i ON i.identity = v.voter"
            " LEFT JOIN members m ON v.voter = 'm:' || m.id WHERE v.poll_id = ?",
            (poll.id,),
        ) as cur:
            for choice, _voter, name in await cur.fetchall():
                for c in choice.split(","):
                    names.setdefault(int(c), []).append(name)
        return names

    async def count_votes(self, poll: Poll) -> int:
        async with self.db.execute("SELECT count(*) FROM votes WHERE poll_id = ?", (poll.id,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def has_receipt(self, poll: Poll, code: str) -> bool:
        async with self.db.execute(
            "SELECT 1 FROM receipts WHERE poll_id = ? AND code = ?", (poll.id, code)
        ) as cur:
            return await cur.fetchone() is not None
