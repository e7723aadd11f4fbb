"""Shared fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers import Chat

# The real Synapse homeserver for the Matrix tests: started once per session, on first use.
pytest_plugins = ["tests.synapse_server.fixtures"]


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    c = await Chat.start(tmp_path)
    try:
        yield c
    finally:
        await c.stop()
