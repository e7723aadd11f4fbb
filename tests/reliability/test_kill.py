"""Kill test: a bot process takes a flood of votes and is killed with SIGKILL at random moments.

After every restart, each vote the bot acknowledged is in the database with the choice that was
acknowledged, and no voter is counted twice. The bot runs as a real process (the console
adapter reading a pipe), so the kill is a real crash, mid-transaction or mid-fsync. On
PostgreSQL (QUORUM_TEST_DATABASE=postgresql) the process is killed with its transaction open on
the server, which rolls it back.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.helpers import database_env, database_rows
from tests.peers.postgresql import use_postgresql

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
OPTIONS = ("Alpha", "Beta", "Gamma")
ACK = re.compile(r"^  \[#main\] bot: Your vote in poll 1: (\w+)")
ECHO = re.compile(r"^(v\d+_\d+): /vote 1 (\w+)$")


def _start(workdir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QUORUM_SECRET": "kill-test-secret-key", **database_env(workdir)},
    )


def _acks(lines: list[str]) -> dict[str, str]:
    """Voter -> acknowledged choice: an acknowledgement follows the echo of its own line."""
    acked: dict[str, str] = {}
    current: str | None = None
    for line in lines:
        if m := ECHO.match(line):
            current = m.group(1)
        elif (m := ACK.match(line)) and current is not None:
            acked[current] = m.group(1)
            current = None
    return acked


def test_acknowledged_votes_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20260601)
    setup = _start(tmp_path)
    out, _ = setup.communicate("chair: /poll Flood? | Alpha | Beta | Gamma\n", timeout=60)
    assert "Poll 1" in out
    acked_all: dict[str, str] = {}
    for run in range(KILLS):
        proc = _start(tmp_path)
        lines: list[str] = []

        def read(p: subprocess.Popen[str] = proc, lines: list[str] = lines) -> None:
            lines.extend(p.stdout)  # type: ignore[arg-type]

        reader = threading.Thread(target=read, daemon=True)
        reader.start()

        def feed(p: subprocess.Popen[str] = proc, run: int = run) -> None:
            try:
                for i in range(5000):
                    p.stdin.write(f"v{run}_{i}: /vote 1 {OPTIONS[(run + i) % 3]}\n")  # type: ignore[union-attr]
                p.stdin.flush()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        # Once the bot is taking votes, kill it at a random moment.
        deadline = time.monotonic() + 120
        while not any(ACK.match(line) for line in list(lines)) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        acked = _acks(lines)
        acked_all.update(acked)
    assert len(acked_all) >= KILLS, "the bot acknowledged too few votes to make the test meaningful"

    # A last start runs recovery (WAL replay) the way a real restart would.
    final = _start(tmp_path)
    out, _ = final.communicate("chair: /results 1\n", timeout=60)
    stored = {voter.removeprefix("console:"): choice
              for voter, choice in database_rows(tmp_path, "SELECT voter, choice FROM votes WHERE poll_id = 1")}
    if not use_postgresql():
        assert database_rows(tmp_path, "PRAGMA integrity_check") == [("ok",)]
    for voter, choice in acked_all.items():
        assert voter in stored, f"acknowledged vote of {voter} lost"
        assert OPTIONS[int(stored[voter])] == choice
    # None counted twice: the tally shown equals the number of distinct voters stored.
    assert f"Votes cast: {len(stored):,}" in out  # a figure as English writes it: 1,700
