"""Motions and amendments: drafting, submitting, amending and deciding them.

Every change to a motion takes one path (``_change``): inside the writer's transaction the
motion is loaded, the status table of model.py is asked whether the action is allowed, the
change is made, the motion saved and the change recorded in its history, so the text, its
status and its record never disagree. Amendments and motions go to the vote as ordinary polls;
when the poll closes (PollClosed on the bus) the result is applied the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.motions import store
from bot.features.motions.model import (
    CARRIED,
    COMPOSITED,
    DEBATED,
    DRAFT,
    DRAFTERS,
    LOST,
    MOTION_WHO,
    PENDING,
    SECONDED,
    SUBMITTED,
    VOID,
    VOTING,
    WITHDRAWN,
    Amendment,
    AmendmentError,
    AmendmentRow,
    Composite,
    Motion,
    MotionText,
    apply,
    carried,
    composite,
    not_a_drafter,
    refuse_amendment,
    refuse_duplicate,
    refuse_motion,
    refuse_unagreed,
    why_lost,
    wording,
)
from bot.features.motions.render import composite_view
from bot.features.polls.model import Poll, PollSpec
from bot.features.polls.parse import parse_ballot
from bot.features.polls.service import PollService
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.durations import parse_deadline
from bot.kernel.errors import UserError
from bot.kernel.limits import code_attempts
from bot.kernel.markup import Markup, b, markup
from bot.kernel.ports import Conn, Languages, Reader, Writer
from bot.kernel.secrecy import keyed_code, normalise_code, same_code
from bot.kernel.times import iso
from bot.kernel.wording import when
from bot.storage.outbox import Outbox, enqueue

log = logging.getLogger(__name__)


def _settled(poll: Poll) -> str:
    """The outbox key of what a motion's or an amendment's ballot POLL decided."""
    return f"motions:settled:{poll.id}"
BALLOT = ("ballot", "ballot")  # who records what a ballot decided, in the history


def _no_such_motion(motion_id: int) -> UserError:
    return UserError(f"There is no motion M{motion_id}. Send /motion list to see the motions.")


def _no_such_composite(composite_id: int) -> UserError:
    return UserError(f"There is no composite C{composite_id}. Send /composite list to see the composites.")


async def _motion(conn: Conn, motion_id: int) -> Motion:
    motion = await store.load_motion(conn, motion_id)
    if motion is None:
        raise _no_such_motion(motion_id)
    return motion


async def _amendment(conn: Conn, amendment_id: int) -> AmendmentRow:
    row = await store.load_amendment(conn, amendment_id)
    if row is None:
        raise UserError(f"There is no amendment A{amendment_id}. Send /motion M… amendments to list them.")
    return row


def _refuse(refusal: str | None) -> None:
    if refusal is not None:
        raise UserError(refusal)


async def _no_pending(conn: Conn, motion: Motion) -> None:
    """Amendments are decided before the motion itself."""
    pending = [a for a in await store.amendments_of(conn, motion.id) if a.status in PENDING]
    if pending:
        listed = ", ".join(f"{a.ref} ({a.status})" for a in pending)
        raise UserError(
            f"Amendments to {motion.ref} are decided before the motion itself: {listed} still pending. "
            f"Vote on them (/amendment A… vote) or withdraw them (/amendment A… withdraw) first."
        )


class MotionService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, tz: ZoneInfo, polls: PollService, secret: str,
        outbox: Outbox, *, languages: Languages,
    ) -> None:
        self._languages = languages
        self._outbox = outbox
        self._secret = secret
        self._wrong_codes = code_attempts(clock.now)
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._tz = tz
        self._polls = polls

    def _now(self) -> str:
        return iso(self._clock.now())

    def deadline(self, text: str) -> datetime:
        """A deadline as an organiser types it (14d, 2026-06-10T17:00), read in the local zone."""
        return parse_deadline(text, self._clock.now(), self._tz)

    def when(self, t: datetime) -> str:
        return when(t, self._tz)

    def ballot(self, args: str, usage: str, question: str) -> PollSpec:
        """The Yes / No / Abstain ballot ARGS ask for (--closes, --secret, --roll)."""
        return parse_ballot(args, usage, question, self._clock.now(), self._tz)

    # -- reading -----------------------------------------------------------------------------

    async def get(self, motion_id: int) -> Motion:
        return await _motion(self._reader, motion_id)

    async def here(self, ctx: Context, motion_id: int) -> Motion:
        """The motion, if the speaker may work on it from where they are."""
        motion = await self.get(motion_id)
        if not await ctx.in_room(motion.room):
            raise UserError(f"Motion {motion.ref} belongs to another room; work on it there (or privately with me).")
        return motion

    async def visible(self, ctx: Context) -> list[Motion]:
        """The latest motions of the rooms the speaker is in, newest first."""
        return await ctx.visible(await store.recent_motions(self._reader), lambda m: m.room)

    # -- who drafts ---------------------------------------------------------------------------

    async def require(self, ctx: Context, action: str, motion: Motion | None = None) -> None:
        """Refuse ACTION on MOTION (or, with none, on motions of the speaker's room) unless the
        speaker is among those model.MOTION_WHO lets take it."""
        who, what = MOTION_WHO[action]
        if motion is None:
            await ctx.require_organiser(ctx.room.id, what)
            return
        if who == DRAFTERS and (ctx.actor.id == motion.created_by
                                or await store.is_drafter(self._reader, motion.id, ctx.actor.id)):
            return
        if not await ctx.is_organiser(motion.room):
            raise UserError(not_a_drafter(motion.ref) if who == DRAFTERS else
                            f"Only an organiser of the room can {what}.")

    def drafting_code(self, motion: Motion) -> str:
        """The code a drafter gives whom they invite: the key's, so nobody can make one up."""
        return keyed_code(self._secret, f"draft {motion.id}")

    async def join_drafting(self, ctx: Context, motion: Motion, code: str) -> bool:
        """Make the speaker a drafter with the motion's code; False if they were one already."""
        self._wrong_codes.check(ctx.actor.id, "drafting codes")
        if not same_code(normalise_code(code), self.drafting_code(motion)):
            self._wrong_codes.failed(ctx.actor.id)
            raise UserError(f"That is not the drafting code of {motion.ref}; ask one of its drafters for "
                            f"/motion {motion.ref} invite.")
        now = self._now()

        async def op(conn: Conn) -> bool:
            added = await store.add_drafter(conn, motion.id, ctx.actor.id, now)
            if added:
                await store.record(conn, motion.id, ctx.actor.id, ctx.actor.label, now, "joined the drafters")
            return added

        return await self._writer.run(op, ctx.event_id)

    async def history(self, motion_id: int) -> list[tuple[str, str, str]]:
        return await store.history(self._reader, motion_id)

    async def amendments(self, motion_id: int) -> list[AmendmentRow]:
        return await store.amendments_of(self._reader, motion_id)

    async def amendment(self, amendment_id: int) -> AmendmentRow:
        return await _amendment(self._reader, amendment_id)

    # -- drafting ----------------------------------------------------------------------------

    async def create(self, ctx: Context, text: MotionText, emergency: bool, deadline: datetime | None) -> int:
        now = self._now()

        async def op(conn: Conn) -> int:
            motion_id = await store.insert_motion(
                conn, ctx.room.id, text, emergency=emergency, deadline=iso(deadline) if deadline else None,
                created_by=ctx.actor.id, at=now,
            )
            await store.record(conn, motion_id, ctx.actor.id, ctx.actor.label, now, f"created: {text.title}")
            return motion_id

        return await self._writer.run(op, ctx.event_id)

    async def change(
        self, ctx: Context, motion_id: int, action: str, edit: Callable[[Motion], str], *, what: str = "",
        check: Callable[[Motion], None] | None = None, pending_first: bool = False,
        check_in: Callable[[Conn, Motion], Awaitable[None]] | None = None,
    ) -> Motion:
        """The one way a motion changes: load it, ask the status table whether ACTION is allowed,
        run CHECK (and CHECK_IN, which reads the database in the same transaction), refuse while
        amendments are pending if PENDING_FIRST, let EDIT change it
        (returning the line for its history, or raising UserError), save it and record the
        change, all in one transaction. Returns the motion as changed."""
        now = self._now()

        async def op(conn: Conn) -> Motion:
            motion = await _motion(conn, motion_id)
            _refuse(refuse_motion(motion.ref, motion.status, action, what=what))
            if check is not None:
                check(motion)
            if check_in is not None:
                await check_in(conn, motion)
            if pending_first:
                await _no_pending(conn, motion)
            line = edit(motion)
            await store.save_motion(conn, motion)
            await store.record(conn, motion.id, ctx.actor.id, ctx.actor.label, now, line)
            return motion

        return await self._writer.run(op, ctx.event_id)

    async def submit(self, ctx: Context, motion_id: int) -> None:
        now_t = self._clock.now()

        def edit(m: Motion) -> str:
            if not m.text.sections["resolves"]:
                raise UserError(f"Motion {m.ref} resolves nothing yet: add /motion {m.ref} resolves TEXT first.")
            if not m.mover or not m.seconder:
                raise UserError(f"Name the mover and seconder first: /motion {m.ref} mover NAME, "
                                f"/motion {m.ref} seconder NAME.")
            if m.deadline and now_t > m.deadline and not m.emergency:
                raise UserError(
                    f"The deadline for {m.ref} passed at {when(m.deadline, self._tz)}; only an emergency "
                    f"motion can be submitted now (an organiser can mark it: /motion {m.ref} emergency)."
                )
            m.status, m.submitted_at = SUBMITTED, iso(now_t)
            return "submitted"

        async def agreed(conn: Conn, m: Motion) -> None:
            found = await store.composite_of(conn, m.id)
            if found is not None:
                _refuse(refuse_unagreed(found, m.ref, wording(m.text)))

        await self.change(ctx, motion_id, "submit", edit, check_in=agreed)

    async def record_outcome(self, ctx: Context, motion: Motion, status: str) -> None:
        """An organiser records how a motion ended (or its mover withdraws it)."""
        if motion.vote_poll_id is not None and motion.vote_poll_id in self._polls.open:
            raise UserError(
                f"Motion {motion.ref} is being voted on (poll {motion.vote_poll_id}); the ballot decides it."
            )

        def check(m: Motion) -> None:
            if m.status == status:
                raise UserError(f"Motion {m.ref} is already {status}; nothing changed.")

        def edit(m: Motion) -> str:
            m.status = status
            return f"status: {status}"

        await self.change(ctx, motion.id, "record", edit, check=check, pending_first=status != WITHDRAWN)

    async def composite(self, ctx: Context, ids: list[int], title: str) -> Composite:
        """One draft from several motions of this room, which are marked composited; the draft
        records where each point came from and waits for each original's drafters to agree."""
        now = self._now()
        refs = ", ".join(f"M{i}" for i in ids)

        async def op(conn: Conn) -> Composite:
            motions = [await _motion(conn, i) for i in ids]
            for m in motions:
                if m.room != ctx.room.id:
                    raise UserError(f"Motion {m.ref} belongs to another room; composite motions of one room.")
                _refuse(refuse_motion(m.ref, m.status, "composite"))
                await _no_pending(conn, m)
            text, origins = composite(title, [(m.ref, m.text) for m in motions])
            new_id = await store.insert_motion(
                conn, ctx.room.id, text, emergency=any(m.emergency for m in motions), deadline=None,
                created_by=ctx.actor.id, at=now, proposer=f"Composite of {refs}", composite_of=refs.replace(" ", ""),
            )
            composite_id = await store.insert_composite(conn, new_id, origins, ids, now)
            await store.record(conn, new_id, ctx.actor.id, ctx.actor.label, now,
                               f"composited from {refs} as C{composite_id}: {title}")
            for m in motions:
                m.status = COMPOSITED
                await store.save_motion(conn, m)
                await store.record(conn, m.id, ctx.actor.id, ctx.actor.label, now,
                                   f"composited into M{new_id} (C{composite_id})")
            found = await store.load_composite(conn, composite_id)
            assert found is not None
            return found

        return await self._writer.run(op, ctx.event_id)

    async def get_composite(self, composite_id: int) -> Composite:
        found = await store.load_composite(self._reader, composite_id)
        if found is None:
            raise _no_such_composite(composite_id)
        return found

    async def composites(self, ctx: Context) -> list[tuple[str, str, str, str]]:
        """(C ref, M ref, title, room) of the latest composites in rooms the speaker is in."""
        return await ctx.visible(await store.recent_composites(self._reader), lambda c: c[3])

    async def composite_view(self, ctx: Context, composite_id: int) -> Markup:
        found = await self.get_composite(composite_id)
        motion = await self.here(ctx, found.motion_id)
        titles = {o.motion_id: (await self.get(o.motion_id)).text.title for o in found.originals}
        return composite_view(found, motion, wording(motion.text), titles)

    async def agree(self, ctx: Context, composite_id: int) -> tuple[Composite, list[str], list[str]]:
        """The speaker agrees, for each original they draft, to the composite's present words.
        Returns the composite, the originals agreed for, and those still waiting. Refused if they
        draft none of the originals, or agreed already."""
        now = self._now()

        async def op(conn: Conn) -> tuple[Composite, list[str], list[str]]:
            found = await store.load_composite(conn, composite_id)
            if found is None:
                raise _no_such_composite(composite_id)
            motion = await _motion(conn, found.motion_id)
            if motion.status != DRAFT:
                raise UserError(f"Composite {found.ref} ({motion.ref}) is {motion.status}; agreement is asked only "
                                f"while it is a draft.")
            current = wording(motion.text)
            mine = await store.drafted_by(conn, [o.motion_id for o in found.originals], ctx.actor.id)
            if not mine:
                refs = ", ".join(o.ref for o in found.originals)
                raise UserError(f"Only the drafters of the original motions ({refs}) agree to composite {found.ref}; "
                                f"the committee that composited it does not agree for them.")
            todo = [o for o in found.originals if o.motion_id in mine and not o.agrees_to(current)]
            if not todo:
                raise UserError(f"You have agreed to the present words of composite {found.ref} already; "
                                f"nothing changed.")
            for o in todo:
                await store.agree(conn, found.id, o.motion_id, ctx.actor.id, ctx.actor.label, now, current)
            await store.record(conn, motion.id, ctx.actor.id, ctx.actor.label, now,
                               f"agreed to the wording for {', '.join(o.ref for o in todo)}")
            after = await store.load_composite(conn, composite_id)
            assert after is not None
            return after, [o.ref for o in todo], [o.ref for o in after.waiting(current)]

        return await self._writer.run(op, ctx.event_id)

    # -- amendments --------------------------------------------------------------------------

    async def propose(self, ctx: Context, motion_id: int, amendment: Amendment) -> int:
        now = self._now()

        async def op(conn: Conn) -> int:
            motion = await _motion(conn, motion_id)
            _refuse(refuse_motion(motion.ref, motion.status, "amend"))
            _refuse(refuse_duplicate(amendment, await store.amendments_of(conn, motion_id)))
            try:
                apply(motion.text.sections, amendment)
            except AmendmentError as e:
                raise UserError(f"That amendment does not fit M{motion_id}: {e}.") from None
            amendment_id = await store.insert_amendment(conn, motion_id, amendment, ctx.actor.id, ctx.actor.label, now)
            await store.record(conn, motion_id, ctx.actor.id, ctx.actor.label, now,
                               f"proposed amendment A{amendment_id}: {amendment.summary}")
            return amendment_id

        return await self._writer.run(op, ctx.event_id)

    async def _amend(self, ctx: Context, amendment_id: int, action: str, edit: Callable[[AmendmentRow], str],
                     decided: bool = False) -> None:
        """The one way an amendment changes by someone's hand (as ``change`` for motions)."""
        now = self._now()

        async def op(conn: Conn) -> None:
            a = await _amendment(conn, amendment_id)
            _refuse(refuse_amendment(a.ref, a.status, action))
            line = edit(a)
            await store.save_amendment(conn, a, now if decided else None)
            await store.record(conn, a.motion_id, ctx.actor.id, ctx.actor.label, now, line)

        await self._writer.run(op, ctx.event_id)

    async def second(self, ctx: Context, amendment_id: int) -> None:
        def edit(a: AmendmentRow) -> str:
            if a.mover == ctx.actor.id:
                raise UserError(f"You moved {a.ref}: someone else must second it.")
            a.status, a.seconder = SECONDED, ctx.actor.label
            return f"seconded amendment {a.ref}"

        await self._amend(ctx, amendment_id, "second", edit)

    async def withdraw(self, ctx: Context, amendment_id: int) -> None:
        def edit(a: AmendmentRow) -> str:
            a.status = WITHDRAWN
            return f"withdrew amendment {a.ref}"

        await self._amend(ctx, amendment_id, "withdraw", edit, decided=True)

    # -- ballots -----------------------------------------------------------------------------

    async def _ballot(
        self, ctx: Context, room: str, spec: PollSpec, reserve: Callable[[Conn], Awaitable[int]],
        mark: Callable[[Conn, int | None], Awaitable[None]],
    ) -> Poll:
        """Reserve the motion or amendment for its ballot (RESERVE returns its history entry),
        open the ballot, and MARK it with the ballot's poll; if the ballot cannot be opened, MARK
        it with None, which undoes the reservation, and its history entry goes."""
        entry = await self._writer.run(reserve, ctx.event_id)
        try:
            poll = await self._polls.open_poll(room, ctx.actor.id, spec)
        except BaseException:
            async def unreserve(conn: Conn) -> None:
                await mark(conn, None)
                await store.forget_entry(conn, entry)

            await self._writer.run(unreserve)
            raise

        async def linked(conn: Conn) -> None:
            await mark(conn, poll.id)

        await self._writer.run(linked)
        return poll

    async def put_to_vote(self, ctx: Context, motion: Motion, spec: PollSpec) -> Poll:
        now = self._now()
        previous = motion.status

        async def reserve(conn: Conn) -> int:
            m = await _motion(conn, motion.id)
            _refuse(refuse_motion(m.ref, m.status, "vote", vote_poll_id=m.vote_poll_id))
            await _no_pending(conn, m)
            m.status = DEBATED
            await store.save_motion(conn, m)
            return await store.record(conn, m.id, ctx.actor.id, ctx.actor.label, now, "put to the vote")

        async def mark(conn: Conn, poll_id: int | None) -> None:
            m = await _motion(conn, motion.id)
            if poll_id is None:
                m.status = previous
            m.vote_poll_id = poll_id
            await store.save_motion(conn, m)

        return await self._ballot(ctx, motion.room, spec, reserve, mark)

    async def amendment_to_vote(self, ctx: Context, row: AmendmentRow, motion: Motion, spec: PollSpec) -> Poll:
        now = self._now()

        async def reserve(conn: Conn) -> int:
            a = await _amendment(conn, row.id)
            _refuse(refuse_amendment(a.ref, a.status, "vote"))
            m = await _motion(conn, a.motion_id)
            _refuse(refuse_motion(m.ref, m.status, "vote on amendment"))
            try:
                apply(m.text.sections, a.amendment)
            except AmendmentError as e:
                raise UserError(f"Amendment {a.ref} no longer fits the text of {m.ref}: {e}. Withdraw it "
                                f"(/amendment {a.ref} withdraw) and propose it again.") from None
            a.status = VOTING
            await store.save_amendment(conn, a)
            line = f"put amendment {a.ref} to the vote"
            return await store.record(conn, m.id, ctx.actor.id, ctx.actor.label, now, line)

        async def mark(conn: Conn, poll_id: int | None) -> None:
            a = await _amendment(conn, row.id)
            if poll_id is None and refuse_amendment(a.ref, a.status, "reopen") is None:
                a.status = SECONDED
            a.poll_id = poll_id
            await store.save_amendment(conn, a)

        return await self._ballot(ctx, motion.room, spec, reserve, mark)

    # -- what a ballot decided ---------------------------------------------------------------

    async def settle(self, poll: Poll, *, at_start: bool = False) -> None:
        """Apply what the closed ballot POLL decided, and say so in its room. What is said is
        queued in the outbox with the change itself, so it goes out once; it is sent at once,
        but AT_START (settling at start-up, before any platform is up to take a message), when
        the outbox sends it as soon as the platforms are up."""
        amendment_id, motion_id = await store.decided_by(self._reader, poll.id)
        hold = not at_start
        settled = False
        if amendment_id is not None:
            settled = await self._settle_amendment(amendment_id, poll, hold)
        elif motion_id is not None:
            settled = await self._settle_motion(motion_id, poll, hold)
        if not settled:
            return
        if hold:
            await self._outbox.send_now(_settled(poll))
        else:
            self._outbox.poke()

    async def _say_settled(self, conn: Conn, poll: Poll, text: str, hold: bool) -> bool:
        await enqueue(conn, dedupe=_settled(poll), target=poll.room, private=False, text=text, now=self._clock.now(),
                      hold=hold)
        return True

    async def settle_missed(self) -> None:
        """Ballots that closed while the bot was down, before what they decided was applied."""
        for poll_id in await store.awaited_ballots(self._reader):
            try:
                poll = await self._polls.get(poll_id)
                if not poll.is_open:
                    await self.settle(poll, at_start=True)
            except Exception:
                log.exception("settling the ballot of poll %s failed", poll_id)

    async def _settle_amendment(self, amendment_id: int, poll: Poll, hold: bool) -> bool:
        """A carried amendment is applied to the motion's text in the same transaction as its
        new status, a history entry and the announcement."""
        now = self._now()
        result = poll.result

        async def op(conn: Conn) -> bool:
            row = await _amendment(conn, amendment_id)
            if refuse_amendment(row.ref, row.status, "settle") is not None:
                return False
            motion = await _motion(conn, row.motion_id)
            summary = row.amendment.summary
            if not carried(result):
                row.status = LOST
                await store.save_amendment(conn, row, now)
                await store.record(conn, motion.id, *BALLOT, now, f"amendment {row.ref} lost ({why_lost(result)})")
                return await self._say_settled(conn, poll, markup(
                    "Amendment {} to {} is lost on {}: {}", b(row.ref), b(motion.ref), why_lost(result), summary), hold)
            try:
                sections = apply(motion.text.sections, row.amendment)
            except AmendmentError as e:
                row.status, row.note = VOID, str(e)
                await store.save_amendment(conn, row, now)
                await store.record(conn, motion.id, *BALLOT, now,
                                   f"amendment {row.ref} carried but could not be applied: {e}")
                return await self._say_settled(conn, poll, markup(
                    "Amendment {} to {} was carried but no longer fits the text ({}); the text is unchanged. "
                    "Propose it again against the current text.", b(row.ref), b(motion.ref), e), hold)
            motion.text.sections = sections
            await store.save_motion(conn, motion)
            row.status = CARRIED
            await store.save_amendment(conn, row, now)
            await store.record(conn, motion.id, *BALLOT, now,
                               f"amendment {row.ref} carried and applied: {row.amendment.summary}")
            return await self._say_settled(conn, poll, markup(
                "Amendment {} to {} is carried and applied: {}\nSend /motion {} show for the text as amended.",
                b(row.ref), b(motion.ref), summary, motion.ref), hold)

        return await self._writer.run(op)

    async def _settle_motion(self, motion_id: int, poll: Poll, hold: bool) -> bool:
        now = self._now()
        result = poll.result
        status = CARRIED if carried(result) else LOST

        async def op(conn: Conn) -> bool:
            motion = await _motion(conn, motion_id)
            if refuse_motion(motion.ref, motion.status, "settle") is not None:
                return False
            motion.status = status
            await store.save_motion(conn, motion)
            await store.record(conn, motion.id, *BALLOT, now, f"status: {status} by ballot")
            if status == CARRIED:
                return await self._say_settled(conn, poll, markup("Motion {} ({}) is carried.", b(motion.ref),
                                                                  motion.text.title), hold)
            return await self._say_settled(conn, poll, markup("Motion {} ({}) is lost on {}.", b(motion.ref),
                                                              motion.text.title, why_lost(result)), hold)

        return await self._writer.run(op)

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the motions of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)
