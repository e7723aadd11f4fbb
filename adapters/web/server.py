"""A small read-only web server inside the bot (aiohttp): the auditor's pages, /healthz, /metrics.

It is served only when ``[web] listen`` or ``public_url`` is set. It changes nothing: every page
is read through ``App.audit`` (bot/app/audit.py) and health and metrics through
``App.monitoring``. Every answer carries a strict Content-Security-Policy (nothing but this
server's own style sheet; no script, no frame, forms only back to itself), ``nosniff`` and no
referrer; pages are not cached, since a receipt check is nobody else's business; the ``Server``
header names the bot, not the library and its version. No access log
is written: the links are the pages' keys. The headers are set on what the pages answer (the
middleware ``_headers``) and on what aiohttp answers itself, before any page is reached (a 400
to a request it cannot read: ``_Connection``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from urllib.parse import quote

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from adapters.web.pages import CSS, bad_form, draw_page, not_found, poll_page, receipt_page, verify_page
from bot.app import App
from bot.app.monitoring import CONTENT_TYPE
from bot.kernel.config import WebConfig

log = logging.getLogger(__name__)


class _ClientMistakes(logging.Filter):
    """Drops aiohttp's record of a request it could not parse (a header line too long, a bad
    header, not HTTP at all). Anyone can send one; it is answered 400 and is the sender's
    mistake, where aiohttp would log an error with a traceback and the sender's address. A
    fault of the server's own (a page that raised) is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], HttpProcessingError))


http_log = logging.getLogger(__name__ + ".http")
http_log.addFilter(_ClientMistakes())

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HTML = "text/html; charset=utf-8"
SERVER = "Quorum"
"""The ``Server`` header of every answer: aiohttp's own names it and its version, which tells
anyone probing the site which published flaws to try."""
MAX_CODE = 64


def _secured(response: web.StreamResponse) -> web.StreamResponse:
    """RESPONSE with the headers every answer of this server carries."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Server"] = SERVER  # set before aiohttp would name itself (it only fills one left unset)
    return response


@web.middleware
async def _headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    try:
        response = await handler(request)
    except web.HTTPException as e:  # answered here, so a refusal carries the headers below too
        if e.status == 404:
            response = _html(not_found(_depth(request)), 404)
        elif e.status == 413:  # a receipt form longer than any code
            response = _html(bad_form(_depth(request)), 413)
        else:  # a wrong method (with Allow), a redirect (with Location)
            response = web.Response(status=e.status, reason=e.reason, text=e.text, headers=e.headers)
    except Exception:  # a fault of our own: logged (not the path, which holds a page's key), answered briefly
        log.exception("serving a web page failed")
        response = web.Response(status=500, text="500: the page could not be served; the operator's log says why.")
    return _secured(response)


class _Connection(web.RequestHandler):
    """aiohttp's handler of one connection, whose own answers carry the headers too. A request
    it cannot read (a malformed request line or header, one too long, not HTTP at all) is
    answered by ``handle_error`` before any middleware or page is reached."""

    __slots__ = ()

    def handle_error(self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        return _secured(super().handle_error(request, status, exc, message))


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/html", charset="utf-8")


def _depth(request: web.Request) -> int:
    """How many folders below the site's root REQUEST's page is, for its link to the style sheet."""
    return max(0, request.path.count("/") - 1)


class WebServer:
    def __init__(self, config: WebConfig, core: App) -> None:
        self.config = config
        self.core = core
        self._runner: web.AppRunner | None = None
        self._listening: asyncio.Server | None = None
        self.port: int | None = None  # the port bound (config.port, or the one chosen for port 0)

    def application(self) -> web.Application:
        app = web.Application(middlewares=[_headers], client_max_size=4096)
        app.add_routes([
            web.get("/healthz", self.healthz),
            web.get("/metrics", self.metrics),
            web.get("/quorum.css", self.css),
            web.get("/poll/{token}", self.slash),
            web.get("/poll/{token}/", self.poll),
            web.get("/poll/{token}/ballots.blt", self.blt),
            web.get("/poll/{token}/chart.png", self.chart),
            web.post("/poll/{token}/receipt", self.receipt),
            web.get("/draw/{token}", self.slash),
            web.get("/draw/{token}/", self.draw),
            web.get("/draw/{token}/verify", self.verify),
            web.get(r"/draw/{token}/pool-{number:\d+}.json", self.document),
        ])
        return app

    async def start(self) -> None:
        """Serve the pages: each connection is handled by a ``_Connection`` (where aiohttp's
        own site would make a plain one) for the application the runner set up."""
        self._runner = web.AppRunner(self.application())
        await self._runner.setup()
        pages = self._runner.server
        assert pages is not None
        loop = asyncio.get_running_loop()
        self._listening = await loop.create_server(
            lambda: _Connection(pages, loop=loop, access_log=None, logger=http_log), self.config.host, self.config.port)
        self.port = self._listening.sockets[0].getsockname()[1]
        log.debug("web pages served on port %s", self.port)

    async def stop(self) -> None:
        if self._listening is not None:
            self._listening.close()  # no new connections; the runner ends those open
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._listening is not None:
            await self._listening.wait_closed()
            self._listening = None

    # -- health and metrics ------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        health = await self.core.monitoring.health()
        return web.Response(status=200 if health.ok else 503, text=json.dumps(health.as_dict()),
                            content_type="application/json")

    async def metrics(self, request: web.Request) -> web.Response:
        body = await self.core.monitoring.metrics()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    async def css(self, request: web.Request) -> web.Response:
        response = web.Response(text=CSS, content_type="text/css", charset="utf-8")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    # -- the pages ---------------------------------------------------------------------------

    async def slash(self, request: web.Request) -> web.Response:
        """``/poll/TOKEN`` is ``/poll/TOKEN/``: the pages link to their parts relatively. The
        redirect is relative too, so behind a proxy that serves the pages under a path of its
        own (``public_url`` ``https://example.org/audit``) the browser stays under that path."""
        raise web.HTTPFound(quote(request.match_info["token"], safe="") + "/")

    async def poll(self, request: web.Request) -> web.Response:
        view = await self.core.audit.poll(request.match_info["token"])
        if view is None:
            raise web.HTTPNotFound()
        return _html(poll_page(view))

    async def chart(self, request: web.Request) -> web.Response:
        data = await self.core.audit.chart(request.match_info["token"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/png")

    async def blt(self, request: web.Request) -> web.Response:
        found = await self.core.audit.blt(request.match_info["token"])
        if found is None:
            raise web.HTTPNotFound()
        poll_id, text = found
        response = web.Response(text=text, content_type="text/plain", charset="utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="poll-{poll_id}.blt"'
        return response

    async def receipt(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        try:
            form = await request.post()
        except (ValueError, AssertionError):  # not UTF-8 (UnicodeDecodeError), or malformed multipart
            return _html(bad_form(_depth(request)), 400)
        code = form.get("code", "")
        if not isinstance(code, str):  # a file sent as the code: the page's form never sends one
            return _html(bad_form(_depth(request)), 400)
        typed = code.strip()[:MAX_CODE]
        counted = await self.core.audit.receipt(token, typed)
        view = await self.core.audit.poll(token)
        if counted is None or view is None:
            raise web.HTTPNotFound()
        return _html(receipt_page(view, re.sub(r"\s+", " ", typed), counted))

    async def draw(self, request: web.Request) -> web.Response:
        view = await self.core.audit.draw(request.match_info["token"])
        if view is None:
            raise web.HTTPNotFound()
        return _html(draw_page(view))

    async def verify(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        view = await self.core.audit.draw(token)
        check = await self.core.audit.verify(token)
        if view is None or check is None:
            raise web.HTTPNotFound()
        return _html(verify_page(view, check))

    async def document(self, request: web.Request) -> web.Response:
        found = await self.core.audit.document(request.match_info["token"])
        if found is None or str(found[0]) != request.match_info["number"]:
            raise web.HTTPNotFound()
        pool_id, text = found
        response = web.Response(text=text, content_type="application/json", charset="utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="pool-{pool_id}.json"'
        return response
