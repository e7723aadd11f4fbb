"""A real Synapse homeserver run as a child process on loopback, for end-to-end tests.

The adapter's behaviour against Matrix can only be trusted if it talks to a real server, so the
suite starts Synapse itself rather than faking the client-server API. Failing to start raises:
the Matrix tests must fail, never skip, when the peer is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .config import SERVER_NAME, write_config

_READY_PATH = "/_matrix/client/versions"
_PORT_IN_USE_MARKERS = ("Address already in use", "Couldn't listen on")


class SynapseStartError(RuntimeError):
    """Synapse did not answer in time or exited; the message carries the tail of its log."""


def scratch_root() -> Path:
    """Prefer a memory-backed directory: SQLite fsyncs make schema setup slow on real disks."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return Path(tempfile.gettempdir())


def free_loopback_port() -> int:
    """Ask the kernel for an unused port; Synapse binds it a moment later (retried on a clash)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SynapseServer:
    """One homeserver instance: its data directory, its port and, while running, its process.

    The data directory outlives ``stop()`` so that ``restart()`` brings back the same users,
    rooms and events, which is what a "homeserver restarted mid-poll" test needs.
    """

    def __init__(self, data_dir: Path, *, server_name: str = SERVER_NAME) -> None:
        self.data_dir = data_dir
        self.server_name = server_name
        self.registration_shared_secret = secrets.token_urlsafe(24)
        self.port = free_loopback_port()
        self.log_path = data_dir / "homeserver.log"
        self.start_durations: list[float] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    @classmethod
    def in_scratch_dir(cls) -> SynapseServer:
        """Create a server whose data lives in a fresh temporary directory."""
        data_dir = Path(tempfile.mkdtemp(prefix="quorum-synapse-", dir=scratch_root()))
        return cls(data_dir)

    @property
    def base_url(self) -> str:
        """The homeserver URL clients connect to."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def user_id(self, localpart: str) -> str:
        """The full Matrix id of a local user."""
        return f"@{localpart}:{self.server_name}"

    def _write_config(self) -> None:
        self.config_path = write_config(
            data_dir=self.data_dir,
            port=self.port,
            registration_shared_secret=self.registration_shared_secret,
            server_name=self.server_name,
        )

    def start(self, timeout: float = 90.0, port_attempts: int = 3) -> float:
        """Start Synapse and block until it answers; return how long that took in seconds.

        A freshly probed port can be taken by someone else before Synapse binds it, so a bind
        failure on the very first start is retried on a new port. Later starts keep the port,
        because clients created earlier hold the old URL.
        """
        if self.running:
            raise RuntimeError("Synapse is already running")
        for attempt in range(1, port_attempts + 1):
            try:
                return self._start_once(timeout)
            except SynapseStartError as error:
                port_clash = any(marker in str(error) for marker in _PORT_IN_USE_MARKERS)
                if not (port_clash and not self.start_durations and attempt < port_attempts):
                    raise
                self.port = free_loopback_port()
                self._write_config()
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_once(self, timeout: float) -> float:
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        atexit.register(self._stop_at_exit, self._process)
        try:
            self._wait_until_ready(timeout, log_offset)
        except BaseException:
            self._terminate()
            raise
        duration = time.monotonic() - began
        self.start_durations.append(duration)
        return duration

    def _wait_until_ready(self, timeout: float, log_offset: int) -> None:
        # Polling the HTTP endpoint is the only readiness signal Synapse offers to a parent
        # process; the short pause between probes keeps two cores free for Synapse itself.
        deadline = time.monotonic() + timeout
        assert self._process is not None
        while True:
            code = self._process.poll()
            if code is not None:
                raise SynapseStartError(
                    f"Synapse exited with status {code} during startup.\n"
                    f"--- tail of {self.log_path.name} ---\n{self.log_tail(since=log_offset)}"
                )
            if self._answers():
                return
            if time.monotonic() > deadline:
                raise SynapseStartError(
                    f"Synapse did not answer {_READY_PATH} within {timeout:.0f}s.\n"
                    f"--- tail of {self.log_path.name} ---\n{self.log_tail(since=log_offset)}"
                )
            time.sleep(0.05)

    def _answers(self) -> bool:
        # No proxies: a CI runner's HTTP_PROXY must not intercept a loopback probe.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.base_url + _READY_PATH, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def log_tail(self, lines: int = 60, since: int = 0) -> str:
        """The last lines Synapse wrote (from byte ``since``), for failure messages."""
        if not self.log_path.exists():
            return "(no log written)"
        with self.log_path.open("rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:]) or "(log empty)"

    def stop(self, timeout: float = 30.0) -> None:
        """Stop Synapse the way an operator would (SIGTERM), killing it only if it hangs."""
        self._terminate(timeout)

    def _terminate(self, timeout: float = 30.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self, timeout: float = 90.0) -> float:
        """Stop and start again on the same port with the same data; return the start time."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """Stop Synapse and delete its data directory."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    @staticmethod
    def _stop_at_exit(process: subprocess.Popen[bytes]) -> None:
        # Last resort when the test session dies without running its finalizers.
        if process.poll() is None:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
