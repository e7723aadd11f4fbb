"""Pytest fixtures: one homeserver per test session, and users made fresh for each test.

Starting Synapse takes seconds, so it is shared by the whole session; tests stay independent
because every user gets a unique name and every test creates its own rooms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from .factory import UserFactory
from .proxy import FaultyProxy
from .server import SynapseServer


@pytest.fixture(scope="session")
def synapse() -> Iterator[SynapseServer]:
    """The running homeserver. A failure to start errors every test using it, never skips."""
    server = SynapseServer.in_scratch_dir()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
async def matrix_users(synapse: SynapseServer) -> AsyncIterator[UserFactory]:
    """Call it to get a fresh :class:`MatrixUser`: ``alice = await matrix_users()``."""
    factory = UserFactory(synapse)
    yield factory
    await factory.close_all()


@pytest.fixture
async def faulty_proxy(synapse: SynapseServer) -> AsyncIterator[FaultyProxy]:
    """A reverse proxy in front of the homeserver, failing the requests a test chooses: give its
    ``url`` to the client that should meet the faults (the bot), the others talk to Synapse."""
    proxy = FaultyProxy(synapse.base_url)
    await proxy.start()
    yield proxy
    await proxy.close()
