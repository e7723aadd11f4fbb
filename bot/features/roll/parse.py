"""Reading a roll CSV: a header row naming the columns (name, and optionally number, branch,
weight), then one member a row. Every error names its line, for the organiser fixing the file."""

from __future__ import annotations

import csv
import io

from bot.features.roll.model import RollEntry
from bot.kernel.errors import ParseError
from bot.kernel.wording import quoted

_COLUMNS = {
    "name": "name",
    "number": "number",
    "member_number": "number",
    "membership_number": "number",
    "branch": "branch",
    "weight": "weight",
}



class RollError(ParseError):
    pass


def parse_roll_csv(text: str) -> list[RollEntry]:
    """Rows of a roll CSV (a header row naming the columns: name, and optionally number,
    branch, weight). Errors name the line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise RollError("the file is empty; the first line must name the columns, e.g. name,number,branch") from None
    cols: dict[str, int] = {}
    for idx, raw in enumerate(header):
        key = raw.strip().lower().replace(" ", "_")
        if key not in _COLUMNS:
            raise RollError(f"line 1: unknown column {quoted(raw)}; use name, number, branch, weight")
        if _COLUMNS[key] in cols:
            raise RollError(f"line 1: column {quoted(raw)} appears twice")
        cols[_COLUMNS[key]] = idx
    if "name" not in cols:
        raise RollError("line 1: there is no 'name' column")
    entries: list[RollEntry] = []
    numbers: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RollError(f"line {line_no}: {len(row)} fields, but the header has {len(header)}")

        def cell(col: str, row: list[str] = row) -> str | None:
            return row[cols[col]].strip() or None if col in cols else None

        name = cell("name")
        if not name:
            raise RollError(f"line {line_no}: the name is empty")
        number = cell("number")
        if number is not None:
            if number in numbers:
                raise RollError(f"line {line_no}: member number {number} appears twice")
            numbers.add(number)
        weight_text = cell("weight")
        weight = 1
        if weight_text is not None:
            if not (weight_text.isascii() and weight_text.isdigit()) or int(weight_text) < 1:
                raise RollError(f"line {line_no}: weight {quoted(weight_text)} must be a whole number of at least 1")
            weight = int(weight_text)
        entries.append(RollEntry(name, number, cell("branch"), weight))
    return entries
