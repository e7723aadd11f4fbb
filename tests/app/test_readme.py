"""The README's command lines work as a newcomer types them.

Every line of a fenced ``sh`` block is checked: the two set-up commands are the ones CI runs
(and the bot's starts the console), each ``quorum`` line is accepted by the real command line
(a synopsis such as ``[--seats N]`` through that command's ``--help``, which must name each
option), a concrete one is run, and each environment variable is one the configuration reads.
A line this test does not know how to check fails it, so a new kind of line gets a check too.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import _parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [b.strip() for b in re.findall(r"^```sh\n(.*?)^```", README, re.S | re.M)]
LINES = [line for block in BLOCKS for line in block.splitlines() if line.strip()]
SYNOPSIS = re.compile(r"[\[\]|…]|\b[A-Z]\b")
"""A line that shows a form ([--seats N], scottish|meek) rather than one to type as it is."""


def quorum(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=120, env={**env, "PYTHONPATH": str(ROOT)})


def test_the_two_set_up_commands_come_first_and_ci_runs_the_test_one() -> None:
    run, test = BLOCKS[0], BLOCKS[1]
    assert run == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/quorum"
    assert test.startswith("python3 -m venv .venv && .venv/bin/pip install") and test.endswith(".venv/bin/pytest")
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extras = re.findall(r"\.\[(\w+)\]", test)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert all(f"\n{extra} = [" in pyproject for extra in extras)


def test_the_run_command_starts_the_console_on_sqlite_when_no_token_is_set(tmp_path: Path) -> None:
    proc = quorum(cwd=tmp_path, stdin="chair: /poll Tea? | Yes | No\nann: /vote 1 yes\n")
    assert proc.returncode == 0, proc.stderr
    assert "Poll 1" in proc.stdout and "Your vote in poll 1" in proc.stdout
    assert (tmp_path / "quorum.db").exists()


def _quorum_lines() -> list[str]:
    return [line for line in LINES if re.match(r"(\.venv/bin/)?quorum\b", line)]


@pytest.mark.parametrize("line", _quorum_lines())
def test_each_quorum_line_is_accepted(line: str, tmp_path: Path) -> None:
    words = shlex.split(line.replace("…", "..."))[1:]
    if SYNOPSIS.search(line):
        command = []  # the command and subcommand words: up to the first file, option or form
        for word in words:
            if not re.fullmatch(r"[a-z]+", word):
                break
            command.append(word)
        shown = quorum(*command, "--help", cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        for option in re.findall(r"--[a-z][a-z-]*", line):
            assert option in shown.stdout, f"{line}: {option} is not in `quorum {' '.join(command)} --help`"
        return
    if words[:2] == ["members", "import"]:
        (tmp_path / words[2]).write_text("name,number,branch\nAnn Lee,1001,North\nBob Roy,1002,South\n")
        proc = quorum(*words, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / "codes.csv").read_text().count("\n") == 3
        return
    args = _parser().parse_args(words)  # exits (and fails the test) on anything not accepted
    assert args.command in {"run", "console", "migrate"}, line


def test_each_variable_the_readme_exports_is_read_by_the_configuration() -> None:
    config_source = (ROOT / "bot" / "kernel" / "config.py").read_text(encoding="utf-8")
    exported = [line.split()[1].split("=")[0] for line in LINES if line.startswith("export ")]
    assert exported
    for name in exported:
        assert f'"{name}"' in config_source, name


def _npm_lines() -> list[str]:
    return [line for line in LINES if re.match(r"\(cd tests/peers/\w+ && npm ci\)$", line)]


@pytest.mark.parametrize("line", _npm_lines())
def test_each_npm_line_is_one_ci_runs_in_a_directory_with_a_lock_file(line: str) -> None:
    directory = line[len("(cd "):].split(" &&")[0]
    assert (ROOT / directory / "package-lock.json").is_file()
    assert f"(cd {directory} && npm ci" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _pybabel_lines() -> list[str]:
    return [line for line in LINES if re.match(r"(\.venv/bin/)?pybabel\b", line)]


def test_the_pybabel_lines_extract_update_and_add_a_language(tmp_path: Path) -> None:
    """Run as written on a copy of the code: extraction and update leave every shipped catalogue
    with the messages it has now (they are in step with the code), and init starts a new one."""
    from babel.messages.pofile import read_po

    lines = _pybabel_lines()
    assert [shlex.split(line)[1] for line in lines] == ["extract", "update", "init"]
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    pybabel = Path(sys.executable).parent / "pybabel"
    for line in lines:
        proc = subprocess.run([str(pybabel), *shlex.split(line)[1:]], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stderr}"

    def messages(root: Path, code: str) -> dict[object, object]:
        with (root / "bot" / "locales" / code / "LC_MESSAGES" / "quorum.po").open("rb") as f:
            return {(m.context, m.id): m.string for m in read_po(f) if m.id}

    for code in ("pl", "cy"):
        assert messages(tmp_path, code) == messages(ROOT, code), code
    started = messages(tmp_path, "pt")
    assert started.keys() == messages(ROOT, "pl").keys()
    assert not any(any(v) if isinstance(v, tuple) else v for v in started.values())  # all to translate


def test_every_line_has_a_check() -> None:
    known = re.compile(r"(python3 -m venv |export |(\.venv/bin/)?(quorum|pybabel)\b|"
                       r"\(cd tests/peers/\w+ && npm ci\)$)")
    assert [line for line in LINES if not known.match(line)] == []
    assert len(_quorum_lines()) >= 5
