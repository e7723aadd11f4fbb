"""Debian's headless chromium, driven over the DevTools protocol with aiohttp's websocket client.

Enough of the protocol for the auditor's pages: open a page and wait for it to load, read the
document's response headers, evaluate an expression, click and submit, take a screenshot, and
download a file. A missing chromium fails the test that asked for it (CI installs Debian's
``chromium`` package); it is never skipped.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-port=0"]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Debian's chromium is not installed (apt-get install chromium; .ci/run does): the browser tests "
                "need a real browser and never skip.")


class Browser:
    def __init__(self, proc: asyncio.subprocess.Process, http: aiohttp.ClientSession,
                 ws: aiohttp.ClientWebSocketResponse, profile: str, shots: Path) -> None:
        self._proc, self._http, self._ws, self._profile, self.shots = proc, http, ws, profile, shots
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: list[tuple[str, dict[str, Any]]] = []
        self._new_event = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self._session: str | None = None

    @classmethod
    async def launch(cls, shots: Path) -> Browser:
        profile = tempfile.mkdtemp(prefix="chromium-profile-")
        proc = await asyncio.create_subprocess_exec(
            chromium_path(), *FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        assert proc.stderr is not None
        url = None
        async with asyncio.timeout(60):
            while url is None:
                line = (await proc.stderr.readline()).decode(errors="replace")
                if not line:
                    pytest.fail("chromium exited before it listened for DevTools")
                found = re.search(r"DevTools listening on (ws://\S+)", line)
                url = found.group(1) if found else None
        # Go on reading what chromium says, so its pipe never fills up.
        asyncio.get_running_loop().create_task(cls._drain(proc.stderr))
        http = aiohttp.ClientSession()
        ws = await http.ws_connect(url, max_msg_size=0)
        browser = cls(proc, http, ws, profile, shots)
        target = await browser.send("Target.createTarget", url="about:blank", session=False)
        attached = await browser.send("Target.attachToTarget", targetId=target["targetId"], flatten=True,
                                      session=False)
        browser._session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            await browser.send(f"{domain}.enable")
        await browser.send("Emulation.setDeviceMetricsOverride", **PHONE)
        return browser

    @staticmethod
    async def _drain(stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            pass

    async def _read(self) -> None:
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            data = msg.json()
            if "id" in data:
                fut = self._waiting.pop(data["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(data)
            else:
                self._events.append((data["method"], data.get("params", {})))
                self._new_event.set()

    async def send(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        n = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[n] = fut
        message: dict[str, Any] = {"id": n, "method": method, "params": params}
        if session and self._session:
            message["sessionId"] = self._session
        await self._ws.send_json(message)
        async with asyncio.timeout(60):
            answer = await fut
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def event(self, method: str, since: int, match: Any = None) -> dict[str, Any]:
        """The first event METHOD at or after position SINCE (for which MATCH holds)."""
        async with asyncio.timeout(60):
            while True:
                for name, params in self._events[since:]:
                    if name == method and (match is None or match(params)):
                        return params
                self._new_event.clear()
                await self._new_event.wait()

    async def _loaded(self, since: int) -> dict[str, Any]:
        """After a navigation begun at event position SINCE: the document's response, once loaded."""
        await self.event("Page.loadEventFired", since)
        response = await self.event("Network.responseReceived", since, lambda p: p.get("type") == "Document")
        return response["response"]

    async def goto(self, url: str) -> dict[str, Any]:
        """Open URL; the document's response (status, headers) once the page has loaded."""
        since = len(self._events)
        await self.send("Page.navigate", url=url)
        return await self._loaded(since)

    async def follow(self, action: str) -> dict[str, Any]:
        """Run ACTION (a click, a form submitted) and wait for the page it leads to."""
        since = len(self._events)
        await self.eval(action)
        return await self._loaded(since)

    async def eval(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screenshot(self, name: str) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path = self.shots / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def download(self, click: str, folder: Path) -> Path:
        """Click a link that downloads a file; the file, once the browser has saved it."""
        await self.send("Browser.setDownloadBehavior", session=False, behavior="allowAndName",
                        downloadPath=str(folder), eventsEnabled=True)
        since = len(self._events)
        await self.eval(click)
        begun = await self.event("Browser.downloadWillBegin", since)
        await self.event("Browser.downloadProgress", since,
                         lambda p: p["guid"] == begun["guid"] and p["state"] == "completed")
        return folder / begun["guid"]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.send("Browser.close", session=False)
        with contextlib.suppress(Exception):
            await self._ws.close()
        await self._http.close()
        self._reader.cancel()
        with contextlib.suppress(ProcessLookupError):
            self._proc.kill()
        await self._proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)
