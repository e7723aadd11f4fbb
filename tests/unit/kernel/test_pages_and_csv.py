"""Long texts cut into message pages, and lists as CSV files: nothing lost."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.csv_export import csv_text, file_name
from bot.kernel.markup import Markup, b
from bot.kernel.pages import pages

WHOLE = re.compile(r"</?b>|&(?:amp|lt|gt);")


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                        max_size=5000), max_size=30))
def test_pages_fit_a_message_and_lose_nothing(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = pages(text)
    assert all(len(p) <= 3500 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")

_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=300)

@given(st.lists(st.tuples(_cell, _cell), max_size=60))
def test_csv_files_hold_every_row_safely(rows: list[tuple[str, str]]) -> None:
    read = list(csv.reader(io.StringIO(csv_text(("name", "area"), rows))))
    assert read[0] == ["name", "area"]
    back = read[1:]
    assert len(back) == len(rows)
    for (name, area), got in zip(rows, back, strict=True):
        for value, cell in ((name, got[0]), (area, got[1])):
            assert cell == ("'" + value if value[:1] in "=+-@" and value else value)


@given(st.lists(st.text(alphabet=st.sampled_from("ab<&>;\n"), max_size=40), max_size=30), st.integers(5, 60))
def test_markup_pages_never_cut_an_entity_or_a_tag(words: list[str], limit: int) -> None:
    text = Markup(" ").join(b(w) if n % 3 == 0 else w for n, w in enumerate(words))
    parts = pages(text, limit)
    assert all(isinstance(p, Markup) and len(p) <= limit for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    for part in parts:  # every piece reads on its own: no entity or tag cut in two
        assert not set(WHOLE.sub("", part)) & set("<>&"), part


def test_export_file_names_are_plain() -> None:
    assert file_name("M12 signatures", ".csv") == "M12-signatures.csv"
    assert file_name("Pool 3 panel", ".csv") == "Pool-3-panel.csv"
    assert file_name("../«x»", ".csv") == "x.csv"
    assert file_name("…", ".blt") == "export.blt"
