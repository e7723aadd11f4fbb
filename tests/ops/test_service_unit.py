"""``deploy/quorum.service`` as systemd reads it: valid, hardened, and running what we think.

``systemd-analyze verify`` parses the unit as systemd would (a misspelt option or bad value is a
warning, so any output fails); ``systemd-analyze security --offline`` scores its hardening. The
unit names the installed ``quorum`` command; it is verified here pointing at this checkout's.
CI installs systemd (``.ci/run``); without ``systemd-analyze`` the tests fail, never skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "quorum.service"
INSTALLED = "/opt/quorum/.venv/bin/quorum"


def _analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is not installed (Debian's systemd package; .ci/run installs it)")
    return found


def _settings() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def _here(tmp_path: Path) -> Path:
    quorum = Path(sys.executable).with_name("quorum")
    assert quorum.exists(), "the quorum command is not installed in this environment"
    text = UNIT.read_text(encoding="utf-8")
    assert INSTALLED in text
    unit = tmp_path / "quorum.service"
    unit.write_text(text.replace(INSTALLED, str(quorum)), encoding="utf-8")
    return unit


def test_the_unit_verifies_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run([_analyze(), "verify", "--man=no", str(_here(tmp_path))], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_a_broken_unit_is_caught(tmp_path: Path) -> None:
    unit = _here(tmp_path)
    unit.write_text(unit.read_text().replace("Restart=on-failure", "Restart=sometimes"))
    result = subprocess.run([_analyze(), "verify", "--man=no", str(unit)], capture_output=True, text=True,
                            timeout=120)
    assert "sometimes" in result.stderr  # what the test above requires to be silent


def test_the_unit_is_hardened(tmp_path: Path) -> None:
    result = subprocess.run([_analyze(), "security", "--offline=true", "--no-pager", str(_here(tmp_path))],
                            capture_output=True, text=True, timeout=120)
    found = re.search(r"Overall exposure level for quorum\.service: ([\d.]+)", result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found.group(1)) <= 2.0, result.stdout


def test_the_unit_runs_as_its_own_user_with_its_state_and_secrets_apart() -> None:
    s = _settings()
    assert s["User"] == ["quorum"] and s["StateDirectory"] == ["quorum"]
    assert s["Restart"] == ["on-failure"] and s["ProtectSystem"] == ["strict"] and s["NoNewPrivileges"] == ["yes"]
    assert s["EnvironmentFile"] == ["-/etc/quorum/quorum.env"]
    assert s["Environment"] == ["QUORUM_DATABASE=/var/lib/quorum/quorum.db"]
    assert s["ExecStart"] == [f"{INSTALLED} --config /etc/quorum/quorum.toml run"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/quorum.service" in readme and "/etc/quorum/quorum.env" in readme
