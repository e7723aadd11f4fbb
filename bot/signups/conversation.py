"""The sign-up conversation: the draft a supporter is filling in, kept only in memory (nothing
personal is stored before consent), and the step that stores it once they say yes."""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import aiosqlite

from bot import dialogue
from bot.context import Context
from bot.installers import INSTALLERS, Stopper
from bot.kernel.errors import UserError
from bot.poll import iso
from bot.signups.form import Answer, Draft, answer, first_question
from bot.signups.store import load_form, signed_up

if TYPE_CHECKING:
    from bot.core import Quorum

NAME = "signup"
_DRAFTS: WeakKeyDictionary[Quorum, dict[str, Draft]] = WeakKeyDictionary()


def drafts(core: Quorum) -> dict[str, Draft]:
    return _DRAFTS.setdefault(core, {})


async def begin(ctx: Context, form_id: int) -> None:
    core = ctx.core
    if not ctx.room.private:
        raise UserError(f"Sign up privately, so your details stay between you and the organisers: "
                        f"message me /signup S{form_id}")
    assert core.db is not None
    form = await load_form(core.db, form_id)
    if form.closed:
        raise UserError(f"Sign-up S{form_id} ({form.title}) is closed.")
    if await signed_up(core.db, form_id, ctx.actor.id):
        raise UserError(f"You have signed up for S{form_id} already; /mydata shows what we keep about you.")
    draft = Draft(form_id, form.title)
    drafts(core)[ctx.actor.id] = draft
    dialogue.begin(core, ctx.actor.id, NAME)
    await ctx.reply(first_question(draft))


def cancel(ctx: Context) -> bool:
    had = drafts(ctx.core).pop(ctx.actor.id, None) is not None
    dialogue.end(ctx.core, ctx.actor.id, NAME)
    return had


async def _conversation(ctx: Context, text: str) -> bool:
    core = ctx.core
    draft = drafts(core).get(ctx.actor.id)
    if draft is None or dialogue.owner(core, ctx.actor.id) != NAME:
        return False
    outcome, new, say = answer(draft, text)
    if outcome == Answer.ASK:
        drafts(core)[ctx.actor.id] = new
        await ctx.reply(say)
        return True
    cancel(ctx)
    if outcome == Answer.CANCELLED:
        await ctx.reply(say)
        return True
    now = iso(core.clock.now())

    async def op(conn: aiosqlite.Connection) -> None:
        form = await load_form(conn, new.form_id)
        if form.closed:
            raise UserError(f"Sign-up S{form.id} closed while you were answering; nothing was kept.")
        if await signed_up(conn, form.id, ctx.actor.id):
            raise UserError(f"You have signed up for S{form.id} already; nothing changed.")
        await conn.execute(
            "INSERT INTO signups(form_id, identity, name, area, contact, consent, signed_at)"
            " VALUES (?, ?, ?, ?, ?, 1, ?)",
            (form.id, ctx.actor.id, new.name, new.area, new.contact, now),
        )

    assert core.writer is not None
    await core.writer.run(op, ctx.event_id)
    await ctx.reply(f"Thank you, {new.name}: you are signed up for S{new.form_id} ({new.title}). "
                    "Send /mydata to see, withdraw or erase your details.")
    return True


async def install(core: Quorum) -> Stopper | None:
    core.conversations.append(_conversation)
    # Erasure deletes rows; with secure_delete SQLite also overwrites the space they held, here
    # and wherever an earlier update or page split left an old copy of a row.
    assert core.writer is not None
    await core.writer.run(lambda conn: conn.execute("PRAGMA secure_delete=ON"))
    return None


INSTALLERS.append(install)
