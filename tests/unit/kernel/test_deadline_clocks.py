"""Deadlines across the days the clocks change, and dates as people type them.

A deadline decides whether a vote counts, so a local time the clocks skip, or show twice, is
never guessed at: it is refused with what to type instead. ``1d`` is a calendar day (the same
time of day tomorrow, 23 or 25 hours across a change); hours and minutes are elapsed time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.durations import DeadlineError, parse_deadline
from bot.kernel.wording import when, when_in_full

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # goes forward by half an hour
CHATHAM = ZoneInfo("Pacific/Chatham")  # +12:45 / +13:45, changing at 02:45 local
BEFORE_SPRING = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # London goes forward 29 Mar 01:00 -> 02:00
BEFORE_AUTUMN = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # London goes back 25 Oct 02:00 -> 01:00


def local(t: datetime, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M %z")


@pytest.mark.parametrize("typed", ["01:30", "2026-03-29 01:30", "2026-03-29T01:30", "1:30am", "1:30 a.m.",
                                   "2026-03-29 1:30am"])
def test_a_time_the_clocks_skip_is_refused_with_one_that_exists(typed: str) -> None:
    with pytest.raises(DeadlineError, match="does not exist in Europe/London: the clocks go forward over it; give a "
                                            "time after the change, such as 2026-03-29 02:30"):
        parse_deadline(typed, BEFORE_SPRING, LONDON)


def test_the_time_offered_for_one_the_clocks_skip_names_its_day() -> None:
    """A week ahead, "such as 02:30" would be read as the next 02:30, tomorrow's: what is
    offered to type is the skipped time's own day and a time after the change."""
    with pytest.raises(DeadlineError, match="such as 2026-03-29 02:30$"):
        parse_deadline("2026-03-29 01:30", BEFORE_SPRING - timedelta(days=7), LONDON)


def test_half_an_hour_skipped_on_lord_howe_island() -> None:
    now = datetime(2026, 10, 3, 1, 0, tzinfo=UTC)  # the clocks go from 02:00 to 02:30 on 4 October
    with pytest.raises(DeadlineError, match="such as 2026-10-04 02:45"):
        parse_deadline("2026-10-04 02:15", now, LORD_HOWE)
    assert local(parse_deadline("2026-10-04 02:30", now, LORD_HOWE), LORD_HOWE) == "2026-10-04 02:30 +1100"


@pytest.mark.parametrize("typed", ["01:30", "2026-10-25 01:30", "1:30am", "2026-10-25 1:30 AM"])
def test_a_time_the_clocks_show_twice_is_refused_naming_both(typed: str) -> None:
    with pytest.raises(DeadlineError, match=r"happens twice in Europe/London, as the clocks go back; say which: "
                                            r"2026-10-25T01:30\+01:00 or 2026-10-25T01:30\+00:00"):
        parse_deadline(typed, BEFORE_AUTUMN, LONDON)
    # Either, as the answer spells it, is taken.
    assert parse_deadline("2026-10-25T01:30+01:00", BEFORE_AUTUMN, LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse_deadline("2026-10-25T01:30+00:00", BEFORE_AUTUMN, LONDON) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_in_the_repeated_hour_the_time_still_ahead_is_meant() -> None:
    now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 the second time (GMT)
    assert parse_deadline("01:45", now, LONDON) == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)
    assert parse_deadline("2026-10-25 01:45", now, LONDON) == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)
    now = datetime(2026, 10, 25, 0, 20, tzinfo=UTC)  # 01:20 the first time (BST): 01:45 comes twice more
    with pytest.raises(DeadlineError, match="happens twice"):
        parse_deadline("01:45", now, LONDON)


@pytest.mark.parametrize("now, tz, shown", [
    (BEFORE_SPRING, LONDON, "2026-03-29 12:00 +0100"),  # 23 hours
    (BEFORE_AUTUMN, LONDON, "2026-10-25 13:00 +0000"),  # 25 hours
    (datetime(2026, 3, 7, 17, 0, tzinfo=UTC), NEW_YORK, "2026-03-08 12:00 -0400"),
    (datetime(2026, 9, 26, 0, 0, tzinfo=UTC), CHATHAM, "2026-09-27 12:45 +1345"),
])
def test_a_day_is_the_same_time_tomorrow_across_a_change(now: datetime, tz: ZoneInfo, shown: str) -> None:
    assert local(parse_deadline("1d", now, tz), tz) == shown
    # Hours are hours: 24h is 24 hours whatever the clocks do.
    assert parse_deadline("24h", now, tz) == now + timedelta(hours=24)
    assert parse_deadline("1d6h", now, tz) == parse_deadline("1d", now, tz) + timedelta(hours=6)
    assert parse_deadline("1.5d", now, tz) == parse_deadline("1d", now, tz) + timedelta(hours=12)


def test_a_year_is_the_limit_in_calendar_days() -> None:
    assert local(parse_deadline("366d", BEFORE_SPRING, LONDON), LONDON) == "2027-03-29 12:00 +0100"
    for far in ("367d", "366d1h", "999999d", "2027-03-29T12:01"):
        with pytest.raises(DeadlineError, match="more than a year away"):
            parse_deadline(far, BEFORE_SPRING, LONDON)


@pytest.mark.parametrize("typed, said", [
    ("2026-06-03", "“2026-06-03” is a day; give the time on it too, such as 2026-06-03 18:00"),
    ("2026-W23-3", "“2026-W23-3” is a day; give the time on it too, such as 2026-06-03 18:00"),
    ("2026-02-29T10:00", "“2026-02-29” is not a day of the calendar"),
    ("2026-02-29 10:00", "“2026-02-29” is not a day of the calendar"),
    ("2026-04-31T10:00", "“2026-04-31” is not a day of the calendar"),
    ("0001-01-01T00:00", "the deadline 0001-01-01T00:00 is in the past"),
    ("9999-12-31T23:59", "more than a year away"),
    ("9999-12-31T23:59-12:00", "more than a year away"),
    ("0001-01-01T00:00+14:00", "in the past"),
    ("１２:００", "cannot read the deadline"),
])
def test_dates_that_are_no_deadline_get_one_answer(typed: str, said: str) -> None:
    for tz in (LONDON, NEW_YORK, CHATHAM, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")):
        with pytest.raises(DeadlineError, match=said.replace("+", r"\+")):
            parse_deadline(typed, datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tz)


def test_a_leap_day_is_a_day() -> None:
    now = datetime(2028, 2, 1, 12, 0, tzinfo=UTC)
    assert parse_deadline("2028-02-29 18:00", now, NEW_YORK) == datetime(2028, 2, 29, 23, 0, tzinfo=UTC)
    assert local(parse_deadline("1d", datetime(2028, 2, 28, 12, 0, tzinfo=UTC), LONDON), LONDON) == \
        "2028-02-29 12:00 +0000"


ZONES = [LONDON, NEW_YORK, LORD_HOWE, CHATHAM, ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata")]


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       st.sampled_from(ZONES), st.integers(0, 23), st.integers(0, 59))
def test_a_time_of_day_is_the_next_time_the_clocks_read_it(now: datetime, tz: ZoneInfo, hh: int, mm: int) -> None:
    typed = f"{hh:02d}:{mm:02d}"
    try:
        when = parse_deadline(typed, now, tz)
    except DeadlineError as e:
        assert "does not exist" in str(e) or "happens twice" in str(e) or "too close" in str(e), e
        return
    assert when.astimezone(tz).strftime("%H:%M") == typed
    assert now < when <= now + timedelta(hours=26)
    # Never a later reading of HH:MM than the first one ahead.
    assert not any((when - timedelta(minutes=k)).astimezone(tz).strftime("%H:%M") == typed
                   and when - timedelta(minutes=k) > now + timedelta(seconds=10) for k in range(30, 26 * 60, 30))


def test_a_time_in_the_repeated_hour_is_shown_with_which_it_is() -> None:
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (when(first, LONDON, first, lasting=True), when(second, LONDON, second, lasting=True)) == (
        "Sun 25 Oct 01:30 BST", "Sun 25 Oct 01:30 GMT")
    assert when_in_full(second, LONDON) == "Sun 25 Oct 2026 01:30 GMT"
    assert when(second, LONDON, second) == "01:30 GMT"
    # Chatham's clocks go back from 03:45 to 02:45 on 5 April 2026; it has no abbreviation.
    assert when(datetime(2026, 4, 4, 13, 45, tzinfo=UTC), CHATHAM, BEFORE_SPRING, lasting=True) \
        == "Sun 05 Apr 03:30 UTC+13:45"
    assert when(datetime(2026, 4, 4, 14, 45, tzinfo=UTC), CHATHAM, BEFORE_SPRING, lasting=True) \
        == "Sun 05 Apr 03:30 UTC+12:45"
    # Any other hour is shown as ever.
    assert when(datetime(2026, 10, 25, 2, 30, tzinfo=UTC), LONDON, BEFORE_SPRING, lasting=True) == "Sun 25 Oct 02:30"


# -- the forms people type: weeks, and times of day on either clock ----------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 13:00 in London


def test_a_week_is_seven_calendar_days() -> None:
    assert local(parse_deadline("1w", BEFORE_SPRING, LONDON), LONDON) == "2026-04-04 12:00 +0100"  # 167 hours
    assert parse_deadline("1w2d", NOW, LONDON) == parse_deadline("9d", NOW, LONDON)
    assert parse_deadline("0.5w", NOW, LONDON) == parse_deadline("3d12h", NOW, LONDON)
    assert local(parse_deadline("52w", NOW, LONDON), LONDON) == "2027-05-31 13:00 +0100"
    with pytest.raises(DeadlineError, match="more than a year away"):
        parse_deadline("53w", NOW, LONDON)


@pytest.mark.parametrize("typed, shown", [
    ("6pm", "2026-06-01 18:00 +0100"), ("6 pm", "2026-06-01 18:00 +0100"), ("6PM", "2026-06-01 18:00 +0100"),
    ("6 p.m.", "2026-06-01 18:00 +0100"), ("6:30pm", "2026-06-01 18:30 +0100"),
    ("6:30 pm", "2026-06-01 18:30 +0100"), ("6.30pm", "2026-06-01 18:30 +0100"),
    ("18:00", "2026-06-01 18:00 +0100"), ("9am", "2026-06-02 09:00 +0100"),  # 9am has passed today: tomorrow
    ("12am", "2026-06-02 00:00 +0100"), ("12:30pm", "2026-06-02 12:30 +0100"),  # midnight; half past noon
    ("2026-06-03 6pm", "2026-06-03 18:00 +0100"), ("2026-06-03T6:30 pm", "2026-06-03 18:30 +0100"),
    ("2026-06-03 18:00", "2026-06-03 18:00 +0100"),
    ("18h", "2026-06-02 07:00 +0100"),  # a length: 18 hours, never 18:00
])
def test_a_time_of_day_as_people_type_it(typed: str, shown: str) -> None:
    assert local(parse_deadline(typed, NOW, LONDON), LONDON) == shown


FORMS = "give a length of time (30m, 2h, 1d, 1w), a time of day (18:00, 6pm, 6:30 pm) or a date and time " \
        "(2026-06-03 18:00)"


@pytest.mark.parametrize("typed, said", [
    ("13pm", "13pm is not a time of day; give one such as 18:00, 6pm or 6:30 pm"),
    ("0am", "0am is not a time of day; give one such as 18:00, 6pm or 6:30 pm"),
    ("6:75 pm", "6:75 pm is not a time of day; give one such as 18:00, 6pm or 6:30 pm"),
    ("24:00", "24:00 is not a time of day; give one such as 18:00, 6pm or 6:30 pm"),
    ("2026-06-03 25:00", "25:00 is not a time of day; give one such as 18:00, 6pm or 6:30 pm"),
    ("2026-06-31 6pm", "“2026-06-31” is not a day of the calendar"),
    ("tomorrow", f"cannot read the deadline “tomorrow”; {FORMS}"),
    ("18", f"cannot read the deadline “18”; {FORMS}"),
    ("6 o'clock", f"cannot read the deadline “6 o'clock”; {FORMS}"),
    ("2 weeks", f"cannot read the deadline “2 weeks”; {FORMS}"),
])
def test_what_is_no_deadline_is_refused_with_the_forms_that_are(typed: str, said: str) -> None:
    with pytest.raises(DeadlineError) as refused:
        parse_deadline(typed, NOW, LONDON)
    assert str(refused.value) == said


_TYPED = st.one_of(
    st.text(max_size=40),
    st.text(st.sampled_from("0123456789:.-+ TZapmAPMwdhs"), max_size=24),
    st.from_regex(r"\A(\d{4}-\d{2}-\d{2}[ T])?\d{1,2}([:.]\d{1,2})? ?[aApP]\.?[mM]\.?\Z"),
    st.from_regex(r"\A(\d{1,3}(\.\d{1,2})?[wdhms]){1,3}\Z"),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?\Z"),
)


@given(_TYPED, st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)),
       st.sampled_from(ZONES))
def test_any_text_is_a_deadline_ahead_or_refused_with_a_reason(typed: str, now: datetime, tz: ZoneInfo) -> None:
    """Whatever is typed, the parser answers a deadline at least 10 seconds and at most a year
    (366 calendar days) ahead, or refuses it with its own error: never another exception."""
    try:
        deadline = parse_deadline(typed, now, tz)
    except DeadlineError as e:
        assert str(e)
        return
    assert deadline.tzinfo is not None
    assert deadline - now >= timedelta(seconds=10)
    assert deadline <= (now.astimezone(tz) + timedelta(days=366)).astimezone(UTC) + timedelta(hours=1)


def test_a_moment_in_another_year_than_today_names_its_year() -> None:
    """On 30 December, a close a week on is "Wed 06 Jan 2027": without its year, 6 January
    reads as the one just gone. Today's moments are the time alone; this year's, the day."""
    now = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)
    assert when(now + timedelta(days=7), LONDON, now) == "Wed 06 Jan 2027 12:00"
    assert when(now + timedelta(days=1), LONDON, now) == "Thu 31 Dec 12:00"
    assert when(now + timedelta(hours=2), LONDON, now) == "14:00"


@pytest.mark.parametrize(("now", "shown"), [
    (datetime(2026, 12, 30, 12, 0, tzinfo=UTC), "Wed 06 Jan 2027 12:00"),  # next year, a week on
    (datetime(2026, 6, 10, 12, 0, tzinfo=UTC), "Wed 06 Jan 2027 12:00"),  # next year, seven months on
    (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "Wed 06 Jan 12:00"),  # this year: a day this year's
    (datetime(2027, 1, 6, 9, 0, tzinfo=UTC), "Wed 06 Jan 12:00"),  # today, but it stays: its day
])
def test_a_text_that_stays_names_the_year_of_a_deadline_in_another(now: datetime, shown: str) -> None:
    """A ballot pinned for weeks, /motion … show, a trigger's announcement: a deadline in
    another year than the one it is rendered in names it, so "Wed 06 Jan" is never read as
    the 6 January just gone; and it keeps its day, as it may be read on another."""
    assert when(datetime(2027, 1, 6, 12, 0, tzinfo=UTC), LONDON, now, lasting=True) == shown
