"""The README's console tour, played through the real `quorum` command as a newcomer would, with
the roll its last part needs imported and linked first: every line is answered, the results come
with their charts, and the proxy is given and cast."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _tour() -> list[str]:
    block = README.split("## A short tour (the console)", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def _quorum(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_the_readme_tour_plays_as_written(tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text("name,number,branch\nAnn Lee,1001,North\nBob Roy,1002,South\n")
    assert _quorum("members", "import", "members.csv", "--codes", "codes.csv", cwd=tmp_path).returncode == 0
    codes = {row["name"].split()[0].lower(): row["join_code"] for row in csv.DictReader(
        (tmp_path / "codes.csv").open(encoding="utf-8"))}
    joins = [f"{who} (private): /join {code}" for who, code in codes.items()]
    played = _quorum("console", cwd=tmp_path, stdin="\n".join([*joins, *_tour()]) + "\n")
    assert played.returncode == 0 and played.stderr == "", played.stderr
    out = played.stdout
    assert "Result — poll 1" in out and "Result — poll 2" in out and "Result — poll 3" in out
    charts = re.findall(r"file: (\S+\.png)", out)
    assert [Path(c).name for c in charts] == ["poll-1-result.png", "poll-2-result.png", "poll-3-result.png"]
    assert all(Path(c).read_bytes().startswith(b"\x89PNG") for c in charts)
    assert "You gave your proxy in poll 3 to Bob Roy" in out
    assert "Your proxy vote for Ann Lee in poll 3: Yes" in out and "1 ballot cast by proxy" in out
    assert "went wrong" not in out and "Usage:" not in out
