"""Dates as branch secretaries write them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.features.campaigns.parse import DateError, branch_report, parse_day


def test_dates_as_written() -> None:
    today = date(2026, 6, 1)
    assert parse_day("3 June", today) == date(2025, 6, 3)  # the most recent 3 June
    assert parse_day("29th May", today) == date(2026, 5, 29)
    assert parse_day("2026-05-01", today) == date(2026, 5, 1)
    assert parse_day("yesterday", today) == date(2026, 5, 31)
    with pytest.raises(DateError):
        parse_day("30 February", today)


def test_a_day_without_a_year_is_never_read_as_before_the_first_day_it_can_be() -> None:
    today, opened = date(2026, 6, 1), date(2026, 5, 20)
    assert parse_day("3 June", today, opened) == date(2026, 6, 3)  # this June: refused as in the future
    assert parse_day("25 May", today, opened) == date(2026, 5, 25)
    assert parse_day("20 December", date(2027, 1, 5), opened) == date(2026, 12, 20)  # last December
    assert parse_day("3 June", today, date(2025, 1, 1)) == date(2025, 6, 3)  # the campaign was open then


@pytest.mark.parametrize("typed, expected", [
    ("Hillside on 3 June", ("Hillside", "3 June")),
    ("Stoke on Trent", ("Stoke on Trent", None)),  # "on" inside a branch's name is its name
    ("Stoke on Trent on 2026-06-01", ("Stoke on Trent", "2026-06-01")),
    ("Newcastle upon Tyne on today", ("Newcastle upon Tyne", "today")),
    ("Hillside on 31 February", ("Hillside", "31 February")),  # a date, if not a real one
    ("Hillside ON yesterday", ("Hillside", "yesterday")),
    ("North", ("North", None)),
])
def test_a_report_names_its_branch_then_on_its_day(typed: str, expected: tuple[str, str | None]) -> None:
    assert branch_report(typed, "usage") == expected
