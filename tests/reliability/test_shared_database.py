"""Several bots on one PostgreSQL database: what the single writer guaranteed by being alone
now comes from the database.

Each ``Chat`` here is a whole bot (its own writer, connections, memory) on the same database,
as separate processes would be; they run in one event loop so that their transactions really
interleave on the server. These run on PostgreSQL in every run (SQLite has one process).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from bot.features.campaigns import store as campaign_store
from bot.features.motions import store as motion_store
from bot.features.roll.service import RollService
from bot.features.signups import store as signup_store
from bot.features.triggers import store as trigger_store
from bot.kernel.effects import Edit
from bot.kernel.events import Actor, ButtonPress, Message, Room
from bot.kernel.ports import Reader
from bot.kernel.secrecy import receipt, voter_hash
from bot.storage.database import Database
from bot.storage.leases import TTL
from bot.storage.outbox import CHANNEL, enqueue
from bot.storage.writer import DUPLICATE, VoteWrite
from tests.helpers import Chat, DiesInChart, add_members, transcript_after_outbox
from tests.peers.postgresql import shared

SECRET = "test-secret-for-tests"  # the key Chat.start gives the bot


async def _bots(tmp_path: Path, n: int) -> list[Chat]:
    url = shared().database_for(str(tmp_path / "shared"))
    return [await Chat.start(tmp_path, database_url=url) for _ in range(n)]


def _vote(poll_id: int, voter: str, choice: str, event_id: str | None = None) -> VoteWrite:
    return VoteWrite(poll_id=poll_id, voter=voter, choice=choice, weight=1, secret=False, event_id=event_id,
                     check=lambda: None, late=lambda: "closed")


async def test_a_close_orders_every_vote_of_every_process_before_or_after_it(tmp_path: Path) -> None:
    a, b, c = await _bots(tmp_path, 3)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup")
        outcomes: dict[str, str | None] = {}
        started, closed = asyncio.Event(), asyncio.Event()

        async def flood(bot: Chat, prefix: str) -> None:
            async def one(i: int) -> None:
                voter = f"{prefix}{i}"
                outcomes[voter] = await bot.app.writer.vote(_vote(1, voter, str(i % 2)))

            i, after = 0, 0
            while after < 3:  # waves, so batches keep committing before, around and after the close
                await asyncio.gather(*(one(k) for k in range(i, i + 40)))
                i += 40
                started.set()
                after += closed.is_set()

        async def close_midway() -> None:
            await started.wait()
            await c.app.services.polls.close(1, "chair")
            closed.set()

        await asyncio.gather(flood(a, "a"), flood(b, "b"), close_midway())
        stored = {r[0] for r in await a.query("SELECT voter FROM votes WHERE poll_id = 1")}
        acked = {v for v, outcome in outcomes.items() if outcome is None}
        assert acked == stored  # every acknowledged vote kept; nothing kept unacknowledged
        assert all(outcome in (None, "closed") for outcome in outcomes.values())
        assert 0 < len(acked) < len(outcomes)  # the close fell in the middle of the flood
        result = json.loads((await a.query("SELECT result FROM polls WHERE id = 1"))[0][0])
        assert sum(result["counts"]) == len(stored)  # counted: exactly the votes before the close
        announced = await a.query("SELECT count(*) FROM outbox WHERE dedupe LIKE 'poll:1:%'")
        assert announced == [(1,)]
        # The others still had it open in memory: closing it again is refused there, once.
        assert "already closed" in await b.say("chair: /close 1")
    finally:
        for bot in (a, b, c):
            await bot.stop()


async def test_an_update_redelivered_to_another_process_is_dropped(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup")
        assert await a.app.writer.vote(_vote(1, "ann", "0", "upd-7")) is None
        assert await b.app.writer.vote(_vote(1, "ann", "1", "upd-7")) == DUPLICATE
        assert await a.query("SELECT choice FROM votes") == [("0",)]
        # A change (opening a poll) redelivered to the other process happens once.
        opened = Message(Actor("console:chair", "chair"), Room("console:main"), "/poll Again? | Yes | No",
                         event_id="upd-8")
        await a.app.handle(opened)
        await b.app.handle(opened)
        assert await a.query("SELECT count(*) FROM polls") == [(2,)]
    finally:
        await a.stop()
        await b.stop()


async def test_votes_of_the_same_members_from_four_processes_never_deadlock(tmp_path: Path) -> None:
    bots = await _bots(tmp_path, 4)
    try:
        for _ in range(3):
            await bots[0].say("chair: /poll Q? | Yes | No")
        voters = [f"m{i}" for i in range(200)]

        async def flood(k: int) -> list[str | None]:
            order = voters if k % 2 else list(reversed(voters))  # the same rows, in opposite orders
            return await asyncio.gather(*(bots[k].app.writer.vote(_vote(p, v, str(k % 2)))
                                          for v in order for p in (3, 1, 2)))

        results = await asyncio.gather(*(flood(k) for k in range(4)))
        assert all(outcome is None for batch in results for outcome in batch)
        assert await bots[0].query("SELECT count(*) FROM votes") == [(600,)]
    finally:
        for bot in bots:
            await bot.stop()


async def test_a_trigger_fires_once_when_signatures_cross_it_in_several_processes(tmp_path: Path) -> None:
    a, b, c = await _bots(tmp_path, 3)
    members = [(f"m{i}", "North") for i in range(12)]
    try:
        await add_members(a, members)
        await a.say("chair: /trigger open recall Councillor --signatures 5 --closes 14d")
        for bot in (b, c):  # as processes started after the roll was imported
            await bot.app.services.roll.start()

        async def sign(bot: Chat, who: str) -> None:
            await bot.app.handle(Message(Actor(f"console:{who}", who), Room(f"console:@{who}", private=True),
                                         "/sign T1 yes", event_id=f"sign-{who}"))

        bots = (a, b, c)
        await asyncio.gather(*(sign(bots[i % 3], f"m{i}") for i in range(12)))
        for bot in bots:
            await bot.settle()
        said = "\n".join(line for bot in bots for line in bot.transport.transcript)
        assert said.count("crossed the threshold: it has fired") == 1
        assert await a.query("SELECT status FROM triggers") == [("fired",)]
        assert await a.query("SELECT count(*) FROM polls") == [(1,)]  # its ballot, opened once
    finally:
        for bot in (a, b, c):
            await bot.stop()


async def _queue(bot: Chat, tag: str, n: int) -> None:
    now = bot.app.clock.now()

    async def op(conn) -> None:  # type: ignore[no-untyped-def]
        for i in range(n):
            await enqueue(conn, dedupe=f"{tag}:{i}", target=f"console:m{i}", private=True, text=f"{tag} {i}", now=now)

    await bot.app.writer.run(op)


def _sent(bots: list[Chat], tag: str) -> Counter[str]:
    return Counter(m.group(0) for bot in bots for line in bot.transport.transcript
                   if (m := re.search(rf"{tag} \d+", line)))


async def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never: {what}")


async def test_one_process_sends_the_outbox_and_another_takes_over_when_it_dies(tmp_path: Path) -> None:
    a, b, c = await _bots(tmp_path, 3)
    try:
        bots = [a, b, c]
        await _queue(a, "first", 60)  # queued here; the database wakes the other processes
        await _until(lambda: sum(_sent(bots, "first").values()) >= 60, "the first round sent")
        assert set(_sent(bots, "first").values()) == {1}  # each message once
        senders = [bot for bot in bots if bot.app.outbox.lease.held]
        assert len(senders) == 1
        sender = senders[0]
        others = [bot for bot in bots if bot is not sender]
        assert _sent([sender], "first") == _sent(bots, "first")  # all by the lease's holder
        # The sender dies without giving the lease up; the others wait for it to expire, no longer.
        sender.app.outbox._task.cancel()  # type: ignore[union-attr]
        await _queue(others[1], "second", 40)
        for bot in others:
            await bot.app.outbox.drain()
        assert not _sent(bots, "second")
        for bot in others:
            bot.tick(TTL + timedelta(seconds=1))
            bot.app.outbox.poke()
        await _until(lambda: sum(_sent(bots, "second").values()) >= 40, "the second round sent by another")
        assert set(_sent(bots, "second").values()) == {1}
        assert not _sent([sender], "second")
        assert sum(bot.app.outbox.lease.held for bot in others) == 1
    finally:
        for bot in (a, b, c):
            await bot.stop()


async def test_the_database_wakes_a_listener_in_another_process_at_the_commit(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    woken: list[int] = []
    listener = await Database.open(a.app.database.path)
    listener.listen(CHANNEL, lambda: woken.append(1))
    listener.start()
    try:
        await asyncio.sleep(0.5)  # the listening connection opens
        await _queue(b, "wake", 3)  # one statement per message; a notification per transaction
        await _until(lambda: bool(woken), "a notification")
    finally:
        await listener.close()
        await a.stop()
        await b.stop()


async def test_a_member_linked_in_one_process_votes_under_one_key_in_every_process(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup")
        await add_members(a, [("ann", "North")])  # /join, as taken by process a after b started

        def vote(n: int, choice: str) -> Message:
            return Message(Actor("console:ann", "ann"), Room("console:main"), f"/vote 1 {choice}", event_id=f"v{n}")

        await a.app.handle(vote(1, "Pizza"))
        await b.app.handle(vote(2, "Soup"))  # her changed vote, taken by the other process
        assert await a.query("SELECT voter, choice FROM votes") == [("m:1", "1")]
    finally:
        await a.stop()
        await b.stop()


async def test_deadlines_set_in_a_process_that_is_down_are_kept_by_another(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await add_members(a, [("ann", "North"), ("bob", "North")])
        await a.say("chair: /poll Lunch? | Pizza | Soup --closes 1h",
                    "chair: /trigger open recall Councillor --signatures 2 --closes 2h")
        await a.stop()  # down: nobody there keeps its deadlines
        await b.advance("3h")
        said = await transcript_after_outbox(b)  # each announcement is queued with its decision
        assert "Result — poll 1" in said and "closed at its deadline without firing" in said
        assert await b.query("SELECT closed_by FROM polls") == [("deadline",)]
        assert await b.query("SELECT status FROM triggers") == [("expired",)]
    finally:
        await b.stop()


async def test_a_trigger_whose_process_died_before_its_ballot_opened_is_finished_by_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await add_members(a, [(f"m{i}", "North") for i in range(3)])
        await a.say("chair: /trigger open recall Councillor --signatures 2 --closes 14d")

        async def dies(trigger_id: int, polls: object) -> None:  # the firing is committed; no more
            del trigger_id, polls

        monkeypatch.setattr(a.app.services.triggers, "open_ballot", dies)
        said = await a.say("m0 (private): /sign T1 yes", "m1 (private): /sign T1 yes")
        assert "Trigger T1 has fired" not in said
        assert await a.query("SELECT status, ballot_poll_id FROM triggers") == [("fired", None)]
        await a.stop()
        said = await b.advance("1m")  # it may still be on its way: not yet
        assert await b.query("SELECT count(*) FROM polls") == [(0,)]
        said = await b.advance("2m")
        assert said.count("Trigger T1 has fired") == 1
        assert await b.query("SELECT status, ballot_poll_id FROM triggers") == [("fired", 1)]
        said = await b.advance("1m")  # and once only
        assert "has fired" not in said and await b.query("SELECT count(*) FROM polls") == [(1,)]
    finally:
        await b.stop()


async def test_an_organisers_reminders_are_numbered_in_the_database_whichever_process_takes_them(
    tmp_path: Path,
) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await add_members(a, [("ann", "North"), ("bob", "North")])
        await a.say("chair: /poll Strike? --roll --closes 3d")
        for bot in (a, b, a):
            assert "Reminders for poll 1 are on their way to 2 members" in await bot.say("chair: /remind 1")
        rounds = await a.query("SELECT round FROM reminder_rounds ORDER BY round")
        assert rounds == [("manual-1",), ("manual-2",), ("manual-3",)]
    finally:
        for bot in (a, b):
            await bot.stop()


async def test_one_batch_mixing_a_link_made_elsewhere_a_redelivery_and_a_vote_after_the_close(tmp_path: Path) -> None:
    """The updates of a burst share one read of the roll's links and one commit: each still
    gets its own outcome there."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup", "chair: /poll Dinner? | Pasta | Rice")
        room = Room("console:main")

        def press(who: str, poll: int, option: int, event_id: str) -> ButtonPress:
            return ButtonPress(Actor(f"console:{who}", who), room, f"v:{poll}:{option}", event_id=event_id)

        await a.app.handle(press("cat", 1, 0, "u-cat"))  # taken by a; it comes again to b below
        await b.app.handle(press("dan", 2, 0, "u-dan-1"))  # b now holds both polls open in memory
        await b.app.handle(press("fay", 1, 0, "u-fay"))
        await add_members(a, [("ann", "North")])  # /join, taken by a after b started
        await a.app.services.polls.close(2, "chair")
        batches = b.app.writer.batches  # type: ignore[attr-defined]
        await asyncio.gather(
            b.app.handle(press("ann", 1, 1, "u-ann")),
            b.app.handle(press("cat", 1, 1, "u-cat")),  # the same update again: dropped
            b.app.handle(press("dan", 2, 1, "u-dan-2")),  # after the close: refused
            b.app.handle(press("eve", 1, 1, "u-eve")),
        )
        # The four outcomes in one commit; then, once its refusal was sent, dan's late press is
        # recorded as handled (bot/app/core.py), in a commit of its own.
        assert b.app.writer.batches == batches + 2  # type: ignore[attr-defined]
        assert await b.app.writer.has_seen("u-dan-2")
        ann = (await a.query("SELECT member_id FROM identities WHERE identity = 'console:ann'"))[0][0]
        assert sorted(await a.query("SELECT poll_id, voter, choice FROM votes")) == [
            (1, "console:cat", "0"), (1, "console:eve", "1"), (1, "console:fay", "0"), (1, f"m:{ann}", "1"),
            (2, "console:dan", "0")]
        assert "closed" in "\n".join(b.transport.transcript).lower()
    finally:
        await a.stop()
        await b.stop()


async def test_a_link_committed_while_links_are_being_read_is_read_in_the_next_round(tmp_path: Path) -> None:
    """The links of many speakers are read in one query; one asked for while a read is under
    way waits for the next, so a link committed before its update arrived is always seen."""
    a, b = await _bots(tmp_path, 2)
    ran, let_go = asyncio.Event(), asyncio.Event()
    reads: list[list[str]] = []

    class Held:
        """b's reader, each read answered only once let go (after it has run)."""

        async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
            rows = await b.app.reader.execute_fetchall(sql, parameters)
            reads.append(sorted(set(parameters)))
            ran.set()
            await let_go.wait()
            return rows

    try:
        roll = RollService(cast(Reader, Held()), b.app.writer, b.app.clock)
        first = asyncio.create_task(roll.learn("console:ann"))
        await ran.wait()  # the first read has run: ann was not linked yet
        await add_members(a, [("ann", "North"), ("bob", "South")])
        later = [asyncio.create_task(roll.learn(f"console:{who}")) for who in ("bob", "cat", "bob")]
        await asyncio.sleep(0.05)
        let_go.set()
        await asyncio.gather(first, *later)
        assert reads == [["console:ann"], ["console:bob", "console:cat"]]  # one read a round, not one a speaker
        assert roll.member("console:ann") is None  # asked before the link: it is read again next time
        assert roll.member("console:bob") is not None
        assert roll.member("console:cat") is None
    finally:
        await a.stop()
        await b.stop()


async def _join_elsewhere(bot: Chat, account: str) -> None:
    """ACCOUNT (another platform's, member 1's second) joins the roll through BOT."""

    async def code(conn: Any) -> None:
        await conn.execute("UPDATE members SET join_code = 'ABCD-EFGH' WHERE id = 1")

    assert bot.app.writer is not None
    await bot.app.writer.run(code)
    await bot.app.handle(Message(Actor(account, "Ann"), Room(account, private=True), "/join ABCD-EFGH",
                                 event_id=f"join-{account}"))
    await bot.settle()
    assert await bot.query("SELECT member_id FROM identities WHERE identity = ?", account) == [(1,)]


async def test_a_vote_keyed_before_its_account_was_linked_elsewhere_counts_once(tmp_path: Path) -> None:
    """Process A keys an account's vote by the account (it has not yet heard of the link);
    process B links the account to the member and moves its votes, before A's commit; A's vote
    then lands under the account. The close counts it once, as the member's."""
    a, b = await _bots(tmp_path, 2)
    try:
        await add_members(a, [("ann", "North")])
        await a.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Pizza")
        await _join_elsewhere(b, "tg:555")
        assert await a.app.writer.vote(_vote(1, "tg:555", "1")) is None  # keyed in A before it knew
        assert sorted(await a.query("SELECT voter FROM votes WHERE poll_id = 1")) == [("m:1",), ("tg:555",)]
        said = await a.say("chair: /close 1")
        assert "Votes cast: 1" in said, said
        assert await a.query("SELECT voter, choice FROM votes WHERE poll_id = 1") == [("m:1", "0")]
    finally:
        for bot in (a, b):
            await bot.stop()


async def test_a_secret_ballot_keyed_before_its_account_was_linked_elsewhere_counts_once(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        await add_members(a, [("ann", "North")])
        await a.say("chair: /poll Strike? --secret", "ann (private): /vote 1 yes")
        await _join_elsewhere(b, "tg:555")
        stray = voter_hash(SECRET, 1, "tg:555")
        write = VoteWrite(poll_id=1, voter=stray, choice="1", weight=1, secret=True, event_id=None,
                          check=lambda: None, late=lambda: "closed", receipt=receipt(SECRET, 1, "tg:555"))
        assert await a.app.writer.vote(write) is None
        assert len(await a.query("SELECT voter FROM secret_ballots WHERE poll_id = 1")) == 2
        said = await a.say("chair: /close 1")
        assert "Votes cast: 1" in said, said
        assert await a.query("SELECT voter, choice FROM secret_ballots WHERE poll_id = 1") == [
            (voter_hash(SECRET, 1, "m:1"), "0")]
    finally:
        for bot in (a, b):
            await bot.stop()


async def test_polls_lists_what_other_processes_opened_and_closed_a_moment_ago(tmp_path: Path) -> None:
    a, b = await _bots(tmp_path, 2)
    try:
        assert "No open polls" in await b.say("ann: /polls")  # b has read the open polls: none
        await a.say("chair: /poll Lunch? | Pizza | Soup", "chair: /poll Strike? | Yes | No")
        listed = await b.say("ann: /polls")  # before b's next look at what others did
        assert "Lunch?" in listed and "Strike?" in listed
        await a.say("chair: /close 1")
        listed = await b.say("ann: /polls")
        assert "Lunch?" not in listed and "Strike?" in listed
    finally:
        await a.stop()
        await b.stop()


async def _close_cut_short(closer: Chat, *also: Chat) -> tuple[asyncio.Task[str], DiesInChart]:
    """CLOSER opens poll 1, takes a vote and closes it, and dies once the close has committed
    (as ALSO will, in their turn, should they take the follow-up over): the close, still
    running, and the stand-in that says when a follow-up got that far."""
    await closer.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Soup")
    dies = DiesInChart(closer, *also)
    closing = asyncio.create_task(closer.say("chair: /close 1"))
    await dies.reached()
    return closing, dies


async def _followed_up(bot: Chat) -> list[tuple[Any, ...]]:
    """The record of follow-ups once the one under way is recorded done (just after its chart)."""
    for _ in range(500):
        rows = await bot.query("SELECT poll_id, claimed_until FROM followed_up_polls")
        if all(until is None for _, until in rows):
            return rows
        await asyncio.sleep(0.01)
    return rows


async def test_a_follow_up_whose_taker_dies_too_is_taken_over_again_once_its_claim_runs_out(
    tmp_path: Path,
) -> None:
    """A close cut short in a; b takes its follow-up over and dies while doing it; c does it once
    b's claim (FOLLOW_UP_GRACE) has run out, and not before."""
    a, b, c = await _bots(tmp_path, 3)
    try:
        closing, dies = await _close_cut_short(a, b)
        await b.advance("11m")  # b claims the follow-up until 21m, and dies doing it
        await dies.reached()
        said = await c.advance("15m")
        assert "file: " not in said  # b may only be slow
        said = await c.advance("7m") + await c.wait_for("file: ")
        assert "Poll 1: Lunch?" in said  # c sent the chart
        assert await _followed_up(c) == [(1, None)]  # done, no longer claimed
        said = await c.advance("30m")
        assert "file: " not in said  # once
        closing.cancel()
        await asyncio.gather(closing, return_exceptions=True)
    finally:
        for bot in (a, b, c):
            await bot.stop()


async def test_a_close_cut_short_in_one_process_is_followed_up_by_another_only_after_the_grace(
    tmp_path: Path,
) -> None:
    """The process that closes a poll does what follows at once; another leaves it alone for
    FOLLOW_UP_GRACE (the closer may be slow, not dead), then does it, once."""
    a, b = await _bots(tmp_path, 2)
    try:
        closing, _ = await _close_cut_short(a)
        said = await b.advance("5m")
        assert "file: " not in said  # a may only be slow
        assert await b.query("SELECT poll_id FROM followed_up_polls") == []
        said = await b.advance("6m") + await b.wait_for("file: ")
        assert "Poll 1: Lunch?" in said  # b sent the chart
        assert await _followed_up(b) == [(1, None)]  # done, no longer claimed
        said = await b.advance("30m")
        assert "file: " not in said  # once
        closing.cancel()
        await asyncio.gather(closing, return_exceptions=True)
    finally:
        await a.stop()
        await b.stop()


async def _sign_at_once(bots: Sequence[Chat], ref: str, signers: Sequence[str]) -> list[str]:
    """SIGNERS sign REF at the same moment, each through one of BOTS in turn; what each was told."""
    async def sign(bot: Chat, who: str) -> str:
        start = len(bot.transport.transcript)
        await bot.app.handle(Message(Actor(f"console:{who}", who), Room(f"console:@{who}", private=True),
                                     f"/sign {ref} yes", event_id=f"sign-{ref}-{who}"))
        return "\n".join(line for line in bot.transport.transcript[start:] if f"[{who} (private)]" in line)

    return await asyncio.gather(*(sign(bots[i % len(bots)], who) for i, who in enumerate(signers)))


async def test_a_campaigns_goal_is_reached_once_when_signatures_cross_it_in_several_processes(
    tmp_path: Path,
) -> None:
    """Each signature is counted after the ones committed before it, in whichever process: the
    totals people are told run 1, 2, 3 … with none told twice, and the signature that reaches
    the goal, and only it, announces it, with the goal's own figure."""
    a, b, c = await _bots(tmp_path, 3)
    try:
        await a.say("chair: /motion new Fund our schools", "chair: /motion M1 resolves To fund schools.",
                    "chair: /motion M1 status carried", "chair: /campaign M1 open --signatures 5")
        signers = [f"s{i}" for i in range(12)]
        for _ in range(3):  # a few rounds: the crossing must land among signatures in flight
            told = await _sign_at_once((a, b, c), "M1", signers)
            totals = sorted(int(m.group(1)) for line in told if (m := re.search(r"It has (\d+) signature", line)))
            assert totals == list(range(1, len(signers) + 1)), told
            assert await a.query("SELECT count(*) FROM campaign_signatures") == [(len(signers),)]
            assert (await a.query("SELECT goal_reached_at FROM campaigns"))[0][0] is not None
            goal = await a.query("SELECT text FROM outbox WHERE dedupe = 'campaign:M1:goal'")
            assert len(goal) == 1 and "reached its goal: 5 signatures" in goal[0][0], goal
            # Again, from scratch: the same campaign, its signatures and its goal gone.
            async def reset(conn: Any) -> None:
                await conn.execute("DELETE FROM campaign_signatures")
                await conn.execute("DELETE FROM outbox WHERE dedupe = 'campaign:M1:goal'")
                await conn.execute("UPDATE campaigns SET goal_reached_at = NULL")

            await a.app.writer.run(reset)
            signers = [f"{s}x" for s in signers]
        # Branch reports, the same: M2's goal is 3 branches, reported at once by an organiser.
        await a.say("chair: /motion new Fund our libraries", "chair: /motion M2 resolves To fund libraries.",
                    "chair: /motion M2 status carried", "chair: /campaign M2 open --branches 3")
        before = [len(bot.transport.transcript) for bot in (a, b, c)]
        await asyncio.gather(*((a, b, c)[i % 3].app.handle(Message(
            Actor("console:chair", "chair"), Room("console:main"), f"/campaign M2 adopted Branch {i}",
            event_id=f"adopted-{i}")) for i in range(9)))
        said = [line for bot, start in zip((a, b, c), before, strict=True) for line in bot.transport.transcript[start:]]
        totals = sorted(int(m.group(1)) for line in said if (m := re.search(r"(\d+) branch(?:es)? so far", line)))
        assert totals == list(range(1, 10)), said
        goal = await a.query("SELECT text FROM outbox WHERE dedupe = 'campaign:M2:goal'")
        assert len(goal) == 1 and "reached its goal: 0 signatures, 3 branches" in goal[0][0], goal
    finally:
        for bot in (a, b, c):
            await bot.stop()


def _slow_first(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, *, after: bool = False) -> asyncio.Event:
    """MODULE.NAME (a store's write) made to wait, its first time, before it writes (or AFTER):
    its transaction has read what it changes (or written it) and stays open meanwhile. The event
    is set once it waits."""
    waiting = asyncio.Event()
    write = getattr(module, name)

    async def slow(*args: Any, **kwargs: Any) -> Any:
        if waiting.is_set():
            return await write(*args, **kwargs)
        done = await write(*args, **kwargs) if after else None
        waiting.set()
        await asyncio.sleep(0.3)
        return done if after else await write(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    return waiting


@pytest.mark.parametrize(("slowed", "command", "answer"), [
    ("delete_signature", "/unsign T1", "withdrawn"),
    ("erase_signatures", "/mydata erase", "Erased: 1 trigger signature"),
])
async def test_a_signature_taken_back_as_another_fires_the_trigger_is_either_counted_or_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slowed: str, command: str, answer: str
) -> None:
    """m0 takes her signature back (/unsign, or /mydata erase) in one process while m4 signs in
    another the signature that reaches the threshold if m0's still counts: m0's change, not yet
    committed, is waited for, and the campaign does not fire with fewer signatures than it needs
    (nor may m0 take back a signature a fired campaign counted: the record of why its ballot was
    held)."""
    a, b = await _bots(tmp_path, 2)
    taking_back = _slow_first(monkeypatch, trigger_store, slowed, after=True)

    def private(who: str, text: str) -> Message:
        return Message(Actor(f"console:{who}", who), Room(f"console:@{who}", private=True), text)

    try:
        await add_members(a, [(f"m{i}", "North") for i in range(5)])
        await a.say("chair: /trigger open recall Councillor --signatures 5 --closes 14d")
        await b.app.services.roll.start()  # as a process started after the roll was imported
        await a.say(*(f"m{i} (private): /sign T1 yes" for i in range(4)))

        async def sign_meanwhile() -> None:
            await taking_back.wait()
            await b.app.handle(private("m4", "/sign T1 yes"))

        await asyncio.gather(a.app.handle(private("m0", command)), sign_meanwhile())
        assert answer in a.transport.transcript[-1], a.transport.transcript[-1]
        assert await a.query("SELECT count(*) FROM trigger_signatures") == [(4,)]
        assert await a.query("SELECT status FROM triggers") == [("open",)]
        assert "4 signatures of the 5 needed" in b.transport.transcript[-1]
    finally:
        for bot in (a, b):
            await bot.stop()


async def test_two_drafters_adding_points_in_two_processes_keep_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A motion's text is read, changed and written back in one transaction: one written in
    another process meanwhile is waited for, not written over (both points stay, as both
    drafters were told)."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /motion new Fund our schools")
        saving = _slow_first(monkeypatch, motion_store, "save_motion")

        async def meanwhile() -> None:
            await saving.wait()
            await b.say("chair: /motion M1 resolves To lobby the council.")

        await asyncio.gather(a.say("chair: /motion M1 resolves To fund schools."), meanwhile())
        assert "as resolves 1" in "\n".join(a.transport.transcript + b.transport.transcript)
        assert "as resolves 2" in "\n".join(a.transport.transcript + b.transport.transcript)
        said = await a.say("chair: /motion M1 show")
        assert "To fund schools." in said and "To lobby the council." in said, said
        assert len(await a.query("SELECT id FROM motion_history WHERE change LIKE '%added%'")) == 2
    finally:
        await a.stop()
        await b.stop()


async def test_two_amendments_carried_at_once_in_two_processes_are_both_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ballots on A1 and A2 close at the same moment, each in its own process: each
    amendment is applied to the text as the other left it, never to the text before it."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /motion new Fund our schools", "chair: /motion M1 resolves To fund schools.",
                    "chair: /motion M1 resolves To lobby the council.", "chair: /motion M1 mover Ann",
                    "chair: /motion M1 seconder Bob", "chair: /motion M1 submit",
                    '/amend M1 resolves 1 replace "schools" with "every school"'.join(("ann: ", "")),
                    '/amend M1 resolves 2 insert "and the MP" after "council"'.join(("ann: ", "")),
                    "bob: /amendment A1 second", "bob: /amendment A2 second",
                    "chair: /amendment A1 vote", "chair: /amendment A2 vote",
                    "ann: /vote 1 Yes", "ann: /vote 2 Yes")
        await b.say("ann: /polls")  # b reads the open polls
        saving = _slow_first(monkeypatch, motion_store, "save_motion")

        async def meanwhile() -> None:
            await saving.wait()
            await b.app.services.polls.close(2, "chair")

        await asyncio.gather(a.app.services.polls.close(1, "chair"), meanwhile())
        said = await a.say("chair: /motion M1 show")
        assert "To fund every school." in said and "To lobby the council and the MP." in said, said
        assert await a.query("SELECT status FROM amendments ORDER BY id") == [("carried",), ("carried",)]
    finally:
        await a.stop()
        await b.stop()


async def test_an_outcome_is_not_recorded_by_hand_while_another_process_holds_the_motions_ballot(
    tmp_path: Path,
) -> None:
    """The ballot on M1 opened in one process a moment ago: an organiser recording its outcome
    through another, which has not yet read that poll, is refused as in the first (the ballot
    decides it), and the room's vote then decides it."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /motion new Fund schools", "chair: /motion M1 resolves To fund schools.",
                    "chair: /motion M1 mover Ann", "chair: /motion M1 seconder Bob", "chair: /motion M1 submit")
        await b.say("ann: /polls")  # b has read the open polls: none yet
        await a.say("chair: /motion M1 vote --closes 10m")
        before = await a.query("SELECT * FROM motions"), await a.query("SELECT * FROM motion_history")
        out = await b.say("chair: /motion M1 status carried")
        assert "being voted on (poll 1)" in out, out
        assert (await a.query("SELECT * FROM motions"), await a.query("SELECT * FROM motion_history")) == before
        await a.say("ann: /vote 1 No", "chair: /close 1")
        assert await a.query("SELECT status FROM motions") == [("lost",)]
    finally:
        await a.stop()
        await b.stop()


async def test_a_campaign_opened_twice_at_once_in_two_processes_is_opened_once_and_the_other_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two organisers publish M1 at the same moment through two processes: one campaign, and
    the other is told it is one already (not that something went wrong)."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /motion new Fund schools", "chair: /motion M1 resolves To fund schools.",
                    "chair: /motion M1 status carried")
        inserting = _slow_first(monkeypatch, campaign_store, "insert_campaign")

        async def meanwhile() -> str:
            await inserting.wait()
            return await b.say("chair: /campaign M1 open --signatures 6")

        said = await asyncio.gather(a.say("chair: /campaign M1 open --signatures 5"), meanwhile())
        assert "Model motion campaign M1 — goal: 6 signatures" in said[1], said
        assert "M1 is already a campaign: /campaign M1 shows its progress." in said[0], said
        assert await a.query("SELECT goal_signatures FROM campaigns") == [(6,)]
    finally:
        await a.stop()
        await b.stop()


async def test_a_supporters_yes_sent_twice_to_two_processes_signs_them_up_once_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ann taps yes twice, and each reaches another process: she is signed up once, and the
    second is answered that she is already (not that something went wrong)."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /signup open Assembly", "ann (private): /signup S1", "ann (private): Ann",
                    "ann (private): Riverside", "ann (private): skip")
        inserting = _slow_first(monkeypatch, signup_store, "insert_signup")

        async def meanwhile() -> str:
            await inserting.wait()
            return await b.say("ann (private): yes")

        said = await asyncio.gather(a.say("ann (private): yes"), meanwhile())
        assert "you are signed up for S1" in said[1], said
        assert "You have signed up for S1 already; nothing changed." in said[0], said
        assert await a.query("SELECT count(*) FROM signups") == [(1,)]
    finally:
        await a.stop()
        await b.stop()


async def test_two_changes_that_deadlock_across_processes_are_both_made(tmp_path: Path) -> None:
    """Changes take the rows they need in their feature's order, so two processes can deadlock
    over them (here each locks two polls, in opposite orders). The server cancels one; that
    change alone is rolled back, which lets the other go on, and is run again: both are made,
    and nobody is told of a failure."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /poll One? | Yes | No", "chair: /poll Two? | Yes | No")
        locked = {"a": asyncio.Event(), "b": asyncio.Event()}
        made = {"a": asyncio.Event(), "b": asyncio.Event()}
        runs: Counter[str] = Counter()

        def change(me: str, other: str, first: int, second: int):  # type: ignore[no-untyped-def]
            async def op(conn) -> str:  # type: ignore[no-untyped-def]
                runs[me] += 1
                if runs[me] > 1:  # run again: after the survivor, which the server may otherwise let the
                    await made[other].wait()  # rerun beat to the row the rollback freed (a second deadlock)
                await conn.execute("SELECT 1 FROM polls WHERE id = ? FOR UPDATE", (first,))
                locked[me].set()
                await locked[other].wait()  # both hold their first row: each now waits for the other's
                await conn.execute("SELECT 1 FROM polls WHERE id = ? FOR UPDATE", (second,))
                await conn.execute("UPDATE polls SET question = question || ? WHERE id = ?", (f" {me}", first))
                return me
            return op

        async def made_by(bot: Any, me: str, other: str, first: int, second: int) -> str:
            try:
                return await bot.app.writer.run(change(me, other, first, second))
            finally:
                made[me].set()

        done = await asyncio.wait_for(asyncio.gather(made_by(a, "a", "b", 1, 2), made_by(b, "b", "a", 2, 1)), 60)
        assert done == ["a", "b"]
        assert sorted(runs.values()) == [1, 2], runs  # the deadlock's victim ran again, once
        assert await a.query("SELECT question FROM polls ORDER BY id") == [("One? a",), ("Two? b",)]
    finally:
        for bot in (a, b):
            await bot.stop()


async def test_a_live_tally_on_its_way_while_another_process_closes_the_poll_does_not_stay_on_the_ballot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A's edit of the live tally is held up (flood control, a slow network) while B closes the
    poll and shows the ballot closed; A's edit lands after that, so A shows it closed again."""
    a, b = await _bots(tmp_path, 2)
    try:
        await a.say("chair: /poll Lunch? | Pizza | Soup")
        landed: list[str] = []  # the ballot's edits, as they land, from either process
        held, release = asyncio.Event(), asyncio.Event()

        def recorded(bot: Chat, *, hold: bool) -> None:
            deliver = bot.transport.deliver

            async def deliver_and_record(effect: Any) -> Any:
                if isinstance(effect, Edit) and hold and not release.is_set():
                    held.set()
                    await release.wait()
                done = await deliver(effect)
                if isinstance(effect, Edit):
                    landed.append(str(effect.text))
                return done

            monkeypatch.setattr(bot.transport, "deliver", deliver_and_record)

        recorded(a, hold=True)
        recorded(b, hold=False)
        await a.say("ann: /vote 1 Pizza")
        await asyncio.wait_for(held.wait(), 10)  # A's live tally is on its way
        await b.say("chair: /close 1")
        assert "Closed." in landed[-1]
        release.set()
        await _until(lambda: not a.app.services.polls._refreshing, "A's edit to land")
        assert len(landed) >= 2 and "Closed." in landed[-1], landed
    finally:
        await a.stop()
        await b.stop()
