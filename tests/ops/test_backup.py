"""``quorum backup`` during a vote flood, and the README's restore procedure performed.

The bot runs here, taking a flood of votes; meanwhile the real command line copies its
database. The copy must pass ``PRAGMA integrity_check`` and hold every vote acknowledged before
the backup began (a vote is acknowledged only after its commit); restored as the README says, a
bot started on it counts them.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

from bot.kernel.errors import StartError
from bot.kernel.events import Actor, Message, Room
from bot.storage.backup import backup, integrity
from tests.helpers import Chat
from tests.peers.postgresql import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _restore_block() -> str:
    found = re.search(r"<!-- restore -->\n```bash\n(.*?)```", README, re.S)
    assert found, "the README's restore procedure (a bash block after <!-- restore -->) is missing"
    return found.group(1)


def _config(folder: Path) -> Path:
    path = folder / "quorum.toml"
    path.write_text('[bot]\ndatabase = "quorum.db"\nsecret = "test-secret-for-tests"\n', encoding="utf-8")
    return path


def _check_and_restore(
    copy: Path, live: Path, config: Path, before: set[tuple[int, str]], env: dict[str, str]
) -> set[tuple[int, str]]:
    """The copy checked, then put in place by the README's procedure; the open poll's votes in it."""
    assert integrity(copy) == "ok"
    assert copy.stat().st_mode & 0o077 == 0  # the owner's alone, as the database is
    assert not Path(f"{copy}-wal").exists()  # a database on its own, no log beside it
    with sqlite3.connect(copy) as db:
        open_votes = {(1, v) for (v,) in db.execute("SELECT voter FROM votes WHERE poll_id = 1")}
        secret = db.execute("SELECT count(*) FROM secret_ballots WHERE poll_id = 2").fetchone()[0]
    open_before = {(p, f"console:{w}") for p, w in before if p == 1}
    assert open_before <= open_votes
    assert secret >= sum(1 for p, _ in before if p == 2)

    # The README's restore procedure, performed: the bot is stopped (above); its state folder
    # gets the copy back in place of a database that was lost.
    (live / "quorum.db").write_bytes(b"this disk went bad")
    script = "\n".join(line for line in _restore_block().splitlines() if not line.startswith("systemctl"))
    bin_dir = copy.parent.parent / "bin"
    bin_dir.mkdir()
    (bin_dir / "quorum").write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m bot.cli \"$@\"\n")
    (bin_dir / "quorum").chmod(0o755)
    restored = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120,
        env={**env, "PATH": f"{bin_dir}:{env['PATH']}", "STATE": str(live), "BACKUP": str(copy),
             "CONFIG": str(config)},
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert integrity(live / "quorum.db") == "ok"
    return open_votes


@pytest.mark.not_on_postgresql("quorum backup copies a SQLite file; on PostgreSQL it refuses, in the test below")
async def test_a_backup_during_a_flood_holds_every_acknowledged_vote_and_restores(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    chat = await Chat.start(live)
    config = _config(live)
    await chat.say("chair: /poll Strike? | Yes | No", "chair: /poll Officers? | Ann | Bob | Cat --secret")
    room = Room("console:main")
    acked: set[tuple[int, str]] = set()
    stop, enough = asyncio.Event(), asyncio.Event()

    async def vote(poll: int, i: int) -> None:
        who = f"v{i}"
        text = f"/vote {poll} {1 + i % 2}"
        where = room if poll == 1 else Room(f"console:@{who}", private=True)
        await chat.app.handle(Message(Actor(f"console:{who}", who), where, text))
        acked.add((poll, who))  # handle returns once the confirmation was sent: after the commit
        if len(acked) >= 1000:
            enough.set()

    async def flood() -> None:
        i = 0
        while not stop.is_set() or i < 3000:
            await asyncio.gather(*(vote(1 + (i + k) % 2, i + k) for k in range(100)))
            i += 100

    flooding = asyncio.create_task(flood())
    await enough.wait()
    before = set(acked)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    copy = tmp_path / "backups" / "quorum-copy.db"
    copy.parent.mkdir()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", str(config), "backup", str(copy),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**env, "PYTHONPATH": str(ROOT)},
    )
    out, err = await proc.communicate()
    stop.set()
    await flooding
    assert proc.returncode == 0, err.decode()
    assert "integrity checked" in out.decode()
    assert "Keep a copy of it apart" in err.decode()
    assert len(acked) > len(before)  # the flood went on while the copy was taken
    await chat.stop()

    open_votes = await asyncio.to_thread(_check_and_restore, copy, live, config, before, env)
    again = await Chat.start(live)
    try:
        said = await again.say("chair: /results 1")
        counted = int(re.search(r"Votes cast: ([\d,]+)", said).group(1).replace(",", ""))  # type: ignore[union-attr]
        assert counted == len(open_votes) >= sum(1 for p, _ in before if p == 1)
    finally:
        await again.stop()


def test_a_backup_refuses_in_words(tmp_path: Path) -> None:
    with pytest.raises(StartError, match="There is no database"):
        backup(tmp_path / "none.db", tmp_path / "copy.db")
    sqlite3.connect(tmp_path / "q.db").close()
    with pytest.raises(StartError, match="another file"):
        backup(tmp_path / "q.db", tmp_path / "q.db")
    with pytest.raises(StartError, match="does not exist"):
        backup(tmp_path / "q.db", tmp_path / "no" / "copy.db")


def test_a_backup_onto_a_device_a_pipe_or_a_link_to_one_is_refused_and_leaves_it_in_place(tmp_path: Path) -> None:
    """The copy is put in place by renaming it over the target: over ``/dev/null``, a tape
    device or a named pipe (``quorum backup /dev/stdout``, say) that would replace the device
    with a file, for every program on the machine, when run as root."""
    sqlite3.connect(tmp_path / "q.db").close()
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "null").symlink_to(os.devnull)
    for name in ("pipe", "null"):
        with pytest.raises(StartError, match="not a regular file") as refused:
            backup(tmp_path / "q.db", tmp_path / name)
        assert "\n" not in str(refused.value)
    assert (tmp_path / "pipe").is_fifo() and (tmp_path / "null").is_symlink()
    assert (tmp_path / "null").resolve() == Path(os.devnull) and Path(os.devnull).is_char_device()
    assert not list(tmp_path.glob("*.partial"))


def test_a_backup_of_a_postgresql_database_is_refused_naming_the_servers_tools(
    tmp_path: Path, postgresql: PostgresServer
) -> None:
    """PostgreSQL is backed up with its own tools (README: Scaling out, Backups); ``quorum
    backup`` says so in one sentence, exits non-zero and writes nothing."""
    url = postgresql.database_for(str(tmp_path))
    (tmp_path / "quorum.toml").write_text(f'[bot]\ndatabase = "{url}"\nsecret = "test-secret-for-tests"\n',
                                          encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    refused = subprocess.run([sys.executable, "-m", "bot.cli", "backup", str(tmp_path / "copy.db")],
                             capture_output=True, text=True, cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                             timeout=120)
    assert refused.returncode == 1 and refused.stdout == ""
    said = refused.stderr.strip()
    assert "\n" not in said and said.count(". ") == 0 and said.endswith(".")  # one sentence
    assert "pg_dump" in said and "base backups" in said, said
    assert not (tmp_path / "copy.db").exists()


def _live(folder: Path) -> Path:
    database = folder / "quorum.db"
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t(x)")
        db.execute("INSERT INTO t VALUES (1)")
        db.commit()
    return database


def test_a_backup_onto_the_database_by_another_name_is_refused_and_leaves_it_in_place(tmp_path: Path) -> None:
    """The same file named through "..", a symlink, or a symlinked folder is still the database:
    the copy must not replace it (its inode, and every vote committed after the copy, would go)."""
    state = tmp_path / "state"
    state.mkdir()
    database = _live(state)
    (state / "sub").mkdir()
    (tmp_path / "backups").symlink_to(state)
    (state / "link.db").symlink_to(database)
    inode = database.stat().st_ino
    for target in (state / "sub" / ".." / "quorum.db", tmp_path / "backups" / "quorum.db", state / "link.db",
                   tmp_path / "backups" / "quorum.db-wal", tmp_path / "backups" / "quorum.db.key"):
        with pytest.raises(StartError, match="the database itself") as refused:
            backup(database, target)
        assert "\n" not in str(refused.value)
        assert database.stat().st_ino == inode
    # Named from another working folder, relatively, it is the same file too.
    with pytest.raises(StartError, match="the database itself"):
        backup(Path(os.path.relpath(database)), Path(os.path.relpath(tmp_path / "backups" / "quorum.db")))
    assert sorted(p.name for p in state.iterdir()) == ["link.db", "quorum.db", "sub"]
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT x FROM t").fetchall() == [(1,)]


def _as_nobody(cwd: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``quorum ARGV`` run in CWD as the user nobody, as a service user would run it. A forked
    child of this process, which has the bot's code loaded already: nobody may not be able to
    read the checkout it came from (a clone in a private folder)."""
    import pwd

    import bot.cli
    import bot.storage.backup  # noqa: F401 - loaded here, before the child can no longer read it

    user = pwd.getpwnam("nobody")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child ends with os._exit
        code = 1
        try:
            os.close(read)
            os.dup2(write, 2)
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - the child's, until os._exit
            os.chdir(cwd)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            code = bot.cli.main(argv)
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        err = pipe.read()
    _pid, status = os.waitpid(child, 0)
    return subprocess.CompletedProcess(argv, os.waitstatus_to_exitcode(status), "", err)


def test_a_backup_to_a_folder_or_an_unwritable_place_says_so_in_one_sentence(tmp_path: Path) -> None:
    # Run as root, the unwritable folder is one the user nobody cannot write (as a service
    # user would be), in a folder nobody can reach (pytest's own are the owner's alone).
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp()) if root else tmp_path
    try:
        base.chmod(0o755)
        _live(base)
        for f in base.glob("quorum.db*"):
            f.chmod(0o644)
        (base / "bk").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
        env["PYTHONPATH"] = str(ROOT)

        def run(target: Path, *, nobody: bool = False) -> subprocess.CompletedProcess[str]:
            if nobody:
                return _as_nobody(base, ["backup", str(target)])
            command = [sys.executable, "-m", "bot.cli", "backup", str(target)]
            return subprocess.run(command, capture_output=True, text=True, cwd=base, env=env, timeout=120)

        folder = run(base / "bk")
        assert folder.returncode == 1 and "Traceback" not in folder.stderr
        assert len(folder.stderr.strip().splitlines()) == 1 and "is a folder" in folder.stderr, folder.stderr
        assert list((base / "bk").iterdir()) == []
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o755 if root else 0o555)
        refused = run(locked / "copy.db", nobody=root)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert f"cannot be written in {locked}" in refused.stderr, refused.stderr
        assert list(locked.iterdir()) == []
        if root:  # a database this user may not read
            (base / "quorum.db").chmod(0o600)
            unread = run(base / "bk" / "copy.db", nobody=True)
            assert unread.returncode == 1 and len(unread.stderr.strip().splitlines()) == 1, unread.stderr
            assert f"The database {base / 'quorum.db'} cannot be read by this user" in unread.stderr, unread.stderr
    finally:
        if root:
            shutil.rmtree(base)
