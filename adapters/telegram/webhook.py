"""Receiving updates by webhook: Telegram posts each one to the bot's address.

The bot's own small server rather than PTB's: PTB answers an update it cannot parse with 400,
and Telegram, which delivers an update again until it is answered with a 2xx (Bot API
``setWebhook``), then posts it again and again while the updates behind it wait, as one bad
update in a ``getUpdates`` batch would stall long polling (see ``tolerant_bot``). Here an
unreadable update is read as an empty one with its ``update_id`` (``read_update``), which the
handlers ignore, and answered 200 like any other. A request without the secret Telegram was
given (``X-Telegram-Bot-Api-Secret-Token``) is refused 403 and read no further.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import ExtBot

from adapters.telegram.tolerant_bot import read_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    """Puts each update posted to PATH, with the header SECRET, on QUEUE (the Application's)."""

    def __init__(self, bot: ExtBot[Any], queue: asyncio.Queue[object], path: str, secret: str) -> None:
        self._bot = bot
        self._queue = queue
        self._secret = secret.encode()
        app = web.Application()
        app.router.add_post("/" + path.strip("/"), self._post)
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self, listen: str, port: int) -> None:
        """Listen on LISTEN:PORT; OSError if that address cannot be had."""
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, listen, port).start()
        except OSError:
            await self._runner.cleanup()
            raise

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self._secret):
            return web.Response(status=403, text="the secret token is missing or wrong")
        try:
            raw = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="the body is not JSON")  # never from Telegram
        update: Update | None = read_update(raw, self._bot)
        if update is not None:
            await self._queue.put(update)
        return web.Response()
