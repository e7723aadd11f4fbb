"""Sign-up forms, the private conversation that fills one in, and a supporter's own data.

The draft a supporter is filling in is kept as their open conversation (bot/storage/dialogues.py:
sealed, for a day at most, deleted when they consent, cancel or erase); nothing is stored as a
sign-up before consent. /mydata shows, withdraws and erases what every feature keeps about a
person: sign-ups here, and the signatures of the other features that hold personal data (their
DataHolders).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence

from bot.features.roll.service import RollService
from bot.features.signing.model import DataHolder
from bot.features.signups import store
from bot.features.signups.model import Answer, Draft, Form
from bot.features.signups.parse import answer
from bot.features.signups.render import covering, first_question, kept, signed_up
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.language import _
from bot.kernel.ports import Conn, Languages, Reader, Writer
from bot.kernel.times import iso
from bot.storage.dialogues import Dialogues
from bot.storage.sealing import Sealer
from bot.storage.writer import change_once

DIALOGUE = "signup"


class SignupService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, dialogues: Dialogues, roll: RollService,
        holders: list[DataHolder], forget_erased: Callable[[], Awaitable[None]], *, languages: Languages,
        sealer: Sealer,
    ) -> None:
        self._languages = languages
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._dialogues = dialogues
        self._roll = roll
        self._holders = holders
        self._forget_erased = forget_erased
        self._sealer = sealer

    @staticmethod
    def _no_form(form_id: int) -> str:
        return _("There is no sign-up form S{id}. Ask the organisers for the right link.").format(id=form_id)

    @staticmethod
    async def _form(conn: Conn, form_id: int, missing: str) -> Form:
        """The form, or MISSING (rendered by the caller: a change runs in the writer's own task,
        which writes in no one's language) as the refusal."""
        form = await store.load_form(conn, form_id)
        if form is None:
            raise UserError(missing)
        return form

    async def get(self, form_id: int) -> Form:
        return await self._form(self._reader, form_id, self._no_form(form_id))

    # -- forms -------------------------------------------------------------------------------

    async def open(self, ctx: Context, title: str) -> int:
        now = iso(self._clock.now())

        async def op(conn: Conn) -> int:
            return await store.insert_form(conn, ctx.room.id, title, ctx.actor.id, now)

        return await self._writer.run(op, ctx.event_id)

    async def close(self, ctx: Context, form_id: int) -> None:
        now = iso(self._clock.now())
        await change_once(self._writer, lambda conn: store.close_form(conn, form_id, now),
                          _("Sign-up S{id} is already closed.").format(id=form_id), ctx.event_id)

    async def signups(self, form_id: int) -> list[tuple[str, str, str | None, str, str]]:
        return await store.signup_list(self._reader, self._sealer, form_id)

    # -- the conversation --------------------------------------------------------------------

    async def begin(self, ctx: Context, form_id: int) -> None:
        if not ctx.room.private:
            raise UserError(_("Sign up privately, so your details stay between you and the organisers: message me "
                              "/signup S{id}").format(id=form_id))
        form = await self.get(form_id)
        if form.closed:
            raise UserError(_("Sign-up S{id} ({title}) is closed.").format(id=form_id, title=form.title))
        if await store.signed_up(self._reader, form_id, ctx.actor.id):
            raise UserError(_("You have signed up for S{id} already; /mydata shows what we keep about you.").format(
                id=form_id))
        draft = Draft(form_id, form.title)
        await self._dialogues.save(ctx.actor.id, DIALOGUE, dataclasses.asdict(draft), ctx.event_id)
        await ctx.reply(first_question(draft))

    async def cancel(self, ctx: Context) -> bool:
        """``/signup cancel``: end the speaker's sign-up form; whether they had one open."""
        asked = await self._dialogues.current(ctx.actor.id)
        if asked is None or asked.name != DIALOGUE:
            return False
        await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
        return True

    async def converse(self, ctx: Context, text: str) -> bool:
        asked = await self._dialogues.current(ctx.actor.id)
        if asked is None or asked.name != DIALOGUE:
            return False
        draft = Draft(**asked.state)
        if asked.expired:
            await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
            raise UserError(_("Your sign-up for S{id} waited over a day for an answer, so it has ended and nothing "
                              "was kept. To sign up, send /signup S{id}").format(id=draft.form_id))
        outcome, new, say = answer(draft, text)
        if outcome == Answer.ASK:
            if new != draft:  # a reply asked again for changes nothing
                await self._dialogues.save(ctx.actor.id, DIALOGUE, dataclasses.asdict(new), ctx.event_id, asked)
            await ctx.reply(say)
            return True
        if outcome == Answer.CANCELLED:
            await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
            await ctx.reply(say)
            return True
        now = iso(self._clock.now())
        missing = self._no_form(new.form_id)
        closed = _("Sign-up S{id} closed while you were answering; nothing was kept.").format(id=new.form_id)
        twice = _("You have signed up for S{id} already; nothing changed.").format(id=new.form_id)

        async def op(conn: Conn) -> None:
            form = await self._form(conn, new.form_id, missing)
            if form.closed:
                raise UserError(closed)
            if not await store.insert_signup(conn, self._sealer, form.id, ctx.actor.id, new.name, new.area,
                                             new.contact, now):
                raise UserError(twice)

        await self._dialogues.finish(ctx.actor.id, DIALOGUE, op, ctx.event_id)
        await ctx.reply(signed_up(new))
        return True

    async def seal_stored(self) -> int:
        """At start: seal the details of sign-ups stored before they were sealed; how many."""
        if not await self._sealer.any_plaintext(self._reader, store.SEALED):
            return 0
        return await self._writer.run(lambda conn: self._sealer.seal_plaintext(conn, store.SEALED))

    # -- a supporter's own data --------------------------------------------------------------

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        """Lines for /mydata, in the language being written in."""
        return [kept(*row) for row in await store.signups_of(self._reader, self._sealer, identities)]

    async def erase(self, conn: Conn, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        return "sign-up", await store.erase_signups(conn, identities)

    async def whats_kept(self, identity: str) -> tuple[list[str], list[str]]:
        """(every account it covers, IDENTITY first; everything the bot keeps about the person
        IDENTITY is), for /mydata: what any account linked to their membership left is theirs."""
        accounts, member = await self._roll.person(identity)
        lines: list[str] = []
        for holder in self._everyone():
            lines += await holder.personal_data(accounts, member)
        return accounts, lines

    def _everyone(self) -> list[DataHolder]:
        return [self, *self._holders]
    async def withdraw(self, ctx: Context, form_id: int) -> None:
        missing = self._no_form(form_id)

        async def withdraw(conn: Conn) -> bool:
            await self._form(conn, form_id, missing)
            return await store.delete_signup(conn, form_id, ctx.actor.id)

        await change_once(self._writer, withdraw,
                          _("You have not signed up for S{id}; nothing to withdraw.").format(id=form_id), ctx.event_id)
        await self._forget_erased()

    async def erase_everything(self, ctx: Context) -> tuple[list[str], list[tuple[str, int]]]:
        """Delete every personal record the speaker left, from any account linked to their
        membership (but the signatures of triggers that already fired: they are the record of
        why a ballot was held; a frozen pool keeps the ticket, with nothing of the person, for
        its published draw: see the pools service; and the motions keep their record with the
        name replaced); (the accounts it covered, the speaker's first; how many, per kind, the
        kind named in the singular, as DataHolder.erase names it).

        Each account's data key is destroyed in the same transaction, so whatever copies of the
        rows remain elsewhere (old row versions, WAL archives, replicas, backups) no longer
        open. The kept trigger signatures are not sealed under it (they hold no text the
        supporter gave, only the member, the chat identity and the roll's branch), so they stay
        readable. A key left after the rows went (everything withdrawn earlier) is destroyed
        too, though the answer is then that there was nothing to erase. The accounts are read
        inside the transaction, so one linked while it runs is erased too, or after it."""
        identity = ctx.actor.id
        covered: list[str] = [identity]

        nothing = _("I keep no sign-ups, signatures, pool registrations or motion records of yours; nothing to erase.")

        async def op(conn: Conn) -> list[tuple[str, int]]:
            accounts, member = await self._roll.person(identity, conn)
            covered[:] = accounts
            for account in accounts:
                # A form or question left open (sign T1?) is deleted too, and answers nothing after this.
                await self._dialogues.end(conn, account)
            gone = [await holder.erase(conn, accounts, member) for holder in self._everyone()]
            destroyed = [await self._sealer.destroy(conn, account) for account in accounts]
            if not any(destroyed) and not any(n for _what, n in gone):
                raise UserError(nothing)
            return gone

        try:
            gone = await self._writer.run(op, ctx.event_id)
        except UserError as e:
            if e.message != nothing:
                raise
            for account in covered:  # a form half answered is all there was: it goes too
                await self._dialogues.close(account, None)
            raise UserError(await self._nothing_erased(identity, nothing)) from None
        await self._forget_erased()
        if not any(n for _what, n in gone):
            raise UserError(await self._nothing_erased(identity, nothing))
        return covered, gone

    async def _nothing_erased(self, identity: str, nothing: str) -> str:
        """The answer to an erasure that erased nothing: NOTHING, unless something is kept on
        purpose (a fired trigger's signature), which is listed with why; and, for a member with
        several accounts, which accounts it covered."""
        accounts, still = await self.whats_kept(identity)
        said = [nothing] if not still else [
            _("There is nothing I may erase: what I keep of yours stays, for the reason given."), *still]
        return "\n".join([*said, *covering(accounts)])

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the sign-up forms of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)
