"""Deadlines as an organisation in one time zone types them and lives through them: a date and
a time written with a space, a day across the clocks going back, a time the clocks show twice,
and a submission at the very second of its deadline — through the console, across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
from tests.helpers import Chat, import_roll

LONDON = parse_config({"bot": {"timezone": "Europe/London"}})
SATURDAY = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # 13:00 BST; the clocks go back at 02:00 tomorrow


async def test_a_date_and_time_written_with_a_space_is_one_deadline(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, LONDON)
    try:
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 2026-06-03 18:00")
        assert "Closes Wed 03 Jun 18:00 (Europe/London)." in out, out
        out = await chat.say("chair: /motion new Fund schools --deadline 2026-06-10 17:00 --conference")
        assert "Submission deadline: Wed 10 Jun 17:00 (Europe/London)." in out, out
        out = await chat.say("chair: /motion M1 deadline 2026-06-11 17:00")
        assert "must be submitted by Thu 11 Jun 17:00 (Europe/London)." in out, out
        # A date in the question itself stays text.
        out = await chat.say("chair: /poll Meet on 2026-06-05 18:30? | Yes | No")
        assert "Poll 2: Meet on 2026-06-05 18:30?" in out, out
    finally:
        await chat.stop()


async def test_a_day_across_the_clocks_going_back_closes_at_the_same_time_of_day(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, LONDON, clock=ManualClock(SATURDAY))
    out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1d", "ann: /vote 1 Soup")
    assert "Closes Sun 25 Oct 13:00 (Europe/London)." in out, out
    await chat.stop()
    # Down overnight; 24 hours on it is 12:00 on Sunday, and the poll is still open.
    chat = await Chat.start(tmp_path, LONDON, clock=ManualClock(SATURDAY + timedelta(hours=24)))
    try:
        out = await chat.say("bob: /vote 1 Pizza")
        assert "late" not in out and (await chat.query("SELECT closed_by FROM polls")) == [(None,)], out
        await chat.advance("59m")
        assert (await chat.query("SELECT closed_by FROM polls")) == [(None,)]
        out = await chat.advance("1m")
        assert "Result — poll 1" in out, out
    finally:
        await chat.stop()


async def test_a_time_the_clocks_show_twice_is_asked_about_and_changes_nothing(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, LONDON, clock=ManualClock(SATURDAY))
    try:
        before = await chat.snapshot()
        for line in ("chair: /poll Lunch? | Pizza | Soup --closes 01:30",
                     "chair: /motion new Fund schools --deadline 2026-10-25 01:30"):
            out = await chat.say(line)
            assert "“" in out and "happens twice in Europe/London, as the clocks go back; say which: " \
                   "2026-10-25T01:30+01:00 or 2026-10-25T01:30+00:00." in out, out
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 2026-06-01T12:00")
        assert "in the past" in out, out
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 2026-10-30")
        assert "“2026-10-30” is a day; give the time on it too, such as 2026-10-30 18:00." in out, out
        assert await chat.snapshot() == before
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 2026-10-25T01:30+00:00")
        # Shown with which 01:30 it is, as it is the only hour of the year that needs it.
        assert "Closes Sun 25 Oct 01:30 GMT (Europe/London)." in out, out
        await chat.advance("13h29m")  # 01:29 GMT, the second 01:29 of the night
        assert (await chat.query("SELECT closed_by FROM polls")) == [(None,)]
    finally:
        await chat.stop()


async def test_a_motion_submitted_at_its_deadline_is_late(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, LONDON)
    try:
        await chat.say("chair: /motion new Fund schools --deadline 1h", "chair: /motion M1 resolves To act.",
                       "chair: /motion M1 mover Ann", "chair: /motion M1 seconder Bob")
        chat.tick(timedelta(hours=1))  # the very second of the deadline, as a poll's close is
        out = await chat.say("chair: /motion M1 submit")
        assert "The deadline for M1 passed at Mon 01 Jun 14:00 (Europe/London)" in out, out
    finally:
        await chat.stop()


async def test_a_trigger_campaigns_close_names_its_zone_as_a_polls_does(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, parse_config({"bot": {"timezone": "America/New_York"}}))
    try:
        codes = await import_roll(chat)
        await chat.say(f"ann (private): /join {codes['ann']}")
        out = await chat.say("chair: /trigger open recall Chair --signatures 1 --closes 3d")
        assert "Closes Thu 04 Jun 08:00 (America/New_York)." in out, out
        out = await chat.say("ann (private): sign T1")
        assert "it closes Thu 04 Jun 08:00 (America/New_York)." in out, out
    finally:
        await chat.stop()
