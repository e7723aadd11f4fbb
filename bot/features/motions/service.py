"""Motions and amendments: drafting, submitting, amending and deciding them.

Every change to a motion takes one path (``_change``): inside the writer's transaction the
motion is loaded, the status table of model.py is asked whether the action is allowed, the
change is made, the motion saved and the change recorded in its history, so the text, its
status and its record never disagree. Each change to a motion or to one of its amendments
loads the motion locked (``_motion(…, lock=True)``) before anything else it reads: on a database
several processes share they are made one after another, each on what the one before left.
Amendments and motions go to the vote as ordinary polls; when the poll closes (PollClosed on the
bus) the result is applied the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.features.motions import render, store
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
    SECONDED_ENTRY,
    SUBMITTED,
    VOID,
    VOTING,
    WITHDRAWN,
    Amendment,
    AmendmentError,
    AmendmentRow,
    Composite,
    Entry,
    Motion,
    MotionText,
    Original,
    after_deletion,
    amendment_status,
    apply,
    carried,
    composite,
    entry,
    motion_status,
    motion_status_entry,
    named,
    not_a_drafter,
    organisers_only,
    read_entry,
    refuse_amendment,
    refuse_duplicate,
    refuse_motion,
    refuse_unagreed,
    why_lost,
    why_lost_entry,
    wording,
)
from bot.features.motions.render import composite_view, records_kept
from bot.features.polls.model import Poll, PollSpec
from bot.features.polls.parse import parse_ballot
from bot.features.polls.service import PollService
from bot.features.roll.service import RollService
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.durations import parse_deadline
from bot.kernel.effects import SendPrivate
from bot.kernel.errors import UserError
from bot.kernel.language import N_, _, pgettext, speaking
from bot.kernel.limits import code_attempts
from bot.kernel.markup import Markup, lines
from bot.kernel.ports import Conn, Languages, Reader, Writer
from bot.kernel.secrecy import keyed_code, normalise_code, same_code
from bot.kernel.times import iso
from bot.kernel.wording import utc_offset, when, zoned
from bot.storage import dialect
from bot.storage.outbox import Outbox, enqueue

log = logging.getLogger(__name__)


_SETTLED = "motions:settled:"


def _settled(poll: Poll) -> str:
    """The outbox key of what a motion's or an amendment's ballot POLL decided."""
    return _SETTLED + str(poll.id)


BALLOT = ("ballot", "ballot")  # who records what a ballot decided, in the history


def _no_such_motion(motion_id: int) -> UserError:
    return UserError(_("There is no motion M{id}. Send /motion list to see the motions.").format(id=motion_id))


def _no_such_composite(composite_id: int) -> UserError:
    return UserError(_("There is no composite C{id}. Send /composite list to see the composites.").format(
        id=composite_id))


async def _motion(conn: Conn, motion_id: int, *, lock: bool = False) -> Motion:
    motion = await store.load_motion(conn, motion_id, lock=lock)
    if motion is None:
        raise _no_such_motion(motion_id)
    return motion


async def _amendment(conn: Conn, amendment_id: int, *, lock: bool = False) -> AmendmentRow:
    """The amendment; with LOCK (a change to it), read after its motion is locked (``_motion``):
    what changes an amendment may change its motion, and the motion's changes its amendments."""
    row = await store.load_amendment(conn, amendment_id)
    if row is None:
        raise UserError(_("There is no amendment A{id}. Send /motion M… amendments to list them.").format(
            id=amendment_id))
    if lock and dialect.shared(conn):  # its motion is fixed: read it again once that is locked
        await _motion(conn, row.motion_id, lock=True)
        return await _amendment(conn, amendment_id)
    return row


def _refuse(refusal: str | None) -> None:
    if refusal is not None:
        raise UserError(refusal)


async def _no_pending(conn: Conn, motion: Motion) -> None:
    """Amendments are decided before the motion itself."""
    pending = [a for a in await store.amendments_of(conn, motion.id) if a.status in PENDING]
    if pending:
        listed = ", ".join(f"{a.ref} ({amendment_status(a.status)})" for a in pending)
        raise UserError(
            _("Amendments to {ref} are decided before the motion itself: {pending} still pending. Vote on them "
              "(/amendment A… vote) or withdraw them (/amendment A… withdraw) first.").format(
                ref=motion.ref, pending=listed)
        )


async def _follow_deletion(conn: Conn, motion: Motion, section: str, n: int, at: str,
                           who: tuple[str, str]) -> list[str]:
    """Point N of SECTION of MOTION was just deleted: its pending amendments keep naming the
    points they were moved against (model.after_deletion). One to the deleted point itself can
    never be applied as moved: proposed or seconded, it is void at once (returned, to be said);
    being voted on, its ballot runs on, and it is void if carried."""
    voided = []
    for a in await store.amendments_of(conn, motion.id):
        if a.status not in PENDING:
            continue
        followed = after_deletion(a.amendment, section, n)
        if followed == a.amendment:
            continue
        a.amendment = followed
        if followed.gone and a.status != VOTING:
            a.status, a.note = VOID, _("the point it amended, {point}, has been deleted").format(
                point=f"{section} {n}")
            await store.save_amendment(conn, a, at)
            await store.record(conn, motion.id, *who, at, entry(
                N_("amendment {ref} void: the point it amended, {point}, has been deleted"),
                ref=a.ref, point=f"{section} {n}"))
            voided.append(a.ref)
        else:
            await store.save_amendment(conn, a)
    return voided


async def _lapsed(conn: Conn, motion: Motion, before: str) -> list[tuple[Composite, list[Original]]]:
    """The originals whose drafters agreed to composite MOTION's words as they were BEFORE a
    change that altered them (with the composite; nothing if the words are the same, or it is
    no composite, or nobody had agreed)."""
    if wording(motion.text) == before:
        return []
    found = await store.composite_of(conn, motion.id)
    if found is None:
        return []
    agreed = [o for o in found.originals if o.agrees_to(before)]
    return [(found, agreed)] if agreed else []


class MotionService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, tz: ZoneInfo, polls: PollService, secret: str,
        outbox: Outbox, *, languages: Languages, roll: RollService,
    ) -> None:
        self._languages = languages
        self._roll = roll  # who is the same member (linked accounts): nobody seconds their own amendment
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
        """A motion's deadline as shown, with the zone it is read in ("Mon 01 Jun 15:00
        (Europe/London)"): a branch's drafters may sit in other zones, and a conference
        deadline is the organisation's. Its day always, and its year when not in this one: the
        motion's text, with it, is read again for weeks (``/motion … show``)."""
        return zoned(when(t, self._tz, self._clock.now(), lasting=True), self._tz)

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
            raise UserError(_("Motion {ref} belongs to another room; work on it there (or privately with me).").format(
                ref=motion.ref))
        return motion

    async def visible(self, ctx: Context) -> list[Motion]:
        """The latest motions of the rooms the speaker is in, newest first."""
        return await ctx.visible(await store.recent_motions(self._reader), lambda m: m.room)

    # -- who drafts ---------------------------------------------------------------------------

    async def require(self, ctx: Context, action: str, motion: Motion | None = None) -> None:
        """Refuse ACTION on MOTION (or, with none, on motions of the speaker's room) unless the
        speaker is among those model.MOTION_WHO lets take it."""
        who = MOTION_WHO[action]
        if motion is None:
            if not await ctx.is_organiser(ctx.room.id):
                raise UserError(organisers_only(action))
            return
        if who == DRAFTERS and (ctx.actor.id == motion.created_by
                                or await store.is_drafter(self._reader, motion.id, ctx.actor.id)):
            return
        if not await ctx.is_organiser(motion.room):
            raise UserError(not_a_drafter(motion.ref) if who == DRAFTERS else organisers_only(action))

    def allows(self, action: str, motion: Motion) -> None:
        """Refuse ACTION on MOTION if its status does not allow it (model.MOTION_ALLOWS)."""
        _refuse(refuse_motion(motion.ref, motion.status, action))

    def drafting_code(self, motion: Motion) -> str:
        """The code a drafter gives whom they invite: the key's, so nobody can make one up."""
        return keyed_code(self._secret, f"draft {motion.id}")

    async def join_drafting(self, ctx: Context, motion: Motion, code: str) -> bool:
        """Make the speaker a drafter with the motion's code; False if they were one already."""
        self.allows("invite", motion)  # a closed motion's code opens nothing: said before the code is judged
        self._wrong_codes.check(ctx.actor.id, "drafting codes")
        if not same_code(normalise_code(code), self.drafting_code(motion)):
            self._wrong_codes.failed(ctx.actor.id)
            raise UserError(_("That is not the drafting code of {ref}; ask one of its drafters for "
                              "/motion {ref} invite.").format(ref=motion.ref))
        now = self._now()

        async def op(conn: Conn) -> bool:
            self.allows("invite", await _motion(conn, motion.id, lock=True))  # closed meanwhile
            added = await store.add_drafter(conn, motion.id, ctx.actor.id, now)
            if added:
                await store.record(conn, motion.id, ctx.actor.id, ctx.actor.label, now,
                                   entry(N_("joined the drafters")))
            return added

        return await self._writer.run(op, ctx.event_id)

    @property
    def zone(self) -> str:
        """The organisation's time zone, in which times are shown ("Europe/London")."""
        return self._tz.key

    def _local(self, at: str) -> str:
        """A time as kept (UTC) as it reads in the organisation's zone, to the second and with
        its offset: "2026-06-01 13:00:05+01:00". Without them two changes in one minute read as
        one moment, and so do the two 01:30s of the night the clocks go back."""
        t = datetime.fromisoformat(at)
        if t.tzinfo is None:
            t = t.replace(tzinfo=UTC)
        local = t.astimezone(self._tz)
        return local.strftime("%Y-%m-%d %H:%M:%S") + utc_offset(local)

    async def history(self, motion_id: int) -> list[tuple[str, str, str]]:
        """(when, in the organisation's zone; who; what) of each change, in the language being
        written in (the ballot that decided something is named in it too)."""
        return [(self._local(at), pgettext("history", "ballot") if actor == BALLOT[0] else named(name) or "",
                 read_entry(change, self._local))
                for at, actor, name, change in await store.history(self._reader, motion_id)]

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
            await store.record(conn, motion_id, ctx.actor.id, ctx.actor.label, now,
                               entry(N_("created: {title}"), title=text.title))
            return motion_id

        return await self._writer.run(op, ctx.event_id)

    async def change(
        self, ctx: Context, motion_id: int, action: str, edit: Callable[[Motion], Entry], *, what: str = "",
        check: Callable[[Motion], None] | None = None, pending_first: bool = False,
        check_in: Callable[[Conn, Motion], Awaitable[None]] | None = None,
        then: Callable[[Conn, Motion], Awaitable[None]] | None = None,
    ) -> Motion:
        """The one way a motion changes: load it, ask the status table whether ACTION is allowed,
        run CHECK (and CHECK_IN, which reads the database in the same transaction), refuse while
        amendments are pending if PENDING_FIRST, let EDIT change it
        (returning the line for its history, or raising UserError), save it and record the
        change, and THEN follow it up (in the same transaction), all in one transaction. Returns
        the motion as changed."""
        now = self._now()
        lapsed: list[tuple[Composite, list[Original]]] = []

        async def op(conn: Conn) -> Motion:
            motion = await _motion(conn, motion_id, lock=True)
            _refuse(refuse_motion(motion.ref, motion.status, action, what=what))
            if check is not None:
                check(motion)
            if check_in is not None:
                await check_in(conn, motion)
            if pending_first:
                await _no_pending(conn, motion)
            before = wording(motion.text)
            line = edit(motion)
            await store.save_motion(conn, motion)
            await store.record(conn, motion.id, ctx.actor.id, ctx.actor.label, now, line)
            if then is not None:
                await then(conn, motion)
            lapsed[:] = await _lapsed(conn, motion, before)
            return motion

        motion = await self._writer.run(op, ctx.event_id)
        for found, originals in lapsed:
            await self._ask_again(ctx, found, motion, originals)
        return motion

    async def _ask_again(self, ctx: Context, found: Composite, motion: Motion, originals: list[Original]) -> None:
        """An edit changed the words of composite FOUND (MOTION) that the drafters of ORIGINALS
        had agreed to: their agreement no longer counts. The editor is told, and the drafters of
        those originals (but the editor) are asked again, each in their own language."""
        refs = [o.ref for o in originals]
        await ctx.reply(render.agreement_lapsed(found.ref, motion.ref, refs))
        asked: dict[str, list[str]] = {}
        for identity, motion_id in await store.drafters_of(self._reader, [o.motion_id for o in originals]):
            if identity != ctx.actor.id:
                asked.setdefault(identity, []).append(f"M{motion_id}")
        for identity, yours in asked.items():
            with await ctx.speaking_to(identity):
                text = render.agreement_asked_again(found.ref, motion.ref, motion.text.title, yours)
            await ctx.send(SendPrivate(identity, text))

    async def submit(self, ctx: Context, motion_id: int) -> None:
        now_t = self._clock.now()

        def edit(m: Motion) -> Entry:
            if not m.text.sections["resolves"]:
                raise UserError(_("Motion {ref} resolves nothing yet: add /motion {ref} resolves TEXT first.").format(
                    ref=m.ref))
            if not m.mover or not m.seconder:
                raise UserError(_("Name the mover and seconder first: /motion {ref} mover NAME, "
                                  "/motion {ref} seconder NAME.").format(ref=m.ref))
            if m.deadline and now_t >= m.deadline and not m.emergency:
                raise UserError(
                    _("The deadline for {ref} passed at {deadline}; only an emergency motion can be submitted now "
                      "(an organiser can mark it: /motion {ref} emergency).").format(
                        ref=m.ref, deadline=self.when(m.deadline))
                )
            m.status, m.submitted_at = SUBMITTED, iso(now_t)
            return entry(N_("submitted"))

        async def agreed(conn: Conn, m: Motion) -> None:
            found = await store.composite_of(conn, m.id)
            if found is not None:
                _refuse(refuse_unagreed(found, m.ref, wording(m.text)))

        await self.change(ctx, motion_id, "submit", edit, check_in=agreed)

    async def remove_point(self, ctx: Context, motion_id: int, section: str, n: int,
                           check: Callable[[Motion], None]) -> list[str]:
        """A drafter removes point N of SECTION (CHECK: that it is there); the points after it
        are renumbered, and so are the amendments that name them. Returns the amendments void
        because they amended the point removed. Refused while an amendment to it is being voted
        on: the room is deciding on those words."""
        now = self._now()
        voided: list[str] = []

        def edit(m: Motion) -> Entry:
            check(m)
            return entry(N_("removed {section} {n}: {text}"), section=section, n=n,
                         text=m.text.sections[section].pop(n - 1))

        async def voting(conn: Conn, m: Motion) -> None:
            for a in await store.amendments_of(conn, m.id):
                if (a.status == VOTING and a.amendment.op != "add" and not a.amendment.gone
                        and a.amendment.section == section and a.amendment.point == n):
                    raise UserError(_("Amendment {ref} to {section} {n} is being voted on (poll {poll}); remove "
                                      "the point once the vote is decided.").format(
                        ref=a.ref, section=section, n=n, poll=a.poll_id))

        async def follow(conn: Conn, m: Motion) -> None:
            voided[:] = await _follow_deletion(conn, m, section, n, now, (ctx.actor.id, ctx.actor.label))

        await self.change(ctx, motion_id, "edit", edit, check_in=voting, then=follow)
        return voided

    async def record_outcome(self, ctx: Context, motion: Motion, status: str) -> None:
        """An organiser records how a motion ended (or its mover withdraws it); refused while its
        ballot decides it. A motion put to the vote is debated with its ballot named until the
        ballot's result is applied: that is read in the transaction, whichever process opened
        the ballot (another process's open polls are read here only every few seconds)."""

        def check(m: Motion) -> None:
            if m.status == DEBATED and m.vote_poll_id is not None:
                raise UserError(_("Motion {ref} is being voted on (poll {poll}); the ballot decides it.").format(
                    ref=m.ref, poll=m.vote_poll_id))
            if m.status == status:
                raise UserError(_("Motion {ref} is already {status}; nothing changed.").format(
                    ref=m.ref, status=motion_status(status)))

        def edit(m: Motion) -> Entry:
            m.status = status
            return entry(N_("status: {status}"), status=motion_status_entry(status))

        async def no_ballot(conn: Conn, m: Motion) -> None:
            """A motion may be withdrawn with amendments pending (they go with it), but not while
            the room votes on one: a ballot's result would change a text that no longer changes."""
            voting = next((a for a in await store.amendments_of(conn, m.id) if a.status == VOTING), None)
            if voting is not None:
                raise UserError(_("Amendment {ref} to {motion} is being voted on (poll {poll}); withdraw the "
                                  "motion once that vote is decided.").format(
                    ref=voting.ref, motion=m.ref, poll=voting.poll_id))

        await self.change(ctx, motion.id, "record", edit, check=check, pending_first=status != WITHDRAWN,
                          check_in=no_ballot if status == WITHDRAWN else None)

    async def composite(self, ctx: Context, ids: list[int], title: str) -> Composite:
        """One draft from several motions of this room, which are marked composited; the draft
        records where each point came from and waits for each original's drafters to agree."""
        now = self._now()
        refs = ", ".join(f"M{i}" for i in ids)

        async def op(conn: Conn) -> Composite:
            locked = {i: await _motion(conn, i, lock=True) for i in sorted(ids)}  # in one order everywhere
            motions = [locked[i] for i in ids]
            for m in motions:
                if m.room != ctx.room.id:
                    raise UserError(_("Motion {ref} belongs to another room; composite motions of one room.").format(
                        ref=m.ref))
                _refuse(refuse_motion(m.ref, m.status, "composite"))
                await _no_pending(conn, m)
            text, origins = composite(title, [(m.ref, m.text) for m in motions])
            new_id = await store.insert_motion(
                conn, ctx.room.id, text, emergency=any(m.emergency for m in motions), deadline=None,
                created_by=ctx.actor.id, at=now, proposer=f"Composite of {refs}", composite_of=refs.replace(" ", ""),
            )
            composite_id = await store.insert_composite(conn, new_id, origins, ids, now)
            await store.record(conn, new_id, ctx.actor.id, ctx.actor.label, now,
                               entry(N_("composited from {refs} as {composite}: {title}"), refs=refs,
                                     composite=f"C{composite_id}", title=title))
            for m in motions:
                m.status = COMPOSITED
                await store.save_motion(conn, m)
                await store.record(conn, m.id, ctx.actor.id, ctx.actor.label, now,
                                   entry(N_("composited into {motion} ({composite})"), motion=f"M{new_id}",
                                         composite=f"C{composite_id}"))
            found = await store.load_composite(conn, composite_id)
            assert found is not None
            return found

        return await self._writer.run(op, ctx.event_id)

    async def of_this_room(self, ctx: Context, ids: list[int]) -> None:
        """Refuse, before the rest of a composite is judged, if a motion of IDS (one that
        exists) belongs to another room than the speaker's: the same refusal ``composite`` gives
        in its transaction, which still guards a move in between."""
        for motion_id in ids:
            found = await store.load_motion(self._reader, motion_id)
            if found is not None and found.room != ctx.room.id:
                raise UserError(_("Motion {ref} belongs to another room; composite motions of one room.").format(
                    ref=found.ref))

    async def ask_agreement(self, ctx: Context, made: Composite, title: str) -> None:
        """Ask each drafter of the original motions privately, in their own language, to agree to
        the composite's words (all but the organiser who composited them, who reads the answer in
        the room). A drafter of several originals is asked once for all of them."""
        asked: dict[str, list[str]] = {}
        for identity, motion_id in await store.drafters_of(self._reader, [o.motion_id for o in made.originals]):
            if identity != ctx.actor.id:
                asked.setdefault(identity, []).append(f"M{motion_id}")
        for identity, yours in asked.items():
            with await ctx.speaking_to(identity):
                text = render.agreement_asked(made.ref, f"M{made.motion_id}", title, yours)
            await ctx.send(SendPrivate(identity, text))

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
        return composite_view(found, motion, wording(motion.text), titles, self._clock.now(), self._tz)

    async def agree(self, ctx: Context, composite_id: int) -> tuple[Composite, list[str], list[str]]:
        """The speaker agrees, for each original they draft, to the composite's present words.
        Returns the composite, the originals agreed for, and those still waiting. Refused if they
        draft none of the originals, or agreed already."""
        now = self._now()

        async def op(conn: Conn) -> tuple[Composite, list[str], list[str]]:
            found = await store.load_composite(conn, composite_id)
            if found is None:
                raise _no_such_composite(composite_id)
            motion = await _motion(conn, found.motion_id, lock=True)
            if motion.status != DRAFT:
                raise UserError(_("Composite {ref} ({motion}) is {status}; agreement is asked only while it is a "
                                  "draft.").format(ref=found.ref, motion=motion.ref,
                                                   status=motion_status(motion.status)))
            current = wording(motion.text)
            mine = await store.drafted_by(conn, [o.motion_id for o in found.originals], ctx.actor.id)
            if not mine:
                refs = ", ".join(o.ref for o in found.originals)
                raise UserError(_("Only the drafters of the original motions ({refs}) agree to composite {ref}; "
                                  "the committee that composited it does not agree for them.").format(
                    refs=refs, ref=found.ref))
            todo = [o for o in found.originals if o.motion_id in mine and not o.agrees_to(current)]
            if not todo:
                raise UserError(_("You have agreed to the present words of composite {ref} already; "
                                  "nothing changed.").format(ref=found.ref))
            for o in todo:
                await store.agree(conn, found.id, o.motion_id, ctx.actor.id, ctx.actor.label, now, current)
            await store.record(conn, motion.id, ctx.actor.id, ctx.actor.label, now,
                               entry(N_("agreed to the wording for {refs}"), refs=", ".join(o.ref for o in todo)))
            after = await store.load_composite(conn, composite_id)
            assert after is not None
            return after, [o.ref for o in todo], [o.ref for o in after.waiting(current)]

        return await self._writer.run(op, ctx.event_id)

    # -- amendments --------------------------------------------------------------------------

    async def propose(self, ctx: Context, motion_id: int, amendment: Amendment) -> int:
        now = self._now()

        async def op(conn: Conn) -> int:
            motion = await _motion(conn, motion_id, lock=True)
            _refuse(refuse_motion(motion.ref, motion.status, "amend"))
            _refuse(refuse_duplicate(amendment, await store.amendments_of(conn, motion_id)))
            try:
                apply(motion.text.sections, amendment)
            except AmendmentError as e:
                raise UserError(_("That amendment does not fit M{id}: {error}.").format(
                    id=motion_id, error=e)) from None
            amendment_id = await store.insert_amendment(conn, motion_id, amendment, ctx.actor.id, ctx.actor.label, now)
            await store.record(conn, motion_id, ctx.actor.id, ctx.actor.label, now,
                               entry(N_("proposed amendment {ref}: {summary}"), ref=f"A{amendment_id}",
                                     summary=amendment.summary_entry))
            return amendment_id

        return await self._writer.run(op, ctx.event_id)

    async def _amend(self, ctx: Context, amendment_id: int, action: str, edit: Callable[[AmendmentRow], Entry],
                     decided: bool = False) -> None:
        """The one way an amendment changes by someone's hand (as ``change`` for motions)."""
        now = self._now()

        async def op(conn: Conn) -> None:
            a = await _amendment(conn, amendment_id, lock=True)
            _refuse(refuse_amendment(a.ref, a.status, action))
            line = edit(a)
            await store.save_amendment(conn, a, now if decided else None)
            await store.record(conn, a.motion_id, ctx.actor.id, ctx.actor.label, now, line)

        await self._writer.run(op, ctx.event_id)

    async def second(self, ctx: Context, amendment_id: int) -> None:
        mine, _member = await self._roll.person(ctx.actor.id)  # any account of the member's is theirs

        def edit(a: AmendmentRow) -> Entry:
            if a.mover in mine:
                raise UserError(_("You moved {ref}: someone else must second it.").format(ref=a.ref))
            a.status, a.seconder = SECONDED, ctx.actor.label
            return entry(SECONDED_ENTRY, ref=a.ref)

        await self._amend(ctx, amendment_id, "second", edit)

    async def withdraw(self, ctx: Context, amendment_id: int) -> None:
        def edit(a: AmendmentRow) -> Entry:
            a.status = WITHDRAWN
            return entry(N_("withdrew amendment {ref}"), ref=a.ref)

        await self._amend(ctx, amendment_id, "withdraw", edit, decided=True)

    # -- ballots -----------------------------------------------------------------------------

    async def _ballot(
        self, ctx: Context, room: str, spec: PollSpec, check: Callable[[Conn], Awaitable[object]],
        reserve: Callable[[Conn], Awaitable[None]], mark: Callable[[Conn, int], Awaitable[None]],
    ) -> Poll:
        """Open the ballot, and in the same transaction as the poll itself RESERVE the motion or
        amendment for it and MARK it with the poll: a crash right after leaves a ballot that is
        known to decide it, never one that decides nothing, nor a decision waiting on a ballot
        that does not exist. CHECK (the refusals, which RESERVE makes again inside) runs first on
        what is committed, so a refused ballot opens nothing and takes no poll number (a
        PostgreSQL sequence keeps the number a rolled-back insert took)."""
        await check(self._reader)

        async def link(conn: Conn, poll_id: int) -> None:
            await reserve(conn)
            await mark(conn, poll_id)

        return await self._polls.open_poll(room, ctx.actor.id, spec, ctx.event_id, link=link)

    async def put_to_vote(self, ctx: Context, motion: Motion, spec: PollSpec) -> Poll:
        now = self._now()

        async def check(conn: Conn, *, lock: bool = False) -> Motion:
            m = await _motion(conn, motion.id, lock=lock)
            _refuse(refuse_motion(m.ref, m.status, "vote", vote_poll_id=m.vote_poll_id))
            await _no_pending(conn, m)
            return m

        async def reserve(conn: Conn) -> None:
            m = await check(conn, lock=True)
            m.status = DEBATED
            await store.save_motion(conn, m)
            await store.record(conn, m.id, ctx.actor.id, ctx.actor.label, now, entry(N_("put to the vote")))

        async def mark(conn: Conn, poll_id: int) -> None:
            m = await _motion(conn, motion.id)
            m.vote_poll_id = poll_id
            await store.save_motion(conn, m)

        return await self._ballot(ctx, motion.room, spec, check, reserve, mark)

    async def amendment_to_vote(self, ctx: Context, row: AmendmentRow, motion: Motion, spec: PollSpec) -> Poll:
        now = self._now()

        async def check(conn: Conn, *, lock: bool = False) -> tuple[AmendmentRow, Motion]:
            a = await _amendment(conn, row.id, lock=lock)
            _refuse(refuse_amendment(a.ref, a.status, "vote"))
            m = await _motion(conn, a.motion_id)
            _refuse(refuse_motion(m.ref, m.status, "vote on amendment"))
            try:
                apply(m.text.sections, a.amendment)
            except AmendmentError as e:
                raise UserError(_("Amendment {ref} no longer fits the text of {motion}: {error}. Withdraw it "
                                  "(/amendment {ref} withdraw) and propose it again.").format(
                    ref=a.ref, motion=m.ref, error=e)) from None
            return a, m

        async def reserve(conn: Conn) -> None:
            a, m = await check(conn, lock=True)
            a.status = VOTING
            await store.save_amendment(conn, a)
            line = entry(N_("put amendment {ref} to the vote"), ref=a.ref)
            await store.record(conn, m.id, ctx.actor.id, ctx.actor.label, now, line)

        async def mark(conn: Conn, poll_id: int) -> None:
            a = await _amendment(conn, row.id)
            a.poll_id = poll_id
            await store.save_amendment(conn, a)

        return await self._ballot(ctx, motion.room, spec, check, reserve, mark)

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
        new status, a history entry and the announcement (in the room's language)."""
        now = self._now()
        result = poll.result
        speech = await self._languages.speech_for(poll.room)

        async def op(conn: Conn) -> bool:
            row = await _amendment(conn, amendment_id, lock=True)
            if refuse_amendment(row.ref, row.status, "settle") is not None:
                return False
            motion = await _motion(conn, row.motion_id, lock=True)
            with speaking(speech):
                return await decide(conn, row, motion)

        async def decide(conn: Conn, row: AmendmentRow, motion: Motion) -> bool:
            summary = row.amendment.summary
            if not carried(result):
                row.status = LOST
                await store.save_amendment(conn, row, now)
                await store.record(conn, motion.id, *BALLOT, now, entry(N_("amendment {ref} lost ({why})"),
                                                                        ref=row.ref, why=why_lost_entry(result)))
                return await self._say_settled(
                    conn, poll, render.amendment_lost(row.ref, motion.ref, why_lost(result), summary), hold)
            if refuse_motion(motion.ref, motion.status, "vote on amendment") is not None:
                row.status, row.note = VOID, motion_status(motion.status)
                await store.save_amendment(conn, row, now)
                await store.record(conn, motion.id, *BALLOT, now,
                                   entry(N_("amendment {ref} carried but not applied: the motion is {status}"),
                                         ref=row.ref, status=motion_status_entry(motion.status)))
                return await self._say_settled(
                    conn, poll, render.amendment_too_late(row.ref, motion.ref, motion_status(motion.status)), hold)
            try:
                sections = apply(motion.text.sections, row.amendment)
            except AmendmentError as e:
                row.status, row.note = VOID, str(e)
                await store.save_amendment(conn, row, now)
                await store.record(conn, motion.id, *BALLOT, now,
                                   entry(N_("amendment {ref} carried but could not be applied: {error}"), ref=row.ref,
                                         error=str(e)))
                return await self._say_settled(conn, poll, render.amendment_void(row.ref, motion.ref, e), hold)
            before = wording(motion.text)
            motion.text.sections = sections
            await store.save_motion(conn, motion)
            row.status = CARRIED
            await store.save_amendment(conn, row, now)
            await store.record(conn, motion.id, *BALLOT, now,
                               entry(N_("amendment {ref} carried and applied: {summary}"), ref=row.ref,
                                     summary=row.amendment.summary_entry))
            said = render.amendment_carried(row.ref, motion.ref, summary)
            if row.amendment.op == "delete_point":
                assert row.amendment.point is not None
                voided = await _follow_deletion(conn, motion, row.amendment.section, row.amendment.point, now, BALLOT)
                if voided:
                    said = lines(said, render.void_with_point(voided))
            for found, originals in await _lapsed(conn, motion, before):
                said = lines(said, render.agreement_lapsed(found.ref, motion.ref, [o.ref for o in originals]))
            return await self._say_settled(conn, poll, said, hold)

        return await self._writer.run(op)

    async def _settle_motion(self, motion_id: int, poll: Poll, hold: bool) -> bool:
        now = self._now()
        result = poll.result
        status = CARRIED if carried(result) else LOST
        speech = await self._languages.speech_for(poll.room)

        async def op(conn: Conn) -> bool:
            motion = await _motion(conn, motion_id, lock=True)
            if refuse_motion(motion.ref, motion.status, "settle") is not None:
                return False
            motion.status = status
            await store.save_motion(conn, motion)
            await store.record(conn, motion.id, *BALLOT, now,
                               entry(N_("status: {status} by ballot"), status=motion_status_entry(status)))
            with speaking(speech):
                if status == CARRIED:
                    said = render.motion_carried(motion.ref, motion.text.title)
                else:
                    said = render.motion_lost(motion.ref, motion.text.title, why_lost(result))
            return await self._say_settled(conn, poll, said, hold)

        return await self._writer.run(op)

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the motions of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)


class MotionRecords:
    """What the motions keep of a person, as their personal data (a DataHolder): the name and
    chat account kept with each amendment they proposed or seconded, each change they made (the
    history), each agreement to a composite, and the motions they draft. /mydata lists it, and an
    erasure puts "an erased member" in place of the name and takes the accounts off (and with them
    the right to draft). The motions, their amendments and their history stay: they are the
    organisation's record, which members and conferences rely on.

    A proposer, mover or seconder is a name a drafter types, tied to no account: it is the
    person's when it is, whole, a name they go by here (on the roll, their accounts', or one these
    records keep of them), and then it is listed and erased with the rest. Two people of one name
    cannot be told apart in text, so erasing one takes that name off the motions for both: the
    record keeps what was done, and a name that may be the erased person's does not stay."""

    def __init__(self, reader: Reader, roll: RollService) -> None:
        self._reader = reader
        self._roll = roll

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        names = await self._roll.names(identities, member)
        return records_kept(await store.records_of(self._reader, identities, names))

    async def erase(self, conn: Conn, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        return "motion record", await store.unname(conn, identities, await self._roll.names(identities, member, conn))
