"""Sortition in chat: volunteers register privately, organisers set quotas and freeze the pool,
the draw is committed before the randomness exists and revealed with it (see
bot/engines/sortition/PROTOCOL.md), selected volunteers are told privately, and a seat that is
declined is refilled by the same verifiable procedure. When nobody left can take a seat without
breaking a quota, the organisers decide: leave it empty, or relax a quota line for the rounds
that follow; either is published as a step, and later replacements go on.

Ticket numbers follow registration order. The published document holds tickets and answers to
the quota questions only — never names or chat ids.

A volunteer's name and answers are stored sealed under their data key (bot/storage/sealing.py)
and they are a DataHolder for /mydata (bot/features/signing/model.py). Erasing a registration
depends on where the pool stands:

* open: the registration is deleted, as ``/pool P leave`` does; nothing of it was published.
* frozen (committed or drawn): the draw must stay verifiable, and what verifies it is the
  published document and the announced steps, which hold each ticket's answers to the quota
  questions and nothing else. So the row keeps its ticket (the document already holds that
  ticket's answers; the row keeps no copy of them), and loses the name, the answers (the data key
  that sealed them is destroyed too) and the chat identity, replaced by one that names nobody;
  the private notes that told the person their ticket or seat are deleted from the outbox. An
  erased volunteer who holds a seat, or is drawn for one later (the draw and the rounds do not
  know who erased, so that the published record replays as announced), is treated as one who
  declined: the seat is open and the room is told, and a replacement round refills it by the
  published rules.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, Volunteer
from bot.engines.sortition.prepare import prepare
from bot.engines.sortition.published import PublishedDraw, open_document
from bot.engines.sortition.reveal import SeatUnfillable, draw_panel, replace
from bot.features.pools import store
from bot.features.pools.model import (
    COMMITTED,
    DRAWN,
    EMPTY,
    FROZEN,
    OPEN,
    RELAX,
    ROUND,
    Draft,
    Pool,
    Registration,
    Seats,
    Step,
    quotas_in_force,
    refuse_pool,
    room_key,
    seats,
)
from bot.features.pools.parse import cancels, consents, pick, question_name, refuses
from bot.features.pools.render import (
    ask,
    declined_in_room,
    drawn,
    engine_refusal,
    frozen,
    kept,
    left_empty,
    refilled,
    registered_once,
    registering,
    relaxed,
    selected_note,
    ticket_note,
    tickets,
    unfillable,
)
from bot.features.roll.service import RollService
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.language import _, ngettext, speaking
from bot.kernel.markup import Markup, markup
from bot.kernel.ports import Conn, Languages, Reader, Writer
from bot.kernel.times import iso
from bot.kernel.weblinks import PageLinks
from bot.kernel.wording import number, quoted
from bot.storage.dialogues import Dialogues, Open
from bot.storage.outbox import Outbox, delivery, enqueue, forget_private, send_again
from bot.storage.sealing import Sealer
from bot.storage.writer import change_once

DIALOGUE = "pool registration"
MERGED = "pools:merged:"  # the outbox dedupe keys of the notes that a member's registrations were merged
T = TypeVar("T")

Said = list[tuple[str, Markup | str]]
"""Messages to a pool's room, each with its outbox dedupe key: queued with the change they
announce, in that change's transaction, so that a platform failing at that moment delays them
and a retry never posts one twice."""



def _engine(fn: Callable[..., T], *args: Any) -> T:
    """Run a sortition engine step; its refusal (a sentence for the organiser) becomes the reply."""
    try:
        return fn(*args)
    except SortitionError as e:
        raise UserError(engine_refusal(e)) from None


def _kept(draft: Draft) -> dict[str, Any]:
    """A registration under way as its conversation keeps it (bot/storage/dialogues.py)."""
    return {"pool": draft.pool.id, "answers": draft.answers, "name": draft.name}


def _changed(pool: Pool) -> str:
    # Rendered before the writer's transaction, which runs in the writer's own task (and language).
    return _("Pool {id} changed meanwhile; look with /pool {id} status.").format(id=pool.id)


def _registered_as_member(pool_id: int) -> str:
    return _("Your membership is registered in pool {id} already, from another of your linked accounts: a "
             "member registers once.").format(id=pool_id)


def _refuse(pool: Pool, action: str) -> None:
    refusal = refuse_pool(pool.id, pool.status, action)
    if refusal:
        raise UserError(refusal)


class PoolService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, outbox: Outbox, dialogues: Dialogues,
        links: PageLinks | None = None, *, languages: Languages, sealer: Sealer,
        forget_erased: Callable[[], Awaitable[None]], roll: RollService,
    ) -> None:
        self._languages = languages
        self._roll = roll  # one member registers once, from whichever of their linked accounts
        self._sealer = sealer  # volunteers' names and answers are stored sealed (bot/storage/sealing.py)
        self._forget_erased = forget_erased
        self._links = links
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._outbox = outbox
        self._dialogues = dialogues

    async def get(self, pool_id: int) -> Pool:
        pool = await store.load_pool(self._reader, pool_id)
        if pool is None:
            raise UserError(_("There is no pool {id}.").format(id=pool_id))
        return pool

    async def volunteers(self, pool: Pool) -> list[Registration]:
        return await store.registrations(self._reader, self._sealer, pool.id)

    async def volunteer_count(self, pool: Pool) -> int:
        return await store.volunteer_count(self._reader, pool.id)

    async def quota_list(self, pool: Pool) -> list[tuple[str, str, int, int]]:
        return await store.quotas(self._reader, pool.id)

    async def _quotas(self, pool: Pool) -> tuple[list[tuple[str, str, int, int]], Quotas]:
        """The pool's quota lines as stored, and the quotas they make with its panel size."""
        rows = await store.quotas(self._reader, pool.id)
        if pool.panel_size is None:
            raise UserError(_("Set the panel size first: /pool {id} size N.").format(id=pool.id))
        return rows, Quotas.of(pool.panel_size, [QuotaBound(*row) for row in rows])

    async def _in_room(self, pool: Pool, render: Callable[[], Said]) -> Said:
        """Messages to the pool's room, written in the room's language (whoever asked for them, and
        wherever: an organiser may draw from a private chat), rendered before the transaction
        that queues them (``_queue``)."""
        with speaking(await self._languages.speech_for(pool.room)):
            return render()

    @staticmethod
    async def _queue(conn: Conn, pool: Pool, said: Said, now: datetime) -> None:
        """Inside the change they announce: queue SAID for the pool's room, to be posted at once
        after the commit (``_post``)."""
        for key, text in said:
            await enqueue(conn, dedupe=key, target=pool.room, private=False, text=text, now=now, hold=True)

    async def _post(self, said: Said) -> None:
        """Post what ``_queue`` queued, in order; what the platform fails to take now, the outbox
        sends again later."""
        for key, _text in said:
            await self._outbox.send_now(key)

    async def _notes(self, pool: Pool, identities: list[str], render: Callable[[str], Markup]) -> dict[str, Markup]:
        """A private note for each volunteer, each in their own language (the room's if they chose
        none), rendered before the transaction that enqueues them."""
        notes = {}
        for identity in identities:
            with speaking(await self._languages.speech_for(identity, room=pool.room)):
                notes[identity] = render(identity)
        return notes

    # -- opening and registering -------------------------------------------------------------

    async def create(self, ctx: Context, title: str, questions: list[dict[str, Any]]) -> int:
        now = iso(self._clock.now())

        async def op(conn: Conn) -> int:
            return await store.insert_pool(conn, ctx.room.id, title, questions, ctx.actor.id, now)

        return await self._writer.run(op, ctx.event_id)

    async def begin(self, ctx: Context, pool: Pool) -> None:
        if not ctx.room.private:
            raise UserError(_("Register privately, so your answers stay between you and the organisers: message "
                              "me /pool {id} join").format(id=pool.id))
        _refuse(pool, "join")
        if await store.registration(self._reader, self._sealer, pool.id, ctx.actor.id) is not None:
            raise UserError(_("You are registered in pool {id} already; /pool {id} leave withdraws you.").format(
                id=pool.id))
        if await store.any_registered(self._reader, pool.id, await self._linked(ctx.actor.id)):
            raise UserError(_registered_as_member(pool.id))
        draft = Draft(pool)
        await self._dialogues.save(ctx.actor.id, DIALOGUE, _kept(draft), ctx.event_id)
        await ctx.reply(registering(pool, draft))

    async def _draft(self, ctx: Context) -> tuple[Open, Draft] | None:
        """The speaker's registration under way (as read, and with its pool as it is now), or
        None. One that waited past its lifetime is ended, and the speaker told so."""
        asked = await self._dialogues.current(ctx.actor.id)
        if asked is None or asked.name != DIALOGUE:
            return None
        pool_id = asked.state["pool"]
        pool = await store.load_pool(self._reader, pool_id)
        if asked.expired or pool is None:
            await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
            raise UserError(_("Your registration for pool {id} waited over a day for an answer, so it has ended and "
                              "nothing was kept. To register, send /pool {id} join").format(id=pool_id))
        return asked, Draft(pool, dict(asked.state["answers"]), asked.state["name"])

    async def converse(self, ctx: Context, text: str) -> bool:
        found = await self._draft(ctx)
        if found is None:
            return False
        asked, draft = found
        t = text.strip()
        q = draft.next_question()
        # Cancel stops the registration at any step; a no to consent (the last step) ends it the same way.
        if cancels(t) or (q is None and draft.name is not None and refuses(t)):
            await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
            await ctx.reply(_("Registration cancelled; nothing was kept."))
            return True
        if q is not None:
            choice = pick(t, q["options"])
            if choice is None:
                raise UserError(markup(_("Please answer with a number or one of the options. {question}"),
                                       question=ask(draft)))
            draft.answers[q["name"]] = choice
        elif draft.name is None:
            if not t or len(t) > 100:
                raise UserError(_("Please send your name (up to {max} characters).").format(max=100))
            draft.name = t
        else:
            if not consents(t):
                raise UserError(_("Reply yes to consent and register, or cancel to stop (nothing is kept)."))
            await self._store(ctx, draft)
            return True
        await self._dialogues.save(ctx.actor.id, DIALOGUE, _kept(draft), ctx.event_id, asked)
        await ctx.reply(ask(draft))
        return True

    async def _store(self, ctx: Context, draft: Draft) -> None:
        now = iso(self._clock.now())
        pool_id = draft.pool.id
        assert draft.name is not None

        closed = _("Pool {id} was frozen while you were registering; registration has closed.").format(id=pool_id)
        twice = _("You are registered in pool {id} already.").format(id=pool_id)
        as_member = _registered_as_member(pool_id)
        linked = await self._linked(ctx.actor.id)

        async def op(conn: Conn) -> None:
            pool = await store.load_pool(conn, pool_id)
            if pool is None or refuse_pool(pool_id, pool.status, "join"):
                raise UserError(closed)
            if await store.registration(conn, self._sealer, pool_id, ctx.actor.id) is not None:
                raise UserError(twice)
            if await store.any_registered(conn, pool_id, linked):
                raise UserError(as_member)
            await store.register(conn, self._sealer, pool_id, ctx.actor.id, draft.name or "", draft.answers, now)

        await self._dialogues.finish(ctx.actor.id, DIALOGUE, op, ctx.event_id)
        await ctx.reply(_("You are registered in pool {id}. You will get a ticket number when the pool is frozen. "
                          "/pool {id} leave withdraws you and erases your answers.").format(id=pool_id))

    async def _linked(self, identity: str) -> list[str]:
        """The other chat accounts linked to the membership IDENTITY is linked to (none if it is not)."""
        member = self._roll.member(identity)
        return [] if member is None else [a for a in await self._roll.accounts(member) if a != identity]

    async def leave(self, ctx: Context, pool: Pool) -> None:
        _refuse(pool, "leave")
        frozen_now = refuse_pool(pool.id, COMMITTED, "leave")  # rendered here, in the asker's language

        async def unregister(conn: Conn) -> bool:
            # Looked at before too, but a freeze may commit in between: its published draw holds
            # this registration's ticket, and the registration stays (erasure keeps the ticket).
            current = await store.load_pool(conn, pool.id, lock=True)
            if current is None or refuse_pool(pool.id, current.status, "leave"):
                raise UserError(frozen_now or "")
            return await store.unregister(conn, pool.id, ctx.actor.id)

        await change_once(self._writer, unregister, _("You are not registered in pool {id}.").format(id=pool.id),
                          ctx.event_id)
        await self._forget_erased()
        await ctx.reply(_("You have left pool {id}; your answers are erased.").format(id=pool.id))

    # -- linking (a RegistrationMerger: see RollService.join) ------------------------------

    async def merge_registrations(self, conn: Conn, account: str, accounts: list[str]) -> bool:
        """Inside the transaction linking ACCOUNT to a membership (ACCOUNTS: every account linked
        to it now, ACCOUNT among them): in each open pool the member registered in from more than
        one of them, keep the first registration, withdraw the others, and queue one private note
        to ACCOUNT naming those pools, in the language the link is answered in. True if any was
        withdrawn.

        The first is kept as ``/pool P leave`` on the later would keep it: ticket order follows
        registration order, and which stays does not depend on which account was linked last. A
        frozen pool cannot change: its published draw holds both tickets."""
        kept: dict[int, str] = {}
        twice: list[int] = []
        for pool_id, identity in await store.open_registrations_among(conn, accounts):
            if pool_id not in kept:
                kept[pool_id] = identity
                continue
            await store.unregister(conn, pool_id, identity)
            if pool_id not in twice:
                twice.append(pool_id)
        if twice:
            now = self._clock.now()
            await enqueue(conn, dedupe=f"{MERGED}{account}:{iso(now)}", target=account, private=True,
                          now=now, text=registered_once(twice))
        return bool(twice)

    def merged(self) -> None:
        """After the link has committed: send the note ``merge_registrations`` queued."""
        self._outbox.poke()

    # -- a volunteer's own data (/mydata) ------------------------------------------------------

    async def seal_stored(self) -> int:
        """At start: seal the names and answers of registrations stored before they were sealed;
        how many."""
        if not await self._sealer.any_plaintext(self._reader, store.SEALED):
            return 0
        return await self._writer.run(lambda conn: self._sealer.seal_plaintext(conn, store.SEALED))

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        """Lines for /mydata, in the language being written in."""
        return [kept(k) for k in await store.kept_of(self._reader, self._sealer, identities)]

    async def erase(self, conn: Conn, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        """Inside the erasure's transaction, the registrations made from any of IDENTITIES (see
        the module's docstring for what stays of a frozen pool's registration, and why); the
        erasure destroys each account's data key after it, and ends the registration the person
        may have had under way."""
        now = self._clock.now()
        erased = 0
        drawn = False
        for identity in identities:
            standings = await store.standings_of(conn, identity)
            await forget_private(conn, identity, MERGED)  # it named the pools the person registered in
            for pool, ticket, declined in standings:
                if pool.status == OPEN:
                    await store.unregister(conn, pool.id, identity)
                    continue
                seated = pool.status == DRAWN and ticket in pool.panel and not declined
                await store.erase_keeping_ticket(conn, pool.id, identity, ticket, declined or seated)
                await forget_private(conn, identity, f"pool:{pool.id}:")
                if seated:
                    assert ticket is not None
                    with speaking(await self._languages.speech_for(pool.room)):
                        text = declined_in_room(pool, ticket)
                    await enqueue(conn, dedupe=room_key(pool.id, f"declined:{ticket}"), target=pool.room,
                                  private=False, text=text, now=now)
            erased += len(standings)
            drawn = drawn or any(pool.status == DRAWN for pool, _ticket, _declined in standings)
        if drawn:
            self._outbox.poke()
        return "pool registration", erased

    async def withdraw(self, ctx: Context, pool_id: int) -> None:
        """/mydata withdraw P1: leave an open pool, as /pool 1 leave does."""
        await self.leave(ctx, await self.get(pool_id))

    # -- quotas ------------------------------------------------------------------------------

    @staticmethod
    def _still_open(pool: Pool, action: str) -> Callable[[Conn], Awaitable[None]]:
        """A check for inside a change of the size or quotas (ACTION): the pool is still open.
        Looked at before the write too, but a freeze may commit in between, and its published
        draw was computed without the change."""
        frozen_now = refuse_pool(pool.id, COMMITTED, action)  # rendered here, in the asker's language

        async def check(conn: Conn) -> None:
            current = await store.load_pool(conn, pool.id, lock=True)
            if current is None or refuse_pool(pool.id, current.status, action):
                raise UserError(frozen_now or "")

        return check

    async def set_size(self, ctx: Context, pool: Pool, size: int) -> None:
        _refuse(pool, "size")
        still_open = self._still_open(pool, "size")

        async def op(conn: Conn) -> None:
            await still_open(conn)
            await store.set_panel_size(conn, pool.id, size)

        await self._writer.run(op, ctx.event_id)
        await ctx.reply(ngettext("Pool {id}: the panel will have {n} member.",
                                 "Pool {id}: the panel will have {n} members.", size).format(
            id=pool.id, n=number(size)))

    @staticmethod
    def _answer(pool: Pool, feature: str, value: str) -> tuple[str, str]:
        """(question, answer) as the pool spells them, for what an organiser typed."""
        question = next((q for q in pool.questions if question_name(q["name"]) == question_name(feature)), None)
        if question is None:
            names = ", ".join(q["name"] for q in pool.questions)
            raise UserError(_("Pool {id} asks no question {question}; its questions are {questions}.").format(
                id=pool.id, question=quoted(feature), questions=names))
        option = pick(value, question["options"])
        if option is None:
            raise UserError(_("{question} has no answer {answer}; the answers are {answers}.").format(
                question=feature, answer=quoted(value), answers=", ".join(question["options"])))
        return question["name"], option

    async def set_quota(self, ctx: Context, pool: Pool, feature: str, value: str, low: int, high: int) -> None:
        _refuse(pool, "configure")
        question, option = self._answer(pool, feature, value)
        still_open = self._still_open(pool, "configure")

        async def op(conn: Conn) -> None:
            await still_open(conn)
            await store.set_quota(conn, pool.id, question, option, low, high)

        await self._writer.run(op, ctx.event_id)
        if low == high:
            said = ngettext("Pool {id}: exactly {n} panel member with {question} = {answer}.",
                            "Pool {id}: exactly {n} panel members with {question} = {answer}.", low)
        else:
            said = _("Pool {id}: between {min} and {max} panel members with {question} = {answer}.")
        await ctx.reply(said.format(id=pool.id, n=number(low), min=number(low), max=number(high), question=question,
                                    answer=option))

    # -- freeze and commit -------------------------------------------------------------------

    async def freeze(self, ctx: Context, pool: Pool, method: str) -> None:
        _refuse(pool, "freeze")
        lines, quotas = await self._quotas(pool)
        people = await self.volunteers(pool)
        pool_in = [Volunteer(p.identity, p.answers) for p in people]
        try:
            prepared = await asyncio.to_thread(prepare, pool_in, quotas, method, pool.title)
        except SortitionError as e:
            raise UserError(engine_refusal(e)) from None
        document = json.dumps(prepared.document, sort_keys=True)
        now = self._clock.now()
        notes = await self._notes(pool, [p.identity for p in people], lambda who: ticket_note(
            pool, prepared.tickets[who], prepared.chances.get(who)))
        lowest = min(prepared.chances.values()) if prepared.chances else None
        said = await self._in_room(pool, lambda: [(room_key(pool.id, FROZEN), frozen(
            pool, len(people), quotas.panel_size, prepared.commitment, lowest))])

        moved = _("Someone registered or left pool {id} meanwhile; send /pool {id} freeze again.").format(id=pool.id)
        twice = _("Pool {id} is frozen already.").format(id=pool.id)
        changed = _("The panel size or quotas of pool {id} changed while its lottery was computed; nothing was "
                    "frozen. Send /pool {id} freeze again.").format(id=pool.id)

        async def op(conn: Conn) -> None:
            current = await store.load_pool(conn, pool.id, lock=True)
            if current is None or current.status != OPEN:
                raise UserError(twice)
            # The lottery was computed with these: a size or quota set meanwhile (confirmed to
            # whoever set it) would otherwise be stored beside a draw that ignores it.
            if current.panel_size != quotas.panel_size or await store.quotas(conn, pool.id) != lines:
                raise UserError(changed)
            # The very volunteers the lottery was computed for, in the same order: one who left
            # and another who registered meanwhile leave the count as it was, but the published
            # document would hold a ticket for someone gone, and the newcomer none.
            if await store.registered(conn, pool.id) != [p.identity for p in people]:
                raise UserError(moved)
            tickets = {p.identity: prepared.tickets[p.identity] for p in people}
            if not await store.commit(conn, pool.id, document, prepared.commitment, tickets):
                raise UserError(twice)
            # The commitment is queued with the freeze: it reaches the room even if the platform
            # fails now, and the draw waits for it (see ``draw``).
            await self._queue(conn, pool, said, now)
            for p in people:
                await enqueue(conn, dedupe=f"pool:{pool.id}:ticket:{p.identity}", target=p.identity, private=True,
                              text=notes[p.identity], now=now)

        await self._writer.run(op, ctx.event_id)
        await self._post(said)
        self._outbox.poke()

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
        # The commitment must be public before the panel is drawn (PROTOCOL.md, section 3): one
        # the platform has not taken yet holds the draw back, and one the outbox gave up on is
        # sent again. (A pool frozen before commitments were queued has none queued: its freeze
        # posted it directly.)
        posted = await delivery(self._reader, room_key(pool.id, FROZEN))
        if posted in ("waiting", "failed"):
            if posted == "failed":
                now = self._clock.now()
                await self._writer.run(lambda conn: send_again(conn, room_key(pool.id, FROZEN), now))
                self._outbox.poke()
            raise UserError(_("Pool {id}'s commitment has not reached its room yet: the platform has not taken it, "
                              "and it is being sent again. The panel is drawn only after the commitment is public: "
                              "once the room has it, draw with randomness announced after it: /pool {id} draw "
                              "RANDOMNESS.").format(id=pool.id))
        panel = _engine(draw_panel, self._published(pool), randomness)
        page = self._links.url("draw", pool.id) if self._links else None
        drawing = dataclasses.replace(pool, randomness=randomness)
        await self._seat(ctx, pool, panel, randomness, new=panel, round_number=0, steps=[],
                         said=lambda gone: [(room_key(pool.id, "drawn"), drawn(drawing, randomness, panel, [], page))])

    async def decline(self, ctx: Context, pool: Pool) -> None:
        _refuse(pool, "decline")
        me = await store.registration(self._reader, self._sealer, pool.id, ctx.actor.id)
        if me is None or me.ticket not in pool.panel:
            raise UserError(_("You are not on the panel of pool {id}.").format(id=pool.id))
        if me.declined:
            raise UserError(_("You have declined your seat in pool {id} already.").format(id=pool.id))

        ticket = me.ticket
        assert ticket is not None
        said = await self._in_room(pool, lambda: [(room_key(pool.id, f"declined:{ticket}"),
                                                   declined_in_room(pool, ticket))])
        now = self._clock.now()

        async def op(conn: Conn) -> None:
            await store.decline(conn, pool.id, ctx.actor.id)
            await self._queue(conn, pool, said, now)

        await self._writer.run(op, ctx.event_id)
        await ctx.reply(_("Thank you for letting us know: your seat (ticket {ticket}) will be offered to someone "
                          "else.").format(ticket=ticket))
        await self._post(said)

    async def replace(self, ctx: Context, pool: Pool, randomness: str) -> None:
        """One replacement round: every open seat refilled, or (when one cannot be) none."""
        _refuse(pool, "replace")
        state, steps, quotas = await self.after_draw(pool)
        if not state.open:
            raise UserError(_("No seat on panel {id} is open: nobody has declined since the last round, and a seat "
                              "left empty stays empty.").format(id=pool.id))
        declined = state.refilled + state.empty
        try:
            panel, made = replace(self._published(pool), pool.panel, state.open, randomness, pool.rounds + 1,
                                  declined, quotas)
        except SeatUnfillable as e:
            raise UserError(unfillable(pool, e.ticket, e.relax)) from None
        except SortitionError as e:
            raise UserError(engine_refusal(e)) from None
        pairs = [(m.declined, m.replacement) for m in made]
        step = Step(ROUND, {"tickets": state.open, "randomness": randomness, "replaced": pairs})
        round_number = pool.rounds + 1

        def said(gone: list[int]) -> Said:
            seated = seats(panel, {*declined, *state.open, *gone}, [*steps, step]).seated
            return [(room_key(pool.id, f"round:{round_number}"),
                     refilled(pool, round_number, randomness, pairs, seated, [*steps, step]))]

        await self._seat(ctx, pool, panel, randomness, new=[m.replacement for m in made], round_number=round_number,
                         steps=steps, said=said, step=step)

    async def relax(self, ctx: Context, pool: Pool, feature: str, value: str, low: int, high: int) -> None:
        """Loosen a quota line for the replacement rounds that follow (published, never tighter)."""
        _refuse(pool, "relax")
        question, option = self._answer(pool, feature, value)
        _state, steps, quotas = await self.after_draw(pool)
        bound = QuotaBound(question, option, low, high)
        _engine(quotas.relaxed, bound)  # refuses a line the pool has no quota on, or a tighter one
        was = next(q for q in quotas.bounds if (q.feature, q.value) == (question, option))
        step = Step(RELAX, {"feature": question, "value": option, "min": low, "max": high})
        await self._add_step(ctx, pool, steps, step, lambda: relaxed(pool, bound, was, [*steps, step]))

    async def leave_empty(self, ctx: Context, pool: Pool, ticket: int) -> None:
        """Leave a declined seat empty, as the organisers decided; rounds go on without it."""
        _refuse(pool, "empty")
        state, steps, _quotas = await self.after_draw(pool)
        if ticket not in state.open:
            if ticket in state.empty:
                raise UserError(_("Ticket {ticket}'s seat on panel {id} is left empty already.").format(
                    ticket=ticket, id=pool.id))
            if ticket in state.refilled:
                raise UserError(_("Ticket {ticket}'s seat on panel {id} was refilled already; nothing to leave "
                                  "empty.").format(ticket=ticket, id=pool.id))
            raise UserError(_("Ticket {ticket} has not declined a seat on panel {id}; only a declined seat can be "
                              "left empty. Open seats: {open}.").format(ticket=ticket, id=pool.id,
                                                                        open=tickets(state.open)))
        step = Step(EMPTY, {"ticket": ticket})
        await self._add_step(ctx, pool, steps, step, lambda: left_empty(pool, ticket, state.seated, [*steps, step]))

    async def _add_step(self, ctx: Context, pool: Pool, steps: list[Step], step: Step,
                        render: Callable[[], Markup | str]) -> None:
        """Record STEP after STEPS and queue its announcement (RENDER) with it."""
        now = self._clock.now()
        changed = _changed(pool)
        said = await self._in_room(pool, lambda: [(room_key(pool.id, f"step:{len(steps) + 1}"), render())])

        async def op(conn: Conn) -> None:
            status, rounds = await store.status_and_rounds(conn, pool.id)
            if rounds != pool.rounds or await store.step_count(conn, pool.id) != len(steps):
                raise UserError(changed)
            if step.kind == EMPTY and step.detail["ticket"] not in await store.declined_tickets(conn, pool.id):
                raise UserError(changed)
            await store.add_step(conn, pool.id, step, iso(now))
            await self._queue(conn, pool, said, now)

        await self._writer.run(op, ctx.event_id)
        await self._post(said)

    async def _seat(self, ctx: Context, pool: Pool, panel: list[int], randomness: str, new: list[int],
                    round_number: int, steps: list[Step], said: Callable[[list[int]], Said],
                    step: Step | None = None) -> None:
        """Seat PANEL (NEW: the tickets newly seated), tell the newly seated privately, and the room
        what SAID renders, given the new tickets whose holders erased their registration (their
        seats are open at once, and the room is told so too)."""
        now = self._clock.now()
        holders = await store.ticket_holders(self._reader, pool.id)
        people = {t: identity for t, (identity, erased) in holders.items() if not erased}
        # A seat drawn for a volunteer who erased their registration is open at once, as if
        # declined: nobody is there to tell (see the module's docstring).
        gone = [t for t in new if t not in people]
        holder = {people[t]: t for t in new if t in people}
        notes = await self._notes(pool, list(holder), lambda who: selected_note(pool, holder[who]))
        announced = await self._in_room(pool, lambda: [*said(gone), *(
            (room_key(pool.id, f"declined:{t}"), declined_in_room(pool, t)) for t in gone)])

        changed = _changed(pool)

        async def op(conn: Conn) -> None:
            status, rounds = await store.status_and_rounds(conn, pool.id)
            if rounds != pool.rounds or (round_number == 0 and refuse_pool(pool.id, status, "draw")):
                raise UserError(changed)
            if await store.step_count(conn, pool.id) != len(steps):
                raise UserError(changed)
            if await store.ticket_holders(conn, pool.id) != holders:  # someone erased meanwhile
                raise UserError(changed)
            await store.seat(conn, pool.id, panel, round_number, randomness)
            if step is not None:
                await store.add_step(conn, pool.id, step, iso(now))
            for ticket in new:
                if ticket in people:
                    await enqueue(conn, dedupe=f"pool:{pool.id}:seat:{round_number}:{ticket}", target=people[ticket],
                                  private=True, now=now, text=notes[people[ticket]])
                else:
                    await store.decline_ticket(conn, pool.id, ticket)
            await self._queue(conn, pool, announced, now)

        await self._writer.run(op, ctx.event_id)
        await self._post(announced)
        self._outbox.poke()

    async def panel_rows(self, pool: Pool) -> list[tuple[int, str | None, dict[str, str], bool, str]]:
        """The panel (and who declined) for the organisers' export: (ticket, name, answers,
        declined, seat) of each, the seat "seated", "open", "left empty" or "refilled". A
        volunteer who erased their registration has no name (None) and, as answers, only what the
        published document holds of their ticket: the answers to the quota questions."""
        _refuse(pool, "panel")
        state, _steps, _quotas = await self.after_draw(pool)
        seat = {t: "seated" for t in state.seated} | {t: "open" for t in state.open}
        seat |= {t: "left empty" for t in state.empty} | {t: "refilled" for t in state.refilled}
        published = self._published(pool)
        rows = []
        for p in await self.volunteers(pool):
            if p.ticket is None or p.ticket not in seat:
                continue
            answers = p.answers
            if p.erased:
                values = published.groups[published.group_of(p.ticket)].values
                answers = dict(zip(published.quotas.features, values, strict=True))
            rows.append((p.ticket, p.name, answers, p.declined, seat[p.ticket]))
        return rows

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the pools of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)
