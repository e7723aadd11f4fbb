"""The composition root builds every service; a test can give it a writer and a clock of its own.

Here the single group-commit writer is replaced by one that runs each change in a transaction of
its own and keeps a list of them, and time is a manual clock: a motion is drafted through the
console notation, exactly as with the real writer, and every change went through the stand-in.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from adapters.console.adapter import ConsoleTransport
from bot.app import Transports, bootstrap
from bot.app.router import Routes, RoutingError
from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
from bot.kernel.context import Context
from bot.kernel.routing import Router
from bot.storage.database import connect
from bot.storage.writer import Duplicate
from tests.helpers import Chat


class ListingWriter:
    """A writer without group commit: each change in its own transaction, one at a time (as
    the writer's contract has them), each one listed."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._seen: set[str] = set()
        self.changes: list[str] = []

    async def run(self, fn: Callable[[Any], Awaitable[Any]], event_id: str | None = None, *,
                  secret: bool = False) -> Any:
        async with self._lock:
            return await self._run(fn, event_id)

    async def _run(self, fn: Callable[[Any], Awaitable[Any]], event_id: str | None) -> Any:
        if self._conn is None:
            self._conn = await connect(self._path)
        if event_id is not None and event_id in self._seen:
            raise Duplicate()
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            value = await fn(self._conn)
        except BaseException:
            await self._conn.execute("ROLLBACK")
            raise
        await self._conn.execute("COMMIT")
        if event_id is not None:
            self._seen.add(event_id)
        self.changes.append(fn.__qualname__)
        return value

    async def vote(self, item: Any) -> str | None:
        raise AssertionError("this test casts no votes")

    async def has_seen(self, event_id: str) -> bool:
        return event_id in self._seen

    async def forget_before(self, cutoff: str) -> int:
        return 0

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()


async def test_a_service_runs_on_a_writer_and_clock_of_the_tests_own(tmp_path: Path) -> None:
    config = replace(parse_config({}), database=tmp_path / "quorum.db", secret="test-secret-for-tests")
    writer = ListingWriter(config.database)
    clock = ManualClock()
    out = io.StringIO()
    transport = ConsoleTransport(config, out)
    app = await bootstrap(config, clock, Transports(transport), writer=writer)
    await app.start()
    chat = Chat(app, transport, out)
    try:
        said = await chat.say(
            "chair: /motion new Fund the strike --deadline 2d",
            "chair: /motion M1 resolves To give £500 to the strike fund.",
        )
        assert "Motion M1 created" in said and "Added to M1 as resolves 1" in said
        clock.advance(timedelta(days=3))
        said = await chat.say("chair: /motion M1 mover Ann", "chair: /motion M1 seconder Bob",
                              "chair: /motion M1 submit")
        assert "The deadline for M1 passed" in said  # the service read the test's clock
        # The motion's changes went through it: created, a point, mover, seconder (the app's own
        # housekeeping, such as the outbox's daily clean-up, goes through it too).
        assert [c.split(".")[-1] for c in writer.changes if c.startswith("MotionService.")] == ["op"] * 4
        assert await chat.query("SELECT count(*) FROM motion_history") == [(4,)]
    finally:
        await app.stop()
        await writer.close()


def test_a_handler_asking_for_what_the_app_lacks_stops_the_start() -> None:
    router = Router("broken")

    @router.command("x", summary="x", usage="/x")
    async def x(ctx: Context, args: str, ballots_service: object) -> None: ...

    with pytest.raises(RoutingError, match="asks for ballots_service"):
        Routes({"polls": object()}).include(router)


def test_a_command_declared_twice_stops_the_start() -> None:
    first, second = Router("first"), Router("second")
    for r in (first, second):
        @r.command("vote", summary="vote", usage="/vote")
        async def vote(ctx: Context, args: str) -> None: ...

    with pytest.raises(RoutingError, match="/vote is declared twice"):
        Routes({}).include(first, second)
