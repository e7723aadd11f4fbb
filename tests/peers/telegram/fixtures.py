"""Pytest fixtures for the Telegram peer; import them into a ``conftest.py``.

A peer starts in milliseconds, so each test gets its own and state never leaks between tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from .peer import TelegramPeer

PeerFactory = Callable[..., Awaitable[TelegramPeer]]

FAST_TIME_SCALE = 0.01
"""Flood-control periods at 1/100: 20 group messages per 0.6 s, 30 overall per 10 ms."""


@pytest.fixture
async def make_telegram_peer() -> AsyncIterator[PeerFactory]:
    """Call with :class:`TelegramPeer` keyword arguments to get a started peer.

    ``peer = await make_telegram_peer(time_scale=0.01, privacy_mode=False)``; every peer made
    is stopped when the test ends.
    """
    peers: list[TelegramPeer] = []

    async def make(**options: Any) -> TelegramPeer:
        peer = TelegramPeer(**options)
        peers.append(peer)
        return await peer.start()

    yield make
    for peer in peers:
        await peer.stop()


@pytest.fixture
async def telegram_peer(make_telegram_peer: PeerFactory) -> TelegramPeer:
    """A started peer with Telegram's own limits, flood-control periods included."""
    return await make_telegram_peer()


@pytest.fixture
async def fast_telegram_peer(make_telegram_peer: PeerFactory) -> TelegramPeer:
    """A started peer whose flood-control periods run at :data:`FAST_TIME_SCALE`."""
    return await make_telegram_peer(time_scale=FAST_TIME_SCALE)
