"""The whole bot, in the test's event loop, logged in to the test homeserver as a real account.

It is built exactly as ``quorum run`` builds it (the app on the test's database, a file or, with
QUORUM_TEST_DATABASE=postgresql, a database of its own on the suite's server; the Matrix
adapter's transport added to it, then ``run()``), so the tests exercise the shipped wiring.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from adapters.matrix import MatrixAdapter
from bot.app import App, Transports, bootstrap
from bot.kernel.clock import Clock
from bot.kernel.config import MatrixConfig, matrix_store_beside, parse_config
from tests.helpers import database_url_for
from tests.peers.synapse import Credentials, SynapseServer


@dataclass
class RunningBot:
    app: App
    adapter: MatrixAdapter
    task: asyncio.Task[None]
    stopped: bool = False

    @property
    def user_id(self) -> str:
        return self.adapter.config.user_id

    @classmethod
    async def start(
        cls,
        synapse: SynapseServer,
        credentials: Credentials,
        database: Path,
        *,
        access_token: bool = False,
        allowed_inviters: tuple[str, ...] = (),
        homeserver: str | None = None,
        **adapter_options: Any,
    ) -> RunningBot:
        """Start the bot logged in with the account's password (or its ACCESS_TOKEN), talking to
        SYNAPSE, or to HOMESERVER (the address of a proxy in front of it)."""
        matrix = MatrixConfig(
            homeserver=homeserver or synapse.base_url,
            user_id=credentials.user_id,
            password=None if access_token else credentials.password,
            access_token=credentials.access_token if access_token else None,
            allowed_inviters=allowed_inviters,
            store=matrix_store_beside(database),
        )
        config = replace(parse_config({}), database=database, database_url=database_url_for(database.parent),
                         secret="test-secret-for-tests", matrix=matrix)
        app = await bootstrap(config, Clock(), Transports())
        adapter = MatrixAdapter(matrix, app, max_backoff=1.0, long_poll_ms=5_000, **adapter_options)
        app.transports.add(adapter.transport)
        await app.start()
        task = asyncio.create_task(adapter.run(), name="matrix-adapter")
        synced = asyncio.create_task(adapter.synced.wait())
        done, _ = await asyncio.wait({task, synced}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if synced not in done:
            synced.cancel()
            await adapter.stop()
            await app.stop()
            if task.done():
                task.result()  # the adapter's own error says most
            raise AssertionError("the bot did not finish its first sync within 60s")
        return cls(app, adapter, task)

    async def stop(self) -> None:
        await self.adapter.stop()
        if not self.task.done():
            self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        await self.app.stop()
        self.stopped = True

    async def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self.app.reader.execute(sql, args) as cur:
            return [tuple(row) for row in await cur.fetchall()]

    async def wait_until(self, sql: str, expected: Any, *args: Any, within: float = 30.0) -> None:
        """Wait until SQL's single value equals EXPECTED (for work that sends no message)."""
        value: Any = None
        async with asyncio.timeout(within):
            while True:
                rows = await self.query(sql, *args)
                value = rows[0][0] if rows else None
                if value == expected:
                    return
                await asyncio.sleep(0.05)


StartBot = Callable[..., Awaitable[RunningBot]]
"""The ``start_bot`` fixture: ``bot = await start_bot(**adapter_options)``."""
