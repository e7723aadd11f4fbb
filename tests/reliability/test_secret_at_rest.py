"""A secret ballot cannot be linked to its voter from the database or its write-ahead log.

The bot runs on a file database while members vote; after every vote the ``-wal`` file is read
as a backup taken at that moment would hold it, its frames are grouped into the transactions
they were committed in, and no transaction that writes a secret ballot may hold anything that
identifies the person who cast it: their platform id, the id of their private chat, their name,
or the update id of their message. Only the key file (kept apart) would link them.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.kernel.clock import ManualClock
from bot.kernel.effects import Delivered, Effect
from bot.kernel.events import Actor, Message, Room
from bot.kernel.markup import to_plain
from bot.kernel.secrecy import ballot_receipt, voter_hash
from bot.storage import outbox
from tests.helpers import Chat, add_members, import_roll
from tests.peers.postgresql import use_postgresql

SECRET = "test-secret-for-tests"  # the key Chat.start gives the bot


def transactions(wal: bytes) -> list[bytes]:
    """The pages of each committed transaction in a WAL image (frames of the current salt only)."""
    if len(wal) < 32:
        return []
    page_size = struct.unpack(">I", wal[8:12])[0]
    salt = wal[16:24]
    out: list[bytes] = []
    pages: list[bytes] = []
    at = 32
    while at + 24 + page_size <= len(wal):
        header = wal[at:at + 24]
        if header[8:16] != salt:
            break  # frames left over from before the log restarted
        pages.append(wal[at + 24:at + 24 + page_size])
        if struct.unpack(">I", header[4:8])[0]:  # the frame that commits a transaction
            out.append(b"".join(pages))
            pages = []
        at += 24 + page_size
    return out


class Platform:
    """Another platform's members writing to the same bot (its replies are only kept)."""

    prefixes = ("/", "!")
    bot_username = None
    edit_interval = 0.0

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.said: list[str] = []

    async def deliver(self, effect: Effect) -> Delivered | None:
        self.said.append(to_plain(getattr(effect, "text", "")))
        return Delivered(ref=str(len(self.said)))

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return False

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return True


class Voter:
    def __init__(self, identity: str, name: str, private_room: str, update_prefix: str) -> None:
        self.actor = Actor(identity, name)
        self.room = Room(private_room, private=True)
        self.update_prefix = update_prefix
        self.sent = 0

    def message(self, text: str) -> Message:
        self.sent += 1
        return Message(self.actor, self.room, text, event_id=f"{self.update_prefix}{self.sent}")

    def identifiers(self) -> list[bytes]:
        words = {self.actor.id, self.actor.name, self.room.id, self.update_prefix,
                 self.actor.id.split(":", 1)[1]}
        return [w.encode() for w in words]


WAL = pytest.mark.not_on_postgresql("reads SQLite's write-ahead log; on PostgreSQL the same rule is checked "
                               "through xmin in test_secret_at_rest_postgresql.py")


def five_voters() -> list[Voter]:
    """Members on Telegram, the console and Matrix; the last is first seen at their secret vote."""
    return [
        Voter("tg:739182645", "Olga Petrova", "tg:739182645", "tg:m739182645:"),
        Voter("tg:604417293", "Rhodri Evans", "tg:604417293", "tg:m604417293:"),
        Voter("console:annabelle", "annabelle", "console:@annabelle", "console:annabelle:"),
        Voter("mx:@wiktoria:example.org", "Wiktoria Nowak", "mx:!dmwiktoria:example.org", "$wiktoria-event-"),
        Voter("tg:811223344", "Seán Murphy", "tg:811223344", "tg:m811223344:"),
    ]


async def secret_rounds(chat: Chat, voters: list[Voter], platforms: dict[str, Platform]
                        ) -> AsyncIterator[tuple[Voter, str]]:
    """Play secret ballots of VOTERS (all but the last known to the bot first, by an open vote,
    one linked to the roll) in three rounds: a first vote, a changed one, and one in the same
    batch of the writer as an open vote of theirs. Yields each voter with their ballot's keyed
    hash once it is acknowledged, for the caller to look for what was written with it."""
    await add_members(chat, [("annabelle", "North")])
    for platform in platforms.values():
        chat.app.transports.add(platform)
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "chair: /poll Strike? --secret")
    for v in voters[:-1]:
        await chat.app.handle(Message(v.actor, Room("console:main"), "/vote 1 Pizza", event_id=f"o-{v.actor.id}"))
    for round_ in range(3):
        for v in voters:
            secret_vote = v.message(f"/vote 2 {'yes' if round_ % 2 == 0 else 'no'}")
            if round_ < 2:
                await chat.app.handle(secret_vote)
            else:  # both in one batch of the writer: still never committed together
                open_vote = Message(v.actor, Room("console:main"), "/vote 1 Soup", event_id=f"s-{v.actor.id}")
                await asyncio.gather(chat.app.handle(open_vote), chat.app.handle(secret_vote))
            platform = platforms.get(v.actor.platform)
            last = platform.said[-1] if platform else chat.transport.transcript[-1]
            assert "Your vote in poll 2" in last
            member = chat.app.services.roll.member(v.actor.id)
            yield v, voter_hash(SECRET, 2, f"m:{member}" if member is not None else v.actor.id)


@WAL
async def test_no_commit_that_writes_a_secret_ballot_identifies_its_voter(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    wal = tmp_path / "quorum.db-wal"
    voters = five_voters()
    platforms = {name: Platform(name) for name in ("tg", "mx")}
    try:
        checked = 0
        async for v, ballot_hash in secret_rounds(chat, voters, platforms):
            ballot = ballot_hash.encode()
            commits = [t for t in transactions(wal.read_bytes()) if ballot in t]
            assert commits, "the ballot's commit was not found in the log"
            for commit in commits:
                for identifier in v.identifiers():
                    assert identifier not in commit, (v.actor.id, identifier)
            checked += len(commits)
        assert checked >= len(voters) * 3
        # One who voted before linking their account: their ballot moves to their membership
        # in a commit of its own, apart from the link that names them.
        codes = await import_roll(chat)
        ffion = Voter("tg:555666777", "Ffion Jones", "tg:555666777", "tg:m555666777:")
        await chat.app.handle(ffion.message("/vote 2 yes"))
        await chat.app.handle(ffion.message(f"/join {codes['cat']}"))
        assert "Welcome, Cat Lee" in platforms["tg"].said[-1]
        member = chat.app.services.roll.member(ffion.actor.id)
        ballot = voter_hash(SECRET, 2, f"m:{member}").encode()
        commits = [t for t in transactions(wal.read_bytes()) if ballot in t]
        assert commits
        for commit in commits:
            for identifier in ffion.identifiers():
                assert identifier not in commit, identifier
        rows = await chat.query("SELECT count(*) FROM secret_ballots WHERE poll_id = 2")
        assert rows == [(len(voters) + 1,)]  # and Ffion's, once
    finally:
        await chat.stop()


async def test_a_link_cut_off_before_its_secret_ballot_moved_is_finished_at_start(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    codes = await import_roll(chat)
    await chat.say("chair: /poll Strike? --secret", "dai (private): /vote 1 yes")

    async def cut_off(moves: list[tuple[str, str]]) -> None:  # the bot stops between the two commits
        return None

    chat.app.services.polls.move_secret_votes = cut_off  # type: ignore[method-assign]
    assert "Welcome, Ann Smith" in await chat.say(f"dai (private): /join {codes['ann']}")
    assert await chat.query("SELECT voter FROM secret_ballots") == [(voter_hash(SECRET, 1, "console:dai"),)]
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        assert await chat.query("SELECT voter FROM secret_ballots") == [(voter_hash(SECRET, 1, "m:1"),)]
        await chat.say("dai (private): /vote 1 no")  # a member votes once, from whichever account
        assert await chat.query("SELECT count(*) FROM secret_ballots") == [(1,)]
    finally:
        await chat.stop()


@WAL
async def test_a_proxy_cast_secret_ballot_names_neither_giver_nor_holder(tmp_path: Path) -> None:
    """A proxy's secret ballot is committed as any secret ballot: its commit holds neither the
    giver's nor the holder's name, account or message id, and the giving of the proxy (which
    names both, as a paper proxy does) is a commit of its own."""
    chat = await Chat.start(tmp_path)
    wal = tmp_path / "quorum.db-wal"
    try:
        codes = await import_roll(chat)
        for who in ("ann", "bob", "cat"):
            await chat.say(f"{who} (private): /join {codes[who]}")
        await chat.say("chair: /poll Strike? --roll --secret --proxies 1", "ann (private): /proxy 1 Bob Jones",
                       "chair: /poll Lunch? | Pizza | Soup")
        bob = Voter("console:bob", "bob", "console:@bob", "console:bob:")
        # An open vote of the holder's at the same moment, which names him, commits apart.
        open_vote = Message(bob.actor, Room("console:main"), "/vote 2 Soup", event_id="s-bob")
        await asyncio.gather(chat.app.handle(open_vote), chat.app.handle(bob.message("/vote 1 yes --for Ann Smith")))
        assert any("Your proxy vote for Ann Smith in poll 1: Yes" in line for line in chat.transport.transcript[-3:])
        ballot = voter_hash(SECRET, 1, "m:1").encode()  # Ann's ballot
        commits = [t for t in transactions(wal.read_bytes()) if ballot in t]
        assert commits
        for commit in commits:
            for identifier in (*bob.identifiers(), b"Ann Smith", b"Bob Jones", b"console:ann"):
                assert identifier not in commit, identifier
    finally:
        await chat.stop()


def _placement(data: bytes, cells: list[bytes]) -> list[list[bytes]]:
    """CELLS as they lie in each page of the database image DATA, first written first: SQLite
    fills a page's cell area from its end, so a cell written later lies nearer its start."""
    page_size = struct.unpack(">H", data[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = []
    for at in range(0, len(data), page_size):
        page = data[at:at + page_size]
        found = sorted(((page.find(c), c) for c in cells if c in page), reverse=True)
        if found:
            pages.append([c for _offset, c in found])
    return pages


@WAL
async def test_a_closed_secret_polls_file_keeps_no_trace_of_the_order_its_ballots_came_in(tmp_path: Path) -> None:
    """In a SQLite page the rows of a table lie in the order they were written, whatever their
    keys, so the file would show in what order the secret ballots came. Once the poll is
    closed, its ballots each lie once in the file, in the order of their keys, and the log holds
    no older copy of them. Their receipt codes are in neither, then or ever (they are made from
    the ballots' keys when asked for)."""
    chat = await Chat.start(tmp_path)
    names = ["ann", "bob", "cat", "dai", "eve", "fay", "gus", "hal", "ivy", "jon"]
    try:
        await chat.say("chair: /poll Strike? --secret")
        for i, who in enumerate(names):
            await chat.say(f"{who} (private): /vote 1 {'yes' if i % 2 else 'no'}")
        ballots = [voter_hash(SECRET, 1, f"console:{who}").encode() for who in names]
        codes = [ballot_receipt(SECRET, 1, voter_hash(SECRET, 1, f"console:{who}")).encode() for who in names]
        await chat.say("chair: /close 1")
        await chat.app.services.polls.settled()
        wal = tmp_path / "quorum.db-wal"
        logged = wal.read_bytes() if wal.exists() else b""
        assert not any(c in logged for c in ballots + codes), "the log still holds the ballots as they came"
        await chat.say("chair: /poll Again? --secret")  # the new tables take votes as the old did
        assert "Your vote in poll 2" in await chat.say("ann (private): /vote 2 yes")
    finally:
        await chat.stop()
    data = (tmp_path / "quorum.db").read_bytes()
    assert all(data.count(c) == 1 for c in ballots)
    for page in _placement(data, ballots):
        assert page == sorted(page), "a page shows the order the ballots came in"
    assert not any(c in data for c in codes)


@WAL
async def test_a_voters_receipt_code_is_nowhere_in_the_file_or_its_log_while_the_poll_is_open(tmp_path: Path) -> None:
    """A voter shows her receipt code to prove she is counted. Were it stored beside her ballot
    (in the ballot's commit, or the n-th code of the table beside the n-th ballot), a copy of the
    file taken while the poll is open would turn her code into her choice. The code is made from
    the ballot's key when asked for: no byte of the file or its log holds it, before the close,
    after a change of vote, a withdrawal, a link of her account to the roll, or the close; and
    the published list still has every counted ballot's code, hers among them."""
    chat = await Chat.start(tmp_path)
    names = ["ann", "bob", "cat", "dai", "eve"]
    db, wal = tmp_path / "quorum.db", tmp_path / "quorum.db-wal"

    def stored() -> bytes:
        return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    def absent(code: str) -> bool:
        data = stored()
        return code.encode() not in data and code.replace("-", "").encode() not in data

    try:
        codes = await import_roll(chat)
        await chat.say("chair: /poll Strike? --secret")
        given: dict[str, str] = {}
        for i, who in enumerate(names):
            await chat.say(f"{who} (private): /vote 1 {'yes' if i % 2 else 'no'}")
            said = await chat.say(f"{who} (private): /receipt 1")
            given[who] = said.split("poll 1: ")[1].split(" ")[0]
        assert all(absent(c) for c in given.values())
        assert all(c == ballot_receipt(SECRET, 1, voter_hash(SECRET, 1, f"console:{w}")) for w, c in given.items())
        await chat.say("bob (private): /vote 1 no", "cat (private): /vote 1 withdraw",
                       f"ann (private): /join {codes['ann']}")  # her ballot now counts as her membership's
        assert (await chat.say("ann (private): /receipt 1")).count(given["ann"]) == 1  # the code she was given
        assert all(absent(c) for c in given.values())
        out = await chat.say("chair: /close 1", "dai (private): /receipts 1")
        assert "Poll 1 receipts (4)" in out and given["cat"] not in out, out
        assert all(c in out for w, c in given.items() if w != "cat"), out
        await chat.app.services.polls.settled()
        assert all(absent(c) for c in given.values())
        assert await chat.query("SELECT count(*) FROM receipts") == [(0,)]
    finally:
        await chat.stop()


@WAL
async def test_a_givers_own_secret_vote_that_cancels_her_proxy_is_one_commit_naming_nobody(tmp_path: Path) -> None:
    """A giver who votes herself cancels her proxy. The cancellation is marked in her secret
    ballot's own commit by a keyed hash; a commit of its own just after the vote, writing her
    proxy's row, would name her next to her ballot in the log's order. Her proxy stays cancelled
    should she withdraw."""
    chat = await Chat.start(tmp_path)
    wal = tmp_path / "quorum.db-wal"
    try:
        codes = await import_roll(chat)
        for who in ("ann", "bob", "cat"):
            await chat.say(f"{who} (private): /join {codes[who]}")
        await chat.say("chair: /poll Strike? --roll --secret --proxies 1", "ann (private): /proxy 1 Bob Jones")
        before = len(transactions(wal.read_bytes()))
        assert "Your vote in poll 1: Yes" in await chat.say("ann (private): /vote 1 yes")
        after = transactions(wal.read_bytes())
        assert len(after) == before + 1, "the vote and the proxy's cancellation are one commit"
        (commit,) = after[before:]
        assert voter_hash(SECRET, 1, "m:1").encode() in commit
        for identifier in (b"Ann Smith", b"Bob Jones", b"console:ann", b"console:bob"):
            assert identifier not in commit, identifier
        assert await chat.query("SELECT cancelled FROM poll_proxies") == [(0,)]  # not written: the mark is
        assert await chat.query("SELECT count(*) FROM proxy_cancellations") == [(1,)]
        assert "withdrawn" in await chat.say("ann (private): /vote 1 withdraw")
        out = await chat.say("bob (private): /vote 1 no --for Ann Smith")
        assert "cancels their proxy; nothing was cast for them" in out, out
    finally:
        await chat.stop()


class Unreachable:
    """Stands in for the console's delivery of private messages while its platform is down."""

    def __init__(self, chat: Chat) -> None:
        self.deliver = chat.transport.deliver

    async def __call__(self, effect: Effect) -> Delivered | None:
        if getattr(effect, "actor", None) is not None:
            raise ConnectionError("the platform is down")
        return await self.deliver(effect)


async def _remind_in_secret(chat: Chat) -> None:
    """A secret roll poll of Ann, Bob and Cat that Ann has voted in, and its 24-hour reminders
    sent to Bob and Cat."""
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --closes 48h --secret", "ann (private): /vote 1 yes")
    await chat.advance("24h")
    await chat.app.outbox.drain()
    reminded = sorted(line.split("]")[0] for line in chat.transport.transcript if "Reminder" in line)
    assert reminded == ["  [bob (private)", "  [cat (private)"], reminded


@pytest.mark.not_on_postgresql("reads SQLite's file and write-ahead log; on PostgreSQL the reminders' deletion is "
                               "checked in test_secret_at_rest_postgresql.py")
async def test_a_secret_polls_reminders_leave_no_trace_of_who_had_not_voted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Who has not voted in a secret ballot is secret too, and each private reminder names one
    who had not (its address, and its key in the outbox). None is stored, and the log holds
    none, while the poll is still open; a round still waiting when the poll closes goes with the
    close."""
    chat = await Chat.start(tmp_path)
    db, wal = tmp_path / "quorum.db", tmp_path / "quorum.db-wal"

    def traces() -> list[bytes]:
        data = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        return [t for t in (b"remind:1:", b"You have not voted yet") if t in data]

    try:
        await _remind_in_secret(chat)
        assert await chat.query("SELECT count(*) FROM outbox WHERE private = 1") == [(0,)]
        assert await chat.query("SELECT count(*) FROM reminder_rounds WHERE poll_id = 1") == [(1,)]  # names nobody
        assert traces() == []
        # An organiser's round while the platform is down: still waiting at the close, it goes with it.
        monkeypatch.setattr(chat.transport, "deliver", Unreachable(chat))
        assert "on their way to 2 members" in await chat.say("chair: /remind 1")
        await chat.app.outbox.drain()
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(1,)]  # waiting, naming nobody
        assert "Result" in await chat.say("chair: /close 1")
        await chat.app.services.polls.settled()
        assert await chat.query("SELECT count(*) FROM outbox WHERE private = 1") == [(0,)]
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]
        assert traces() == []
        monkeypatch.undo()
        await chat.app.outbox.drain()
        reminded = [line for line in chat.transport.transcript if "(private)" in line and "Reminder" in line]
        assert len(reminded) == 2  # the 24-hour ones: those waiting at the close never went
    finally:
        await chat.stop()


WHO = (b"console:bob", b"console:cat", b"Bob Jones", b"Cat Lee", b"You have not voted yet", b"remind:1:")


async def _rows(chat: Chat) -> set[str]:
    """Every row of every table, as text (without sending what waits in the outbox first)."""
    listed = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
              if use_postgresql() else "SELECT name FROM sqlite_master WHERE type = 'table'")
    rows: set[str] = set()
    for (table,) in await chat.query(listed):
        rows |= {f"{table}: {r!r}" for r in await chat.query(f"SELECT * FROM {table}")}
    return rows


async def _secret_roll_poll(chat: Chat) -> None:
    """A secret roll poll of Ann, Bob and Cat (members 1, 2 and 3) closing in 48 hours, that Ann has voted in."""
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --closes 48h --secret", "ann (private): /vote 1 yes")


async def test_a_secret_polls_reminder_round_waiting_to_go_names_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a round of a secret poll waits to be sent (here its platform is down), a copy of
    the database would show whom it goes to, and so who had not voted, were its reminders
    stored. No row the round wrote names anyone, and (on SQLite) neither the file nor its log
    holds a reminder's address, key or words; the round is sent once the platform is back."""
    chat = await Chat.start(tmp_path)
    db, wal = tmp_path / "quorum.db", tmp_path / "quorum.db-wal"
    try:
        await _secret_roll_poll(chat)
        monkeypatch.setattr(chat.transport, "deliver", Unreachable(chat))
        before = await _rows(chat)
        await chat.advance("24h")
        await chat.app.outbox.drain()
        written = await _rows(chat) - before
        assert any("outbox_walks" in row for row in written), written  # the round is waiting
        for row in written:
            assert not any(who.decode() in row for who in WHO), row
        if not use_postgresql():
            data = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
            assert [who for who in (b"You have not voted yet", b"remind:1:") if who in data] == []
        monkeypatch.undo()
        await chat.advance("10m")
        await chat.app.outbox.drain()
        reminded = sorted(line.split("]")[0] for line in chat.transport.transcript if "Reminder" in line)
        assert reminded == ["  [bob (private)", "  [cat (private)"], reminded
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]
    finally:
        await chat.stop()


class FailsFor:
    """Delivers every message but those to TARGET, which fail as a network error would."""

    def __init__(self, chat: Chat, target: str) -> None:
        self.deliver = chat.transport.deliver
        self.target = target

    async def __call__(self, effect: Effect) -> Delivered | None:
        if getattr(effect, "actor", None) == self.target:
            raise ConnectionError("the platform is down")
        return await self.deliver(effect)


async def test_a_secret_reminder_round_cut_by_a_restart_reminds_each_member_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The round records how far it has gone through the electorate (member ids), not whom it
    reached: cut off after Bob's reminder, while Cat's fails, and restarted, it reminds Cat and
    not Bob again (blocks of one member here, to see the walk move; a crash re-sends at most a
    block)."""
    monkeypatch.setattr(outbox, "WALK_STEP", 1)
    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    try:
        await _secret_roll_poll(chat)
        monkeypatch.setattr(chat.transport, "deliver", FailsFor(chat, "console:cat"))
        await chat.advance("24h")
        await chat.app.outbox.drain()
        reminded = [line.split("]")[0] for line in chat.transport.transcript if "Reminder" in line]
        assert reminded == ["  [bob (private)"], reminded
        assert await chat.query("SELECT done_to FROM outbox_walks") == [(2,)]  # up to Bob: members 1 and 2
    finally:
        await chat.stop()
    monkeypatch.undo()
    monkeypatch.setattr(outbox, "WALK_STEP", 1)
    chat = await Chat.start(tmp_path, clock=clock)
    try:
        await chat.advance("1m")
        await chat.app.outbox.drain()
        reminded = [line.split("]")[0] for line in chat.transport.transcript if "Reminder" in line]
        assert reminded == ["  [cat (private)"], reminded
        assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]
    finally:
        await chat.stop()
