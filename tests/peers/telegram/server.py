"""The HTTP side of the peer: routes Bot API calls, restarts on the same port, pushes webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from .api import GetUpdates, method_table
from .errors import ApiError
from .params import Params
from .updates import PendingUpdate
from .world import ApiCall, World

_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}")
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


def _client_gone(request: web.Request) -> bool:
    """True when the client hung up, e.g. a long poll PTB cancelled while shutting down."""
    transport = request.transport
    return transport is None or transport.is_closing()


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            data = value.file.read()
            params[name] = {"file_name": value.filename, "size": len(data), "data": data,
                            "mime_type": value.content_type}
        else:
            params[name] = value
    return params


class PeerServer:
    """Serves ``/bot<token>/<method>`` on loopback; state lives in the :class:`World`.

    ``stop`` then ``start`` rebinds the same port, so a bot configured with the old base URL
    reconnects on its own, as it would after a real network outage.
    """

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world = world
        self.host = host
        self.port = port
        self.get_updates = GetUpdates()
        self.methods = method_table(self.get_updates)
        self._runner: web.AppRunner | None = None
        self._pusher: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = int(runner.addresses[0][1])
        self._runner = runner
        self._pusher = asyncio.create_task(self._push_webhooks())

    async def stop(self) -> None:
        """Close the port and drop open connections, as a crash of Telegram's side would."""
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self.world.queue.signal.notify()
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        world = self.world
        method = request.match_info["method"]
        token = request.match_info["token"]
        if token != world.token:
            # Telegram: 401 for a well-formed token it does not know, 404 for a malformed one.
            if _TOKEN_SHAPE.fullmatch(token):
                return web.json_response(_UNAUTHORIZED, status=401)
            return web.json_response(_NOT_FOUND, status=404)
        try:
            raw = await _read_params(request)
        except (ValueError, json.JSONDecodeError):
            raw = {}
        except ConnectionResetError:
            return web.Response(status=400)
        implementation = self.methods.get(method.lower())
        if implementation is None:
            world.unknown_methods[method] += 1
            world.record(ApiCall(method, raw, False, 404, "Not Found"))
            return web.json_response(_NOT_FOUND, status=404)
        if world.in_trouble(method):  # Telegram's front end answers before the Bot API sees the call
            world.record(ApiCall(method, raw, False, 502, "Bad Gateway"))
            return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        try:
            result = await implementation(world, Params(raw))
        except ApiError as error:
            if not _client_gone(request):
                world.record(ApiCall(method, raw, False, error.code, error.description))
            return web.json_response(error.to_json(), status=error.code)
        world.record(ApiCall(method, raw, True, None, None))
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        return web.json_response(_NOT_FOUND, status=404)

    async def _push_webhooks(self) -> None:
        """Deliver queued updates to the webhook URL one by one until each gets a 2xx."""
        world = self.world
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            backoff = 0.05
            while True:
                queue = world.queue
                pending = [u for u in queue.pending if u.kind in queue.allowed]
                if not world.webhook.url:
                    await world.changed.wait(1.0)
                    continue
                if world.webhook.balanced:
                    await self._push_balanced(session)
                    continue
                if not pending:
                    await queue.signal.wait(1.0)
                    continue
                update = pending[0]
                headers = {}
                if world.webhook.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = world.webhook.secret_token
                try:
                    async with session.post(world.webhook.url, json=update.to_json(), headers=headers) as response:
                        delivered = 200 <= response.status < 300
                        error = f"Wrong response from the webhook: {response.status}"
                except (ClientError, TimeoutError) as exc:
                    delivered, error = False, f"Connection failed: {exc}"
                queue.deliveries[update.update_id] += 1
                if delivered:
                    queue.pending = [u for u in queue.pending if u is not update]
                    backoff = 0.05
                    world.changed.notify()
                    continue
                world.webhook.last_error_message = error
                world.webhook.last_error_date = world.now()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)

    async def _push_balanced(self, session: ClientSession) -> None:
        """Deliver through a load balancer to several addresses, while ``webhook.balanced`` is set.

        Telegram opens up to ``max_connections`` simultaneous connections to a webhook (Bot API,
        setWebhook), so up to that many updates are under way at once, in no guaranteed order;
        the balancer gives each connection to the next address in turn. An update that is not
        answered with a 2xx (the process behind that address is down) is delivered again, by
        Telegram, through the balancer: so to the next address."""
        world = self.world
        queue = world.queue
        hook = world.webhook
        turn = itertools.count()
        under_way: set[int] = set()  # id() of the pending updates being delivered
        slots = asyncio.Semaphore(hook.max_connections)
        tasks: set[asyncio.Task[None]] = set()

        async def deliver(update: PendingUpdate) -> None:
            try:
                addresses = hook.balanced or [hook.url]
                url = addresses[next(turn) % len(addresses)]
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
                try:
                    async with session.post(url, json=update.to_json(), headers=headers) as response:
                        delivered = 200 <= response.status < 300
                        error = f"Wrong response from the webhook: {response.status}"
                except (ClientError, TimeoutError) as exc:
                    delivered, error = False, f"Connection failed: {exc}"
                queue.deliveries[update.update_id] += 1
                if delivered:
                    queue.pending = [u for u in queue.pending if u is not update]
                    world.changed.notify()
                else:
                    hook.last_error_message, hook.last_error_date = error, world.now()
                    await asyncio.sleep(0.05)
            finally:
                under_way.discard(id(update))
                slots.release()
                queue.signal.notify()

        try:
            while hook.url and hook.balanced:
                ready = [u for u in queue.pending if u.kind in queue.allowed and id(u) not in under_way]
                if not ready:
                    await queue.signal.wait(1.0)
                    continue
                for update in ready:
                    await slots.acquire()
                    under_way.add(id(update))
                    task = asyncio.create_task(deliver(update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        finally:
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
