"""Reading a roll CSV: a header row naming the columns (name, and optionally number, branch,
weight), then one member a row. Every error names its line, for the organiser fixing the file."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator

from bot.features.roll.model import RollEntry, RollError, number_key, same_member, zeros_differ
from bot.kernel.grammar import is_number
from bot.kernel.language import _
from bot.kernel.wording import number, quoted

_COLUMNS = {
    "name": "name",
    "number": "number",
    "member_number": "number",
    "membership_number": "number",
    "branch": "branch",
    "weight": "weight",
}


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of TEXT, each with the line it starts on, read strictly: a quotation mark
    left open would otherwise take every line after it into one cell, and the members on them
    would be lost without a word. A record that is not CSV, or a cell that runs over lines or
    holds a control character (no name, number or branch does), is refused with its line."""
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise RollError(_csv_fault(line, str(e))) from None
        for cell in row:
            if "\n" in cell:
                raise RollError(_("line {line}: a cell runs over more than one line, which no name, number or "
                                  "branch does: is a quotation mark left open? Close it, or remove the line "
                                  "break").format(line=line))
            if any(unicodedata.category(ch) == "Cc" for ch in cell):
                raise RollError(_("line {line}: {cell} holds a control character (such as a tab or a NUL), which no "
                                  "name, number or branch has; remove it").format(line=line, cell=quoted(cell, 30)))
        yield line, row


def _csv_fault(line: int, error: str) -> str:
    """What the CSV reader's ERROR on LINE means to whoever fixes the file."""
    if "field limit" in error:
        return _("line {line}: a cell is longer than {max} characters; check that the file is the roll, saved as "
                 "CSV").format(line=line, max=number(csv.field_size_limit()))
    if "end of data" in error:
        return _("line {line}: a quotation mark is left open, so the rest of the file would be one cell; close it, or "
                 "remove it").format(line=line)
    return _("line {line}: a cell is quoted only in part (text follows its closing quotation mark); put the "
             "whole cell in quotation marks and double each one inside it, e.g. \"Ann \"\"Nan\"\" "
             "Smith\"").format(line=line)


def parse_roll_csv(text: str) -> list[RollEntry]:
    """Rows of a roll CSV (a header row naming the columns: name, and optionally number,
    branch, weight). Errors name the line."""
    reader = _records(text)
    try:
        _line, header = next(reader)
    except StopIteration:
        raise RollError(_("the file is empty; the first line must name the columns, e.g. name,number,branch")) from None
    cols: dict[str, int] = {}
    for idx, raw in enumerate(header):
        key = raw.strip().lower().replace(" ", "_")
        if key not in _COLUMNS:
            raise RollError(_("line 1: unknown column {column}; use name, number, branch, weight").format(
                column=quoted(raw)))
        if _COLUMNS[key] in cols:
            raise RollError(_("line 1: column {column} appears twice").format(column=quoted(raw)))
        cols[_COLUMNS[key]] = idx
    if "name" not in cols:
        raise RollError(_("line 1: there is no 'name' column"))
    entries: list[RollEntry] = []
    numbers: dict[str, str] = {}  # number_key -> the number as first written
    # Rows with no number are matched to the roll by name and branch: two such rows alike would
    # be one member, so the first line of each is kept to name it.
    unnumbered: dict[tuple[str, str | None], int] = {}
    for line_no, row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RollError(_("line {line}: {fields} fields, but the header has {columns}").format(
                line=line_no, fields=len(row), columns=len(header)))

        def cell(col: str, row: list[str] = row) -> str | None:
            return row[cols[col]].strip() or None if col in cols else None

        name = cell("name")
        if not name:
            raise RollError(_("line {line}: the name is empty").format(line=line_no))
        number = cell("number")
        if number is not None:
            earlier = numbers.get(number_key(number))
            if earlier == number:
                raise RollError(_("line {line}: member number {number} appears twice").format(line=line_no,
                                                                                         number=number))
            if earlier is not None:
                raise RollError(zeros_differ(number, earlier, name, line_no))
            numbers[number_key(number)] = number
        else:
            first = unnumbered.setdefault((name, cell("branch")), line_no)
            if first != line_no:
                raise RollError(same_member(name, cell("branch"), line_no, first))
        weight_text = cell("weight")
        weight = 1
        if weight_text is not None:
            if not is_number(weight_text) or int(weight_text) < 1:
                raise RollError(_("line {line}: weight {weight} must be a whole number of at least 1").format(
                    line=line_no, weight=quoted(weight_text)))
            weight = int(weight_text)
        entries.append(RollEntry(name, number, cell("branch"), weight))
    return entries

