"""Result charts: the PNG decodes at the expected size, names in Polish, Welsh, Cyrillic, Greek
and Arabic are drawn with real glyphs (checked in the pixels, not assumed), the threshold line
sits where the rule puts it, and a ranked count's chart marks who was elected and excluded.

The charts drawn are saved under test-artifacts/charts/ for a person to look at."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont, features

from bot.engines.charts import WIDTH, Bar, BarChart, ChartError, draw_bars, draw_stages, find_font
from bot.engines.counting.choice import Majority
from bot.features.polls.model import Poll, result_of
from bot.features.polls.render import chart_of

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "charts"
NAMES = {
    "polish": "Zażółć gęślą jaźń",
    "welsh": "Ŵyl Dewi: ŷ â ŵ",
    "russian": "Профсоюз работников",
    "greek": "Συνέλευση μελών",
    "arabic": "اتحاد العمال",
}
NOT_A_GLYPH = "\U0010fffd"  # private use: no font has it, so it is drawn as the missing-glyph box


def _save(name: str, png: bytes) -> Image.Image:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _poll(**kw: object) -> Poll:
    base: dict = dict(id=1, room="r", creator="c", question="Should the branch affiliate?",
                      options=("Yes", "No", "Abstain"), kind="proposal", max_choices=1, seats=1, secret=False,
                      hidden=False, card=False, native=False, quorum=None, majority=None, electorate_kind="room",
                      branch=None, electorate_size=None, electorate_weight=None,
                      opened_at=datetime(2026, 11, 1, tzinfo=UTC), closes_at=None, closed_at=None, result=None)
    base.update(kw)
    return Poll(**base)


def test_the_font_is_found_and_text_is_laid_out_with_raqm() -> None:
    assert find_font().is_file()  # CI installs DejaVu Sans; without it this fails, never skips
    assert features.check("raqm"), "Pillow's complex text layout (libraqm with FriBiDi) is needed for Arabic"
    with pytest.raises(ChartError, match="does not exist"):
        find_font("/nonexistent/font.ttf")


@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_in_every_script_are_drawn_with_real_glyphs(script: str) -> None:
    name, font_path = NAMES[script], find_font()
    font = ImageFont.truetype(str(font_path), 20, layout_engine=ImageFont.Layout.RAQM)
    missing = font.getmask(NOT_A_GLYPH)
    for ch in set(name) - {" ", ":"}:
        mask = font.getmask(ch)
        assert mask.size != missing.size or bytes(mask) != bytes(missing), f"{ch!r} has no glyph in {font_path}"
    chart = BarChart(name, (Bar(name, Fraction(3), "3 (75%)", winner=True), Bar("Other", Fraction(1), "1 (25%)")),
                     Fraction(4), f"WINNER: {name}")
    image = _save(f"bars-{script}", draw_bars(chart, font_path))
    assert image.format == "PNG" and image.width == WIDTH
    label = image.crop((24, 80, 24 + 260, 120)).convert("L")  # the first bar's label
    boxes = BarChart(name, (Bar(NOT_A_GLYPH * len(name), Fraction(3), "3 (75%)", winner=True),
                            Bar("Other", Fraction(1), "1 (25%)")), Fraction(4), f"WINNER: {name}")
    tofu = Image.open(io.BytesIO(draw_bars(boxes, font_path))).crop((24, 80, 24 + 260, 120)).convert("L")
    assert label.getextrema()[0] < 100  # ink where the name is
    assert ImageChops.difference(label, tofu).getbbox() is not None  # and it is not a row of boxes


def test_arabic_is_shaped_not_drawn_letter_by_letter() -> None:
    font = ImageFont.truetype(str(find_font()), 20, layout_engine=ImageFont.Layout.RAQM)
    word = "العمال"
    assert font.getlength(word) != sum(font.getlength(ch) for ch in word)  # joined forms, not isolated ones


def _pixels_of(image: Image.Image, colour: tuple[int, int, int]) -> list[tuple[int, int]]:
    rgb = image.convert("RGB")
    return [(x, y) for y in range(rgb.height) for x in range(rgb.width) if rgb.getpixel((x, y)) == colour]


def test_a_proposal_chart_puts_the_two_thirds_line_at_two_thirds() -> None:
    poll = _poll(majority=Majority.TWO_THIRDS)
    result = result_of(poll, [((0,), 1)] * 7 + [((1,), 1)] * 3 + [((2,), 1)] * 2)
    chart = chart_of(poll, result)
    assert isinstance(chart, BarChart)
    assert chart.threshold == Fraction(2, 3) and chart.scale == 10  # abstentions are not in the share
    assert chart.verdict.startswith("CARRIED") and not chart.tie
    assert [b.shown for b in chart.bars] == ["7 (70.0%)", "3 (30.0%)", "2"]
    image = _save("proposal-two-thirds", draw_bars(chart, find_font()))
    column, _ = Counter(x for x, _ in _pixels_of(image, (198, 40, 40))).most_common(1)[0]  # the line
    x0, span = 24 + 260 + 10, WIDTH - 24 - 170 - (24 + 260 + 10)
    assert abs(column - (x0 + round(span * Fraction(2, 3)))) <= 2


def test_the_40_percent_rule_is_drawn_against_the_electorate() -> None:
    poll = _poll(majority=Majority.INDUSTRIAL_40, electorate_kind="roll", electorate_size=20, electorate_weight=20)
    result = result_of(poll, [((0,), 1)] * 9 + [((1,), 1)] * 2)
    chart = chart_of(poll, result)
    assert isinstance(chart, BarChart)
    assert chart.scale == 20 and chart.threshold == Fraction(2, 5) and "40% of the electorate" in chart.threshold_label
    assert chart.bars[0].shown == "9 (45.0%)"
    assert any("Turnout" in n for n in chart.notes)
    assert "Bars are shares of the whole electorate (20), as the rule measures them" in chart.notes
    _save("proposal-industrial-40", draw_bars(chart, find_font()))


def test_a_tie_is_marked_as_a_tie() -> None:
    poll = _poll(kind="choice", options=("Pizza", "Soup"), question="Lunch?")
    chart = chart_of(poll, result_of(poll, [((0,), 1), ((1,), 1)]))
    assert isinstance(chart, BarChart) and chart.tie and chart.verdict.startswith("TIE")
    assert chart.threshold is None  # plurality: no line to cross
    image = _save("choice-tie", draw_bars(chart, find_font()))
    assert _pixels_of(image, (237, 108, 2))  # both bars in the tie colour


def test_nothing_cast_has_no_chart() -> None:
    poll = _poll()
    assert chart_of(poll, result_of(poll, [])) is None


def test_a_ranked_count_chart_marks_elected_and_excluded() -> None:
    poll = _poll(kind="ranked", options=("Ann", "Bob", "Cat", "Dan"), seats=2, secret=True, question="Committee")
    ballots = [((0, 1), 1)] * 9 + [((1, 0), 1)] * 4 + [((2, 1), 1)] * 3 + [((3, 2), 1)] * 2
    result = result_of(poll, ballots)
    chart = chart_of(poll, result)
    assert not isinstance(chart, BarChart) and chart is not None
    assert chart.candidates == ("Ann", "Bob", "Cat", "Dan")
    assert chart.quota == Fraction(result["count"]["quota"])
    elected = {chart.candidates[k] for k in chart.elected}
    assert elected == set(result["elected"])
    assert chart.excluded and not set(chart.excluded) & set(chart.elected)
    for k, stage in chart.excluded.items():  # out of the count after the stage that excluded them
        assert all(v is None for v in chart.votes[k][stage:])
    image = _save("ranked-stages", draw_stages(chart, find_font()))
    assert image.width == WIDTH and _pixels_of(image, (46, 125, 50))  # the elected marks
