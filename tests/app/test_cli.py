"""The quorum command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quorum(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_version(tmp_path: Path) -> None:
    from bot import __version__

    proc = quorum("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"quorum {__version__}"


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    first = quorum("migrate", cwd=tmp_path)
    assert first.returncode == 0 and "0001_core.sql" in first.stdout
    second = quorum("migrate", cwd=tmp_path)
    assert second.returncode == 0 and "up to date" in second.stdout
    with sqlite3.connect(tmp_path / "quorum.db") as db:
        versions = [v for (v,) in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions[0] == 1 and versions == sorted(set(versions))
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    (tmp_path / "quorum.toml").write_text('[bot]\ntimezon = "UTC"\n')
    proc = quorum("console", cwd=tmp_path)
    assert proc.returncode == 2 and "bot.timezon" in proc.stderr
    proc = quorum("--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_default_is_the_console_with_a_database_here(tmp_path: Path) -> None:
    proc = quorum(cwd=tmp_path, stdin="chair: /poll Tea? | Yes | No\n")
    assert proc.returncode == 0 and "Poll 1" in proc.stdout
    assert (tmp_path / "quorum.db").exists() and (tmp_path / "quorum.db.key").exists()
    assert oct((tmp_path / "quorum.db.key").stat().st_mode & 0o777) == "0o600"


def test_count_subcommand(tmp_path: Path) -> None:
    import json

    blt = tmp_path / "e.blt"
    blt.write_text('3 1\n4 1 2 0\n3 2 0\n2 3 1 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Chair"\n')
    proc = quorum("count", str(blt), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["elected"] == ["Ann"] and result["method"] and result["stages"][0]["action"] == "first preferences"
    # The options every command takes may come first, as with the bot's commands.
    (tmp_path / "q.toml").write_text("")
    for before in (["--config", "q.toml"], ["-v", "--config=q.toml"], ["--log-format", "json", "--config", "q.toml"]):
        again = quorum(*before, "count", str(blt), "--format", "json", cwd=tmp_path)
        assert again.returncode == 0 and json.loads(again.stdout) == result, (before, again.stderr)
        tools = quorum(*before, "sortition", "--help", cwd=tmp_path)
        assert tools.returncode == 0 and "usage: quorum sortition" in tools.stdout, (before, tools.stderr)
    bad = tmp_path / "bad.blt"
    bad.write_text("3, 1\n")
    proc = quorum("count", str(bad), cwd=tmp_path)
    assert proc.returncode == 1 and "line 1" in proc.stderr


def test_migrate_on_postgresql_started_twice_at_once(tmp_path: Path, postgresql) -> None:  # type: ignore[no-untyped-def]
    """Two `quorum migrate` at the same moment on one server: the advisory lock makes them take
    turns, so each migration is applied once and both succeed."""
    url = postgresql.database_for(str(tmp_path))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QUORUM_DATABASE": url}
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "migrate"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    said = sorted(out for out, _ in outs)
    assert "0001_core.sql" in said[0] and "up to date" in said[1], said
    assert not (tmp_path / "quorum.db").exists()  # no SQLite file was made beside it
    refused = subprocess.run([sys.executable, "-m", "bot.cli", "backup", str(tmp_path / "copy")], capture_output=True,
                             text=True, cwd=tmp_path, env=env, timeout=120)
    assert refused.returncode != 0 and "pg_dump" in refused.stderr


def test_a_database_from_a_newer_quorum_is_refused_by_every_command(tmp_path: Path) -> None:
    """A database that has applied a migration this install does not know was written by a
    newer Quorum: running on it would misread its tables, so migrate, run and the console
    refuse it in one sentence (on SQLite and on PostgreSQL alike)."""
    from tests.helpers import database_env, database_rows

    env = {**os.environ, "PYTHONPATH": str(ROOT), **database_env(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], input="chair: /poll Tea?\n",
                              capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env)

    assert run("migrate").returncode == 0
    future = ("INSERT INTO schema_migrations(version, name, applied_at) "
              "VALUES (9029, '9029_future.sql', '2030-01-01T00:00:00+00:00')")
    database_rows(tmp_path, future)
    for args in (["migrate"], ["console"], []):
        proc = run(*args)
        assert proc.returncode == 1 and proc.stdout == "", (args, proc.stdout, proc.stderr)
        said = proc.stderr.strip()
        assert "\n" not in said and "Traceback" not in said, said
        assert said == ("quorum: This database was written by a newer Quorum (migration 9029): upgrade Quorum, "
                        "or restore a backup made by this version."), said


def test_members_import_checks_where_the_codes_go_before_importing(tmp_path: Path) -> None:
    """The join codes are shown once: a --codes file that cannot be written is refused before
    anything is imported, so a corrected rerun still prints every new member's code."""
    from tests.helpers import ROLL, database_env

    (tmp_path / "roll.csv").write_text(ROLL)
    (tmp_path / "adir").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **database_env(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", "roll.csv", *args],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env)

    for codes, said in (("nope/codes.csv", f"folder {tmp_path / 'nope'} does not exist"),
                        ("adir", "is a folder")):
        proc = run("--codes", codes)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        line = proc.stderr.strip()
        assert "\n" not in line and "Traceback" not in line and said in line, line
    assert not (tmp_path / "nope").exists()
    proc = run("--codes", "codes.csv")
    assert proc.returncode == 0, proc.stderr
    assert len((tmp_path / "codes.csv").read_text().strip().splitlines()) == 4  # every member's code, the first time


def test_a_file_that_is_not_utf8_text_or_is_a_folder_gets_one_sentence(tmp_path: Path) -> None:
    """Every file the command line reads (the configuration, a roll, a pool, quotas, a draw
    document) may be the wrong file: a spreadsheet saved in another encoding, a folder. Each
    gets one sentence naming the file and a non-zero exit, never a traceback."""
    (tmp_path / "latin1.txt").write_bytes("name,number\nZoë,1\n".encode("latin-1"))
    (tmp_path / "folder").mkdir()
    for bad in ("latin1.txt", "folder"):
        for args in (["--config", bad, "migrate"], ["members", "import", bad],
                     ["sortition", "verify", bad, "--randomness", "1 2 3"],
                     ["sortition", "check", bad, "--quotas", bad, "--panel", "3"],
                     ["sortition", "draw", bad, "--quotas", bad, "--panel", "3"]):
            proc = quorum(*args, cwd=tmp_path)
            said = proc.stderr.strip()
            assert proc.returncode != 0 and proc.stdout == "", (args, proc.stdout, said)
            assert "\n" not in said and "Traceback" not in said and bad in said, (args, said)
            assert ("UTF-8" if bad == "latin1.txt" else "folder") in said, (args, said)


def test_join_codes_that_cannot_be_written_after_the_import_say_how_to_get_them(tmp_path: Path) -> None:
    """A disk that fills while the codes are written: the members are imported, and the one
    sentence says so and that the same import again writes every code (it keeps them)."""
    from tests.helpers import ROLL, database_env

    (tmp_path / "roll.csv").write_text(ROLL)
    (tmp_path / "full.csv").symlink_to("/dev/full")  # every write: no space left on device
    env = {**os.environ, "PYTHONPATH": str(ROOT), **database_env(tmp_path)}

    def run(codes: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", "roll.csv", "--codes", codes],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env)

    full = run("full.csv")
    said = full.stderr.strip()
    assert full.returncode == 1 and "\n" not in said and "Traceback" not in said, said
    assert "full.csv" in said and "No space left on device" in said and "imported" in said, said
    again = run("codes.csv")
    assert again.returncode == 0, again.stderr
    assert len((tmp_path / "codes.csv").read_text().strip().splitlines()) == 4
