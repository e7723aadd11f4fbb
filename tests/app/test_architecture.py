"""The architecture holds, and breaking it fails the build.

The layers, the features' boundaries and the absence of import cycles are import-linter
contracts (pyproject.toml), checked by ``lint-imports`` in CI; these tests run it on the tree,
and on copies of the tree with one rule broken, to show that each contract bites.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from bot.kernel.context import Context

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
SQL = re.compile(r"\b(SELECT|INSERT (OR [A-Z]+ )?INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE (TABLE|INDEX)|PRAGMA"
                 r"|BEGIN IMMEDIATE)\b")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def test_every_contract_is_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


BREAKS = [
    ("bot/features/polls/store.py", "from bot.features.polls import service", "No import cycle anywhere"),
    ("bot/kernel/errors.py", "import bot.app.bootstrap", "Layers point only down"),
    ("bot/storage/outbox.py", "from bot.features.polls import model", "Layers point only down"),
    ("bot/features/motions/service.py", "from bot.features.polls import store", "never uses another's store"),
    ("bot/features/triggers/service.py", "from bot.features.polls import commands", "never uses another's store"),
    ("bot/features/polls/model.py", "from bot.features.polls import service", "Inside a feature"),
    ("bot/engines/counting/irv.py", "from bot.kernel import errors", "The engines import nothing of the bot"),
    ("bot/app/core.py", "import telegram", "The core never imports a chat library"),
    ("adapters/telegram/inbound.py", "from bot.features.polls import service", "Adapters use the kernel and the app"),
    ("adapters/web/pages.py", "from bot.storage import database", "Adapters use the kernel and the app"),
]


@pytest.mark.parametrize(("path", "line", "contract"), BREAKS, ids=[f"{p}:{c}" for p, _, c in BREAKS])
def test_a_broken_rule_fails_the_build(tmp_path: Path, path: str, line: str, contract: str) -> None:
    for part in ("bot", "adapters"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / path).open("a") as f:
        f.write(f"\n{line}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert any(contract in ln and "BROKEN" in ln for ln in result.stdout.splitlines()), result.stdout


def _python_files(*parts: str) -> list[Path]:
    return sorted(p for part in parts for p in (ROOT / part).rglob("*.py"))


def test_sql_lives_only_in_stores_and_the_storage_layer() -> None:
    allowed = [p for p in _python_files("bot") if p.name == "store.py" or "storage" in p.relative_to(ROOT).parts]
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _python_files("bot", "adapters") if p not in allowed
        for n, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if SQL.search(text)
    ]
    assert offenders == []
    assert any(SQL.search(p.read_text(encoding="utf-8")) for p in allowed)  # the pattern does find SQL


def test_text_is_escaped_at_one_seam() -> None:
    """Only bot/kernel/markup.py escapes, or vouches that a string is markup; the one other
    vouching is the outbox, reading back what ``to_html`` stored."""
    seam, outbox = ROOT / "bot/kernel/markup.py", ROOT / "bot/storage/outbox.py"
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _python_files("bot", "adapters") if p != seam
        for n, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bimport html\b|from html\b|\bescape\(", text)
        or (re.search(r"(?<!\w)Markup\(", text) and not (p == outbox and "stored as markup" in text))
    ]
    assert offenders == []


def test_the_kernel_imports_only_the_standard_library() -> None:
    outside = set()
    for path in _python_files("bot/kernel"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            outside |= {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"bot"}
    assert outside == set()


def test_no_core_object_no_installers_no_import_time_registries() -> None:
    assert "core" not in {f.name for f in fields(Context)}
    assert not (ROOT / "bot" / "installers.py").exists() and not (ROOT / "bot" / "core.py").exists()
    source = "\n".join(p.read_text(encoding="utf-8") for p in _python_files("bot"))
    for gone in ("INSTALLERS", "WeakKeyDictionary", "PAYLOADS", "SIGNABLE", "COMMANDS:"):
        assert gone not in source


def test_every_feature_has_the_same_shape() -> None:
    shape = {"__init__.py", "model.py", "parse.py", "render.py", "store.py", "service.py", "commands.py"}
    for feature in (ROOT / "bot" / "features").iterdir():
        if feature.is_dir() and feature.name != "__pycache__":
            files = {p.name for p in feature.glob("*.py")}
            assert files <= shape, (feature.name, files - shape)
            assert "commands.py" in files, feature.name  # every feature comes in through its router
