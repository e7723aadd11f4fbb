"""Wiring the real python-telegram-bot ``Application`` to a peer, the same way every time."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter

from .peer import TelegramPeer


def application_builder(
    peer: TelegramPeer, *, rate_limiter: BaseRateLimiter[Any] | None = None
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ``ApplicationBuilder`` that talks to ``peer``; add handlers and ``build()``.

    Short HTTP timeouts keep a test that breaks the connection (peer restart) from hanging.
    """
    builder = (
        ApplicationBuilder()
        .token(peer.token)
        .base_url(peer.base_url)
        .base_file_url(peer.base_file_url)
        .connect_timeout(2.0)
        .pool_timeout(2.0)
        .get_updates_connect_timeout(2.0)
        .get_updates_pool_timeout(2.0)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    return builder


@asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    long_poll_seconds: int = 1,
    allowed_updates: list[str] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``application`` with long polling for the duration of the block.

    The short long-poll keeps shutdown quick; ``allowed_updates`` defaults to every type so
    ``poll_answer`` and ``my_chat_member`` handlers see their updates.
    """
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0,
        timeout=long_poll_seconds,
        allowed_updates=allowed_updates if allowed_updates is not None else Update.ALL_TYPES,
    )
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def free_port() -> int:
    """A loopback port nobody is listening on, for the bot's own webhook server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def webhook(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    secret_token: str = "peer-secret",
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``application`` in webhook mode: PTB's own server on loopback, which the peer
    pushes updates to once PTB has called ``setWebhook``."""
    port = free_port()
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        secret_token=secret_token,
        allowed_updates=Update.ALL_TYPES,
    )
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
