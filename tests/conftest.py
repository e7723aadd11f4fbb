"""Shared fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers import Chat

# The real Synapse homeserver for the Matrix tests: started once per session, on first use.
# The local Telegram Bot API server for the Telegram tests: one per test, started in milliseconds.
pytest_plugins = ["tests.peers.synapse.fixtures", "tests.peers.telegram.fixtures"]


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    c = await Chat.start(tmp_path)
    try:
        yield c
    finally:
        await c.stop()
