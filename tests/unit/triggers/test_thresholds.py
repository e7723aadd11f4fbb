"""Trigger thresholds in exact arithmetic."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.features.triggers.model import Threshold, ThresholdError, needed, standing
from bot.features.triggers.parse import TriggerSpecError, parse_count, parse_share


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


# Text as it is typed into --electorate, --branches and --per-branch: digits, points, exponents,
# signs and underscores among them, sometimes very many.
_TYPED = st.one_of(
    st.text(alphabet="0123456789.eE+-_/% ²٣", max_size=30),
    st.builds(lambda a, e, sign, tail: f"{a}e{sign}{e}{tail}", st.integers(1, 9), st.integers(0, 10**8),
              st.sampled_from(["", "-", "+"]), st.sampled_from(["%", "", "/1"])),
    st.builds(lambda n, tail: "9" * n + tail, st.integers(1, 6000), st.sampled_from(["%", "/1", "", ".5%"])),
)


@given(_TYPED)
def test_a_share_is_a_bounded_fraction_or_refused(typed: str) -> None:
    """Whatever is typed, the answer is quick: a share in (0, 1] with numbers of bounded size
    (nothing that takes long to count with or to write out), or a ThresholdError."""
    try:
        value = parse_share(typed)
    except ThresholdError:
        return
    assert 0 < value <= 1
    assert value.numerator < 10**16 and value.denominator < 10**16
    assert "e" not in typed.lower() and "_" not in typed


@given(st.integers(1, 999_999_999), st.integers(0, 6), st.integers(0, 999_999))
def test_a_plain_decimal_percentage_is_read_exactly(whole: int, places: int, fraction: int) -> None:
    typed = f"{whole}.{str(fraction).zfill(6)[:places]}%" if places else f"{whole}%"
    expected = Fraction(typed[:-1]) / 100
    if expected <= 1:
        assert parse_share(typed) == expected
    else:
        with pytest.raises(ThresholdError):
            parse_share(typed)


@pytest.mark.parametrize("typed", ["²", "٣", "9" * 5000, "1e3", "-1", "0", "10000001"])
def test_a_count_is_a_plain_whole_number(typed: str) -> None:
    with pytest.raises(ThresholdError):
        parse_count(typed, "--signatures")


def test_the_ballots_length_reads_days_as_closes_does_and_is_kept_for_every_release() -> None:
    """--ballot-closes 1d is a calendar day, as --closes 1d is; what is kept still gives an
    earlier release's reader (which knows only "seconds") the whole length, and a campaign
    kept by one is read as the elapsed time it was."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from bot.features.triggers.model import Ballot
    from bot.features.triggers.parse import parse_trigger
    from bot.kernel.durations import Span

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    london = ZoneInfo("Europe/London")
    for typed, length in [("1d", Span(1)), ("1w", Span(7)), ("1.5d", Span(1, timedelta(hours=12))),
                          ("36h", Span(0, timedelta(hours=36)))]:
        spec = parse_trigger(f"recall Chair --signatures 5 --closes 14d --ballot-closes {typed}", now, london)
        assert spec.ballot.length == length
        kept = json.loads(spec.ballot.to_json())
        assert kept["seconds"] == length.length.total_seconds()
        assert Ballot.from_json(spec.ballot.to_json()) == spec.ballot
    assert parse_trigger("recall Chair --signatures 5 --closes 14d", now, london).ballot.length == Span(7)
    assert Ballot.from_json('{"question": "Q?", "secret": true, "seconds": 604800}').length == \
        Span(0, timedelta(days=7))
    for bad in ("30s", "91d", "14w", "soon"):
        with pytest.raises(TriggerSpecError, match="--ballot-closes takes how long"):
            parse_trigger(f"recall Chair --signatures 5 --closes 14d --ballot-closes {bad}", now, london)
