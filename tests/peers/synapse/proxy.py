"""A reverse proxy in front of the test homeserver that fails chosen requests on demand.

A homeserver is usually reached through a reverse proxy, and what a client meets when part of
it is unwell is that proxy's answer: ``502 Bad Gateway`` while the homeserver behind it
restarts, or the homeserver's own ``429 M_LIMIT_EXCEEDED`` (with ``retry_after_ms``) when it
sheds load, or a refusal of its own in its JSON (``errcode``: ``413 M_TOO_LARGE``, ``400
M_BAD_JSON``, ``404 M_NOT_FOUND``, as the client-server API's standard error response).
Synapse cannot be made to fail one kind of request on demand, so a test puts this proxy
between the bot and Synapse and says which requests fail (``fail``) and when they heal
(``Fault.heal``); everything else is passed through untouched, long-polled syncs included.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus

import aiohttp
from aiohttp import web

# Headers about one hop of the connection, never forwarded (RFC 9110, section 7.6.1); Host and
# Content-Length are set again for the next hop.
_HOP = frozenset(h.lower() for h in ("Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
                                      "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length"))


@dataclass
class Fault:
    """Requests whose method is METHOD (any, if None) and whose path (query included) matches
    PATTERN are answered STATUS instead of being passed on, TIMES times (for ever, if None),
    once AFTER of them have passed: with the homeserver's JSON error ERRCODE if given, else as a
    proxy whose upstream failed."""

    pattern: re.Pattern[str]
    status: int
    method: str | None = None
    times: int | None = None
    retry_after_ms: int | None = None
    errcode: str | None = None
    after: int = 0
    failed: list[str] = field(default_factory=list)
    """The paths of the requests it failed, in order."""
    healed: bool = False
    _hit: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def matches(self, method: str, path: str) -> bool:
        if self.healed or (self.times is not None and len(self.failed) >= self.times):
            return False
        if not ((self.method is None or method == self.method) and self.pattern.search(path) is not None):
            return False
        if self.after > 0:  # one of the first AFTER: passed on
            self.after -= 1
            return False
        return True

    async def met(self, within: float = 30.0) -> None:
        """Wait until it has failed a request (fail the test after WITHIN seconds)."""
        async with asyncio.timeout(within):
            await self._hit.wait()

    def heal(self) -> None:
        """From now on, matching requests pass through again."""
        self.healed = True

    def answer(self) -> web.Response:
        if self.status == 429:
            body: dict[str, object] = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}
            headers: dict[str, str] = {}
            if self.retry_after_ms is not None:
                body["retry_after_ms"] = self.retry_after_ms
                headers["Retry-After"] = str(max(1, self.retry_after_ms // 1000))
            return web.Response(status=429, text=json.dumps(body), content_type="application/json", headers=headers)
        if self.errcode is not None:  # the homeserver's own refusal: {"errcode", "error"}
            error = {"errcode": self.errcode, "error": f"refused by the test ({self.errcode})"}
            return web.Response(status=self.status, text=json.dumps(error), content_type="application/json")
        # What nginx says when the upstream is away: HTML, not the JSON a homeserver writes.
        return _html(self.status)


class FaultyProxy:
    """Listens on a loopback port (``url``) and forwards to UPSTREAM, failing what ``fail`` says."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, pattern: str, status: int = 502, *, method: str | None = "GET", times: int | None = None,
             retry_after_ms: int | None = None, errcode: str | None = None, after: int = 0) -> Fault:
        """Answer STATUS to the requests matching PATTERN (a regular expression searched in the
        path, percent-encoded as sent, with its query) until the fault heals or has failed TIMES,
        once AFTER of them have passed; with the homeserver's JSON error ERRCODE, if given."""
        fault = Fault(re.compile(pattern), status, method, times, retry_after_ms, errcode, after)
        self.faults.append(fault)
        return fault

    async def start(self) -> None:
        # No total timeout: a sync long-polls for as long as its client asked.
        self._session = aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None))
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.raw_path
        for fault in self.faults:
            if fault.matches(request.method, path):
                fault.failed.append(path)
                fault._hit.set()
                return fault.answer()
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        body = await request.read()
        try:
            async with self._session.request(request.method, self.upstream + path, headers=headers,
                                             data=body or None, allow_redirects=False) as upstream:
                data = await upstream.read()
                out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP}
                return web.Response(status=upstream.status, body=data, headers=out)
        except aiohttp.ClientConnectionError:
            return _html(502)


def _html(status: int) -> web.Response:
    """What nginx says when its upstream fails: a page of HTML, not a homeserver's JSON."""
    title = f"{status} {HTTPStatus(status).phrase}"
    return web.Response(status=status, text=f"<html><body><h1>{title}</h1></body></html>", content_type="text/html")
