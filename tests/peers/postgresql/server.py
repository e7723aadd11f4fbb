"""A throwaway PostgreSQL server run as a child process on loopback, as the Synapse harness does.

It is Debian's ``postgresql`` package (``.ci/run`` installs it): ``initdb`` makes a cluster in a
scratch directory and ``postgres`` serves it on a free port, as the ``postgres`` user when the
suite runs as root (the server refuses to run as root). Durability is switched off (``fsync``):
the tests check what the bot commits, not the disk. A server that cannot be found or started
raises, so the tests that need it fail, never skip.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "quorum"
ENV = "QUORUM_TEST_DATABASE"


class PostgresStartError(RuntimeError):
    """PostgreSQL is not installed, or did not start; the message says which and why."""


def use_postgresql() -> bool:
    """Whether this test run keeps the bot's data on PostgreSQL (QUORUM_TEST_DATABASE=postgresql)."""
    value = os.environ.get(ENV, "sqlite").strip().lower()
    if value not in ("sqlite", "postgresql"):
        raise RuntimeError(f"{ENV} must be sqlite or postgresql, not {value!r}")
    return value == "postgresql"


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        on_path = shutil.which("initdb")
        if on_path is None:
            raise PostgresStartError("PostgreSQL is not installed (no initdb): apt-get install postgresql")
        return Path(on_path).resolve().parent
    return found[-1].parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One cluster: its directory, its port and, while running, its process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.log_path = root / "server.log"
        self.bindir = _bindir()
        self._process: subprocess.Popen[bytes] | None = None
        self._as: list[str] = []
        if os.geteuid() == 0:  # the server will not run as root: run it as Debian's postgres user
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresStartError("running as root and there is no postgres user: "
                                         "apt-get install postgresql") from None
            os.chown(root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    @classmethod
    def in_scratch_dir(cls) -> PostgresServer:
        root = Path(tempfile.mkdtemp(prefix="quorum-postgresql-"))
        root.chmod(0o755)
        return cls(root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*self._as, *args], capture_output=True, cwd=self.root, check=False)

    def start(self) -> None:
        done = self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                         "-E", "UTF8", "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise PostgresStartError(f"initdb failed: {done.stderr.decode(errors='replace')[-2000:]}")
        log = open(self.log_path, "wb")  # noqa: SIM115 - held by the child process
        if self._as:
            os.chown(self.log_path, *_owner(self.root))
        self._process = subprocess.Popen(
            [*self._as, str(self.bindir / "postgres"), "-D", str(self.data), "-h", "127.0.0.1", "-p",
             str(self.port), "-k", str(self.root), "-c", "fsync=off", "-c", "full_page_writes=off",
             "-c", "synchronous_commit=off", "-c", "max_connections=200",
             "-c", "autovacuum=off"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.root,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PostgresStartError(f"postgres exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            ready = subprocess.run([str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True, check=False)
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        tail = self.log_path.read_text(errors="replace")[-2000:]
        raise PostgresStartError(f"postgres did not answer in 60 s: {tail}")

    def database_for(self, key: str) -> str:
        """The URL of a database of its own for KEY (a test's folder), created on first use:
        the same KEY finds the same database again (a bot restarted in a test)."""
        name = "t_" + hashlib.sha256(key.encode()).hexdigest()[:20]
        if self.as_superuser(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
            self.as_superuser(f"CREATE DATABASE {name}")
        return self.url(name)

    def as_superuser(self, statement: str, database: str = "postgres") -> str:
        """Run STATEMENT in DATABASE as the server's superuser (what an operator does with psql:
        the README's advice, tried as written); its output, unaligned."""
        done = subprocess.run(
            [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
             "-tAc", statement], capture_output=True, check=True)
        return done.stdout.decode().strip()

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        shutil.rmtree(self.root, ignore_errors=True)


def _owner(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid


_shared: PostgresServer | None = None


def shared() -> PostgresServer:
    """The one server of this test run, started on first use and stopped at exit."""
    global _shared
    if _shared is None:
        server = PostgresServer.in_scratch_dir()
        server.start()
        atexit.register(server.close)
        _shared = server
    return _shared
