"""A chat harness: the real bot (built by bootstrap), a file database, a manual clock and the
console adapter.

Scenario tests speak through the console notation (``ann: /vote 1 Pizza``) and read back what
the bot answered, exactly as a person at the terminal would.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.console.adapter import ConsoleSession, ConsoleTransport
from bot.app import App, Transports, bootstrap
from bot.kernel.clock import ManualClock
from bot.kernel.config import Config, parse_config
from bot.kernel.durations import parse_duration


class Chat:
    def __init__(self, app: App, transport: ConsoleTransport, out: io.StringIO) -> None:
        self.app = app
        self.transport = transport
        self.out = out
        self.session = ConsoleSession(app, transport, out, echo=False)

    @classmethod
    async def start(
        cls, tmp_path: Path, config: Config | None = None, clock: ManualClock | None = None, **overrides: Any
    ) -> Chat:
        config = config or parse_config({})
        config = replace(config, database=tmp_path / "quorum.db", secret="test-secret", **overrides)
        out = io.StringIO()
        transport = ConsoleTransport(config, out)
        app = await bootstrap(config, clock or ManualClock(), Transports(transport))
        await app.start()
        return cls(app, transport, out)

    async def say(self, *lines: str) -> str:
        """Play LINES; return everything the bot printed in answer, as plain text."""
        start = len(self.transport.transcript)
        for line in lines:
            await self.session.play(line)
        await self.settle()
        return "\n".join(self.transport.transcript[start:])

    async def settle(self) -> None:
        import asyncio

        for _ in range(5):
            await asyncio.sleep(0)

    async def wait_for(self, fragment: str, attempts: int = 500) -> str:
        """The transcript once FRAGMENT appears in it (for work the bot does on its own)."""
        import asyncio

        for _ in range(attempts):
            text = "\n".join(self.transport.transcript)
            if fragment in text:
                return text
            await asyncio.sleep(0.01)
        raise AssertionError(f"{fragment!r} never appeared:\n{text}")

    async def advance(self, duration: str) -> str:
        delta = parse_duration(duration)
        assert delta is not None
        return await self.say(f":advance {duration}") if delta else ""

    def tick(self, delta: timedelta) -> None:
        self.app.clock.advance(delta)

    async def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self.app.reader.execute(sql, args) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows, to show an error changed nothing: but the log of seen events, and
        the record of when each migration ran (wall-clock time when the database was created)."""
        tables = [r[0] for r in await self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('seen_events', 'schema_migrations')"
        )]
        return {t: sorted(await self.query(f"SELECT * FROM {t}"), key=repr) for t in tables}

    async def stop(self) -> None:
        await self.app.stop()
