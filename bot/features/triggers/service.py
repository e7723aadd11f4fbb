"""Signing a trigger campaign, firing it exactly once, opening its ballot, and closing it at its
deadline.

The firing is decided inside the writer transaction that records the crossing signature: the
writer applies changes one after another (and, on a database several processes share, each
signature's transaction holds the campaign's row locked), so exactly one signature finds the
threshold newly crossed and sets the status to 'fired' (only if it is still 'open', a second
guard), however many arrive at once. A redelivered message carries the same event id and is dropped by the writer.
The deadline is checked in the same transaction, so nothing fires after it. The ballot opens on
TriggerFired, published on the bus (and again at start-up, if the bot stopped in between).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.polls.model import PollSpec
from bot.features.polls.parse import BALLOT
from bot.features.polls.render import too_few_for_secrecy
from bot.features.polls.service import PollService
from bot.features.roll.service import RollService
from bot.features.signing.model import already_signed, not_signed
from bot.features.triggers import store
from bot.features.triggers.model import (
    CANCELLED,
    EXPIRED,
    FIRED,
    Standing,
    ThresholdError,
    Trigger,
    TriggerFired,
    TriggerSpec,
    allows,
    check_reachable,
)
from bot.features.triggers.render import (
    ballot_failed,
    branch_note,
    describe_signing,
    expired,
    fired_in_room,
    fired_privately,
    thanks,
)
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.effects import Send, SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.language import Speech, _, speaking
from bot.kernel.ports import Conn, Languages, Publish, Reader, Sender, Writer
from bot.kernel.times import iso
from bot.kernel.wording import quoted
from bot.storage import dialect
from bot.storage.outbox import Outbox, enqueue
from bot.storage.scheduler import Scheduler
from bot.storage.writer import Duplicate, change_once

log = logging.getLogger(__name__)

SYNC = timedelta(seconds=15)
"""On a shared database, how often the live campaigns are read again (see PollService's)."""

ORPHANED = timedelta(minutes=2)
"""A trigger fired this long ago whose ballot has not opened: the process that fired it died
on the way (it opens the ballot within seconds), so whichever process looks next opens it."""


FIRED_KEY = "trigger:{ref}:fired"
"""The outbox's key of the room's announcement that a campaign fired."""


class TriggerService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, tz: ZoneInfo, send: Sender, outbox: Outbox,
        roll: RollService, organisers: dict[str, tuple[str, ...]], publish: Publish, scheduler: Scheduler,
        *, languages: Languages,
    ) -> None:
        self._languages = languages
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._tz = tz
        self._send = send
        self._outbox = outbox
        self._roll = roll
        self._organisers = organisers
        self._publish = publish
        self._scheduler = scheduler
        self.deadlines: dict[int, datetime] = {}  # open campaigns: id -> deadline
        self._unfinished: list[int] = []  # fired before a stop, ballot not yet opened
        self._shared = dialect.shared(reader)  # other processes share the database
        self._synced = clock.now()

    async def _trigger(self, conn: Conn, trigger_id: int, *, lock: bool = False) -> Trigger:
        t = await store.load_trigger(conn, trigger_id, lock=lock)
        if t is None:
            raise UserError(_("There is no trigger campaign {ref}. Send /trigger list to see them.").format(
                ref=f"T{trigger_id}"))
        return t

    async def get(self, trigger_id: int) -> Trigger:
        return await self._trigger(self._reader, trigger_id)

    async def standing(self, t: Trigger) -> Standing:
        return await store.current(self._reader, t)

    def now(self) -> datetime:
        return self._clock.now()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        for t in await store.live_triggers(self._reader):
            if allows(t.status, "fire"):
                self.deadlines[t.id] = t.closes_at
            elif t.ballot_poll_id is None:  # fired, but the bot stopped before the ballot opened
                self._unfinished.append(t.id)

    def next_due(self) -> datetime | None:
        if self._unfinished:
            return self._clock.now()
        dues = [*self.deadlines.values(), *([self._synced + SYNC] if self._shared else [])]
        return min(dues) if dues else None

    async def run_due(self) -> None:
        if self._shared and self._clock.now() >= self._synced + SYNC:
            # Campaigns other processes opened (their deadlines are kept here too) or ended.
            self._synced = self._clock.now()
            live = await store.live_triggers(self._reader)
            self.deadlines = {t.id: t.closes_at for t in live if allows(t.status, "fire")}
            now = self._clock.now()
            self._unfinished += [
                t.id for t in live if t.status == FIRED and t.ballot_poll_id is None and t.id not in self._unfinished
                and (t.fired_at is None or now - t.fired_at > ORPHANED)]
        while self._unfinished:
            await self._publish(TriggerFired(self._unfinished.pop(0)))
        await self.expire_due()

    # -- opening -----------------------------------------------------------------------------

    async def open(self, ctx: Context, spec: TriggerSpec) -> tuple[Trigger, int]:
        """Open a campaign with its electorate fixed now; (the campaign, the electorate's size)."""
        if spec.branch is not None:  # named as the roll names it, in any case
            spec = replace(spec, branch=await self._roll.branch_named(spec.branch))
        electorate = await self._roll.branches(spec.branch)
        if not electorate:
            if spec.branch:
                raise UserError(_("No member on the roll is in branch {branch}; check the name.").format(
                    branch=quoted(spec.branch)))
            raise UserError(_("The membership roll is empty: import it first ({command}).").format(
                command="quorum members import FILE"))
        branch_sizes: dict[str, int] = {}
        for _member, branch in electorate:
            if branch is not None:
                branch_sizes[branch] = branch_sizes.get(branch, 0) + 1
        try:
            check_reachable(spec.threshold, len(electorate), branch_sizes)
        except ThresholdError as e:
            raise UserError(_("That threshold can never be reached: {reason}.").format(reason=e)) from None
        now = iso(self._clock.now())

        async def op(conn: Conn) -> int:
            return await store.insert_trigger(conn, ctx.room.id, spec, ctx.actor.id, now, iso(spec.closes_at),
                                              electorate)

        trigger_id = await self._writer.run(op, ctx.event_id)
        self.deadlines[trigger_id] = spec.closes_at
        self._scheduler.poke()
        return await self.get(trigger_id), len(electorate)

    async def cancel(self, ctx: Context, trigger_id: int) -> None:
        now = iso(self._clock.now())

        async def op(conn: Conn) -> None:
            if not await store.set_status(conn, trigger_id, CANCELLED, now):
                fresh = await self._trigger(conn, trigger_id)
                raise UserError(fresh.cancel_refusal() or _("Trigger {ref} cannot be cancelled.").format(ref=fresh.ref))

        await self._writer.run(op, ctx.event_id)
        self.deadlines.pop(trigger_id, None)

    async def recent(self, ctx: Context) -> list[Trigger]:
        """The latest campaigns of the rooms the speaker is in, newest first."""
        return await ctx.visible(await store.recent_triggers(self._reader), lambda t: t.room)

    async def signatures(self, trigger_id: int) -> list[tuple[str, str | None, str | None, str]]:
        return await store.signature_list(self._reader, trigger_id)

    # -- signing (a Signable under the letter T) ---------------------------------------------

    def _member(self, ctx: Context, trigger_id: int) -> int:
        member = self._roll.member(ctx.actor.id)
        if member is None:
            raise UserError(_("Only members on the roll can sign {ref}. Link your account first: send me /join CODE "
                              "(your organiser has your code).").format(ref=f"T{trigger_id}"))
        return member

    async def describe(self, ctx: Context, n: int) -> str:
        t = await self.get(n)
        refusal = t.refusal(self._clock.now())
        if refusal:
            raise UserError(refusal)
        eligible, branch = await store.electorate_branch(self._reader, n, self._member(ctx, n))
        if not eligible:
            raise UserError(_("You are not in the electorate of {ref} (fixed when it opened).").format(ref=f"T{n}"))
        return describe_signing(t, await self.standing(t), self._clock.now(), self._tz, branch)

    async def sign(self, ctx: Context, n: int, branch: str | None) -> str:
        """BRANCH, typed after yes, is not taken: a member's branch is the one on the roll when the
        campaign opened (its electorate and the branches' sizes were fixed then); the answer says so."""
        member = self._member(ctx, n)
        # Should this signature fire it, each organiser is told in their own language, queued with
        # the firing: their languages are looked up before the change (none is read inside it).
        t = await self.get(n)
        told = await self._organisers_speech(t)
        room_speech = await self._languages.speech_for(t.room)

        async def checked(conn: Conn, now: datetime, *, lock: bool) -> tuple[Trigger, str | None]:
            t = await self._trigger(conn, n, lock=lock)
            refusal = t.refusal(now)
            if refusal:
                raise UserError(refusal)
            eligible, member_branch = await store.electorate_branch(conn, n, member)
            if not eligible:
                raise UserError(_("You are not in the electorate of {ref} (fixed when it opened).").format(ref=f"T{n}"))
            at = await store.signed_at(conn, n, member)
            if at is not None:
                raise UserError(already_signed(f"T{n}", at, self._tz, now))
            return t, member_branch

        async def op(conn: Conn) -> tuple[Standing, bool, str | None]:
            now = self._clock.now()
            t, member_branch = await checked(conn, now, lock=False)  # a refusal takes no lock: a lock is a write
            if dialect.shared(conn):  # the signatures of T{n} in turn, across processes: checked again
                t, member_branch = await checked(conn, now, lock=True)
            await store.insert_signature(conn, n, member, ctx.actor.id, member_branch, iso(now))
            s = await store.current(conn, t)
            if not s.crossed or not await store.set_status(conn, n, FIRED, iso(now)):
                return s, False, member_branch
            # The room and the organisers are told through the outbox, queued with the firing
            # itself, so what is said survives a crash or a platform that is down, and is said once.
            await self._queue_fired(conn, t, s, room_speech, now)
            for organiser in self.organisers(t):
                with speaking(told[organiser]):
                    text = fired_privately(t, s, now, self._tz)
                await enqueue(conn, dedupe=f"trigger:{t.ref}:fired:{organiser}", target=organiser, private=True,
                              now=now, text=text)
            return s, True, member_branch

        s, fired, member_branch = await self._writer.run(op, ctx.event_id)
        if fired:
            self.deadlines.pop(n, None)
            try:  # the room hears first and its ballot opens; then the organisers are told privately
                await self._publish(TriggerFired(n))
            finally:
                self._outbox.poke()
        t = await self.get(n)
        said = thanks(t, s, fired)
        if branch is not None and branch.casefold() != (member_branch or "").casefold():
            said += " " + branch_note(member_branch)
        return said

    async def unsign(self, ctx: Context, n: int) -> None:
        # A campaign that does not exist is said so first; someone not on the roll has signed nothing.
        await self.get(n)
        member = self._roll.member(ctx.actor.id)
        if member is None:
            raise UserError(not_signed(f"T{n}"))

        async def checked(conn: Conn, *, lock: bool) -> None:
            refusal = (await self._trigger(conn, n, lock=lock)).unsign_refusal(self._clock.now())
            if refusal:
                raise UserError(refusal)

        async def withdraw(conn: Conn) -> bool:
            await checked(conn, lock=False)
            if dialect.shared(conn):  # in turn with the signatures, across processes: one that
                await checked(conn, lock=True)  # fires counting this one comes first, or after it
            return await store.delete_signature(conn, n, member)

        await change_once(self._writer, withdraw, not_signed(f"T{n}"), ctx.event_id)

    # -- firing and expiry -------------------------------------------------------------------

    def organisers(self, t: Trigger) -> list[str]:
        return [t.opened_by] + [o for o in self._organisers.get(t.room, ()) if o != t.opened_by]

    async def _organisers_speech(self, t: Trigger) -> dict[str, Speech]:
        """The language each organiser of T reads privately (the room's, for one without their own)."""
        return {o: await self._languages.speech_for(o, room=t.room) for o in self.organisers(t)}

    async def _queue_fired(self, conn: Conn, t: Trigger, s: Standing, speech: Speech, now: datetime) -> None:
        """Inside the firing's transaction: queue the room's announcement, to be posted at once by
        ``open_ballot`` before the ballot (``hold``), or by the outbox should that fail."""
        with speaking(speech):
            text = fired_in_room(t, s)
        await enqueue(conn, dedupe=FIRED_KEY.format(ref=t.ref), target=t.room, private=False, now=now, text=text,
                      hold=True)

    async def open_ballot(self, trigger_id: int, polls: PollService) -> None:
        """Announce a fired trigger, open its ballot and link it (once)."""
        t = await self.get(trigger_id)
        if t.status != FIRED or t.ballot_poll_id is not None:
            return
        fired_at = t.fired_at or self._clock.now()
        poll_id: int | None = None
        room_speech = await self._languages.speech_for(t.room)

        async def queued(conn: Conn) -> None:  # a no-op but for a campaign fired before it was queued so
            await self._queue_fired(conn, t, await store.current(conn, t), room_speech, self._clock.now())

        await self._writer.run(queued)
        await self._outbox.send_now(FIRED_KEY.format(ref=t.ref))
        # Everything here is said in the room (the ballot's own announcement too), in its language,
        # whoever's signature fired it; the organisers' notes in each one's own.
        with speaking(room_speech):
            spec = PollSpec(
                question=f"{t.ref}: {t.ballot.question}"[:300], options=BALLOT, kind="proposal",
                closes_at=t.ballot.length.after(self._clock.now(), self._tz), secret=t.ballot.secret,
                electorate="branch" if t.branch else "roll", branch=t.branch,
            )
            try:
                poll_id = (await polls.open_poll(t.room, t.opened_by, spec, f"trigger-ballot:{t.ref}")).id
            except Duplicate:  # opened before a restart, not yet linked
                poll_id = await polls.find_opened(t.room, spec.question, fired_at)
            except UserError as e:
                await self._send(Send(t.room, ballot_failed(t, e.message)))
                for organiser, speech in (await self._organisers_speech(t)).items():
                    with speaking(speech):
                        await self._send(SendPrivate(organiser, ballot_failed(t, e.message)))
        if poll_id is not None:
            warning: str | None = None
            if (poll := await polls.current(poll_id)).too_few_for_secrecy:
                with speaking(await self._languages.speech_for(t.opened_by, room=t.room)):
                    warning = too_few_for_secrecy(poll)

            async def link(conn: Conn) -> None:
                await store.link_ballot(conn, t.id, poll_id)
                if warning is not None:  # to the organiser who opened the campaign, once (its key), with the link
                    await enqueue(conn, dedupe=f"trigger:{t.ref}:too-few", target=t.opened_by, private=True,
                                  text=warning, now=self._clock.now())

            await self._writer.run(link)
            if warning is not None:
                self._outbox.poke()

    async def expire_due(self) -> None:
        now = self._clock.now()
        for trigger_id in [i for i, d in self.deadlines.items() if d <= now]:
            speech = await self._languages.speech_for((await self.get(trigger_id)).room)

            async def op(conn: Conn, trigger_id: int = trigger_id, speech: Speech = speech) -> bool:
                if not await store.set_status(conn, trigger_id, EXPIRED, iso(now), closing_by=iso(now)):
                    return False
                # Announced through the outbox, queued with the expiry: said once, even if the
                # platform is down at this moment or the bot stops.
                t = await self._trigger(conn, trigger_id)
                with speaking(speech):
                    text = expired(t, await store.current(conn, t))
                await enqueue(conn, dedupe=f"trigger:{t.ref}:expired", target=t.room, private=False, now=now,
                              text=text)
                return True

            ended = await self._writer.run(op)
            self.deadlines.pop(trigger_id, None)
            if ended:
                self._outbox.poke()

    # -- personal data (a DataHolder) --------------------------------------------------------

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        """Each signature (a member's, from whichever account); on a campaign that fired, why an
        erasure keeps it."""
        return [_("• signature on {ref}; {day}").format(ref=f"T{trigger_id}", day=at[:10]) if status != FIRED
                else _("• signature on {ref}; {day} (kept: {ref} fired, and its signatures are the record of why "
                       "its ballot was held)").format(ref=f"T{trigger_id}", day=at[:10])
                for trigger_id, at, status in await store.signatures_of(self._reader, identities, member)]

    async def erase(self, conn: Conn, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        return "trigger signature", await store.erase_signatures(conn, identities, member)

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the trigger campaigns of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)
