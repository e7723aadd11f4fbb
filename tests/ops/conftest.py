"""A bot with its web pages served on a free port, for the web and browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.web import WebServer
from bot.kernel.config import WebConfig, parse_config
from tests.helpers import Chat


@dataclass
class Site:
    chat: Chat
    server: WebServer
    base: str  # http://127.0.0.1:PORT

    def url(self, link: str) -> str:
        """A link the bot published (at the configured public address), on this test server."""
        assert link.startswith(PUBLIC), link
        return self.base + link[len(PUBLIC):]


PUBLIC = "https://quorum.example.org/audit"


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    config = parse_config({"web": {"public_url": PUBLIC}})
    chat = await Chat.start(tmp_path, config)
    assert config.web is not None
    server = WebServer(WebConfig("127.0.0.1", 0, PUBLIC), chat.app)
    await server.start()
    try:
        yield Site(chat, server, f"http://127.0.0.1:{server.port}")
    finally:
        await server.stop()
        await chat.stop()
