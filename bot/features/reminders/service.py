"""Reminders before a poll closes: privately to electors who have not voted, and a warning in
the group. Members are never named in the group unless an organiser asks (/remind POLL --names).

Each round is queued once, in one transaction with its walk (see bot/storage/outbox.py), so
a restart neither repeats nor loses one. When the bot was down across several rounds of one
poll, only the latest is sent. The record of a round (``reminder_rounds``) names nobody.

Every round's private reminders are one walk, worked out by ``walk`` a page of the poll's
electorate at a time (in member-id order), so no round is ever in memory whole however large
the electorate, and a member who votes before the walk reaches them is not reminded. The
walk's recorded progress is "every member up to N", which the electorate alone fixes. In a
secret poll who has not voted is secret too, so its reminders are never stored, not even while
they wait: they are sent as the walk goes. An open poll's are queued as messages of their own,
a page per transaction with the walk's progress: who has not voted there is no secret, and a
message each lets each be tried again on its own, at the platform's rate, in its chat's order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.features.polls.model import Poll, ends_with_close
from bot.features.polls.service import PollService
from bot.features.reminders import store
from bot.features.reminders.model import rounds_for
from bot.features.reminders.render import group_warning, private_reminder
from bot.features.roll.service import RollService
from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.events import platform_of
from bot.kernel.language import speaking
from bot.kernel.ports import Conn, Languages, Reader, Writer
from bot.kernel.times import iso
from bot.storage.outbox import WALK_PAGE, Outbox, Walked, enqueue, enqueue_walk

log = logging.getLogger(__name__)

WALK = "remind"
"""The outbox walks of this feature: the private reminder rounds."""

ROUND = {True: "remind-round", False: "remind"}
"""How the key of a round's walk begins, for a secret poll and an open one: an open one's
messages are queued under it followed by the member's id (``remind:12:24h:7``)."""


@dataclass(frozen=True)
class _Recipient:
    """A member a reminder goes to, and what it tells them."""

    member: int
    identity: str
    name: str
    voted: bool  # reminded only of the proxies they hold
    proxy_with: str | None  # the holder of their proxy, not cast yet: voting themselves cancels it
    holding: tuple[str, ...]  # the givers of the proxies they hold and have not cast


class Reminders:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, config: Config, polls: PollService, roll: RollService,
        outbox: Outbox, *, languages: Languages,
    ) -> None:
        self._languages = languages
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._config = config
        self._polls = polls
        self._roll = roll
        self._outbox = outbox
        self._done: dict[int, set[str]] = {}
        outbox.walker(WALK, self.walk)

    async def start(self) -> None:
        for poll_id, name in await store.rounds_of_open_polls(self._reader):
            self._done.setdefault(poll_id, set()).add(name)

    def _pending(self, poll: Poll) -> list[tuple[str, datetime]]:
        cfg = self._config
        done = self._done.get(poll.id, set())
        return [(n, t) for n, t in rounds_for(poll, cfg.reminder_offsets, cfg.group_warning, cfg.tz) if n not in done]

    def next_due(self) -> datetime | None:
        times = [t for poll in self._polls.open_polls() for _, t in self._pending(poll)]
        return min(times) if times else None

    async def fire_due(self) -> None:
        """Queue every round that is due. A poll whose round fails is left for the next pass
        (the scheduler's, which this failure tells) and holds up no other poll's round."""
        now = self._clock.now()
        failed: list[int] = []
        for poll in self._polls.open_polls():
            due = [(n, t) for n, t in self._pending(poll) if t <= now]
            if not due or (poll.closes_at is not None and poll.closes_at <= now):
                if due:  # the poll is closing now: reminders would be too late
                    self._done.setdefault(poll.id, set()).update(n for n, _ in due)
                continue
            private = [n for n, _ in due if not n.startswith("group-")]
            group = [n for n, _ in due if n.startswith("group-")]
            try:
                await self._queue_round(poll, due_names=[n for n, _ in due], private=bool(private),
                                        group=bool(group))
            except Exception:
                log.exception("poll %s: queueing reminder round %s failed; it is tried again", poll.id, due[-1][0])
                failed.append(poll.id)
        if failed:
            raise RuntimeError(f"the reminder rounds of polls {', '.join(map(str, failed))} are not queued yet")

    async def remind_now(self, poll: Poll, names_in_group: bool, event_id: str | None) -> int | None:
        """An organiser's reminder: privately to non-voters now, and a note in the group. How
        many members it goes to; None if another organiser's round, asked for at the same
        moment, took its place (it went once). EVENT_ID, the platform's id for the command,
        is recorded with the round, so a redelivered copy sends nothing again."""
        n = await store.manual_rounds(self._reader, poll.id) + 1  # numbered in the database: any process's count
        return await self._queue_round(poll, due_names=[f"manual-{n}"], private=True, group=True,
                                       names_in_group=names_in_group, event_id=event_id, counted=True)

    async def _queue_round(self, poll: Poll, *, due_names: list[str], private: bool, group: bool,
                           names_in_group: bool = False, event_id: str | None = None,
                           counted: bool = False) -> int | None:
        """Queue a round of POLL: its walk if PRIVATE, its group warning if GROUP. COUNTED: how
        many members it reminds is worked out (an organiser is told; a page of the electorate
        at a time), else 0 is returned."""
        now = self._clock.now()
        tz = self._config.tz
        key = due_names[-1]
        private = private and poll.electorate_kind != "room"
        reminding, named = await self._count(poll, names_in_group) if private and counted else (0, None)
        voted = await self._polls.count_votes(poll)
        with speaking(await self._languages.speech_for(poll.room)):
            group_text = group_warning(poll, tz, now, voted, named)
        ends_with = ends_with_close(poll.id)  # once the poll is closed, what still waits is given up

        async def op(conn: Conn) -> int | None:
            claimed = [await store.record_round(conn, poll.id, name, iso(now)) for name in due_names]
            if not any(claimed):  # another process (or organiser) queued this round at the same moment
                return None
            if private:  # walked page by page as it is sent; the walk goes with the close
                await enqueue_walk(conn, dedupe=f"{ROUND[poll.secret]}:{poll.id}:{key}", kind=WALK,
                                   subject=f"{poll.id}:{key}", now=now, forget_with=ends_with,
                                   queued=not poll.secret)
            if group:
                await enqueue(conn, dedupe=f"warn:{poll.id}:{key}", target=poll.room, private=False,
                              text=group_text, now=now, ends_with=ends_with)
            return reminding

        queued = await self._writer.run(op, event_id)
        self._done.setdefault(poll.id, set()).update(due_names)
        self._outbox.poke()
        if queued is not None:
            log.info("poll %s: reminder round %s queued%s", poll.id, key,
                     f" for {queued} members" if counted and not poll.secret else "")
        return queued

    async def _count(self, poll: Poll, names: bool) -> tuple[int, list[str] | None]:
        """How many members a round of POLL reminds now, and their names if NAMES (for the
        group, at an organiser's request, never in a secret poll), worked out a page at a time."""
        count, named, after = 0, [] if names else None, None
        while (page := await self._page(poll, after, WALK_PAGE))[0]:
            steps, recipients = page
            count += sum(not r.voted for r in recipients)  # a holder who voted: proxies only
            if named is not None:
                named += [r.name for r in recipients if not r.voted]
            after = steps[-1]
        return count, sorted(named) if named is not None else None

    async def _texts(self, poll: Poll, recipients: list[_Recipient], now: datetime) -> dict[str, str]:
        """Each recipient's reminder in their own language, each kind written once per language."""
        tz = self._config.tz
        texts: dict[tuple[object, ...], str] = {}
        out: dict[str, str] = {}
        for r in recipients:
            speech = await self._languages.speech_for(r.identity, room=poll.room)
            kind = (speech.code, r.voted, r.proxy_with, r.holding)
            if kind not in texts:
                with speaking(speech):
                    texts[kind] = private_reminder(poll, tz, now, voted=r.voted, proxy_with=r.proxy_with,
                                                   holding=r.holding)
            out[r.identity] = texts[kind]
        return out

    async def walk(self, subject: str, after: int | None, limit: int) -> Walked | None:
        """A page of a reminder round, as it is sent (a secret poll's) or queued (an open
        poll's): its steps are the next LIMIT members of the poll's electorate after AFTER, in
        member-id order, voters and non-voters alike (what the walk's progress records), and
        its messages go to those who, now, have not voted or hold a proxy not cast. None once
        the poll is closed: a reminder would be too late."""
        poll_id = int(subject.split(":", 1)[0])
        poll = next((p for p in self._polls.open_polls() if p.id == poll_id), None)
        if poll is None or poll.electorate is None:
            return None
        steps, recipients = await self._page(poll, after, limit)
        texts = await self._texts(poll, recipients, self._clock.now())
        return Walked(steps, {r.member: (r.identity, texts[r.identity]) for r in recipients})

    async def _page(self, poll: Poll, after: int | None, limit: int) -> tuple[list[int], list[_Recipient]]:
        """The next LIMIT members of POLL's electorate after AFTER (in member-id order), and whom
        of them a round reminds privately: each who has not voted, and each who holds a proxy
        not cast yet, if they have not opted out. One identity per member: on the poll's
        platform if they have one there. Only the page is read, never the whole electorate's
        votes, accounts or opt-outs."""
        members = await self._polls.electorate_page(poll, after, limit)
        if not members:
            return [], []
        keys = {m: self._polls.stored_key(poll, m) for m in members}
        voted = await self._polls.voted_among(poll, list(keys.values()))
        to_cast = await self._polls.proxies_to_cast(poll, among=members)
        proxy_with = {p.giver: p.holder_name for p in to_cast}
        holding: dict[int, tuple[str, ...]] = {}
        for p in to_cast:
            holding[p.holder] = (*holding.get(p.holder, ()), p.giver_name)
        contacts = await self._roll.contacts_of(members)
        opted_out_identities = await store.opted_out(self._reader, [identity for identity, _, _ in contacts])
        opted_out = {member for identity, member, _ in contacts if identity in opted_out_identities}
        platform = platform_of(poll.room)
        chosen: dict[int, tuple[str, str]] = {}
        for identity, member_id, name in contacts:
            if member_id in opted_out or (keys[member_id] in voted and member_id not in holding):
                continue
            if member_id not in chosen or platform_of(identity) == platform:
                chosen[member_id] = (identity, name)
        return members, [
            _Recipient(member, identity, name, keys[member] in voted, proxy_with.get(member),
                       tuple(sorted(holding.get(member, ()))))
            for member, (identity, name) in sorted(chosen.items())]

    async def set_opt_out(self, identity: str, off: bool, event_id: str | None) -> None:
        async def op(conn: Conn) -> None:
            await store.set_opt_out(conn, identity, off)

        await self._writer.run(op, event_id)
