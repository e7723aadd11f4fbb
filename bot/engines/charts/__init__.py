"""Result charts as PNG images: bars for a poll, votes by stage for a ranked count.

Pure and synchronous, like the other engines: a chart is described by plain data (labels,
exact numbers as the count gave them, the threshold of the rule that applied) and drawn to PNG
bytes. Callers run it off the event loop. Pillow is imported only when a chart is drawn, so
start-up and the ``quorum count`` command never pay for it.

Names are drawn in any script the members use: text is laid out with Pillow's complex layout
(libraqm: Arabic joins and reads right to left, combining marks sit on their letters), in a
TrueType font that covers the script (DejaVu Sans covers Latin, Greek, Cyrillic, Armenian,
Georgian, Hebrew and Arabic; ``find_font`` looks where Debian and others install it). The
numbers printed on a chart are the exact figures of the result; only the bar lengths are
rounded, to whole pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

FONT_PLACES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


class ChartError(Exception):
    """A chart cannot be drawn here (no font, no Pillow); the result is announced without it."""


def find_font(configured: str | None = None) -> Path:
    """The font charts are drawn in: CONFIGURED if given, else the first of FONT_PLACES found."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ChartError(f"the chart font {configured} does not exist; set [charts] font to a .ttf file")
        return path
    for place in FONT_PLACES:
        if Path(place).is_file():
            return Path(place)
    raise ChartError("no font for charts was found: install DejaVu Sans (Debian: fonts-dejavu-core) "
                     "or set [charts] font to a .ttf file")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Fraction  # the exact figure (votes or weight)
    shown: str  # how the figure is printed ("12 (40.0%)")
    winner: bool = False
    muted: bool = False  # abstentions: counted for turnout, not in the share


@dataclass(frozen=True)
class BarChart:
    """A poll's result. THRESHOLD is the share of SCALE the rule needs (a half, two thirds, 40%
    of the electorate), drawn as a line, with its THRESHOLD_LABEL."""

    title: str
    bars: tuple[Bar, ...]
    scale: Fraction  # the figure a full-width bar stands for (votes counted, or the electorate)
    verdict: str  # CARRIED, TIE, …
    notes: tuple[str, ...] = ()  # turnout, quorum
    threshold: Fraction | None = None
    threshold_label: str = ""
    tie: bool = False


@dataclass(frozen=True)
class StageWords:
    """The words drawn on a stage chart besides its names and notes, in the reader's language
    (the caller's catalogue: this engine draws what it is given). Each is a template with its
    field: {stage} (a stage's number), {quota} (the quota as FIGURE writes it)."""

    elected: str = "✓ elected, stage {stage}"
    excluded: str = "✗ excluded, stage {stage}"
    quota: str = "quota {quota}"
    stages: str = "stages, top to bottom"
    figure: Callable[[Fraction], str] = field(default=lambda value: figure(value))


@dataclass(frozen=True)
class StageChart:
    """A ranked count: each candidate's votes at every stage they were in the count (exact
    figures), the quota, and at which stage each was elected or excluded."""

    title: str
    candidates: tuple[str, ...]
    votes: tuple[tuple[Fraction | None, ...], ...]  # [candidate][stage]; None once out of the count
    quota: Fraction | None
    elected: dict[int, int] = field(default_factory=dict)  # candidate -> stage
    excluded: dict[int, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    words: StageWords = field(default_factory=StageWords)


# -- drawing ---------------------------------------------------------------------------------

WIDTH = 900
PAD = 24
INK = (33, 37, 41)
GREY = (134, 142, 150)
LIGHT = (233, 236, 239)
BAR_COLOUR = (52, 101, 164)
WIN_COLOUR = (46, 125, 50)
TIE_COLOUR = (237, 108, 2)
LINE_COLOUR = (198, 40, 40)
STAGE_COLOURS = ((52, 101, 164), (114, 159, 207), (143, 89, 2), (233, 185, 110), (92, 53, 102), (173, 127, 168),
                 (78, 154, 6), (138, 226, 52))


class _Pen:
    """Text in one font at a few sizes, laid out with libraqm where Pillow has it."""

    def __init__(self, font: Path) -> None:
        from PIL import ImageFont, features

        layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
        self._fonts = {size: ImageFont.truetype(str(font), size, layout_engine=layout) for size in (16, 20, 26)}

    def font(self, size: int):  # noqa: ANN201 - a Pillow font
        return self._fonts[size]

    def width(self, text: str, size: int) -> float:
        return float(self._fonts[size].getlength(text))

    def fit(self, text: str, size: int, room: float) -> str:
        """TEXT, cut with an ellipsis so it fits ROOM pixels."""
        if self.width(text, size) <= room:
            return text
        cut = text
        while cut and self.width(cut + "…", size) > room:
            cut = cut[:-1]
        return cut + "…"

    def wrap(self, text: str, size: int, room: float, lines: int = 2) -> list[str]:
        words, out, line = text.split(), [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if self.width(trial, size) <= room or not line:
                line = trial
            else:
                out.append(line)
                line = word
        if line:
            out.append(line)
        if len(out) > lines:
            out = out[: lines - 1] + [self.fit(" ".join(out[lines - 1:]), size, room)]
        return [self.fit(x, size, room) for x in out]


def _png(image) -> bytes:  # noqa: ANN001 - a Pillow image
    import io

    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _px(value: Fraction, scale: Fraction, span: int) -> int:
    """VALUE's length in pixels on a bar of SPAN pixels for SCALE (exact, then rounded)."""
    if scale <= 0:
        return 0
    return min(span, round(Fraction(value) * span / scale))


def draw_bars(chart: BarChart, font: Path) -> bytes:
    """CHART as a PNG."""
    from PIL import Image, ImageDraw

    pen = _Pen(font)
    title = pen.wrap(chart.title, 26, WIDTH - 2 * PAD)
    row, label_w, figure_w = 44, 260, 170
    top = PAD + 34 * len(title) + 12
    height = top + row * len(chart.bars) + 20 + 30 + 26 * len(chart.notes) + PAD
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = PAD
    for line in title:
        draw.text((PAD, y), line, fill=INK, font=pen.font(26))
        y += 34
    x0 = PAD + label_w + 10
    span = WIDTH - PAD - figure_w - x0
    y = top
    for bar in chart.bars:
        draw.text((PAD, y + 10), pen.fit(bar.label, 20, label_w), fill=INK, font=pen.font(20))
        draw.rectangle((x0, y + 6, x0 + span, y + row - 8), fill=LIGHT)
        length = _px(bar.value, chart.scale, span)
        colour = GREY if bar.muted else TIE_COLOUR if (bar.winner and chart.tie) else \
            WIN_COLOUR if bar.winner else BAR_COLOUR
        if length:
            draw.rectangle((x0, y + 6, x0 + length, y + row - 8), fill=colour)
        draw.text((x0 + span + 10, y + 10), pen.fit(bar.shown, 20, figure_w - 10), fill=INK, font=pen.font(20))
        y += row
    if chart.threshold is not None and 0 < chart.threshold <= 1:
        x = x0 + _px(chart.threshold, Fraction(1), span)
        draw.line((x, top - 4, x, y), fill=LINE_COLOUR, width=3)
        label = pen.fit(chart.threshold_label, 16, WIDTH - 2 * PAD)
        draw.text((max(PAD, min(x + 4, WIDTH - PAD - pen.width(label, 16))), y + 2), label, fill=LINE_COLOUR,
                  font=pen.font(16))
    y += 24
    verdict_colour = TIE_COLOUR if chart.tie else INK
    draw.text((PAD, y), pen.fit(chart.verdict, 26, WIDTH - 2 * PAD), fill=verdict_colour, font=pen.font(26))
    y += 34
    for note in chart.notes:
        draw.text((PAD, y), pen.fit(note, 20, WIDTH - 2 * PAD), fill=GREY, font=pen.font(20))
        y += 26
    return _png(image)


def draw_stages(chart: StageChart, font: Path) -> bytes:
    """CHART as a PNG: one row per candidate, a bar for each stage they were in the count
    (earliest on top, thin), the quota as a line, elected and excluded marked at the end."""
    from PIL import Image, ImageDraw

    pen = _Pen(font)
    stages = max((len(v) for v in chart.votes), default=0)
    title = pen.wrap(chart.title, 26, WIDTH - 2 * PAD)
    label_w, mark_w = 220, 190
    bar_h = max(3, min(10, 60 // max(stages, 1)))
    row = max(40, bar_h * stages + 14)
    top = PAD + 34 * len(title) + 30
    legend = 26 if stages > 1 else 0
    height = top + row * len(chart.candidates) + 30 + legend + 26 * len(chart.notes) + PAD
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = PAD
    for line in title:
        draw.text((PAD, y), line, fill=INK, font=pen.font(26))
        y += 34
    highest = max((v for votes in chart.votes for v in votes if v is not None), default=Fraction(0))
    scale = max(highest, chart.quota or Fraction(0)) or Fraction(1)
    x0 = PAD + label_w + 10
    span = WIDTH - PAD - mark_w - x0
    y = top
    for k, name in enumerate(chart.candidates):
        draw.text((PAD, y + row // 2 - 11), pen.fit(name, 20, label_w), fill=INK, font=pen.font(20))
        by = y + 7
        for s, value in enumerate(chart.votes[k]):
            if value is not None:
                length = _px(value, scale, span)
                if length:
                    draw.rectangle((x0, by, x0 + length, by + bar_h - 2), fill=STAGE_COLOURS[s % len(STAGE_COLOURS)])
            by += bar_h
        if k in chart.elected:
            mark, colour = chart.words.elected.format(stage=chart.elected[k]), WIN_COLOUR
        elif k in chart.excluded:
            mark, colour = chart.words.excluded.format(stage=chart.excluded[k]), GREY
        else:
            mark, colour = "", INK
        draw.text((x0 + span + 10, y + row // 2 - 9), pen.fit(mark, 16, mark_w - 10), fill=colour, font=pen.font(16))
        y += row
    if chart.quota is not None and chart.quota > 0:
        x = x0 + _px(chart.quota, scale, span)
        draw.line((x, top - 6, x, y), fill=LINE_COLOUR, width=3)
        quota = chart.words.quota.format(quota=chart.words.figure(chart.quota))
        draw.text((max(PAD, x - 60), top - 26), pen.fit(quota, 16, 200),
                  fill=LINE_COLOUR, font=pen.font(16))
    y += 10
    if stages > 1:
        x = PAD
        for s in range(stages):
            draw.rectangle((x, y + 4, x + 14, y + 18), fill=STAGE_COLOURS[s % len(STAGE_COLOURS)])
            draw.text((x + 18, y + 2), f"{s + 1}", fill=INK, font=pen.font(16))
            x += 18 + int(pen.width(f"{s + 1}", 16)) + 14
            if x > WIDTH - PAD - 60:
                break
        draw.text((x, y + 2), chart.words.stages, fill=GREY, font=pen.font(16))
        y += legend
    for note in chart.notes:
        draw.text((PAD, y), pen.fit(note, 20, WIDTH - 2 * PAD), fill=GREY, font=pen.font(20))
        y += 26
    return _png(image)


def figure(value: Fraction) -> str:
    """An exact figure as the count prints it: whole, or with its decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 40
        return f"{(Decimal(value.numerator) / Decimal(value.denominator)).normalize():f}"
