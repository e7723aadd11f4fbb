"""The roll's use cases: who is a member (for every ballot), linking accounts, importing a roll.

Which member an identity belongs to is held in memory: on SQLite links are only made through
this process's writer (/join), so the map loaded at start and kept up to date is whole, and the
vote path asks it without a query. On a database other processes share, an identity with no link
here is looked up before its update is acted on (``learn``), many at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.features.roll import store
from bot.features.roll.model import Joined, Member, RollEntry, RollImport
from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.events import Actor, platform_of
from bot.kernel.language import _
from bot.kernel.limits import code_attempts
from bot.kernel.ports import Conn, Reader, Writer
from bot.kernel.secrecy import normalise_code
from bot.kernel.times import iso
from bot.kernel.wording import clipped, quoted


class VoteMover(Protocol):
    """What linking needs of the polls: to move an account's votes in open polls to its member
    (so a member never counts twice): open ballots inside the link's own transaction, secret
    ballots right after it, in a transaction that names nobody."""

    async def move_votes(self, conn: Conn, old: str, new: str) -> None: ...

    async def move_secret_votes(self, moves: list[tuple[str, str]]) -> None: ...


class SignatureMerger(Protocol):
    """What linking needs of the model-motion campaigns: a member who signed one campaign from
    two accounts before linking them counts once. The second signature is dropped inside the
    link's own transaction, and the member's notice queued in it; ``merged`` then has it sent."""

    async def merge_signatures(self, conn: Conn, member: int, account: str, accounts: list[str]) -> bool: ...

    def merged(self) -> None: ...


class RegistrationMerger(Protocol):
    """What linking needs of the sortition pools: a member who registered in one open pool from
    two accounts before linking them is registered once (one ticket, not twice everyone else's
    chance). The later registration is withdrawn inside the link's own transaction, and the
    member's notice queued in it; ``merged`` then has it sent."""

    async def merge_registrations(self, conn: Conn, account: str, accounts: list[str]) -> bool: ...

    def merged(self) -> None: ...


class _Round:
    """Identities whose links one query reads, and those waiting for it."""

    __slots__ = ("identities", "done", "error")

    def __init__(self) -> None:
        self.identities: set[str] = set()
        self.done = asyncio.Event()
        self.error: Exception | None = None


class WrongCode(UserError):
    """A join code that is not on the roll (counted against the account that sent it)."""


class RollService:
    def __init__(self, reader: Reader, writer: Writer, clock: Clock) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._members: dict[str, int] = {}
        # The identities whose links are read in the next round, and the task reading them.
        self._next: _Round | None = None
        self._asking: asyncio.Task[None] | None = None
        self._wrong_codes = code_attempts(clock.now)

    async def start(self) -> None:
        self._members = await store.links(self._reader)

    def member(self, identity: str) -> int | None:
        """The roll member IDENTITY is linked to."""
        return self._members.get(identity)

    async def learn(self, identity: str) -> None:
        """On a database other processes share: IDENTITY's link to the roll, if another process
        made it since this one loaded the links (asked only for an identity with none here).

        Every update from someone not linked here asks, and a vote flood is thousands of them a
        second: so the questions are pooled. Each identity is asked in a read that starts after
        it was asked for (never one already under way, so a link committed before its update
        arrived is always seen), and all those asked for meanwhile share the next read: one
        query per round trip to the database instead of one per update."""
        if identity in self._members:
            return
        if self._next is None:
            self._next = _Round()
            if self._asking is None or self._asking.done():
                self._asking = asyncio.create_task(self._ask(), name="quorum-roll-links")
        round_ = self._next
        round_.identities.add(identity)
        await round_.done.wait()
        if round_.error is not None:
            raise round_.error

    async def _ask(self) -> None:
        """Read the links of the identities asked for, a round at a time, until none are left."""
        while self._next is not None:
            round_, self._next = self._next, None
            try:
                self._members.update(await store.members_of(self._reader, list(round_.identities)))
            except Exception as e:
                round_.error = e
            round_.done.set()

    async def accounts(self, member_id: int, conn: Conn | None = None) -> list[str]:
        """The chat accounts linked to the member, most recently linked first: where to tell them.
        Read on CONN if given (inside a change that must act on all of them: an erasure)."""
        return await store.accounts_of(conn or self._reader, member_id)

    async def person(self, identity: str, conn: Conn | None = None) -> tuple[list[str], int | None]:
        """(every chat account of the person IDENTITY is, IDENTITY first; their membership):
        a member's accounts are all linked to it, a supporter's is IDENTITY alone."""
        member = self.member(identity)
        if member is None:
            return [identity], None
        return [identity, *(a for a in await self.accounts(member, conn) if a != identity)], member

    async def names(self, identities: Sequence[str], member: int | None, conn: Conn | None = None) -> list[str]:
        """The names the person with IDENTITIES (and membership MEMBER) goes by here: their name on
        the roll and their accounts' names, read on CONN if given (inside an erasure)."""
        return await store.names_of(conn or self._reader, identities, member)

    async def info(self, member_id: int) -> Member | None:
        return await store.member(self._reader, member_id)

    async def electorate(self, branch: str | None = None) -> dict[int, int]:
        """Member -> weight, for everyone active on the roll (or in BRANCH): a ballot's electorate."""
        return {m: w for m, w, _ in await store.active_members(self._reader, branch)}

    async def branch_named(self, typed: str) -> str:
        """The branch TYPED names, as the roll spells it (in any case); a refusal that lists
        the roll's branches if no active member is in it, so the next try can be right."""
        found = {b for _m, b in await self.branches(typed) if b}
        if found:
            return min(found)
        known = sorted({b for _m, b in await self.branches() if b}, key=str.casefold)
        if not known:
            raise UserError(_("No member on the roll is in branch {branch}, and the roll names no branches.")
                            .format(branch=quoted(typed)))
        raise UserError(_("No member on the roll is in branch {branch}; the roll's branches are {names}.")
                        .format(branch=quoted(typed), names=", ".join(known)))

    async def branches(self, branch: str | None = None) -> list[tuple[int, str | None]]:
        """(member, branch) for everyone active on the roll (or in BRANCH)."""
        return [(m, b) for m, _, b in await store.active_members(self._reader, branch)]

    async def contacts_of(self, members: list[int]) -> list[tuple[str, int, str]]:
        """(identity, member, name) of the linked accounts of MEMBERS, in identity order."""
        return await store.contacts_of(self._reader, members)

    async def join(
        self, actor: Actor, text: str, event_id: str | None, polls: VoteMover, signatures: SignatureMerger,
        registrations: RegistrationMerger, *, seen: bool = False,
    ) -> Joined:
        """Link ACTOR's account to the member whose join code TEXT is. SEEN: the code was sent
        where others read it (a group), so it no longer works once read: whoever saw it could
        link an account of theirs to the membership and vote in its name. The member gets a new
        one (in Joined.new_code), also when the link is refused."""
        code = normalise_code(text)
        identity = actor.id
        self._wrong_codes.check(identity, "join codes")
        now = iso(self._clock.now())

        async def link(conn: Conn) -> tuple[str, int, bool, bool, str | None, list[str]]:
            member = await store.member_by_code(conn, code)
            if member is None or not member.active:
                raise WrongCode(_("The code {code} is not on the roll. Check it with your organiser.").format(
                    code=clipped(text, 20)))
            linked = await store.linked_member(conn, identity)
            if linked is not None:
                if linked == member.id:
                    raise UserError(_("This account is already linked to {name}.").format(name=member.name))
                raise UserError(_("This account is already linked to another membership; ask an organiser."))
            if await store.has_link_on(conn, member.id, platform_of(identity)):
                raise UserError(_("That membership is already linked to another account on this platform; ask an "
                                  "organiser."))
            await store.link(conn, identity, actor.name, member.id, now)
            await polls.move_votes(conn, identity, f"m:{member.id}")
            accounts = await store.accounts_of(conn, member.id)
            merged = await signatures.merge_signatures(conn, member.id, identity, accounts)
            registered_once = await registrations.merge_registrations(conn, identity, accounts)
            new_code = await store.replace_join_code(conn, member.id) if seen else None
            return member.name, member.id, merged, registered_once, new_code, accounts

        try:
            name, member_id, merged, registered_once, new_code, accounts = await self._writer.run(link, event_id)
        except WrongCode:
            self._wrong_codes.failed(identity)
            raise
        except UserError as refused:
            if seen and await self._void_seen_code(code):
                raise UserError(refused.message + "\n" + _(
                    "That code was seen here, so it no longer works: ask your organiser for your new one, and send "
                    "it to me privately.")) from None
            raise
        self._members[identity] = member_id
        await polls.move_secret_votes([(identity, f"m:{member_id}")])
        if merged:
            signatures.merged()
        if registered_once:
            registrations.merged()
        return Joined(name, new_code, tuple(a for a in accounts if a != identity))

    async def _void_seen_code(self, code: str) -> bool:
        """A right code sent where others read it, whose link was refused: it is replaced all the
        same, since it is no longer a secret. False if CODE is no member's."""

        async def op(conn: Conn) -> bool:
            member = await store.member_by_code(conn, code)
            if member is None:
                return False
            await store.replace_join_code(conn, member.id)
            return True

        return await self._writer.run(op)

    async def linked_since(self, t: datetime) -> list[tuple[str, int]]:
        """(identity, member) of every account linked at T or later."""
        return await store.linked_since(self._reader, iso(t))

    def linked(self, identity: str, member_id: int) -> None:
        """Remember a link made outside /join (a test's roll, written directly)."""
        self._members[identity] = member_id

    async def import_entries(self, entries: list[RollEntry], replace: bool = False) -> RollImport:
        """Add or update members from a roll file (with REPLACE, make those missing from it
        inactive): every member's join code, how many are new, and who was made inactive. Raises
        RollError, changing nothing, where two entries would be one member."""
        now = iso(self._clock.now())

        async def op(conn: Conn) -> RollImport:
            rows, dropped, added, renamed = await store.import_roll(conn, entries, now, replace)
            return RollImport(rows, dropped, replace, added, renamed)

        return await self._writer.run(op)
