"""Rows into the features' dataclasses: one way for every store.

A table's columns are named as the fields of the dataclass that holds a row, so a store says
only how the columns that need reading are read (JSON, times, flags); the rest are taken as
they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sized
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def marks(values: Sized) -> str:
    """One placeholder per value, ``?, ?, ?``, for ``IN (…)``: one person's several chat
    accounts, say."""
    return ", ".join("?" * len(values))


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


class Rows:
    """The complete answer of one statement, usable as aiosqlite's cursor is (``fetchone``,
    ``fetchall``, ``async for``): both backends answer a read with every row at once."""

    rowcount = -1  # rows a change touched (-1: a query), as sqlite3 says
    lastrowid: int | None = None

    def __init__(self, rows: list[Any], rowcount: int = -1) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Any]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def __aiter__(self) -> Rows:
        return self

    async def __anext__(self) -> Any:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class Pending:
    """``conn.execute(...)`` before it runs: awaited, or used with ``async with``, as aiosqlite's is."""

    def __init__(self, run: Callable[[], Awaitable[Rows]]) -> None:
        self._run = run

    def __await__(self):  # type: ignore[no-untyped-def]
        return self._run().__await__()

    async def __aenter__(self) -> Rows:
        return await self._run()

    async def __aexit__(self, *exc: object) -> None:
        return None
