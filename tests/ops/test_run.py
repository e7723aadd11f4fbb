"""``quorum run`` with ``[web]``: the pages' server comes up beside the adapters, says how the bot
is, and goes down cleanly with the bot on SIGTERM (as systemd stops it); the log says so."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bot import __version__

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_the_web_server_runs_beside_the_bot_and_stops_with_it(tmp_path: Path) -> None:
    port, nowhere = _free_port(), _free_port()
    # A Matrix homeserver that is not there: the adapter keeps retrying, the bot keeps serving.
    (tmp_path / "quorum.toml").write_text(
        f'[matrix]\nhomeserver = "http://127.0.0.1:{nowhere}"\nuser_id = "@quorum:example.org"\npassword = "x"\n'
        f'[web]\nlisten = "127.0.0.1:{port}"\npublic_url = "https://quorum.example.org"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "--log-format", "json", "run"], cwd=tmp_path,
                            env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the web server never came up"
                time.sleep(0.1)
        health = json.loads(body)
        assert health["database"] and health["writer"] and health["outbox"]
        # The homeserver is not there: the bot is up, but not healthy.
        assert status == 503 and health["adapters"] == {"mx": False} and not health["ok"]
        assert _get(f"http://127.0.0.1:{port}/metrics")[0] == 200
        assert _get(f"http://127.0.0.1:{port}/poll/1/")[0] == 404
        started = f"quorum {__version__} started: Matrix; web pages on port {port}"
        while not any(started in line for line in list(lines)):  # once the adapters have run a while
            assert proc.poll() is None and time.monotonic() < deadline, lines
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        reader.join(timeout=10)
    assert proc.returncode == 0, lines
    messages = [json.loads(line)["message"] for line in lines]  # each line one JSON object
    assert started in messages and messages[-1] == "quorum stopped"


async def test_the_log_says_when_telegram_is_connected_and_when_it_is_lost(tmp_path: Path) -> None:
    """One operator line when the adapter reaches its platform, one when it loses it (with the
    Bot API peer stopped), and one again when it is back."""
    import asyncio

    from tests.peers.telegram import TelegramPeer

    peer = await TelegramPeer().start()
    (tmp_path / "quorum.toml").write_text(f'[telegram]\nbase_url = "{peer.base_url}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--log-format", "json", "run", cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "QUORUM_TELEGRAM_TOKEN": peer.token},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    messages: list[str] = []

    async def until(text: str) -> None:
        async with asyncio.timeout(60):
            while text not in messages:
                line = await proc.stderr.readline()  # type: ignore[union-attr]
                assert line, messages
                messages.append(json.loads(line)["message"])

    try:
        await until("Telegram connected")
        await peer.server.stop()
        await until("Telegram cannot be reached; retrying")
        await peer.server.start()
        messages.remove("Telegram connected")
        await until("Telegram connected")
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
        await peer.stop()
    assert proc.returncode == 0


async def test_a_message_under_way_at_sigterm_is_sent_once_across_the_restart(tmp_path: Path) -> None:
    """SIGTERM while Telegram is taking a message: the bot lets the send finish and marks it
    before it closes its adapters, so the next start does not send it again."""
    import asyncio
    from datetime import UTC, datetime

    from bot.kernel.times import iso
    from tests.helpers import database_env, database_rows
    from tests.peers.telegram import TelegramPeer

    peer = await TelegramPeer().start()
    member = peer.create_user("Ann")
    member.started_bot = True
    taking = asyncio.Event()
    send = peer.server.methods["sendmessage"]

    async def slow_send(world: object, params: object) -> object:
        taking.set()
        await asyncio.sleep(1.5)  # the answer is on its way when the bot is told to stop
        return await send(world, params)

    peer.server.methods["sendmessage"] = slow_send
    (tmp_path / "quorum.toml").write_text(f'[telegram]\nbase_url = "{peer.base_url}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    env = {**env, "PYTHONPATH": str(ROOT), "QUORUM_TELEGRAM_TOKEN": peer.token, **database_env(tmp_path)}
    migrate = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "migrate", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.DEVNULL)
    assert await migrate.wait() == 0
    now = iso(datetime.now(UTC))
    await asyncio.to_thread(  # database_rows runs its own event loop on PostgreSQL
        database_rows, tmp_path, "INSERT INTO outbox(dedupe, target, private, text, created_at, not_before)"
        " VALUES ('result:1', ?, 1, 'The result', ?, ?)", f"tg:{member.id}", now, now)

    async def run() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    try:
        proc = await run()
        await asyncio.wait_for(taking.wait(), 60)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        marked = await asyncio.to_thread(database_rows, tmp_path, "SELECT sent_at IS NOT NULL FROM outbox")
        assert [tuple(map(int, row)) for row in marked] == [(1,)], "the message Telegram took is not marked sent"
        peer.server.methods["sendmessage"] = send
        again = await run()
        await asyncio.sleep(8)  # the outbox drains at once on start
        again.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(again.wait(), 60) == 0
        sent = [c for c in peer.world.calls if c.method.lower() == "sendmessage" and c.ok]
        assert len(sent) == 1, sent
    finally:
        await peer.stop()
