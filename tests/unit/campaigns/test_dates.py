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
