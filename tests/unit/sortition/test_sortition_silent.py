"""The solver says nothing: HiGHS prints a banner to the process's standard output when a
solver is first set up with its output on, which would land in the middle of the document that
`quorum sortition draw` writes to stdout (and in the console chat's transcript, tested in
tests/scenarios/pools). It must be silenced where the solver is made, in every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_sortition_draw_writes_only_the_document_to_stdout(tmp_path: Path) -> None:
    pool = tmp_path / "pool.csv"
    pool.write_text("id,gender\na,f\nb,m\nc,f\nd,m\n", encoding="utf-8")
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("feature,value,min,max\ngender,f,1,1\n", encoding="utf-8")
    # A fresh process: the banner is printed once per process, so only a new one shows it.
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sortition", "draw", str(pool), "--quotas", str(quotas), "--panel", "2"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "HiGHS" not in proc.stdout and "HiGHS" not in proc.stderr
    document = json.loads(proc.stdout)  # the whole of stdout is the document
    assert document["method"] == "leximin" and document["pool_size"] == 4
