"""Every open poll's ballot reaches its room: a ballot the platform did not take when the poll
opened (the platform was down, the bot stopped first) is posted again until it is there, once,
also after a restart; a poll closed meanwhile is not posted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bot.features.polls.service import POST_CLAIM
from bot.kernel.clock import ManualClock
from bot.storage.outbox import backoff
from tests.helpers import Chat, add_members, use_postgresql

BALLOT = "Poll 1: Lunch?"


@contextmanager
def platform_down(chat: Chat) -> Iterator[None]:
    """The platform refuses every message while inside."""
    real = chat.transport.deliver

    async def down(effect):  # type: ignore[no-untyped-def]
        raise ConnectionError("platform unreachable")

    chat.transport.deliver = down  # type: ignore[method-assign]
    try:
        yield
    finally:
        chat.transport.deliver = real  # type: ignore[method-assign]


def shown(chat: Chat) -> str:
    return "\n".join(chat.transport.transcript)


async def test_a_ballot_the_platform_refused_is_posted_once_it_is_back(chat: Chat) -> None:
    with platform_down(chat):
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
        assert await chat.query("SELECT id FROM polls") == [(1,)]  # opened: the ballot is what is missing
        chat.tick(backoff(1))
        await chat.app.scheduler.run_due()  # tried again while still down
    assert BALLOT not in shown(chat)
    assert await chat.query("SELECT count(*) FROM poll_messages") == [(0,)]
    chat.tick(backoff(2))
    await chat.app.scheduler.run_due()
    assert shown(chat).count(BALLOT) == 1, shown(chat)
    assert await chat.query("SELECT poll_id, room FROM poll_messages") == [(1, "console:main")]
    assert "Pizza" in await chat.say("ann: /vote 1 Pizza")  # the ballot took the vote
    chat.tick(timedelta(hours=1))
    await chat.app.scheduler.run_due()
    assert shown(chat).count(BALLOT) == 1  # posted once


async def test_a_ballot_not_posted_before_a_stop_is_posted_at_the_next_start(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    with platform_down(chat):
        await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1d")
    now = chat.app.clock.now()
    await chat.stop()
    assert BALLOT not in shown(chat)

    chat = await Chat.start(tmp_path, clock=ManualClock(now + timedelta(seconds=1)))
    try:
        await chat.app.scheduler.run_due()
        if use_postgresql():  # another process may be posting it still: its claim runs out first
            assert BALLOT not in shown(chat)
            chat.tick(backoff(1) + POST_CLAIM)
            await chat.app.scheduler.run_due()
        assert shown(chat).count(BALLOT) == 1, shown(chat)
        assert await chat.query("SELECT poll_id FROM poll_messages") == [(1,)]
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path, clock=ManualClock(now + timedelta(minutes=30)))
    try:
        await chat.app.scheduler.run_due()
        assert BALLOT not in shown(chat)  # there already: not posted again
    finally:
        await chat.stop()


async def test_a_poll_closed_before_its_ballot_went_out_is_not_posted(chat: Chat) -> None:
    with platform_down(chat):
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
    await chat.say("chair: /close 1")
    chat.tick(timedelta(hours=1))
    await chat.app.scheduler.run_due()
    assert not [line for line in chat.transport.transcript if BALLOT in line and "Result" not in line]
    assert await chat.query("SELECT count(*) FROM poll_messages") == [(0,)]


async def test_a_fired_triggers_ballot_reaches_the_room_after_an_outage(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(2)])
    await chat.say("chair: /trigger open recall Cllr Jones --signatures 1 --closes 1d")
    with platform_down(chat):
        await chat.say("m0 (private): /sign T1 yes")  # fires: its ballot opens while the platform is down
    assert await chat.query("SELECT status FROM triggers") == [("fired",)]
    (poll_id,), = await chat.query("SELECT id FROM polls")
    assert await chat.query("SELECT count(*) FROM poll_messages") == [(0,)]
    chat.tick(timedelta(minutes=10))
    await chat.app.scheduler.run_due()
    assert await chat.query("SELECT poll_id FROM poll_messages") == [(poll_id,)]
    assert sum(1 for e in chat.transport.transcript if f"Poll {poll_id}:" in e) == 1, shown(chat)


async def test_a_claim_on_posting_a_ballot_keeps_other_processes_off_until_it_runs_out(chat: Chat) -> None:
    """On a shared database, one process posts a ballot; another takes it over once its claim
    has run out, and nobody once the message is in the room (the store's rules, on both backends)."""
    from bot.features.polls import store

    with platform_down(chat):
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
    now = chat.app.clock.now()

    async def claim(at: timedelta, held: timedelta | None = None) -> bool:
        async def op(conn):  # type: ignore[no-untyped-def]
            return await store.claim_post(conn, 1, now + at, now + at + timedelta(minutes=2),
                                          None if held is None else now + held)
        return bool(await chat.app.writer.run(op))

    assert await store.unposted(chat.app.reader, now) == []  # the opener's claim holds
    assert not await claim(timedelta(seconds=30))  # so another process keeps off
    assert await store.unposted(chat.app.reader, now + timedelta(minutes=3)) == [1]
    assert await claim(timedelta(minutes=3))  # run out: taken over
    assert not await claim(timedelta(minutes=4))  # and held by its taker
    assert await claim(timedelta(minutes=4), held=timedelta(minutes=5))  # which extends it

    async def posted(conn):  # type: ignore[no-untyped-def]
        await store.remember_message(conn, 1, "console:main", "7", None)

    await chat.app.writer.run(posted)
    assert await store.unposted(chat.app.reader, now + timedelta(days=1)) == []
    assert not await claim(timedelta(days=1))  # posted: nobody claims it again
