"""A deadline that passes while the bot is down: at the next start the poll is closed and its
result announced exactly once, as a live close would, also when the platform does not take the
announcement at once. Each test restarts the real bot on the same file database, with the clock
moved past the deadline."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleTransport
from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
from bot.kernel.effects import Send
from tests.helpers import Chat, transcript_after_outbox

LATE = "comes late"


async def _down_across_the_deadline(tmp_path: Path, *lines: str) -> datetime:
    """Play LINES, stop the bot, and return a moment two hours on (past every 30m deadline)."""
    chat = await Chat.start(tmp_path)
    await chat.say(*lines)
    later = chat.app.clock.now() + timedelta(hours=2)
    await chat.stop()
    return later


async def test_a_missed_deadline_is_closed_at_start_and_announced_once(tmp_path: Path) -> None:
    later = await _down_across_the_deadline(
        tmp_path, "chair: /poll Lunch? | Pizza | Soup --closes 30m", "ann: /vote 1 Soup")
    chat = await Chat.start(tmp_path, clock=ManualClock(later))
    try:
        # Closed by the time the bot takes its first message: no reading it as open.
        assert (await chat.query("SELECT closed_by FROM polls WHERE id = 1")) == [("deadline",)]
        out = await chat.say("bob: /results 1")
        assert "Result — poll 1" in out and "Results so far" not in out and "WINNER: Soup" in out, out
        out = await chat.say("bob: /vote 1 Pizza")
        assert "late votes are not counted" in out, out
        shown = await transcript_after_outbox(chat)
        assert shown.count(LATE) == 1 and shown.count("WINNER: Soup") == 2, shown  # announced + /results
        await chat.app.scheduler.run_due()
        assert (await transcript_after_outbox(chat)).count(LATE) == 1
    finally:
        await chat.stop()
    # Started again: nothing is announced a second time.
    chat = await Chat.start(tmp_path, clock=ManualClock(later + timedelta(minutes=30)))
    try:
        assert LATE not in await transcript_after_outbox(chat)
    finally:
        await chat.stop()


async def test_a_missed_secret_roll_deadline_is_announced_and_its_receipts_published(tmp_path: Path) -> None:
    later = await _down_across_the_deadline(
        tmp_path, "chair: /poll Strike? --secret --closes 30m", "ann (private): /vote 1 yes")
    chat = await Chat.start(tmp_path, clock=ManualClock(later))
    try:
        shown = await transcript_after_outbox(chat)
        assert shown.count(LATE) == 1 and "CARRIED" in shown, shown
        out = await chat.say("ann (private): /receipts 1")
        assert "Poll 1 receipts (1)" in out, out
    finally:
        await chat.stop()


async def test_the_announcement_survives_a_platform_that_is_not_up_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = await _down_across_the_deadline(
        tmp_path, "chair: /poll Budget? --closes 30m", "ann: /vote 1 yes")
    real = ConsoleTransport.deliver
    down = True

    async def flaky(self: ConsoleTransport, effect):  # type: ignore[no-untyped-def]
        if down and isinstance(effect, Send):
            raise ConnectionError("the platform is not reachable yet")
        return await real(self, effect)

    monkeypatch.setattr(ConsoleTransport, "deliver", flaky)
    chat = await Chat.start(tmp_path, clock=ManualClock(later))
    try:
        await chat.app.scheduler.run_due()
        await chat.app.outbox.drain()
        assert LATE not in "\n".join(chat.transport.transcript)
        assert (await chat.query("SELECT closed_by FROM polls WHERE id = 1")) == [("deadline",)]
        down = False  # the platform answers again: the queued announcement is retried
        chat.tick(timedelta(minutes=1))
        shown = await transcript_after_outbox(chat)
        assert shown.count(LATE) == 1 and "CARRIED" in shown, shown
    finally:
        await chat.stop()


async def test_a_live_close_is_announced_once_however_long_the_bot_runs_after(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m", "ann: /vote 1 Soup")
    out = await chat.advance("30m")
    assert out.count("WINNER: Soup") == 1, out
    await chat.say("chair: /poll Tea? | Green | Black", "ann: /vote 2 Green")
    out = await chat.say("chair: /close 2")
    assert out.count("WINNER: Green") == 1, out
    chat.tick(timedelta(hours=1))  # long past the time the outbox would send what was not sent
    shown = await transcript_after_outbox(chat)
    assert shown.count("WINNER: Soup") == 1 and shown.count("WINNER: Green") == 1, shown


async def test_results_read_between_the_deadline_and_its_timer_are_the_result(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m", "ann: /vote 1 Soup")
    chat.tick(timedelta(minutes=31))  # the deadline has passed; its timer has not fired yet
    out = await chat.say("bob: /results 1")
    assert "Result — poll 1" in out and "Results so far" not in out, out
    assert out.count("WINNER: Soup") == 2, out  # the announcement, then the answer
    await chat.app.scheduler.run_due()
    assert (await transcript_after_outbox(chat)).count("WINNER: Soup") == 2


async def test_the_open_polls_list_and_a_late_result_name_the_deadlines_zone(tmp_path: Path) -> None:
    """Members read the deadline far from the organisation: /polls and the note under a late
    result name the zone it is read in, as the ballot does."""
    config = parse_config({"bot": {"timezone": "Europe/London"}})
    chat = await Chat.start(tmp_path, config)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m")
        assert "1: Lunch? — closes 13:30 (Europe/London)" in await chat.say("ann: /polls")  # 12:00 UTC is 13:00 BST
        later = chat.app.clock.now() + timedelta(hours=2)
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path, config, clock=ManualClock(later))
    try:
        shown = await transcript_after_outbox(chat)
        assert "(The deadline was Mon 01 Jun 13:30 (Europe/London); the bot was offline then" in shown, shown
    finally:
        await chat.stop()
