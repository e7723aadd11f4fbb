"""matrix-js-sdk (the SDK Element is built on) as a second Matrix client, run by Node.

``npm ci`` in this directory installs the pinned SDK (``.ci/run`` does it on a fresh machine).
Without Node or the SDK the tests that use it fail, saying what is missing: they never skip.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "poll_check.cjs"
SEND = HERE / "send_check.cjs"


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        raise AssertionError("Node.js is missing: install Debian's nodejs and npm (.ci/run does)")
    if not (HERE / "node_modules" / "matrix-js-sdk").is_dir():
        raise AssertionError(f"matrix-js-sdk is missing: run `npm ci` in {HERE.name}/ (.ci/run does)")
    return found


async def run_poll_check(job: dict[str, Any], within: float = 120.0) -> dict[str, Any]:
    """Run poll_check.cjs with JOB; return what it printed (it fails the test on an error)."""
    return await _run(SCRIPT, job, within)


async def run_send_check(job: dict[str, Any], within: float = 120.0) -> dict[str, Any]:
    """Run send_check.cjs with JOB: the SDK sends a message, encrypted where the room is, and
    reads the bot's answer; return what it printed (it fails the test on an error)."""
    return await _run(SEND, job, within)


async def _run(script: Path, job: dict[str, Any], within: float) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        node(), str(script), json.dumps(job), cwd=HERE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), within)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"matrix-js-sdk did not finish within {within}s") from None
    lines = out.decode().strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    if process.returncode != 0 or "error" in result:
        raise AssertionError(f"matrix-js-sdk failed: {result.get('error')}\n{err.decode()[-2000:]}")
    return result
