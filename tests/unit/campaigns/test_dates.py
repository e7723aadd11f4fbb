"""Dates as branch secretaries write them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.features.campaigns.parse import DateError, parse_day


def test_dates_as_written() -> None:
    today = date(2026, 6, 1)
    assert parse_day("3 June", today) == date(2025, 6, 3)  # the most recent 3 June
    assert parse_day("29th May", today) == date(2026, 5, 29)
    assert parse_day("2026-05-01", today) == date(2026, 5, 1)
    assert parse_day("yesterday", today) == date(2026, 5, 31)
    with pytest.raises(DateError):
        parse_day("30 February", today)
