"""Model-motion campaigns: publishing one, branch reports, signatures, and reaching the goal.

The goal is checked inside the same writer transaction as the signature or report that may
complete it, and its announcement queued in that transaction (the outbox delivers it even across
a crash), so the goal is announced exactly once however many arrive together. On a database
several processes share, each such transaction holds the campaign's row locked (as a trigger's
signature does), so the signatures and reports of one campaign are counted one after another:
each sees those committed before it, and exactly one finds the goal newly reached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.features.campaigns import store
from bot.features.campaigns.model import Campaign, Progress, goal_met
from bot.features.campaigns.render import goal_reached, signatures_merged
from bot.features.motions.model import DRAFT, SUBMITTED, Motion, motion_status, refuse_motion
from bot.features.motions.service import MotionService
from bot.features.roll.model import branch_name
from bot.features.roll.service import RollService
from bot.features.signing.model import already_signed, not_signed
from bot.kernel.clock import Clock
from bot.kernel.context import Context
from bot.kernel.durations import parse_deadline
from bot.kernel.errors import UserError
from bot.kernel.language import Speech, _, ngettext, speaking
from bot.kernel.markup import b, lines, markup
from bot.kernel.ports import Conn, Languages, Reader, Writer
from bot.kernel.times import iso
from bot.kernel.wording import number
from bot.storage import dialect
from bot.storage.outbox import Outbox, enqueue
from bot.storage.sealing import Sealer
from bot.storage.writer import change_once


class CampaignService:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, tz: ZoneInfo, outbox: Outbox, roll: RollService,
        motions: MotionService, *, languages: Languages, sealer: Sealer,
    ) -> None:
        self._languages = languages
        self._sealer = sealer  # signatures' names and branches are stored sealed (bot/storage/sealing.py)
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._tz = tz
        self._outbox = outbox
        self._roll = roll
        self._motions = motions

    async def _campaign(self, conn: Conn, motion_id: int, *, lock: bool = False) -> Campaign:
        campaign = await store.load_campaign(conn, motion_id, lock=lock)
        if campaign is None:
            raise UserError(_("{ref} is not a model-motion campaign (an organiser publishes one with {example}).")
                            .format(ref=f"M{motion_id}", example=f"/campaign M{motion_id} open --branches 100"))
        return campaign

    async def get(self, motion_id: int) -> Campaign:
        return await self._campaign(self._reader, motion_id)

    async def _announcing(self, motion_id: int) -> tuple[str, Speech]:
        """The campaign's motion's title and its room's language, for the goal's announcement
        (queued inside the change that reaches it), once the campaign is known to exist."""
        campaign = await self.get(motion_id)
        return (await self._motions.get(motion_id)).text.title, await self._languages.speech_for(campaign.room)

    async def room_of(self, motion_id: int) -> str:
        """The motion's own room: its organisers, and only they, run its campaign (the campaign's
        room is the one it was announced in, which is the same unless stored before that rule)."""
        return (await self._motions.get(motion_id)).room

    async def motion(self, motion_id: int) -> Motion:
        return await self._motions.get(motion_id)

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def now(self) -> datetime:
        return self._clock.now()

    def today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    def deadline(self, text: str) -> datetime:
        return parse_deadline(text, self._clock.now(), self._tz)

    # -- the campaign ------------------------------------------------------------------------

    async def open(
        self, ctx: Context, motion_id: int, goal_branches: int | None, goal_signatures: int | None,
        deadline: datetime | None,
    ) -> None:
        motion = await self._motions.get(motion_id)
        refusal = refuse_motion(motion.ref, motion.status, "publish")
        if refusal:
            raise UserError(refusal)
        if motion.status in (DRAFT, SUBMITTED):
            # Supporters sign, and branches pass, the words they are shown: a draft is still
            # edited and a submitted motion still amended, and the published motion must not be.
            # Neither status comes back once left, so this check needs no transaction.
            raise UserError(_("Motion {ref} is {status}, so its text can still change, and supporters sign a model "
                              "motion's exact words. Make them final first: put it to the vote (/motion {ref} vote) "
                              "or record it carried (/motion {ref} status carried).").format(
                ref=motion.ref, status=motion_status(motion.status)))
        now = iso(self._clock.now())

        async def op(conn: Conn) -> None:
            if not await store.insert_campaign(conn, motion_id, ctx.room.id, ctx.actor.id, goal_branches,
                                               goal_signatures, iso(deadline) if deadline else None, now):
                raise UserError(_("{ref} is already a campaign: {command} shows its progress.").format(
                    ref=f"M{motion_id}", command=f"/campaign M{motion_id}"))

        await self._writer.run(op, ctx.event_id)

    async def progress(self, motion_id: int) -> Progress:
        campaign = await self.get(motion_id)
        motion = await self._motions.get(motion_id)
        signatures, branches = await store.counts(self._reader, motion_id)
        return Progress(f"M{motion_id}", motion.text.title, signatures, branches, campaign.goal_signatures,
                        campaign.goal_branches, campaign.deadline, campaign.closed_at is not None,
                        campaign.goal_reached_at is not None)

    async def close(self, ctx: Context, motion_id: int) -> None:
        now = iso(self._clock.now())
        await change_once(self._writer, lambda conn: store.close_campaign(conn, motion_id, now),
                          _("The campaign for {ref} is already closed.").format(ref=f"M{motion_id}"), ctx.event_id)

    @staticmethod
    async def _locked(conn: Conn, checked: Callable[..., Awaitable[Campaign]]) -> Campaign:
        """Inside a change that may reach the goal: the campaign, once CHECKED (the change's
        refusals) has passed; on a shared database checked again with the campaign's row locked
        until the commit, so the counts read next include every signature and report committed
        before (a refusal takes no lock: a lock is a write)."""
        campaign = await checked(conn, lock=False)
        if dialect.shared(conn):
            campaign = await checked(conn, lock=True)
        return campaign

    async def _reach_goal(self, conn: Conn, campaign: Campaign, now: datetime, title: str, room: Speech) -> bool:
        """Mark the goal reached if it just was, and queue its announcement (in ROOM, the
        language of the campaign's room); True only for the change that reached it."""
        if campaign.goal_reached_at is not None:
            return False
        signatures, branches = await store.counts(conn, campaign.motion_id)
        if not goal_met(signatures, branches, campaign.goal_signatures, campaign.goal_branches):
            return False
        if not await store.mark_goal_reached(conn, campaign.motion_id, iso(now)):
            return False
        with speaking(room):
            text = goal_reached(campaign.ref, title, signatures, branches)
        await enqueue(conn, dedupe=f"campaign:{campaign.ref}:goal", target=campaign.room, private=False, now=now,
                      text=text)
        return True

    # -- branch reports ----------------------------------------------------------------------

    async def may_report(self, ctx: Context, campaign: Campaign, branch: str) -> None:
        """A branch's vote is reported by a member of that branch (as the roll has them) or by an
        organiser of the campaign: anyone else could inflate the count."""
        member_id = self._roll.member(ctx.actor.id)
        member = await self._roll.info(member_id) if member_id is not None else None
        if member is not None and member.branch is not None and member.branch.casefold() == branch.casefold():
            return
        if not await ctx.is_organiser(await self.room_of(campaign.motion_id)):
            raise UserError(_("Only a member of {branch} (as on the membership roll) or an organiser can report its "
                              "vote on {ref}.").format(branch=branch_name(branch), ref=campaign.ref))

    async def report_adoption(self, ctx: Context, motion_id: int, branch: str, day: date) -> int:
        """Record that BRANCH passed the motion on DAY; how many branches have."""
        await self.may_report(ctx, await self.get(motion_id), branch)
        now = self._clock.now()
        title, room = await self._announcing(motion_id)

        async def checked(conn: Conn, *, lock: bool) -> Campaign:
            campaign = await self._campaign(conn, motion_id, lock=lock)
            refusal = campaign.refusal(now)
            if refusal:
                raise UserError(refusal)
            found = await store.adoption(conn, motion_id, branch.casefold())
            if found is not None and not found[2]:  # its reporter's name was erased
                raise UserError(_("{branch} was already reported (passed on {day}); nothing changed.")
                                .format(branch=branch_name(found[0]), day=found[1]))
            if found is not None:
                raise UserError(_("{branch} was already reported (passed on {day}, by {name}); nothing changed.")
                                .format(branch=branch_name(found[0]), day=found[1], name=found[2]))
            return campaign

        async def op(conn: Conn) -> tuple[int, bool]:
            campaign = await self._locked(conn, checked)
            await store.insert_adoption(conn, motion_id, branch, day.isoformat(), ctx.actor.id, ctx.actor.label,
                                        iso(now))
            _signatures, branches = await store.counts(conn, motion_id)
            return branches, await self._reach_goal(conn, campaign, now, title, room)

        branches, reached = await self._writer.run(op, ctx.event_id)
        if reached:
            self._outbox.poke()
        return branches

    async def retract(self, ctx: Context, motion_id: int, branch: str, organiser: bool) -> None:
        now = self._clock.now()

        async def op(conn: Conn) -> None:
            final = (await self._campaign(conn, motion_id)).final(now)
            if final:
                raise UserError(final)
            found = await store.adoption(conn, motion_id, branch.casefold())
            if found is None:
                raise UserError(_("No report from {branch} for {ref}; nothing to remove.").format(
                    branch=branch_name(branch), ref=f"M{motion_id}"))
            if found[3] != ctx.actor.id and not organiser:
                raise UserError(_("Only the person who reported it or an organiser can remove a branch report."))
            await store.delete_adoption(conn, motion_id, branch.casefold())

        await self._writer.run(op, ctx.event_id)

    async def adoptions(self, motion_id: int) -> list[tuple[str, str]]:
        await self.get(motion_id)
        return await store.adoptions(self._reader, motion_id)

    async def signatures(self, motion_id: int) -> list[tuple[str, str, str | None, str, str]]:
        return await store.signature_list(self._reader, self._sealer, motion_id)

    # -- signing (a Signable under the letter M) ---------------------------------------------

    async def _who(self, ctx: Context) -> tuple[str, int | None, str, str | None]:
        """(signer key, member id, name, roll branch): a member signs once across linked accounts."""
        member_id = self._roll.member(ctx.actor.id)
        if member_id is None:
            return ctx.actor.id, None, ctx.actor.label, None
        member = await self._roll.info(member_id)
        return f"m:{member_id}", member_id, (member.name if member else ctx.actor.label), (
            member.branch if member else None)

    async def _keys(self, signer: str, member: int | None) -> list[str]:
        """Every key one person's signature may be stored under: a member's (m:ID) and those of
        the accounts linked to the member, each of which may have signed as a supporter before
        it was linked. One person signs once, and withdraws whichever it was."""
        if member is None:
            return [signer]
        return [signer, *await self._roll.accounts(member)]

    async def describe(self, ctx: Context, n: int) -> str:
        campaign = await self.get(n)
        refusal = campaign.refusal(self._clock.now())
        if refusal:
            raise UserError(refusal)
        motion = await self._motions.get(n)
        _signer, member, name, branch = await self._who(ctx)
        fields = {"ref": b(f"M{n}"), "title": motion.text.title, "name": name}
        if member and branch:
            signing = markup(_("You are signing the model motion {ref}: {title}, as member {name} of {branch}."),
                             branch=branch_name(branch), **fields)
        elif member:
            signing = markup(_("You are signing the model motion {ref}: {title}, as member {name}."), **fields)
        else:
            signing = markup(_("You are signing the model motion {ref}: {title}, as {name}."), **fields)
        # What is kept and who sees it: the consent the signature is given with, to be translated whole.
        kept = _("We keep your name, your branch if you give it, and the time you signed. The campaign's organisers "
                 "see them and may export the list. You can withdraw at any time: {unsign}.").format(
            unsign=f"/unsign M{n}")
        return lines(signing, kept)

    async def sign(self, ctx: Context, n: int, branch: str | None) -> str:
        signer, member, name, roll_branch = await self._who(ctx)
        branch = branch or roll_branch
        keys = await self._keys(signer, member)
        now = self._clock.now()
        title, room = await self._announcing(n)

        async def checked(conn: Conn, *, lock: bool) -> Campaign:
            campaign = await self._campaign(conn, n, lock=lock)
            refusal = campaign.refusal(now)
            if refusal:
                raise UserError(refusal)
            at = await store.signed_at(conn, n, keys)
            if at is not None:
                raise UserError(already_signed(f"M{n}", at, self._tz, now))
            return campaign

        async def op(conn: Conn) -> tuple[int, bool]:
            campaign = await self._locked(conn, checked)
            await store.insert_signature(conn, self._sealer, n, signer, ctx.actor.id, name, member, branch, iso(now))
            signatures, _branches = await store.counts(conn, n)
            return signatures, await self._reach_goal(conn, campaign, now, title, room)

        total, reached = await self._writer.run(op, ctx.event_id)
        if reached:
            self._outbox.poke()
        return ngettext("Thank you: you signed {ref}. It has {n} signature now.",
                        "Thank you: you signed {ref}. It has {n} signatures now.", total).format(
            ref=f"M{n}", n=number(total))

    async def unsign(self, ctx: Context, n: int) -> None:
        signer, member, *_others = await self._who(ctx)
        keys = await self._keys(signer, member)

        now = self._clock.now()

        async def withdraw(conn: Conn) -> bool:
            final = (await self._campaign(conn, n)).final(now)
            if final:
                # TRANSLATORS: follows "The campaign for M12 is closed; its figures are final."
                raise UserError(final + " " + _("To delete everything I keep about you, send {command}.").format(
                    command="/mydata erase"))
            return await store.delete_signature(conn, n, keys)

        await change_once(self._writer, withdraw, not_signed(f"M{n}"), ctx.event_id)

    # -- linking (a SignatureMerger: see RollService.join) -----------------------------------

    async def merge_signatures(self, conn: Conn, member: int, account: str, accounts: list[str]) -> bool:
        """Inside the transaction linking ACCOUNT to MEMBER (ACCOUNTS: every account linked to
        the member now, ACCOUNT among them): on each campaign still taking signatures that the
        member signed more than once (as a supporter from accounts not yet linked, or from one
        of them and as the member), keep the earliest signature, drop the others, and queue one
        private note to ACCOUNT naming those campaigns, in the language the link is answered
        in. True if any was merged.

        The earliest is kept because that is when the person first gave their support: the
        export lists signatures by time, the count has included it since, and which stays does
        not depend on which account happened to be linked last. A closed campaign, or one past
        its deadline, keeps the figures it ended with (they are final: ``Campaign.final``), as
        a withdrawal would. Counts only go down here, so a merge never reaches a goal (one
        reached already stays reached: it was announced with the figures of the time)."""
        now = self._clock.now()
        signed: dict[int, list[str]] = {}
        for motion_id, signer in await store.signatures_among(conn, [f"m:{member}", *accounts]):
            signed.setdefault(motion_id, []).append(signer)
        merged = []
        for motion_id, signers in signed.items():
            if len(signers) < 2:
                continue
            campaign = await store.load_campaign(conn, motion_id)
            if campaign is None or campaign.refusal(now) is not None:
                continue
            await store.delete_signature(conn, motion_id, signers[1:])
            merged.append(campaign.ref)
        if merged:
            await enqueue(conn, dedupe=f"campaigns:merged:{account}:{iso(now)}", target=account, private=True,
                          now=now, text=signatures_merged(merged))
        return bool(merged)

    def merged(self) -> None:
        """After the link has committed: send the note ``merge_signatures`` queued."""
        self._outbox.poke()

    # -- personal data (a DataHolder) --------------------------------------------------------

    async def seal_stored(self) -> int:
        """At start: seal the names and branches of signatures stored before they were sealed."""
        if not await self._sealer.any_plaintext(self._reader, store.SEALED):
            return 0
        return await self._writer.run(lambda conn: self._sealer.seal_plaintext(conn, store.SEALED))

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        return [(_("• signature on {ref}: {name}, {branch}; {day}") if branch else
                 _("• signature on {ref}: {name}; {day}")).format(ref=f"M{motion_id}", name=name, branch=branch,
                                                                 day=at[:10])
                for motion_id, name, branch, at in await store.signatures_of(self._reader, self._sealer, identities,
                                                                                   _signers(identities, member))]

    async def erase(self, conn: Conn, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        return "model-motion signature", await store.erase_signatures(conn, identities, _signers(identities, member))

    async def move_room(self, conn: Conn, old: str, new: str) -> int:
        """Inside a room move's transaction (bot/app/rooms.py): the campaigns of room OLD now
        belong to room NEW."""
        return await store.move_room(conn, old, new)


class BranchReports:
    """Who reported a branch's vote on a model motion, as personal data of the reporter: /mydata
    lists their reports, and an erasure takes their name and account off them. The reports
    themselves stay, with the branch's date: they are the branch's record, and the campaign's
    count of branches rests on them."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def personal_data(self, identities: Sequence[str], member: int | None) -> list[str]:
        return [_("• branch report on {ref}: {branch} passed it on {day}").format(
                    ref=f"M{motion_id}", branch=branch, day=day)
                for motion_id, branch, day in await store.adoptions_reported_by(self._reader, identities)]

    async def erase(self, conn: Conn, identities: Sequence[str], member: int | None) -> tuple[str, int]:
        return "branch report", await store.unname_reports(conn, identities)


def _signers(identities: Sequence[str], member: int | None) -> list[str]:
    """Every key a person's signatures may be under (as ``CampaignService._keys``): each of
    their accounts', under which one signed as a supporter before it was linked, and the
    member's."""
    return [*identities, *([f"m:{member}"] if member is not None else [])]
