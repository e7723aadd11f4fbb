"""What /healthz says of Matrix: connected while syncs with the homeserver get through, not
while it cannot be reached, and again once it can. The homeserver is the suite's real Synapse,
reached through a relay on loopback that the test cuts and restores, as a network would."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from adapters.matrix import MatrixAdapter
from bot.app import Transports, bootstrap
from bot.kernel.clock import Clock
from bot.kernel.config import MatrixConfig, matrix_store_beside, parse_config
from tests.peers.synapse import Credentials, SynapseServer


class Relay:
    """A TCP relay to the homeserver that can be cut (listening stops, open connections drop)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._open):
            writer.close()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._open -= {writer, up_writer}


async def test_health_follows_the_homeserver(synapse: SynapseServer, bot_account: Credentials, tmp_path: Path) -> None:
    url = urlsplit(synapse.base_url)
    relay = Relay(url.hostname or "127.0.0.1", url.port or 80)
    await relay.start()
    database = tmp_path / "quorum.db"
    matrix = MatrixConfig(homeserver=f"http://127.0.0.1:{relay.port}", user_id=bot_account.user_id,
                          password=bot_account.password, store=matrix_store_beside(database))
    config = replace(parse_config({}), database=database, secret="test-secret-for-tests", matrix=matrix)
    app = await bootstrap(config, Clock(), Transports())
    adapter = MatrixAdapter(matrix, app, max_backoff=0.5, long_poll_ms=500)
    app.transports.add(adapter.transport)
    await app.start()
    task = asyncio.create_task(adapter.run())
    try:
        async with asyncio.timeout(60):
            await adapter.synced.wait()
        assert (await app.monitoring.health()).adapters == {"mx": True}
        await relay.cut()
        async with asyncio.timeout(30):
            while (await app.monitoring.health()).adapters != {"mx": False}:  # noqa: ASYNC110 - polled, as a prober would
                await asyncio.sleep(0.05)
        assert not (await app.monitoring.health()).ok
        await relay.start()  # the same port again
        async with asyncio.timeout(30):
            while not (await app.monitoring.health()).ok:  # noqa: ASYNC110 - polled, as a prober would
                await asyncio.sleep(0.05)
    finally:
        await adapter.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await app.stop()
