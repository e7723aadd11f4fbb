"""Sortition in chat: volunteers register privately, organisers set quotas and freeze the pool,
the draw is committed before the randomness exists and revealed with it (see
bot/engines/sortition/PROTOCOL.md), selected volunteers are told privately, and a seat that is declined
is refilled by the same verifiable procedure.

A registration is stored only once the volunteer has consented; until then their answers live
only in memory. Ticket numbers follow registration order. The published document holds tickets
and answers to the quota questions only — never names or chat ids.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot import dialogue
from bot.context import Context
from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, Volunteer
from bot.engines.sortition.prepare import prepare
from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel, replace
from bot.kernel.effects import Send
from bot.kernel.errors import UserError
from bot.kernel.markup import b, code, esc
from bot.poll import iso
from bot.storage.database import Reader
from bot.storage.outbox import enqueue

if TYPE_CHECKING:
    from bot.core import Quorum

DIALOGUE = "pool registration"
YES = frozenset({"yes", "y", "i agree", "agree", "i consent", "consent"})


@dataclass
class Pool:
    id: int
    room: str
    title: str
    questions: list[dict[str, Any]]
    panel_size: int | None
    status: str
    document: dict[str, Any] | None
    commitment: str | None
    panel: list[int]
    rounds: int

    @classmethod
    def from_row(cls, row: Any) -> Pool:
        return cls(
            row["id"], row["room"], row["title"], json.loads(row["questions"]), row["panel_size"], row["status"],
            json.loads(row["document"]) if row["document"] else None, row["commitment"],
            json.loads(row["panel"]) if row["panel"] else [], row["rounds"],
        )


@dataclass
class Draft:
    """A registration being filled in (memory only, until consent)."""

    pool: Pool
    answers: dict[str, str] = field(default_factory=dict)
    name: str | None = None

    def next_question(self) -> dict[str, Any] | None:
        for q in self.pool.questions:
            if q["name"] not in self.answers:
                return q
        return None


def parse_questions(parts: list[str]) -> list[dict[str, Any]]:
    """``gender: female, male, other`` -> {"name": "gender", "options": [...]}, checked."""
    questions = []
    for part in parts:
        name, sep, rest = part.partition(":")
        name = name.strip().lower()
        options = [o.strip() for o in rest.split(",") if o.strip()]
        if not sep or not name or len(options) < 2:
            raise UserError(f"Write each question as NAME: OPTION, OPTION …, e.g. 'gender: female, male, other' "
                            f"(not {part.strip()!r}).")
        if len({o.lower() for o in options}) != len(options):
            raise UserError(f"Question {name!r} lists an option twice.")
        if any(q["name"] == name for q in questions):
            raise UserError(f"Question {name!r} is asked twice.")
        questions.append({"name": name, "options": options})
    if not questions:
        raise UserError("A pool needs at least one question, e.g. /pool new Citizens' assembly | gender: "
                        "female, male, other | age: 16-29, 30-44, 45-64, 65+")
    return questions


def pick(text: str, options: list[str]) -> str | None:
    t = text.strip()
    if t.isascii() and t.isdigit() and 1 <= int(t) <= len(options):
        return options[int(t) - 1]
    for o in options:
        if o.lower() == t.lower():
            return o
    return None


class PoolService:
    def __init__(self, core: Quorum) -> None:
        self.core = core
        self.drafts: dict[str, Draft] = {}
        core.conversations.append(self._conversation)

    @property
    def db(self) -> Reader:
        assert self.core.db is not None
        return self.core.db

    async def get(self, pool_id: int) -> Pool:
        async with self.db.execute("SELECT * FROM pools WHERE id = ?", (pool_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            raise UserError(f"There is no pool {pool_id}.")
        return Pool.from_row(row)

    async def _write(self, fn: Any, event_id: str | None = None) -> Any:
        assert self.core.writer is not None
        return await self.core.writer.run(fn, event_id)

    async def quotas(self, pool: Pool) -> Quotas:
        async with self.db.execute(
            "SELECT feature, value, min, max FROM pool_quotas WHERE pool_id = ?", (pool.id,)
        ) as cur:
            bounds = [QuotaBound(*row) for row in await cur.fetchall()]
        if pool.panel_size is None:
            raise UserError(f"Set the panel size first: /pool {pool.id} size N.")
        return Quotas.of(pool.panel_size, bounds)

    async def volunteers(self, pool: Pool) -> list[tuple[str, str, dict[str, str], int | None, bool]]:
        async with self.db.execute(
            "SELECT identity, name, answers, ticket, declined FROM pool_volunteers WHERE pool_id = ? ORDER BY seq",
            (pool.id,),
        ) as cur:
            return [(r[0], r[1], json.loads(r[2]), r[3], bool(r[4])) for r in await cur.fetchall()]

    # -- opening and registering -------------------------------------------------------------

    async def create(self, ctx: Context, title: str, questions: list[dict[str, Any]]) -> int:
        now = iso(self.core.clock.now())

        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute(
                "INSERT INTO pools(room, title, questions, status, created_by, created_at)"
                " VALUES (?, ?, ?, 'open', ?, ?)",
                (ctx.room.id, title, json.dumps(questions), ctx.actor.id, now),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

        return int(await self._write(op, ctx.event_id))

    async def begin(self, ctx: Context, pool: Pool) -> None:
        if not ctx.room.private:
            raise UserError(f"Register privately, so your answers stay between you and the organisers: "
                            f"message me /pool {pool.id} join")
        if pool.status != "open":
            raise UserError(f"Pool {pool.id} is frozen: registration has closed.")
        async with self.db.execute(
            "SELECT 1 FROM pool_volunteers WHERE pool_id = ? AND identity = ?", (pool.id, ctx.actor.id)
        ) as cur:
            if await cur.fetchone():
                raise UserError(f"You are registered in pool {pool.id} already; /pool {pool.id} leave withdraws you.")
        draft = Draft(pool)
        self.drafts[ctx.actor.id] = draft
        dialogue.begin(self.core, ctx.actor.id, DIALOGUE)
        await ctx.reply(f"Registering for {b(pool.title)} (pool {pool.id}). " + self._ask(draft)
                        + "\nSend 'cancel' to stop; nothing is kept until you consent at the end.")

    def _ask(self, draft: Draft) -> str:
        q = draft.next_question()
        if q is not None:
            opts = ", ".join(f"{n}. {esc(o)}" for n, o in enumerate(q["options"], 1))
            return f"{b(q['name'].capitalize())}? Reply with one of: {opts}"
        if draft.name is None:
            return "Your name, as the organisers should know you if you are selected?"
        answers = "; ".join(f"{k}: {esc(v)}" for k, v in draft.answers.items())
        return (f"You gave: {answers}; name: {esc(draft.name)}. Do you consent to these answers being kept for "
                f"this draw and to being contacted here if you are selected? Reply yes to register, or cancel.")

    async def _conversation(self, ctx: Context, text: str) -> bool:
        draft = self.drafts.get(ctx.actor.id)
        if draft is None or dialogue.owner(self.core, ctx.actor.id) != DIALOGUE:
            return False
        t = text.strip()
        if t.lower() == "cancel":
            self.drafts.pop(ctx.actor.id, None)
            dialogue.end(self.core, ctx.actor.id, DIALOGUE)
            await ctx.reply("Registration cancelled; nothing was kept.")
            return True
        q = draft.next_question()
        if q is not None:
            choice = pick(t, q["options"])
            if choice is None:
                raise UserError(f"Please answer with a number or one of the options. {self._ask(draft)}")
            draft.answers[q["name"]] = choice
        elif draft.name is None:
            if not t or len(t) > 100:
                raise UserError("Please send your name (up to 100 characters).")
            draft.name = t
        else:
            if t.lower() not in YES:
                raise UserError("Reply yes to consent and register, or cancel to stop (nothing is kept).")
            self.drafts.pop(ctx.actor.id, None)
            dialogue.end(self.core, ctx.actor.id, DIALOGUE)
            await self._store(ctx, draft)
            return True
        await ctx.reply(self._ask(draft))
        return True

    async def _store(self, ctx: Context, draft: Draft) -> None:
        now = iso(self.core.clock.now())
        pool_id = draft.pool.id

        async def op(conn: aiosqlite.Connection) -> None:
            cur = await conn.execute("SELECT status FROM pools WHERE id = ?", (pool_id,))
            row = await cur.fetchone()
            if row is None or row[0] != "open":
                raise UserError(f"Pool {pool_id} was frozen while you were registering; registration has closed.")
            cur = await conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM pool_volunteers WHERE pool_id = ?",
                                     (pool_id,))
            seq = (await cur.fetchone())[0]  # type: ignore[index]
            await conn.execute(
                "INSERT INTO pool_volunteers(pool_id, identity, name, answers, consent_at, seq)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (pool_id, ctx.actor.id, draft.name, json.dumps(draft.answers), now, seq),
            )

        try:
            await self._write(op, ctx.event_id)
        except aiosqlite.IntegrityError:
            raise UserError(f"You are registered in pool {pool_id} already.") from None
        await ctx.reply(f"You are registered in pool {pool_id}. You will get a ticket number when the pool is "
                        f"frozen. /pool {pool_id} leave withdraws you and erases your answers.")

    async def leave(self, ctx: Context, pool: Pool) -> None:
        if pool.status != "open":
            raise UserError(f"Pool {pool.id} is frozen and its draw published; if you are selected and cannot take "
                            f"part, send /pool {pool.id} decline.")

        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute("DELETE FROM pool_volunteers WHERE pool_id = ? AND identity = ?",
                                     (pool.id, ctx.actor.id))
            return cur.rowcount

        if not await self._write(op, ctx.event_id):
            raise UserError(f"You are not registered in pool {pool.id}.")
        await ctx.reply(f"You have left pool {pool.id}; your answers are erased.")

    # -- quotas ------------------------------------------------------------------------------

    async def set_size(self, ctx: Context, pool: Pool, size: int) -> None:
        self._still_open(pool)

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("UPDATE pools SET panel_size = ? WHERE id = ?", (size, pool.id))

        await self._write(op, ctx.event_id)
        await ctx.reply(f"Pool {pool.id}: the panel will have {size} members.")

    async def set_quota(self, ctx: Context, pool: Pool, feature: str, value: str, low: int, high: int) -> None:
        self._still_open(pool)
        question = next((q for q in pool.questions if q["name"] == feature.lower()), None)
        if question is None:
            names = ", ".join(q["name"] for q in pool.questions)
            raise UserError(f"Pool {pool.id} asks no question {feature!r}; its questions are {names}.")
        option = pick(value, question["options"])
        if option is None:
            raise UserError(f"{feature} has no answer {value!r}; the answers are {', '.join(question['options'])}.")

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO pool_quotas(pool_id, feature, value, min, max) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(pool_id, feature, value) DO UPDATE SET min = excluded.min, max = excluded.max",
                (pool.id, question["name"], option, low, high),
            )

        await self._write(op, ctx.event_id)
        await ctx.reply(f"Pool {pool.id}: between {low} and {high} panel members with {question['name']} = {option}.")

    @staticmethod
    def _still_open(pool: Pool) -> None:
        if pool.status != "open":
            raise UserError(f"Pool {pool.id} is frozen; its quotas can no longer change.")

    # -- freeze and commit -------------------------------------------------------------------

    async def freeze(self, ctx: Context, pool: Pool, method: str) -> None:
        self._still_open(pool)
        quotas = await self.quotas(pool)
        people = await self.volunteers(pool)
        pool_in = [Volunteer(identity, answers) for identity, _, answers, _, _ in people]
        try:
            prepared = await asyncio.to_thread(prepare, pool_in, quotas, method, pool.title)
        except SortitionError as e:
            raise UserError(e.message) from None
        document = json.dumps(prepared.document, sort_keys=True)
        now = self.core.clock.now()

        async def op(conn: aiosqlite.Connection) -> None:
            cur = await conn.execute("SELECT count(*) FROM pool_volunteers WHERE pool_id = ?", (pool.id,))
            if (await cur.fetchone())[0] != len(people):  # type: ignore[index]
                raise UserError(
                    f"Someone registered or left pool {pool.id} meanwhile; send /pool {pool.id} freeze again."
                )
            cur = await conn.execute(
                "UPDATE pools SET status = 'committed', document = ?, commitment = ? WHERE id = ? AND status = 'open'",
                (document, prepared.commitment, pool.id),
            )
            if cur.rowcount != 1:
                raise UserError(f"Pool {pool.id} is frozen already.")
            await conn.executemany(
                "UPDATE pool_volunteers SET ticket = ? WHERE pool_id = ? AND identity = ?",
                [(prepared.tickets[identity], pool.id, identity) for identity, *_ in people],
            )
            for identity, *_ in people:
                chance = prepared.chances.get(identity)
                share = f" Your chance of selection is {float(chance) * 100:.1f}%." if chance is not None else ""
                await enqueue(conn, dedupe=f"pool:{pool.id}:ticket:{identity}", target=identity, private=True,
                              text=f"Pool {pool.id} ({esc(pool.title)}) is frozen. Your ticket is "
                                   f"{b(prepared.tickets[identity])}.{share}", now=now)

        await self._write(op, ctx.event_id)
        self.core.outbox.poke()
        lowest = min(prepared.chances.values()) if prepared.chances else None
        fair = f" The lowest chance of selection is {float(lowest) * 100:.1f}%." if lowest is not None else ""
        await self.core.deliver(Send(
            pool.room,
            f"🎟 {b(f'Pool {pool.id} is frozen')}: {len(people)} volunteers, a panel of {quotas.panel_size}.{fair}\n"
            f"Commitment (SHA-256): {code(prepared.commitment)}\n"
            f"The published draw file: /pool {pool.id} document. The panel will be drawn with randomness announced "
            f"in advance (for example numbers called out by witnesses): /pool {pool.id} draw RANDOMNESS. "
            f"Anyone can check it with: quorum sortition verify FILE --randomness RANDOMNESS",
        ))

    # -- draw, decline, replace --------------------------------------------------------------

    async def draw(self, ctx: Context, pool: Pool, randomness: str) -> None:
        if pool.status == "open":
            raise UserError(f"Freeze pool {pool.id} first: /pool {pool.id} freeze (it publishes the commitment).")
        if pool.status == "drawn":
            raise UserError(f"Pool {pool.id} has been drawn already; declined seats are refilled with /pool {pool.id} "
                            "replace RANDOMNESS.")
        assert pool.document is not None
        published = open_document(pool.document, pool.commitment)
        panel = draw_panel(published, randomness)
        await self._seat(ctx, pool, panel, randomness, new=panel, round_number=0)

    async def decline(self, ctx: Context, pool: Pool) -> None:
        if pool.status != "drawn":
            raise UserError(f"Pool {pool.id} has not been drawn yet.")
        async with self.db.execute(
            "SELECT ticket, declined FROM pool_volunteers WHERE pool_id = ? AND identity = ?", (pool.id, ctx.actor.id)
        ) as cur:
            row = await cur.fetchone()
        if row is None or row[0] not in pool.panel:
            raise UserError(f"You are not on the panel of pool {pool.id}.")
        if row[1]:
            raise UserError(f"You have declined your seat in pool {pool.id} already.")

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("UPDATE pool_volunteers SET declined = 1 WHERE pool_id = ? AND identity = ?",
                               (pool.id, ctx.actor.id))

        await self._write(op, ctx.event_id)
        await ctx.reply(f"Thank you for letting us know: your seat (ticket {row[0]}) will be offered to someone else.")
        await self.core.deliver(Send(pool.room, f"Ticket {row[0]} declined a seat on panel {pool.id}. An organiser "
                                                f"refills it with fresh announced randomness: /pool {pool.id} replace "
                                                "RANDOMNESS"))

    async def replace(self, ctx: Context, pool: Pool, randomness: str) -> None:
        if pool.status != "drawn":
            raise UserError(f"Pool {pool.id} has not been drawn yet.")
        async with self.db.execute(
            "SELECT ticket FROM pool_volunteers WHERE pool_id = ? AND declined = 1", (pool.id,)
        ) as cur:
            declined = {r[0] for r in await cur.fetchall()}
        now_declined = sorted(t for t in declined if t in pool.panel)
        if not now_declined:
            raise UserError(f"Nobody on panel {pool.id} has declined; there is no seat to refill.")
        assert pool.document is not None
        published = open_document(pool.document, pool.commitment)
        before = declined - set(now_declined)
        panel, made = replace(published, pool.panel, now_declined, randomness, pool.rounds + 1, before)
        await self._seat(ctx, pool, panel, randomness, new=[m.replacement for m in made], round_number=pool.rounds + 1)

    async def _seat(self, ctx: Context, pool: Pool, panel: list[int], randomness: str, new: list[int],
                    round_number: int) -> None:
        now = self.core.clock.now()
        people = {ticket: identity for identity, _, _, ticket, _ in await self.volunteers(pool)}

        async def op(conn: aiosqlite.Connection) -> None:
            cur = await conn.execute("SELECT status, rounds FROM pools WHERE id = ?", (pool.id,))
            status, rounds = await cur.fetchone()  # type: ignore[misc]
            if rounds != pool.rounds or (round_number == 0 and status != "committed"):
                raise UserError(f"Pool {pool.id} changed meanwhile; look with /pool {pool.id} status.")
            await conn.execute(
                "UPDATE pools SET status = 'drawn', panel = ?, rounds = ?, randomness = coalesce(randomness, ?)"
                " WHERE id = ?",
                (json.dumps(panel), round_number, randomness, pool.id),
            )
            for ticket in new:
                await enqueue(conn, dedupe=f"pool:{pool.id}:seat:{round_number}:{ticket}", target=people[ticket],
                              private=True, now=now,
                              text=f"🎉 You have been selected for {b(esc(pool.title))} (pool {pool.id}, ticket "
                                   f"{ticket}). If you cannot take part, reply /pool {pool.id} decline.")

        await self._write(op, ctx.event_id)
        self.core.outbox.poke()
        what = "Panel drawn" if round_number == 0 else f"Replacement round {round_number}"
        await self.core.deliver(Send(
            pool.room,
            f"🎲 {b(f'{what} — pool {pool.id}')} with randomness {code(randomness)}.\n"
            f"{'Tickets selected' if round_number == 0 else 'New members'}: {', '.join(map(str, new))}\n"
            f"Panel now: {', '.join(map(str, panel))}. The selected are told privately.",
        ))

    async def panel_rows(self, pool: Pool) -> tuple[list[str], list[list[object]]]:
        """The panel (and who declined) for the organisers' export: header and rows."""
        if pool.status != "drawn":
            raise UserError(f"Pool {pool.id} has not been drawn yet.")
        names = [q["name"] for q in pool.questions]
        rows: list[list[object]] = [
            [ticket, name, *(answers.get(n, "") for n in names), "yes" if declined else ""]
            for _identity, name, answers, ticket, declined in await self.volunteers(pool)
            if ticket in pool.panel or declined
        ]
        return ["ticket", "name", *names, "declined"], rows
