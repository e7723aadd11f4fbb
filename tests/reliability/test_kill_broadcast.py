"""Kill test for broadcasts: a bot process sending a 1,500-member reminder round is killed with
SIGKILL at random moments; after a restart every member has the reminder, and no more got it
twice than the README promises ("at most N messages").
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
from collections import Counter
from pathlib import Path

from bot.storage.outbox import IN_FLIGHT
from tests.helpers import database_env, database_rows

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 1500
KILLS = 4


def _env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "QUORUM_SECRET": "kill-test-secret-key", **database_env(workdir)}


def _start(workdir: Path) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, bufsize=1, cwd=workdir, env=_env(workdir),
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()  # type: ignore[arg-type]
    return proc, lines


def _numbers(n: int) -> str:
    """A query of the numbers 0 … N-1, as SQLite and PostgreSQL both read it."""
    return f"WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < {n - 1}) SELECT n FROM k"


def _reminded(lines: list[str], poll: int) -> Counter[str]:
    pattern = re.compile(rf"^  \[(m\d+) \(private\)\] bot: ⏰ Reminder: poll {poll},")
    return Counter(m.group(1) for line in list(lines) if (m := pattern.match(line)))


def _wait_until_reminded(lines: list[str], poll: int, count: int, also: Counter[str] | None = None) -> None:
    """Until COUNT reminders of POLL are in LINES (or COUNT members have one, with ALSO's)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen = _reminded(lines, poll)
        if (len(set(seen) | set(also)) if also is not None else sum(seen.values())) >= count:
            return
        time.sleep(0.005)


def test_a_killed_reminder_round_is_finished_and_resends_at_most_what_was_in_flight(tmp_path: Path) -> None:
    rng = random.Random(20261129)
    subprocess.run([sys.executable, "-m", "bot.cli", "migrate"], cwd=tmp_path, env=_env(tmp_path), check=True,
                   capture_output=True)
    database_rows(tmp_path, "INSERT INTO members(name, join_code, created_at) SELECT 'Member ' || n, 'CODE' || n,"
                  " '2026-01-01' FROM (" + _numbers(MEMBERS) + ") AS numbers")
    database_rows(tmp_path, "INSERT INTO identities(identity, display_name, member_id, linked_at)"
                  " SELECT 'console:m' || substr(join_code, 5), 'm' || substr(join_code, 5), id, '2026-01-01'"
                  " FROM members")
    resent = []
    for poll in range(1, KILLS + 1):
        proc, lines = _start(tmp_path)
        assert proc.stdin is not None
        proc.stdin.write(f"chair: /poll Strike {poll}? --roll --closes 2h\n:advance 61m\n")
        proc.stdin.flush()
        stop_at = rng.randint(1, MEMBERS - 100)
        _wait_until_reminded(lines, poll, stop_at)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        before = _reminded(lines, poll)
        assert 0 < sum(before.values()) < MEMBERS, "the kill did not fall inside the round"

        again, after_lines = _start(tmp_path)  # the restart resumes the round from the outbox
        assert again.stdin is not None
        again.stdin.write(":advance 61m\n")  # the console's clock is its own: back to where the round was
        again.stdin.flush()
        _wait_until_reminded(after_lines, poll, MEMBERS, also=before)
        again.communicate("", timeout=60)
        after = _reminded(after_lines, poll)
        total = before + after
        assert len(total) == MEMBERS, "a member never got the reminder"
        assert max(total.values()) <= 2
        resent.append(sum(total.values()) - MEMBERS)
    promise = re.search(r"a crash re-sends \*\*at most (\d+) messages\*\*", (ROOT / "README.md").read_text())
    assert promise is not None and IN_FLIGHT <= int(promise.group(1))
    assert all(n <= int(promise.group(1)) for n in resent), resent
