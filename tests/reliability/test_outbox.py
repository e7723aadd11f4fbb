"""The outbox under failure: a platform that refuses, asks to wait, or is cut off mid-send; a stop
during a send; a poll that closes with its reminders still waiting. On a manual clock, through
the real bot (tests/helpers.py), its deliveries passed through a platform that misbehaves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from bot.kernel.effects import Delivered, Effect
from bot.kernel.ports import Conn, DeliveryRefused, PlatformDown
from bot.storage.outbox import GIVE_UP_AFTER, IN_FLIGHT, RETRY_CAP, enqueue
from tests.helpers import Chat, import_roll


class FloodWait(Exception):
    """A platform's "too many requests, try again in RETRY_AFTER seconds" (Telegram's 429)."""

    def __init__(self, retry_after: object) -> None:
        super().__init__(f"Flood control exceeded. Retry in {retry_after} seconds")
        self.retry_after = retry_after


class Platform:
    """Stands between CHAT's outbox and its console: FAILS says, for a message's text, what the
    platform does instead of taking it (an exception to raise), once per entry."""

    def __init__(self, chat: Chat) -> None:
        self.taken: list[str] = []
        self.fails: dict[str, list[Exception]] = {}
        self.fails_to: dict[str, list[Exception]] = {}  # by the address a private message goes to
        self.before: Callable[[], Awaitable[None]] | None = None
        self.down = False  # an outage: every message fails as the network does
        self.tries = 0
        self._through = chat.app.outbox._deliver
        chat.app.outbox._deliver = self.deliver  # type: ignore[method-assign]

    async def deliver(self, effect: Effect) -> Delivered | None:
        text = str(getattr(effect, "text", ""))
        self.tries += 1
        if self.down:
            raise ConnectionError("the platform is unreachable")
        for marker, errors in self.fails.items():
            if marker in text and errors:
                raise errors.pop(0)
        if self.fails_to.get(str(getattr(effect, "actor", ""))):
            raise self.fails_to[str(getattr(effect, "actor", ""))].pop(0)
        delivered = await self._through(effect)
        self.taken.append(text)
        if self.before is not None:  # the platform took it; its answer is still on the way
            await self.before()
        return delivered


async def _queue(chat: Chat, *messages: tuple[str, str]) -> None:
    """Queue MESSAGES, each (target, text), in one transaction, in this order."""
    now = chat.app.clock.now()

    async def op(conn: Conn) -> None:
        for n, (target, text) in enumerate(messages):
            await enqueue(conn, dedupe=f"test:{n}:{text}", target=target, private=False, text=text, now=now)

    assert chat.app.writer is not None
    await chat.app.writer.run(op)


async def test_a_chat_that_must_wait_keeps_its_order_and_waits_as_long_as_asked(chat: Chat) -> None:
    platform = Platform(chat)
    platform.fails["first to x"] = [FloodWait(timedelta(seconds=42))]
    await _queue(chat, ("console:x", "first to x"), ("console:x", "second to x"), ("console:y", "first to y"))
    await chat.app.outbox.drain()
    # y is not held up by x; x's second message does not overtake its first.
    assert platform.taken == ["first to y"]
    chat.tick(timedelta(seconds=41))
    await chat.app.outbox.drain()
    assert platform.taken == ["first to y"], "sent before the platform's wait was over"
    chat.tick(timedelta(seconds=1))
    await chat.app.outbox.drain()
    assert platform.taken == ["first to y", "first to x", "second to x"]


async def test_a_refused_message_is_given_up_at_once_and_holds_up_nothing_behind_it(chat: Chat) -> None:
    platform = Platform(chat)
    platform.fails["to the gone room"] = [DeliveryRefused("Forbidden: bot was kicked from the group chat")]
    await _queue(chat, ("console:gone", "to the gone room"), ("console:gone", "again to the gone room"),
                 ("console:y", "to y"))
    await chat.app.outbox.drain()
    assert sorted(platform.taken) == ["again to the gone room", "to y"]
    assert await chat.query("SELECT text, failed IS NOT NULL, attempts FROM outbox ORDER BY id") == [
        ("to the gone room", 1, 1), ("again to the gone room", 0, 1), ("to y", 0, 1)]


async def test_a_message_under_way_when_the_bot_stops_is_marked_not_sent_again(tmp_path: Path) -> None:
    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    platform = Platform(chat)
    answered = asyncio.Event()

    async def slow_answer() -> None:
        answered.set()
        await asyncio.sleep(0.05)

    platform.before = slow_answer
    await _queue(chat, ("console:x", "the result"))
    chat.app.outbox.poke()
    await asyncio.wait_for(answered.wait(), 5)  # the platform has it; the bot stops before the answer
    await chat.stop()
    chat = await Chat.start(tmp_path, clock=clock)
    again = Platform(chat)
    await chat.app.outbox.drain()
    await chat.stop()
    assert platform.taken + again.taken == ["the result"]


async def test_reminders_still_waiting_when_the_poll_closes_are_not_sent(chat: Chat) -> None:
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --closes 2h", "ann (private): /vote 1 yes")
    platform = Platform(chat)
    platform.fails["Reminder"] = [ConnectionError("the platform is down")] * 2
    platform.fails["closes at"] = [ConnectionError("the platform is down")]
    await chat.advance("61m")  # the 1h round: bob's and cat's reminders and the group warning wait
    await chat.app.outbox.drain()
    assert not [t for t in platform.taken if "Reminder" in t or "closes at" in t]
    await chat.say("chair: /close 1")  # closed early, by an organiser
    chat.tick(timedelta(hours=1))
    await chat.app.outbox.drain()
    late = [t for t in platform.taken if "Reminder" in t or "closes at" in t]
    assert late == [], "a reminder of a closed poll was sent"


async def test_a_mark_that_fails_stops_the_drain_without_leaving_senders_behind(chat: Chat) -> None:
    """The database fails to record one message as sent: that one may go again (the platform has
    it), but no other: the drain ends only once every sender has, so the next drain claims no
    message another sender is still sending."""
    platform = Platform(chat)
    outbox = chat.app.outbox
    writer = outbox._writer
    marks = 0

    class FailsThirdMark:
        async def run(self, op, event_id=None):  # type: ignore[no-untyped-def]
            nonlocal marks
            if op.__name__ == "mark":
                marks += 1
                if marks == 3:
                    raise OSError("disk I/O error")
            return await writer.run(op, event_id)

    outbox._writer = FailsThirdMark()  # type: ignore[assignment]
    await _queue(chat, *((f"console:room{n}", f"message {n}") for n in range(40)))
    try:
        await outbox.drain()
    except OSError:
        pass
    await outbox.drain()
    await outbox.drain()
    counts = {text: platform.taken.count(text) for text in set(platform.taken)}
    assert len(counts) == 40
    assert sum(counts.values()) <= 41, sorted(t for t, n in counts.items() if n > 1)


async def _drain_through(chat: Chat, span: timedelta, step: timedelta) -> None:
    """Let SPAN pass in STEPs, draining after each, as the running bot does."""
    passed = timedelta(0)
    while passed < span:
        chat.tick(step)
        passed += step
        await chat.app.outbox.drain()


async def test_an_outage_of_hours_is_waited_out_and_every_chat_flows_in_order_after_it(chat: Chat) -> None:
    platform = Platform(chat)
    platform.down = True
    await _queue(chat, ("console:x", "x 1"), ("console:y", "y 1"), ("console:x", "x 2"), ("console:y", "y 2"))
    await chat.app.outbox.drain()
    await _drain_through(chat, timedelta(hours=3), timedelta(minutes=2))
    assert platform.taken == []
    assert await chat.query("SELECT count(*) FROM outbox WHERE failed IS NOT NULL") == [(0,)]
    # While it is down the platform is tried once per wait, not once per message and drain.
    assert platform.tries <= 2 * (timedelta(hours=3) / RETRY_CAP + 10), platform.tries
    platform.down = False
    await _drain_through(chat, RETRY_CAP, timedelta(seconds=30))
    assert [t for t in platform.taken if "x" in t] == ["x 1", "x 2"]
    assert [t for t in platform.taken if "y" in t] == ["y 1", "y 2"]


async def test_a_message_failing_for_longer_than_the_horizon_is_given_up(chat: Chat) -> None:
    platform = Platform(chat)
    platform.down = True
    await _queue(chat, ("console:x", "x 1"))
    await chat.app.outbox.drain()
    await _drain_through(chat, GIVE_UP_AFTER - timedelta(hours=1), timedelta(hours=1))
    assert await chat.query("SELECT failed FROM outbox") == [(None,)]
    await _drain_through(chat, timedelta(hours=2), timedelta(hours=1))
    [(failed,)] = await chat.query("SELECT failed FROM outbox")
    assert failed is not None and "unreachable" in failed


async def test_a_stop_during_an_outage_does_not_cut_a_message_s_wait_short(tmp_path: Path) -> None:
    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    platform = Platform(chat)
    platform.down = True
    await _queue(chat, ("console:x", "x 1"))
    await chat.app.outbox.drain()
    await _drain_through(chat, GIVE_UP_AFTER - timedelta(hours=1), (GIVE_UP_AFTER - timedelta(hours=1)) / 10)
    await chat.stop()
    clock.advance(timedelta(days=2))  # the bot is stopped, the platform still down
    chat = await Chat.start(tmp_path, clock=clock)
    again = Platform(chat)
    again.down = True
    await chat.app.outbox.drain()
    assert await chat.query("SELECT failed FROM outbox") == [(None,)]
    again.down = False
    await _drain_through(chat, RETRY_CAP, timedelta(minutes=1))
    await chat.stop()
    assert again.taken == ["x 1"]


async def test_thousands_waiting_through_an_outage_cost_few_tries_and_all_go_once_after(chat: Chat) -> None:
    platform = Platform(chat)
    platform.down = True
    await _queue(chat, *((f"console:member{n}", f"reminder {n}") for n in range(1500)))
    await _drain_through(chat, timedelta(hours=1), timedelta(minutes=1))
    # While the platform rests, its messages are neither claimed nor released again.
    assert await chat.query("SELECT count(*) FROM outbox WHERE claimed_until IS NOT NULL") == [(0,)]
    # Each try of the platform is at most IN_FLIGHT messages, begun together, not thousands.
    assert platform.tries <= IN_FLIGHT * (timedelta(hours=1) / RETRY_CAP + 10), platform.tries
    platform.down = False
    for _ in range(10):
        chat.tick(RETRY_CAP)
        while await chat.app.outbox.drain():
            pass
    assert sorted(platform.taken) == sorted(f"reminder {n}" for n in range(1500))
    assert await chat.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


async def _secret_round(chat: Chat) -> None:
    """A secret roll poll of Ann, Bob and Cat that Ann has voted in: its 24-hour round, a walk."""
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --closes 48h --secret", "ann (private): /vote 1 yes")


async def test_a_walk_asked_to_wait_waits_as_long_as_asked_and_rests_no_platform(chat: Chat) -> None:
    """A 429 in a walk's block holds the block for as long as the platform asked, as it holds a
    message, not for the walk's own backoff; and, as for a message, it rests no platform."""
    await _secret_round(chat)
    platform = Platform(chat)
    platform.fails_to["console:bob"] = [FloodWait(42)]
    await chat.advance("24h")
    await chat.app.outbox.drain()
    assert chat.app.outbox.paused == {}
    assert len([t for t in platform.taken if "Reminder" in t]) == 1  # Cat's: the block waits for Bob's
    chat.tick(timedelta(seconds=41))
    await chat.app.outbox.drain()
    assert len([t for t in platform.taken if "Reminder" in t]) == 1, "sent before the platform's wait was over"
    chat.tick(timedelta(seconds=1))
    await chat.app.outbox.drain()
    assert len([t for t in platform.taken if "Reminder" in t]) == 2  # Bob's, and Cat's (taken once only)
    assert await chat.query("SELECT count(*) FROM outbox_walks") == [(0,)]


async def test_a_walk_that_finds_the_platform_down_rests_it_as_a_message_does(chat: Chat) -> None:
    """An outage met by a walk rests the platform, as one met by a message does: the chats'
    messages wait for the walk's next try instead of each failing in turn."""
    await _secret_round(chat)
    platform = Platform(chat)
    platform.fails_to["console:bob"] = [ConnectionError("the platform is unreachable")]
    await chat.advance("24h")
    await chat.app.outbox.drain()
    assert "console" in chat.app.outbox.paused
    await _queue(chat, ("console:y", "to y"))
    await chat.app.outbox.drain()
    assert "to y" not in platform.taken, "begun while the platform rests"
    chat.tick(timedelta(seconds=5))
    await chat.app.outbox.drain()
    assert "to y" in platform.taken
    assert len([t for t in platform.taken if "Reminder" in t]) == 2


async def test_a_failure_of_one_chat_holds_back_that_chat_only(chat: Chat) -> None:
    """A failure worth a retry that is no outage (say one room's encryption could not be set
    up) concerns its chat: that chat waits, and every other chat's messages go on at once. An
    outage (unreachable, timing out, a 5xx: ``PlatformDown``) rests the whole platform."""
    platform = Platform(chat)
    platform.fails["to x"] = [RuntimeError("the room's keys could not be shared")]
    await _queue(chat, ("console:x", "to x"), ("console:x", "again to x"))
    await chat.app.outbox.drain()
    assert platform.taken == [] and chat.app.outbox.paused == {}
    await _queue(chat, ("console:y", "to y"))
    await chat.app.outbox.drain()
    assert platform.taken == ["to y"], "another chat waited for one chat's trouble"
    chat.tick(timedelta(seconds=5))
    await chat.app.outbox.drain()
    assert platform.taken == ["to y", "to x", "again to x"]
    platform.fails["to z"] = [PlatformDown("Bad Gateway")]
    await _queue(chat, ("console:z", "to z"), ("console:w", "to w"))
    platform.taken.clear()
    await chat.app.outbox.drain()
    await _queue(chat, ("console:v", "to v"))
    await chat.app.outbox.drain()
    assert "console" in chat.app.outbox.paused and "to v" not in platform.taken
