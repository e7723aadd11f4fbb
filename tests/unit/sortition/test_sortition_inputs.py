"""CSV input shapes, the check command, and exact published chances."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from sortition_helpers import bounds, make_pool

from bot.engines.sortition import SortitionError, prepare
from bot.engines.sortition.cli import main
from bot.engines.sortition.csv_files import read_pool, read_quotas


def test_pool_csv_follows_row_order_and_ignores_blank_lines() -> None:
    pool = read_pool("id,gender,age\n a1 , female ,16-29\n\nb2,male,60+\n")
    assert [v.id for v in pool] == ["a1", "b2"]
    assert dict(pool[0].features) == {"gender": "female", "age": "16-29"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "first column is id"),
        ("name,gender\nx,f\n", "first column is id"),
        ("id,gender\nx,f,extra\n", "line 2 has 3 columns"),
    ],
)
def test_bad_pool_csv_is_refused_with_the_line(text: str, needle: str) -> None:
    with pytest.raises(SortitionError, match=needle):
        read_pool(text)


def test_quotas_csv_shape_and_errors() -> None:
    rows = read_quotas("feature,value,min,max\ngender,female,2,3\n,,,\n")
    assert [(b.feature, b.value, b.min, b.max) for b in rows] == [("gender", "female", 2, 3)]
    with pytest.raises(SortitionError, match="header must be exactly"):
        read_quotas("category,name,min,max\n")
    with pytest.raises(SortitionError, match="line 2: min and max must be whole numbers"):
        read_quotas("feature,value,min,max\ngender,female,two,3\n")


def test_check_command_reports_feasible_and_infeasible(tmp_path: Path, capsys) -> None:
    (tmp_path / "pool.csv").write_text("id,g\n" + "".join(f"p{i},{'a' if i < 3 else 'b'}\n" for i in range(10)))
    (tmp_path / "ok.csv").write_text("feature,value,min,max\ng,a,1,2\ng,b,2,4\n")
    (tmp_path / "bad.csv").write_text("feature,value,min,max\ng,a,4,5\ng,b,0,4\n")
    base = ["check", str(tmp_path / "pool.csv"), "--panel", "5", "--quotas"]
    assert main([*base, str(tmp_path / "ok.csv")]) == 0
    assert "can be met: 10 volunteers in 2 groups" in capsys.readouterr().out
    assert main([*base, str(tmp_path / "bad.csv")]) == 1
    err = capsys.readouterr().err
    assert "g=a: minimum 4 but only 3 volunteers gave that answer - lower the minimum by 1" in err
    assert main([*base, str(tmp_path / "missing.csv")]) == 1
    assert main(["nonsense"]) == 2


def test_published_chances_are_exact_and_add_up_to_the_panel_size() -> None:
    rows = [{"g": "a", "h": "x"}] * 3 + [{"g": "b", "h": "x"}] * 5 + [{"g": "b", "h": "y"}] * 4
    pool = make_pool(rows)
    quotas = bounds(5, [("g", "a", 2, 2), ("h", "y", 1, 2)])
    prepared = prepare(pool, quotas, title="Exact")
    assert sum(prepared.chances.values()) == 5
    assert all(isinstance(c, Fraction) for c in prepared.chances.values())
    # The three a-volunteers share exactly 2 seats: each has chance 2/3 (to solver precision).
    assert abs(prepared.chances["v0"] - Fraction(2, 3)) < Fraction(1, 10**9)
    assert prepared.tickets == {f"v{i}": i + 1 for i in range(12)}


def test_unknown_method_is_refused() -> None:
    with pytest.raises(SortitionError, match="Unknown method"):
        prepare(make_pool([{"g": "a"}] * 3), bounds(1, []), "lottery")


def test_the_engine_counts_nouns_in_agreement() -> None:
    """The engines import nothing of the bot, so sortition agrees its own nouns (in English)."""
    from bot.engines.sortition.model import counted

    for noun in ("volunteer", "seat", "group", "column", "more volunteer"):
        assert (counted(0, noun), counted(1, noun), counted(11, noun)) == (f"0 {noun}s", f"1 {noun}", f"11 {noun}s")
