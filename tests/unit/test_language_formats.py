"""Numbers, percentages, dates and plural forms as each shipped language writes them, through
the same calls the renderers use (bot/kernel/wording.py under ``speaking``)."""

from __future__ import annotations

import gettext
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale

from bot.app.bootstrap import LOCALES
from bot.engines.language import Catalogues, Translated
from bot.kernel.language import ENGLISH_SPEECH, speaking
from bot.kernel.wording import day_of, number, percent, when, when_in_full

CATALOGUES = Catalogues(LOCALES)
LONDON = ZoneInfo("Europe/London")
T = datetime(2026, 1, 5, 14, 5, tzinfo=UTC)


def test_english_is_the_codes_own_text() -> None:
    with speaking(ENGLISH_SPEECH):
        assert (percent(1, 8), number(12345), when(T, LONDON, T, lasting=True)) == (
            "12.5%", "12,345", "Mon 05 Jan 14:05")
        assert day_of(date(2026, 1, 5)) == "05 January 2026" and when_in_full(T, LONDON) == "Mon 05 Jan 2026 14:05"


def test_polish_writes_a_decimal_comma_and_months_in_the_genitive() -> None:
    pl = CATALOGUES.get("pl")
    assert pl is not None
    with speaking(pl):
        assert percent(1, 8) == "12,5%"
        assert percent(1, 3) == "33,3%" and percent(2, 3) == "66,7%"  # half up, from exact fractions
        assert number(12345) == "12\xa0345"
        assert day_of(date(2026, 1, 5)) == "5 stycznia 2026"
        assert when(T, LONDON, T) == "14:05"
        # CLDR's Polish order and stops: "pon., 5 sty, 14:05", with its year "pon., 5 sty 2026, 14:05".
        assert when(T, LONDON, T - timedelta(days=1)) == "pon., 5 sty, 14:05"
        assert when_in_full(T, LONDON) == "pon., 5 sty 2026, 14:05"


def test_welsh_names_its_days() -> None:
    cy = CATALOGUES.get("cy")
    assert cy is not None
    with speaking(cy):
        assert percent(1, 8) == "12.5%"
        # CLDR's Welsh: a comma after the day's name, none before the time.
        assert when(T, LONDON, T - timedelta(days=1)) == "Llun, 5 Ion 14:05"
        assert when_in_full(T, LONDON) == "Llun, 5 Ion 2026 14:05" and day_of(date(2026, 1, 5)) == "5 Ionawr 2026"


@pytest.mark.parametrize(("code", "day", "full"), [
    ("de", "Mo., 5. Jan., 14:05", "Mo., 5. Jan. 2026, 14:05"),
    ("ja", "1月5日(月) 14:05", "2026年1月5日(月) 14:05"),
    ("hu", "jan. 5., H 14:05", "2026. jan. 5., H 14:05"),
])
def test_a_language_added_writes_moments_in_its_own_order(code: str, day: str, full: str) -> None:
    """A catalogue added for another language needs no date pattern of ours: each locale's own
    (CLDR's skeletons) orders the day, month and weekday as its readers do."""
    speech = Translated(code, gettext.NullTranslations(), Locale.parse(code))  # type: ignore[arg-type]
    local = T.astimezone(LONDON)
    assert (speech.moment(local, "day"), speech.moment(local, "full"), speech.moment(local, "time")) == (
        day, full, "14:05")


def test_plural_forms_follow_each_languages_rules() -> None:
    pl, cy = CATALOGUES.get("pl"), CATALOGUES.get("cy")
    assert pl is not None and cy is not None
    # Polish: 1 / 2–4 (not 12–14) / the rest; Welsh: 0, 1, 2, 3, 6, the rest.
    assert [pl.ngettext("a", "b", n) == "a" for n in (1, 2)] == [True, False]
    assert pl._t.plural(22) == 1 and pl._t.plural(12) == 2 and pl._t.plural(5) == 2  # type: ignore[attr-defined]
    assert [cy._t.plural(n) for n in (0, 1, 2, 3, 6, 7)] == [0, 1, 2, 3, 4, 5]  # type: ignore[attr-defined]


def test_an_unshipped_language_is_none() -> None:
    assert CATALOGUES.get("xx") is None and set(CATALOGUES.codes) >= {"pl", "cy"}
