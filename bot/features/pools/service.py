"""Sortition in chat: volunteers register privately, organisers set quotas and freeze the pool,
the draw is committed before the randomness exists and revealed with it (see
bot/engines/sortition/PROTOCOL.md), selected volunteers are told privately, and a seat that is
declined is refilled by the same verifiable procedure. When nobody left can take a seat without
breaking a quota, the organisers decide: leave it empty, or relax a quota line for the rounds
that follow; either is published as a step, and later replacements go on.

Ticket numbers follow registration order. The published document holds tickets and answers to
the quota questions only — never names or chat ids.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, Volunteer
from bot.engines.sortition.prepare import prepare
from bot.engines.sortition.published import PublishedDraw, open_document
from bot.engines.sortition.reveal import SeatUnfillable, draw_panel, replace
from bot.features.pools import store
from bot.features.pools.model import (
    EMPTY,
    RELAX,
    ROUND,
    Draft,
    Pool,
    Registration,
    Seats,
    Step,
    quotas_in_force,
    refuse_pool,
    seats,
)
from bot.features.pools.parse import YES, pick
from bot.features.pools.render import (
    ask,
    declined_in_room,
    drawn,
    frozen,
    left_empty,
    refilled,
    relaxed,
    selected_note,
    ticket_note,
    unfillable,
)
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.dialogue import Dialogues
from bot.kernel.effects import Send
from bot.kernel.errors import UserError
from bot.kernel.markup import b, markup
from bot.kernel.ports import Conn, Languages, Reader, Sender, Writer
from bot.kernel.times import iso
from bot.kernel.weblinks import PageLinks
from bot.kernel.wording import count_of, quoted
from bot.storage.outbox import Outbox, enqueue
from bot.storage.writer import change_once

DIALOGUE = "pool registration"
T = TypeVar("T")


def _engine(fn: Callable[..., T], *args: Any) -> T:
    """Run a sortition engine step; its refusal (a sentence for the organiser) becomes the reply."""
    try:
        return fn(*args)
    except SortitionError as e:
        raise UserError(e.message) from None


def _refuse(pool: Pool, action: str) -> None:
    refusal = refuse_pool(pool.id, pool.status, action)
    if refusal:
        raise UserError(refusal)


class PoolService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, send: Sender, outbox: Outbox, dialogues: Dialogues,
        links: PageLinks | None = None, *, languages: Languages,
    ) -> None:
        self._languages = languages
        self._links = links
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._send = send
        self._outbox = outbox
        self._dialogues = dialogues
        self._drafts: dict[str, Draft] = {}

    async def get(self, pool_id: int) -> Pool:
        pool = await store.load_pool(self._reader, pool_id)
        if pool is None:
            raise UserError(f"There is no pool {pool_id}.")
        return pool

    async def volunteers(self, pool: Pool) -> list[Registration]:
        return await store.registrations(self._reader, pool.id)

    async def quota_list(self, pool: Pool) -> list[tuple[str, str, int, int]]:
        return await store.quotas(self._reader, pool.id)

    async def _quotas(self, pool: Pool) -> Quotas:
        bounds = [QuotaBound(*row) for row in await store.quotas(self._reader, pool.id)]
        if pool.panel_size is None:
            raise UserError(f"Set the panel size first: /pool {pool.id} size N.")
        return Quotas.of(pool.panel_size, bounds)

    # -- opening and registering -------------------------------------------------------------

    async def create(self, ctx: Context, title: str, questions: list[dict[str, Any]]) -> int:
        now = iso(self._clock.now())

        async def op(conn: Conn) -> int:
            return await store.insert_pool(conn, ctx.room.id, title, questions, ctx.actor.id, now)

        return await self._writer.run(op, ctx.event_id)

    async def begin(self, ctx: Context, pool: Pool) -> None:
        if not ctx.room.private:
            raise UserError(f"Register privately, so your answers stay between you and the organisers: "
                            f"message me /pool {pool.id} join")
        _refuse(pool, "join")
        if await store.registration(self._reader, pool.id, ctx.actor.id) is not None:
            raise UserError(f"You are registered in pool {pool.id} already; /pool {pool.id} leave withdraws you.")
        draft = Draft(pool)
        self._drafts[ctx.actor.id] = draft
        self._dialogues.begin(ctx.actor.id, DIALOGUE)
        await ctx.reply(markup("Registering for {} (pool {}). {}\nSend 'cancel' to stop; nothing is kept until you "
                               "consent at the end.", b(pool.title), pool.id, ask(draft)))

    def _end(self, actor: str) -> None:
        self._drafts.pop(actor, None)
        self._dialogues.end(actor, DIALOGUE)

    async def converse(self, ctx: Context, text: str) -> bool:
        draft = self._drafts.get(ctx.actor.id)
        if draft is None or self._dialogues.owner(ctx.actor.id) != DIALOGUE:
            return False
        t = text.strip()
        if t.lower() == "cancel":
            self._end(ctx.actor.id)
            await ctx.reply("Registration cancelled; nothing was kept.")
            return True
        q = draft.next_question()
        if q is not None:
            choice = pick(t, q["options"])
            if choice is None:
                raise UserError(markup("Please answer with a number or one of the options. {}", ask(draft)))
            draft.answers[q["name"]] = choice
        elif draft.name is None:
            if not t or len(t) > 100:
                raise UserError("Please send your name (up to 100 characters).")
            draft.name = t
        else:
            if t.lower() not in YES:
                raise UserError("Reply yes to consent and register, or cancel to stop (nothing is kept).")
            self._end(ctx.actor.id)
            await self._store(ctx, draft)
            return True
        await ctx.reply(ask(draft))
        return True

    async def _store(self, ctx: Context, draft: Draft) -> None:
        now = iso(self._clock.now())
        pool_id = draft.pool.id
        assert draft.name is not None

        async def op(conn: Conn) -> None:
            pool = await store.load_pool(conn, pool_id)
            if pool is None or refuse_pool(pool_id, pool.status, "join"):
                raise UserError(f"Pool {pool_id} was frozen while you were registering; registration has closed.")
            if await store.registration(conn, pool_id, ctx.actor.id) is not None:
                raise UserError(f"You are registered in pool {pool_id} already.")
            await store.register(conn, pool_id, ctx.actor.id, draft.name or "", draft.answers, now)

        await self._writer.run(op, ctx.event_id)
        await ctx.reply(f"You are registered in pool {pool_id}. You will get a ticket number when the pool is "
                        f"frozen. /pool {pool_id} leave withdraws you and erases your answers.")

    async def leave(self, ctx: Context, pool: Pool) -> None:
        _refuse(pool, "leave")

        await change_once(self._writer, lambda conn: store.unregister(conn, pool.id, ctx.actor.id),
                          f"You are not registered in pool {pool.id}.", ctx.event_id)
        await ctx.reply(f"You have left pool {pool.id}; your answers are erased.")

    # -- quotas ------------------------------------------------------------------------------

    async def set_size(self, ctx: Context, pool: Pool, size: int) -> None:
        _refuse(pool, "configure")

        async def op(conn: Conn) -> None:
            await store.set_panel_size(conn, pool.id, size)

        await self._writer.run(op, ctx.event_id)
        await ctx.reply(f"Pool {pool.id}: the panel will have {count_of(size, 'member')}.")

    @staticmethod
    def _answer(pool: Pool, feature: str, value: str) -> tuple[str, str]:
        """(question, answer) as the pool spells them, for what an organiser typed."""
        question = next((q for q in pool.questions if q["name"] == feature.lower()), None)
        if question is None:
            names = ", ".join(q["name"] for q in pool.questions)
            raise UserError(f"Pool {pool.id} asks no question {quoted(feature)}; its questions are {names}.")
        option = pick(value, question["options"])
        if option is None:
            raise UserError(f"{feature} has no answer {quoted(value)}; the answers are "
                            f"{', '.join(question['options'])}.")
        return question["name"], option

    async def set_quota(self, ctx: Context, pool: Pool, feature: str, value: str, low: int, high: int) -> None:
        _refuse(pool, "configure")
        question, option = self._answer(pool, feature, value)

        async def op(conn: Conn) -> None:
            await store.set_quota(conn, pool.id, question, option, low, high)

        await self._writer.run(op, ctx.event_id)
        seats = f"exactly {count_of(low, 'panel member')}" if low == high else f"between {low} and {high} panel members"
        await ctx.reply(f"Pool {pool.id}: {seats} with {question} = {option}.")

    # -- freeze and commit -------------------------------------------------------------------

    async def freeze(self, ctx: Context, pool: Pool, method: str) -> None:
        _refuse(pool, "freeze")
        quotas = await self._quotas(pool)
        people = await self.volunteers(pool)
        pool_in = [Volunteer(p.identity, p.answers) for p in people]
        try:
            prepared = await asyncio.to_thread(prepare, pool_in, quotas, method, pool.title)
        except SortitionError as e:
            raise UserError(e.message) from None
        document = json.dumps(prepared.document, sort_keys=True)
        now = self._clock.now()

        async def op(conn: Conn) -> None:
            if await store.volunteer_count(conn, pool.id) != len(people):
                raise UserError(
                    f"Someone registered or left pool {pool.id} meanwhile; send /pool {pool.id} freeze again."
                )
            tickets = {p.identity: prepared.tickets[p.identity] for p in people}
            if not await store.commit(conn, pool.id, document, prepared.commitment, tickets):
                raise UserError(f"Pool {pool.id} is frozen already.")
            for p in people:
                await enqueue(conn, dedupe=f"pool:{pool.id}:ticket:{p.identity}", target=p.identity, private=True,
                              text=ticket_note(pool, tickets[p.identity], prepared.chances.get(p.identity)), now=now)

        await self._writer.run(op, ctx.event_id)
        self._outbox.poke()
        lowest = min(prepared.chances.values()) if prepared.chances else None
        await self._send(Send(pool.room, frozen(pool, len(people), quotas.panel_size, prepared.commitment, lowest)))

    # -- draw, decline, replace, and what organisers decide after the draw ---------------------

    async def after_draw(self, pool: Pool) -> tuple[Seats, list[Step], Quotas]:
        """Where the seats stand, the published steps since the draw, and the quotas in force."""
        steps = await store.steps(self._reader, pool.id)
        state = seats(pool.panel, await store.declined_tickets(self._reader, pool.id), steps)
        return state, steps, _engine(quotas_in_force, self._published(pool).quotas, steps)

    @staticmethod
    def _published(pool: Pool) -> PublishedDraw:
        assert pool.document is not None
        return _engine(open_document, pool.document, pool.commitment)

    async def draw(self, ctx: Context, pool: Pool, randomness: str) -> None:
        _refuse(pool, "draw")
        panel = _engine(draw_panel, self._published(pool), randomness)
        await self._seat(ctx, pool, panel, randomness, new=panel, round_number=0, steps=[])
        pool.randomness = randomness
        text = drawn(pool, randomness, panel, [])
        page = self._links.url("draw", pool.id) if self._links else None
        if page:
            text += f"\nThe draw, its inputs and a check anyone can run: {page}"
        await self._send(Send(pool.room, text))

    async def decline(self, ctx: Context, pool: Pool) -> None:
        _refuse(pool, "decline")
        me = await store.registration(self._reader, pool.id, ctx.actor.id)
        if me is None or me.ticket not in pool.panel:
            raise UserError(f"You are not on the panel of pool {pool.id}.")
        if me.declined:
            raise UserError(f"You have declined your seat in pool {pool.id} already.")

        async def op(conn: Conn) -> None:
            await store.decline(conn, pool.id, ctx.actor.id)

        await self._writer.run(op, ctx.event_id)
        await ctx.reply(f"Thank you for letting us know: your seat (ticket {me.ticket}) will be offered to "
                        "someone else.")
        await self._send(Send(pool.room, declined_in_room(pool, me.ticket)))

    async def replace(self, ctx: Context, pool: Pool, randomness: str) -> None:
        """One replacement round: every open seat refilled, or (when one cannot be) none."""
        _refuse(pool, "replace")
        state, steps, quotas = await self.after_draw(pool)
        if not state.open:
            raise UserError(f"No seat on panel {pool.id} is open: nobody has declined since the last round, and a "
                            "seat left empty stays empty.")
        declined = state.refilled + state.empty
        try:
            panel, made = replace(self._published(pool), pool.panel, state.open, randomness, pool.rounds + 1,
                                  declined, quotas)
        except SeatUnfillable as e:
            raise UserError(unfillable(pool, e.ticket, e.relax)) from None
        except SortitionError as e:
            raise UserError(e.message) from None
        pairs = [(m.declined, m.replacement) for m in made]
        step = Step(ROUND, {"tickets": state.open, "randomness": randomness, "replaced": pairs})
        round_number = pool.rounds + 1
        await self._seat(ctx, pool, panel, randomness, new=[m.replacement for m in made], round_number=round_number,
                         steps=steps, step=step)
        seated = seats(panel, {*declined, *state.open}, [*steps, step]).seated
        await self._send(Send(pool.room, refilled(pool, round_number, randomness, pairs, seated, [*steps, step])))

    async def relax(self, ctx: Context, pool: Pool, feature: str, value: str, low: int, high: int) -> None:
        """Loosen a quota line for the replacement rounds that follow (published, never tighter)."""
        _refuse(pool, "relax")
        question, option = self._answer(pool, feature, value)
        _, steps, quotas = await self.after_draw(pool)
        bound = QuotaBound(question, option, low, high)
        _engine(quotas.relaxed, bound)  # refuses a line the pool has no quota on, or a tighter one
        was = next(q for q in quotas.bounds if (q.feature, q.value) == (question, option))
        step = Step(RELAX, {"feature": question, "value": option, "min": low, "max": high})
        await self._add_step(ctx, pool, steps, step)
        await self._send(Send(pool.room, relaxed(pool, bound, was, [*steps, step])))

    async def leave_empty(self, ctx: Context, pool: Pool, ticket: int) -> None:
        """Leave a declined seat empty, as the organisers decided; rounds go on without it."""
        _refuse(pool, "empty")
        state, steps, _ = await self.after_draw(pool)
        if ticket not in state.open:
            if ticket in state.empty:
                raise UserError(f"Ticket {ticket}'s seat on panel {pool.id} is left empty already.")
            if ticket in state.refilled:
                raise UserError(f"Ticket {ticket}'s seat on panel {pool.id} was refilled already; nothing to leave "
                                "empty.")
            raise UserError(f"Ticket {ticket} has not declined a seat on panel {pool.id}; only a declined seat can be "
                            f"left empty. Open seats: {', '.join(map(str, state.open)) or 'none'}.")
        step = Step(EMPTY, {"ticket": ticket})
        await self._add_step(ctx, pool, steps, step)
        await self._send(Send(pool.room, left_empty(pool, ticket, state.seated, [*steps, step])))

    async def _add_step(self, ctx: Context, pool: Pool, steps: list[Step], step: Step) -> None:
        now = iso(self._clock.now())

        async def op(conn: Conn) -> None:
            status, rounds = await store.status_and_rounds(conn, pool.id)
            if rounds != pool.rounds or await store.step_count(conn, pool.id) != len(steps):
                raise UserError(f"Pool {pool.id} changed meanwhile; look with /pool {pool.id} status.")
            if step.kind == EMPTY and step.detail["ticket"] not in await store.declined_tickets(conn, pool.id):
                raise UserError(f"Pool {pool.id} changed meanwhile; look with /pool {pool.id} status.")
            await store.add_step(conn, pool.id, step, now)

        await self._writer.run(op, ctx.event_id)

    async def _seat(self, ctx: Context, pool: Pool, panel: list[int], randomness: str, new: list[int],
                    round_number: int, steps: list[Step], step: Step | None = None) -> None:
        now = self._clock.now()
        people = {p.ticket: p.identity for p in await self.volunteers(pool)}

        async def op(conn: Conn) -> None:
            status, rounds = await store.status_and_rounds(conn, pool.id)
            if rounds != pool.rounds or (round_number == 0 and refuse_pool(pool.id, status, "draw")):
                raise UserError(f"Pool {pool.id} changed meanwhile; look with /pool {pool.id} status.")
            if await store.step_count(conn, pool.id) != len(steps):
                raise UserError(f"Pool {pool.id} changed meanwhile; look with /pool {pool.id} status.")
            await store.seat(conn, pool.id, panel, round_number, randomness)
            if step is not None:
                await store.add_step(conn, pool.id, step, iso(now))
            for ticket in new:
                await enqueue(conn, dedupe=f"pool:{pool.id}:seat:{round_number}:{ticket}", target=people[ticket],
                              private=True, now=now, text=selected_note(pool, ticket))

        await self._writer.run(op, ctx.event_id)
        self._outbox.poke()

    async def panel_rows(self, pool: Pool) -> tuple[list[str], list[list[object]]]:
        """The panel (and who declined) for the organisers' export: header and rows."""
        _refuse(pool, "panel")
        names = [q["name"] for q in pool.questions]
        state, _, _ = await self.after_draw(pool)
        seat = {t: "seated" for t in state.seated} | {t: "open" for t in state.open}
        seat |= {t: "left empty" for t in state.empty} | {t: "refilled" for t in state.refilled}
        rows: list[list[object]] = [
            [p.ticket, p.name, *(p.answers.get(n, "") for n in names), "yes" if p.declined else "", seat[p.ticket]]
            for p in await self.volunteers(pool)
            if p.ticket in seat
        ]
        return ["ticket", "name", *names, "declined", "seat"], rows

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the pools of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)
