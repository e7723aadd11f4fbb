"""The pure pieces under motions, campaigns and triggers: exact thresholds, amendments, message
pages and CSV parts."""

from __future__ import annotations

import csv
import io
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.features.campaigns.parse import DateError, parse_day
from bot.features.motions.model import AmendmentError, apply
from bot.features.motions.parse import parse_amendment
from bot.features.triggers.model import Threshold, needed, standing
from bot.features.triggers.parse import parse_share
from bot.kernel.csv_export import csv_parts
from bot.kernel.pages import pages


def test_shares_are_exact() -> None:
    assert parse_share("1/3") == Fraction(1, 3)
    assert parse_share("33.3%") == Fraction(333, 1000)
    assert needed(Fraction(1, 3), 9) == 3  # "at least one third": exactly a third is enough
    assert needed(Fraction(333, 1000), 100) == 34
    assert needed(Fraction(1, 2), 1) == 1
    assert needed(Fraction(1, 100), 0) == 1


def test_branch_threshold_counts_branches_not_signatures() -> None:
    t = Threshold("branches", share=Fraction(2, 3), branch_count=2)
    sizes = {"A": 10, "B": 10, "C": 10}
    assert not standing(t, 30, sizes, 10, {"A": 9, "B": 1}).crossed  # one branch of three is not enough…
    s = standing(t, 30, sizes, 10, {"A": 8, "B": 2})  # …two of three are (two thirds)
    assert s.crossed and s.counted_branches == ("A", "B")
    t = Threshold("branches", share=Fraction(1, 2), branch_share=Fraction(1, 2))
    assert not standing(t, 30, sizes, 13, {"A": 5, "B": 4, "C": 4}).crossed  # half of 10 is 5
    assert standing(t, 30, sizes, 14, {"A": 5, "B": 5, "C": 4}).crossed  # 2 of 3 is at least half


def test_amendments_apply_as_written() -> None:
    sections = {"notes": [], "believes": [], "resolves": ["To write to the MP.", "To march, with others."]}
    cases = {
        'resolves 1 replace "the MP" with "every MP"': "To write to every MP.",
        'resolves 1 insert "urgently" after "write"': "To write urgently to the MP.",
        'resolves 1 insert "Immediately" at start': "Immediately To write to the MP.",
        'resolves 2 delete ", with others"': "To march.",
    }
    for text, result in cases.items():
        a = parse_amendment(text)
        assert result in apply(sections, a)["resolves"]
    assert apply(sections, parse_amendment("resolves 1 delete"))["resolves"] == ["To march, with others."]
    assert apply(sections, parse_amendment("add notes A fact."))["notes"] == ["A fact."]
    for bad in ('resolves 3 delete "x"', 'resolves 1 replace "t" with "x"', 'resolves 1 delete "To write to the MP."'):
        with pytest.raises(AmendmentError):
            apply(sections, parse_amendment(bad))


def test_dates_as_written() -> None:
    today = date(2026, 6, 1)
    assert parse_day("3 June", today) == date(2025, 6, 3)  # the most recent 3 June
    assert parse_day("29th May", today) == date(2026, 5, 29)
    assert parse_day("2026-05-01", today) == date(2026, 5, 1)
    assert parse_day("yesterday", today) == date(2026, 5, 31)
    with pytest.raises(DateError):
        parse_day("30 February", today)


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                        max_size=5000), max_size=30))
def test_pages_fit_a_message_and_lose_nothing(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = pages(text)
    assert all(len(p) <= 3500 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=300)


@given(st.lists(st.tuples(_cell, _cell), max_size=60))
def test_csv_parts_are_whole_files(rows: list[tuple[str, str]]) -> None:
    parts = csv_parts(("name", "area"), rows, limit=1000)
    back: list[list[str]] = []
    for part in parts:
        read = list(csv.reader(io.StringIO(part)))
        assert read[0] == ["name", "area"]
        back += read[1:]
    assert len(back) == len(rows)
    for (name, area), got in zip(rows, back, strict=True):
        for value, cell in ((name, got[0]), (area, got[1])):
            assert cell == ("'" + value if value[:1] in "=+-@" and value else value)
