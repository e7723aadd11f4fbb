"""Result charts in each shipped language: every word on a chart (the verdict, turnout, the quorum,
the threshold line, a ranked count's quota, elected and excluded, its stages) comes from the
polls' renderer in the language being written in, while options and names are drawn as typed.

A screenshot of each chart is saved under the test run's temporary folder (``screenshots/``);
the PNG is decoded and its size checked, and the rows whose labels are not Latin (Polish "ł",
Welsh "ŵ", Cyrillic) are checked in the pixels: ink where the label is, and not the boxes a
font draws for a character it lacks."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from bot.app.bootstrap import LOCALES
from bot.engines.charts import WIDTH, BarChart, StageChart, draw_bars, draw_stages, find_font
from bot.engines.counting.choice import Majority, QuorumRule
from bot.engines.language import Catalogues
from bot.features.polls.model import Poll, result_of
from bot.features.polls.render import chart_of
from bot.kernel.language import ENGLISH_SPEECH, Speech, speaking

OPTIONS = ("Łódź", "Ŵyl Dewi", "Профсоюз")
NOT_A_GLYPH = "\U0010fffd"  # private use: drawn as the font's missing-glyph box
CATALOGUES = Catalogues(LOCALES)
# The words each language's chart must show (from its catalogue), and the English it must not.
WORDS = {
    "en": ("WINNER: Łódź", "Turnout: 5 of 6 (83.3%)", "Quorum 3: met", "half of the electorate"),
    "pl": ("ZWYCIĘZCA: Łódź", "Frekwencja: 5 z 6 (83,3%)", "Kworum 3: osiągnięte", "połowa uprawnionych"),
    "cy": ("ENILLYDD: Łódź", "Nifer a bleidleisiodd: 5 o 6 (83.3%)", "Cworwm 3: wedi’i gyrraedd",
           "hanner yr etholwyr"),
}
STAGE_WORDS = {
    "en": ("✓ elected, stage {stage}", "quota {quota}", "stages, top to bottom", "ballots"),
    "pl": ("✓ wybrany, etap {stage}", "kwota {quota}", "etapy, od góry do dołu", "kart"),
    "cy": ("✓ etholwyd, cam {stage}", "cwota {quota}", "camau, o’r brig i’r gwaelod", "papur pleidleisio"),
}


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's screenshots folder, shared with the browser tests' (made by whichever runs first)."""
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def _speech(code: str) -> Speech:
    if code == "en":
        return ENGLISH_SPEECH
    speech = CATALOGUES.get(code)
    assert speech is not None, f"no {code} catalogue shipped"
    return speech


def _poll(**kw: object) -> Poll:
    base: dict = dict(id=1, room="r", creator="c", question="Gdzie? Ble? Где?", options=OPTIONS, kind="choice",
                      max_choices=1, seats=1, secret=False, hidden=False, card=False, native=False,
                      quorum=QuorumRule.parse("3"), majority=Majority.ABSOLUTE, electorate_kind="roll",
                      branch=None, electorate_size=6, electorate_weight=6,
                      opened_at=datetime(2026, 11, 1, tzinfo=UTC), closes_at=None, closed_at=None, result=None)
    base.update(kw)
    return Poll(**base)


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _row(image: Image.Image, n: int) -> Image.Image:
    """The label of bar N (a one-line title above the bars)."""
    return image.crop((24, 80 + 44 * n, 24 + 260, 120 + 44 * n)).convert("L")


@pytest.mark.parametrize("code", ["en", "pl", "cy"])
def test_a_result_chart_in_each_language(code: str, shots: Path) -> None:
    poll = _poll()
    result = result_of(poll, [((0,), 1)] * 4 + [((1,), 1)])
    with speaking(_speech(code)):
        chart = chart_of(poll, result)
    assert isinstance(chart, BarChart)
    verdict, turnout, quorum, line = WORDS[code]
    assert chart.verdict.startswith(verdict), chart.verdict
    assert any(n.startswith(turnout) for n in chart.notes), chart.notes
    assert quorum in chart.notes and chart.threshold_label == line
    assert [b.label for b in chart.bars] == list(OPTIONS)  # an organiser's options are never translated
    png = draw_bars(chart, find_font())
    (shots / f"chart-{code}.png").write_bytes(png)
    image = _decoded(png)
    assert image.format == "PNG" and image.width == WIDTH and image.height > 300
    boxes = BarChart(chart.title, tuple(type(b)(NOT_A_GLYPH * len(b.label), b.value, b.shown, b.winner, b.muted)
                                        for b in chart.bars), chart.scale, chart.verdict, chart.notes,
                     chart.threshold, chart.threshold_label, chart.tie)
    tofu = _decoded(draw_bars(boxes, find_font()))
    for n in range(len(OPTIONS)):
        label = _row(image, n)
        assert label.getextrema()[0] < 100, f"no ink where {OPTIONS[n]} is drawn"
        assert ImageChops.difference(label, _row(tofu, n)).getbbox() is not None, f"{OPTIONS[n]} drawn as boxes"


def test_the_charts_of_the_three_languages_differ_only_in_their_words() -> None:
    poll = _poll()
    result = result_of(poll, [((0,), 1)] * 4 + [((1,), 1)])
    drawn = {}
    for code in ("en", "pl", "cy"):
        with speaking(_speech(code)):
            chart = chart_of(poll, result)
        assert isinstance(chart, BarChart)
        drawn[code] = draw_bars(chart, find_font())
        assert [b.label for b in chart.bars] == list(OPTIONS)
    assert len(set(drawn.values())) == 3


@pytest.mark.parametrize("code", ["en", "pl", "cy"])
def test_a_ranked_count_chart_in_each_language(code: str, shots: Path) -> None:
    poll = _poll(kind="ranked", options=("Łucja", "Ŵyn", "Борис", "Dai"), secret=True, quorum=None, majority=None,
                 question="Cadeirydd / Przewodniczący")
    ballots = [((0, 1), 1)] * 4 + [((1, 0), 1)] * 3 + [((2, 1), 1)] * 2 + [((3, 2), 1)]
    result = result_of(poll, ballots)
    with speaking(_speech(code)):
        chart = chart_of(poll, result)
    assert isinstance(chart, StageChart)
    elected, quota, stages, ballot_word = STAGE_WORDS[code]
    assert chart.words.elected == elected and chart.words.quota == quota and chart.words.stages == stages
    assert ballot_word in chart.notes[0]
    png = draw_stages(chart, find_font())
    (shots / f"stages-{code}.png").write_bytes(png)
    image = _decoded(png)
    assert image.format == "PNG" and image.width == WIDTH
    with speaking(ENGLISH_SPEECH):
        english = draw_stages(chart_of(poll, result), find_font())  # type: ignore[arg-type]
    assert (png == english) == (code == "en")
