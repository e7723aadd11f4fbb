"""Roll files as organisers' spreadsheets save them, and as they get broken: every data line is a
member of the roll, or the file is refused naming the line and what to do; no member is lost or
changed without a word, and a refused file writes nothing."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.features.roll.model import RollEntry, RollError
from bot.features.roll.parse import parse_roll_csv
from tests.helpers import Chat

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30).filter(
    lambda t: t.strip() != "")
"""A cell as people fill one in: any printable text, quotation marks and commas included."""


def _roll(rows: list[tuple[str, str]]) -> str:
    """ROWS (name, branch), numbered 1, 2, …, as a spreadsheet saves them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "number", "branch"])
    writer.writerows((name, n, branch) for n, (name, branch) in enumerate(rows, 1))
    return out.getvalue()


@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=8))
def test_every_member_of_a_well_formed_file_is_read_as_written(rows: list[tuple[str, str]]) -> None:
    entries = parse_roll_csv(_roll(rows))
    assert entries == [RollEntry(name.strip(), str(n), branch.strip(), 1) for n, (name, branch) in enumerate(rows, 1)]


@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=8), st.integers(min_value=0), st.sampled_from('"“'))
def test_a_stray_quotation_mark_never_loses_a_member_silently(rows: list[tuple[str, str]], at: int,
                                                               mark: str) -> None:
    """A quotation mark typed into the file anywhere (one left open takes every line after it
    into one cell): the file is read with one member per data line, or refused naming the line."""
    text = _roll(rows)
    at = len("name,number,branch\n") + at % (len(text) - len("name,number,branch\n"))
    broken = text[:at] + mark + text[at:]
    lines = [line for line in broken.splitlines()[1:] if line.strip()]
    try:
        entries = parse_roll_csv(broken)
    except RollError as e:
        assert str(e).startswith("line "), e
        return
    assert len(entries) == len(lines), (broken, entries)


def test_a_quotation_mark_left_open_is_refused_naming_its_line() -> None:
    """Before, the branch "North… was read to the end of the file: Bob and Cat were lost, and the
    import said "Imported 1 member."."""
    with pytest.raises(RollError, match=r"^line 2: a quotation mark is left open, so the rest of the file would"):
        parse_roll_csv('name,number,branch\nAnn Smith,1001,"North\nBob Jones,1002,North\nCat Lee,1003,South\n')
    with pytest.raises(RollError, match=r"^line 3: a cell runs over more than one line, which no name"):
        parse_roll_csv('name,number,branch\nAnn Smith,1001,North\n"Bob\nJones",1002,North\nCat Lee,1003,South\n')
    with pytest.raises(RollError, match=r"^line 2: a cell is quoted only in part"):
        parse_roll_csv('name,number\n"Ann" Smith,1001\n')
    # Quoted as a spreadsheet quotes: commas and quotation marks inside a cell, Windows line ends.
    assert parse_roll_csv('name,number\r\n"Smith, Ann",1\r\nAnn ""Nan"" Lee,2\r\n"Bo ""B"" Jones",3\r\n') == [
        RollEntry("Smith, Ann", "1", None, 1), RollEntry('Ann ""Nan"" Lee', "2", None, 1),
        RollEntry('Bo "B" Jones', "3", None, 1)]


def test_a_cell_no_roll_has_is_refused_naming_its_line() -> None:
    """A cell too long for the CSV reader was a crash; a NUL or other control character was
    stored (and a NUL cannot be stored at all on PostgreSQL)."""
    with pytest.raises(RollError, match=r"^line 3: a cell is longer than 131,072 characters"):
        parse_roll_csv('name,number\nAnn,1\n"' + "A" * 200_000 + '",2\n')
    with pytest.raises(RollError, match=r"^line 2: “Ann\ufffd Smith” holds a control character"):
        parse_roll_csv("name,number\nAnn\x00 Smith,1\n")
    with pytest.raises(RollError, match=r"^line 1: “name number” holds a control character .such as a tab"):
        parse_roll_csv("name\tnumber\nAnn\t1\n")


async def test_a_refused_file_changes_nothing_on_the_roll(chat: Chat) -> None:
    before = await chat.snapshot()
    for text in ["name,number\nAnn\x00 Smith,1\nBob,2\n", 'name,number,branch\nAnn,1,"North\nBob,2,North\n']:
        with pytest.raises(RollError):
            await chat.app.services.roll.import_entries(parse_roll_csv(text))
    assert await chat.snapshot() == before


def test_members_import_refuses_a_file_with_a_quotation_mark_left_open(tmp_path: Path) -> None:
    roll = tmp_path / "roll.csv"
    roll.write_text('name,number,branch\nAnn Smith,1001,"North\nBob Jones,1002,North\nCat Lee,1003,South\n')
    root = Path(__file__).resolve().parents[3]
    for text in [roll.read_text(), 'name,number\n"' + "A" * 200_000 + '",1\n']:
        roll.write_text(text)
        proc = subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", str(roll)], capture_output=True,
                              text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(root)}, timeout=60)
        assert proc.returncode == 2 and proc.stdout == "", (proc.stdout, proc.stderr)
        assert f"quorum: {roll}: line 2: a " in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
