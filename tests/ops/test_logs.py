"""Operator logs: one line per event, optionally JSON, naming no one and no choice."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from bot.app.runtime import JsonLines

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """chair: /poll Strike over pensions? | Yes | No --secret
annabel (private): /vote 1 No
bertrand (private): /vote 1 Yes
chair: /close 1
chair: /poll Lunch? | Pizzeria | Souvlaki
annabel: /vote 2 Souvlaki
chair: /close 2
"""


def test_json_lines_name_the_events_and_nobody(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "--log-format", "json", "-v", "console"],
                            input=SCRIPT, capture_output=True, text=True, cwd=tmp_path, timeout=120,
                            env={**env, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    messages = [e["message"] for e in entries if e["logger"].startswith("bot.")]
    assert "poll 1 closed (by an organiser)" in messages and "poll 2 closed (by an organiser)" in messages
    everything = result.stderr.lower()
    for private in ("annabel", "bertrand", "pizzeria", "souvlaki", "pensions", "console:"):
        assert private not in everything, private


def test_an_error_keeps_its_traceback_in_one_line() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    log = logging.getLogger("bot.test_logs")
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError("disk full")
        except RuntimeError:
            log.exception("commit failed")
    finally:
        log.removeHandler(handler)
    (line,) = out.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "error" and entry["message"] == "commit failed" and "disk full" in entry["error"]
