"""Rows into the features' dataclasses: one way for every store.

A table's columns are named as the fields of the dataclass that holds a row, so a store says
only how the columns that need reading are read (JSON, times, flags); the rest are taken as
they are.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def from_row(cls: type[T], row: Any, **read: Any) -> T:
    """A CLS from ROW: each field from READ if given there, else from the column of its name
    (fields with defaults that the row has no column for keep their default)."""
    columns = set(row.keys())  # a set: asyncpg's keys() is an iterator, read once
    values = {
        f.name: read[f.name] if f.name in read else row[f.name]
        for f in fields(cls)  # type: ignore[arg-type]
        if f.init and (f.name in read or f.name in columns)
    }
    return cls(**values)
