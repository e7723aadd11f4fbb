"""The two CSV shapes the command line reads.

Pool: a header row whose first column is `id`, then one column per question; one row per
volunteer. Ticket numbers follow row order (first data row = ticket 1). Columns without quotas
are ignored and never published.

Quotas: header `feature,value,min,max`; one row per answer that has a bound.
"""

from __future__ import annotations

import csv
import io

from bot.engines.sortition.model import QuotaBound, SortitionError, Volunteer, counted


def read_pool(text: str) -> list[Volunteer]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0].strip().lower() != "id":
        raise SortitionError("The pool CSV must start with a header row whose first column is id.")
    header = [h.strip() for h in rows[0]]
    pool = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SortitionError(
                f"Pool CSV line {line} has {counted(len(row), 'column')}, the header has {len(header)}."
            )
        cells = [c.strip() for c in row]
        pool.append(Volunteer(cells[0], dict(zip(header[1:], cells[1:], strict=True))))
    return pool


def read_quotas(text: str) -> list[QuotaBound]:
    reader = csv.DictReader(io.StringIO(text))
    expected = ["feature", "value", "min", "max"]
    if [h.strip().lower() for h in reader.fieldnames or []] != expected:
        raise SortitionError("The quotas CSV header must be exactly: feature,value,min,max")
    bounds = []
    for line, row in enumerate(reader, start=2):
        values = [(row[k] or "").strip() for k in reader.fieldnames or []]
        if not any(values):
            continue
        try:
            low, high = int(values[2]), int(values[3])
        except ValueError:
            raise SortitionError(
                f"Quotas CSV line {line}: min and max must be whole numbers, not {values[2]!r} and {values[3]!r}."
            ) from None
        bounds.append(QuotaBound(values[0], values[1], low, high))
    return bounds
