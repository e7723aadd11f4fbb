"""Deadlines as an organisation in one time zone types them and lives through them: a date and
a time written with a space, a day across the clocks going back, a time the clocks show twice,
and a submission at the very second of its deadline — through the console, across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
from tests.helpers import Chat, add_members, import_roll, transcript_after_outbox

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


async def test_a_time_alone_is_its_next_occurrence_and_the_answer_names_its_day_and_zone(tmp_path: Path) -> None:
    """A time typed alone (6pm, 6:30 pm, 18:00) is the next time the organisation's clocks read
    it, which may be tomorrow: whatever announces the deadline names its day and its zone, so
    nobody has to guess which 6pm was meant."""
    chat = await Chat.start(tmp_path, LONDON)  # Monday 1 June, 13:00 in London
    try:
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 6pm")
        assert "Closes Mon 01 Jun 18:00 (Europe/London)." in out, out
        out = await chat.say("chair: /poll Tea? | Yes | No --closes 9:30 am")  # gone today: tomorrow
        assert "Closes Tue 02 Jun 09:30 (Europe/London)." in out, out
        out = await chat.say("chair: /poll Cake? | Yes | No --closes 2026-06-03 6:30 p.m. --secret")
        assert "Closes Wed 03 Jun 18:30 (Europe/London)." in out and "secret" in out, out
        out = await chat.say("chair: /motion new Fund schools --deadline 1w", "chair: /motion M1 deadline 5pm")
        assert "Submission deadline: Mon 08 Jun 13:00 (Europe/London)." in out, out
        assert "M1 must be submitted by Mon 01 Jun 17:00 (Europe/London)." in out, out
        await import_roll(chat)
        out = await chat.say("chair: /trigger open recall Chair --signatures 2 --closes 6:30 pm")
        assert "Closes Mon 01 Jun 18:30 (Europe/London)." in out, out
        out = await chat.say("chair: /poll Soon? | Yes | No --closes 13pm")
        assert "13pm is not a time of day; give one such as 18:00, 6pm or 6:30 pm" in out, out
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


async def test_a_trigger_ballots_day_is_a_calendar_day_as_a_deadlines_is(tmp_path: Path) -> None:
    """--ballot-closes 1d reads a day as --closes 1d does: the ballot a trigger opens on the
    Saturday before the clocks go back closes at the same time on Sunday, 25 hours on."""
    chat = await Chat.start(tmp_path, LONDON, clock=ManualClock(SATURDAY))
    try:
        codes = await import_roll(chat)
        await chat.say(f"ann (private): /join {codes['ann']}",
                       "chair: /trigger open recall Chair --signatures 1 --closes 3d --ballot-closes 1d")
        await chat.say("ann (private): /sign T1 yes")
        shown = await transcript_after_outbox(chat)
        assert "Poll 1: T1: Recall Chair?" in shown and "Closes Sun 25 Oct 13:00 (Europe/London)." in shown, shown
        assert await chat.query("SELECT closes_at FROM polls") == [("2026-10-25T13:00:00+00:00",)]
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


# -- every time shown to a member names its zone, one way (wording.zoned) ----------------------


async def test_a_poll_names_the_zone_of_its_deadline_wherever_it_is_shown(tmp_path: Path) -> None:
    """The ballot, the vote's confirmation and its withdrawal: a member far from the
    organisation reads each deadline with its zone; the ballot, which announces it, with its day
    too, also when it is today."""
    chat = await Chat.start(tmp_path, LONDON)
    try:
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m")
        assert "Closes Mon 01 Jun 13:30 (Europe/London)." in out, out
        out = await chat.say("ann: /vote 1 Soup")
        assert "Your vote in poll 1: Soup — you can change it until 13:30 (Europe/London)." in out, out
        out = await chat.say("ann: /vote 1 withdraw")
        assert "You can vote again until 13:30 (Europe/London)." in out, out
    finally:
        await chat.stop()


async def test_a_trigger_campaign_names_its_zone_in_its_progress_and_when_it_fired(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, parse_config({"bot": {"timezone": "America/New_York"}}))
    try:
        codes = await import_roll(chat)
        await chat.say(f"ann (private): /join {codes['ann']}", "chair: /trigger open recall Chair --signatures 1 "
                       "--closes 3d")
        out = await chat.say("chair: /trigger T1")
        assert "Closes Thu 04 Jun 08:00 (America/New_York); 3 days left." in out, out
        await chat.say("ann (private): /sign T1 yes")
        out = await chat.say("chair: /trigger T1")
        assert "It fired at Mon 01 Jun 08:00 (America/New_York). Its ballot is poll 1." in out, out
        told = await transcript_after_outbox(chat)
        assert "[chair (private)] bot: Trigger T1 (recall: Chair) fired at Mon 01 Jun 08:00 (America/New_York)" \
            in told, told
    finally:
        await chat.stop()


async def test_a_campaigns_progress_and_a_motions_history_show_its_deadline_in_its_zone(tmp_path: Path) -> None:
    """A campaign's deadline in its progress names its zone; a motion's deadline set in its
    history reads as the history's other times do, in the zone the history names (it was UTC
    text among local times)."""
    chat = await Chat.start(tmp_path, LONDON)
    try:
        await chat.say("chair: /motion new Fund schools", "chair: /motion M1 resolves To act.",
                       "chair: /motion M1 deadline 2026-06-10 17:00", "chair: /motion M1 status carried")
        await chat.say("chair: /campaign M1 open --branches 2 --deadline 2026-07-01 18:00")
        out = await chat.say("ann: /campaign M1")
        assert "30 days left; deadline Wed 01 Jul 2026 18:00 (Europe/London)." in out, out
        out = await chat.say("chair: /motion M1 history")
        assert "History of M1 (times in Europe/London):" in out and "deadline: 2026-06-10 17:00:00+01:00" in out, out
    finally:
        await chat.stop()


async def test_a_motions_history_tells_apart_changes_in_one_minute_and_in_the_hour_the_clocks_show_twice(
    tmp_path: Path,
) -> None:
    """Each entry of a history names its moment to the second and with its offset from UTC:
    two changes in one minute, and the two 01:30s of the night the clocks go back (BST, then
    GMT), read as different moments, in order, where they once read as one."""
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST; an hour on it is 01:30 GMT
    chat = await Chat.start(tmp_path, LONDON, clock=ManualClock(first))
    try:
        await chat.say("chair: /motion new Fund schools")
        await chat.advance("20s")
        await chat.say("chair: /motion M1 resolves To act.")
        await chat.advance("59m40s")
        await chat.say("chair: /motion M1 mover Ann")
        out = await chat.say("chair: /motion M1 history")
        assert "2026-10-25 01:30:00+01:00 chair: created: Fund schools" in out, out
        assert "2026-10-25 01:30:20+01:00 chair: added resolves 1: To act." in out, out
        assert "2026-10-25 01:30:00+00:00 chair: mover: Ann" in out, out
    finally:
        await chat.stop()


async def test_signing_twice_says_when_the_first_signature_was_in_the_rooms_zone_with_its_day(
    tmp_path: Path,
) -> None:
    """"You signed already" names the moment of the first signature as every other time is
    named: in the organisation's zone, the time alone if it was today, else with its day, in
    the reader's language (it was the UTC text as stored, "2026-06-01 12:00 UTC")."""
    chat = await Chat.start(tmp_path, LONDON)  # Monday 1 June, 12:00 UTC, 13:00 in London
    try:
        await add_members(chat, [("ann", None), ("bob", None), ("cat", None), ("dee", None)])
        await chat.say("chair: /motion new Fund schools", "chair: /motion M1 resolves To act.",
                       "chair: /motion M1 status carried", "chair: /campaign M1 open --signatures 5 --deadline 30d",
                       "chair: /trigger open recall Chair --signatures 3 --closes 5d")
        await chat.say("ann (private): /sign M1 yes", "ann (private): /sign T1 yes")
        out = await chat.say("ann (private): /sign T1 yes")
        assert "You signed T1 already, at 13:00 (Europe/London); nothing changed." in out, out
        await chat.advance("1d")
        out = await chat.say("ann (private): /sign M1 yes")
        assert "You signed M1 already, at Mon 01 Jun 13:00 (Europe/London); nothing changed." in out, out
        await chat.say("ann (private): /language pl")
        out = await chat.say("ann (private): /sign T1 yes")
        assert "pon., 1 cze, 13:00 (Europe/London)" in out and "T1" in out, out
    finally:
        await chat.stop()


async def test_texts_that_stay_name_the_year_of_a_deadline_across_new_year(tmp_path: Path) -> None:
    """On 30 December, a deadline a week on is in January next year: the ballot pinned in the
    room, /motion … show and a trigger's announcement say "2027", or "Wed 06 Jan" would read
    as the 6 January just gone. A deadline this year keeps its day alone."""
    chat = await Chat.start(tmp_path, LONDON, clock=ManualClock(datetime(2026, 12, 30, 12, 0, tzinfo=UTC)))
    try:
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 7d")
        assert "Closes Wed 06 Jan 2027 12:00 (Europe/London)." in out, out
        out = await chat.say("chair: /poll Tea? | Yes | No --closes 1d")
        assert "Closes Thu 31 Dec 12:00 (Europe/London)." in out, out
        out = await chat.say("chair: /motion new Fund schools --deadline 2027-01-08 17:00 --conference",
                             "chair: /motion M1 show")
        assert out.count("Submission deadline: Fri 08 Jan 2027 17:00 (Europe/London).") == 2, out
        await import_roll(chat)
        out = await chat.say("chair: /trigger open recall Chair --signatures 2 --closes 14d")
        assert "Closes Wed 13 Jan 2027 12:00 (Europe/London)." in out, out
    finally:
        await chat.stop()
