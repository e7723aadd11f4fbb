"""A process that cannot start exits non-zero with one plain sentence, and one that stops,
stops cleanly: the real ``quorum`` command, as a supervisor or a person at a terminal runs it."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from adapters.console import run_console
from bot.kernel.clock import ManualClock
from bot.kernel.config import parse_config
from tests.peers.synapse import SynapseServer, UserFactory
from tests.peers.telegram import TelegramPeer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAH" + "k" * 32


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def quorum(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=120, env=environment(**env))


def one_sentence(stderr: str) -> str:
    """The whole of STDERR, which must be one line of plain words: no traceback, no log noise."""
    assert "Traceback" not in stderr and "Error:" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("quorum: "), stderr
    return lines[0]


def test_a_database_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "quorum.db"
    for args in (["migrate"], ["run"], ["console"], []):
        proc = quorum(*args, cwd=tmp_path, stdin="chair: /polls\n", QUORUM_DATABASE=str(missing))
        assert proc.returncode == 1, (args, proc.stderr)
        assert f"folder {missing.parent} does not exist" in one_sentence(proc.stderr)
    assert not missing.parent.exists()  # and nothing was created on the way
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("shopping list\n" * 200)
    proc = quorum("migrate", cwd=tmp_path, QUORUM_DATABASE=str(not_a_database))
    assert proc.returncode == 1 and "cannot be opened" in one_sentence(proc.stderr)


def test_a_token_that_is_not_a_bot_token_is_refused_before_anything_starts(tmp_path: Path) -> None:
    for token in ("not-a-token", "123456789", "123:abc", TOKEN + " extra"):
        proc = quorum("run", cwd=tmp_path, QUORUM_TELEGRAM_TOKEN=token)
        assert proc.returncode == 2, token
        assert "telegram.token (or QUORUM_TELEGRAM_TOKEN) is not a bot token" in one_sentence(proc.stderr)
    assert not (tmp_path / "quorum.db").exists()


def test_an_unreachable_bot_api_stops_the_start_with_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "quorum.toml").write_text('[telegram]\nbase_url = "http://127.0.0.1:9/bot"\n')
    proc = quorum("run", cwd=tmp_path, QUORUM_TELEGRAM_TOKEN=TOKEN)
    assert proc.returncode == 1
    assert "Telegram's Bot API (http://127.0.0.1:9/bot) could not be reached" in one_sentence(proc.stderr)


async def test_a_token_telegram_refuses_stops_the_start_with_a_sentence(tmp_path: Path) -> None:
    peer = await TelegramPeer().start()
    try:
        (tmp_path / "quorum.toml").write_text(f'[telegram]\nbase_url = "{peer.base_url}"\n')
        wrong = TOKEN.replace("k", "w")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "--config", "quorum.toml", "run", cwd=tmp_path,
            env=environment(QUORUM_TELEGRAM_TOKEN=wrong), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        await peer.stop()
    assert proc.returncode == 1
    assert "Telegram refused the bot token" in one_sentence(err.decode())


def test_no_platform_and_no_input_is_not_a_silent_success(tmp_path: Path) -> None:
    implicit = quorum(cwd=tmp_path, stdin="")
    assert implicit.returncode == 1 and "No platform is configured" in one_sentence(implicit.stderr)
    asked = quorum("console", cwd=tmp_path, stdin="")
    assert asked.returncode == 0 and "read nothing" in one_sentence(asked.stderr)
    played = quorum(cwd=tmp_path, stdin="chair: /polls\n")
    assert played.returncode == 0 and played.stderr == "" and "No open polls" in played.stdout


def test_output_cut_short_by_its_reader_ends_quietly(tmp_path: Path) -> None:
    """``quorum count ward.blt | head -1``: the reader leaves early; no BrokenPipeError."""
    candidates = 150
    ballots = [f"1 {' '.join(str((start + k) % candidates + 1) for k in range(candidates))} 0"
               for start in range(candidates)]
    names = "\n".join(f'"Candidate {n}"' for n in range(1, candidates + 1))
    (tmp_path / "big.blt").write_text(f"{candidates} 1\n" + "\n".join(ballots) + f"\n0\n{names}\n\"Big\"\n")
    pipeline = subprocess.run(
        f"{sys.executable} -m bot.cli count big.blt --method irv | head -1", shell=True, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, env=environment(),
    )
    assert pipeline.stdout.count("\n") == 1
    assert pipeline.stderr == ""


def test_a_restart_after_a_missed_deadline_announces_the_result_and_ends_cleanly(tmp_path: Path) -> None:
    first = quorum("console", cwd=tmp_path, stdin="chair: /poll Tea? | Yes | No --closes 1h\nann: /vote 1 yes\n")
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(tmp_path / "quorum.db") as db:  # the bot was down when the deadline passed
        db.execute("UPDATE polls SET closes_at = '2020-01-01T00:00:00+00:00'")
    second = quorum("console", cwd=tmp_path, stdin="chair: /polls\n")
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert "Result — poll 1" in second.stdout and "comes late" in second.stdout


async def test_what_the_outbox_sends_is_shown_before_the_next_line_is_typed(tmp_path: Path) -> None:
    """A queued message (here the group's reminder) reaches the terminal while the console
    waits for the next line, not after it."""
    read_end, write_end = os.pipe()
    stdin, typing = os.fdopen(read_end, "r"), os.fdopen(write_end, "w")
    out = io.StringIO()
    config = parse_config({"bot": {"database": str(tmp_path / "q.db")}})
    console = asyncio.create_task(run_console(config, stdin=stdin, out=out, clock=ManualClock(), interactive=False))
    try:
        typing.write("chair: /poll Lunch? | Pizza | Soup --closes 1h\nchair: /remind 1\n")
        typing.flush()
        for _ in range(500):  # up to 10 s, while the console waits for its next line
            if "⏰ Poll 1" in out.getvalue():
                break
            await asyncio.sleep(0.02)
        assert "⏰ Poll 1" in out.getvalue(), out.getvalue()
    finally:
        typing.close()  # the end of the input
        await asyncio.wait_for(console, 30)
        stdin.close()



async def test_a_matrix_password_the_homeserver_refuses_stops_the_start_with_a_sentence(
    synapse: SynapseServer, matrix_users: UserFactory, tmp_path: Path
) -> None:
    account = await matrix_users.register("quorum")
    (tmp_path / "quorum.toml").write_text(
        f'[matrix]\nhomeserver = "{synapse.base_url}"\nuser_id = "{account.user_id}"\n'
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--config", "quorum.toml", cwd=tmp_path,
        env=environment(QUORUM_MATRIX_PASSWORD="not the password"), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    assert f"The homeserver refused matrix.password for {account.user_id} (Invalid username or password)" in (
        one_sentence(err.decode()))


def test_failures_found_while_the_bot_is_built_end_the_process_with_a_sentence(tmp_path: Path) -> None:
    """A setting refused only once the bot is built, and a SQLite file of another program, end
    the real command with one sentence, non-zero, promptly: nothing opened on the way (the
    database's connections and their threads) is left to keep the process alive."""
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], input="chair: /polls\n",
                              capture_output=True, text=True, cwd=tmp_path, timeout=30, env=environment(**env))

    (tmp_path / "quorum.toml").write_text('[bot]\nlanguage = "de"\n')
    for args in (["run"], ["console"]):
        proc = run(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "bot.language: there is no 'de' catalogue" in one_sentence(proc.stderr)
    (tmp_path / "quorum.toml").unlink()
    with sqlite3.connect(tmp_path / "quorum.db") as other:
        other.execute("CREATE TABLE polls(id INTEGER PRIMARY KEY)")
    for args, env in ((["run"], {"QUORUM_TELEGRAM_TOKEN": TOKEN}), (["console"], {}), (["migrate"], {})):
        proc = run(*args, **env)
        assert proc.returncode == 1, (args, proc.stderr)
        said = one_sentence(proc.stderr)
        assert "migration 0001_core.sql failed on it (table polls already exists)" in said, said
        assert "set bot.database to a Quorum database, or to a new file" in said
    with sqlite3.connect(tmp_path / "quorum.db") as other:  # and it was left as it was
        assert [n for (n,) in other.execute("SELECT name FROM sqlite_master ORDER BY name")] == [
            "polls", "schema_migrations"]


def test_a_start_that_fails_after_the_database_is_open_still_ends_the_process(tmp_path: Path) -> None:
    """The key file is read after the database is opened; when that fails (here it is a
    folder), the database is closed again and the process ends, non-zero."""
    (tmp_path / "quorum.db.key").mkdir()
    for args in (["console"], ["run"]):
        proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], input="chair: /polls\n", capture_output=True,
                              text=True, cwd=tmp_path, timeout=30, env=environment())
        assert proc.returncode != 0 and proc.stdout == "", (args, proc.stderr)


async def test_a_webhook_port_in_use_names_the_setting(tmp_path: Path) -> None:
    import socket

    peer = await TelegramPeer().start()
    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        (tmp_path / "quorum.toml").write_text(
            f'[telegram]\nbase_url = "{peer.base_url}"\nwebhook_url = "https://bot.example.org/hook"\n'
            f'webhook_port = {port}\n')
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=environment(QUORUM_TELEGRAM_TOKEN=peer.token),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        held.close()
        await peer.stop()
    assert proc.returncode == 1
    said = one_sentence(err.decode())
    assert f"The Telegram webhook cannot listen on 127.0.0.1:{port}" in said, said
    assert "telegram.webhook_port" in said and "OSError" not in said


def test_a_token_with_stray_whitespace_is_used_without_it() -> None:
    """Checked after strip(), the token must also be used stripped: a newline from an env file
    (QUORUM_TELEGRAM_TOKEN=$(cat token)) would otherwise go into every request's URL."""
    for stray in (TOKEN + "\n", " " + TOKEN, TOKEN + " "):
        config = parse_config({"telegram": {"token": stray}})
        assert config.telegram is not None and config.telegram.token == TOKEN
