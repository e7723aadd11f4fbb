"""``quorum backup PATH``: a consistent copy of a running database, and its check.

A file copy of a live WAL database is not a backup: the database file alone lacks what the log
holds, and a copy taken while a checkpoint writes into it can be torn. SQLite's online backup
API copies the pages as one read transaction sees them, so the copy is the database exactly as
it stood when the backup began: every vote acknowledged before then is in it (a vote is
acknowledged only after its commit), whatever the bot commits meanwhile. The copy is written
beside PATH, checked with ``PRAGMA integrity_check``, synced to disk and only then renamed to
PATH, so PATH is never a half-written file.

The copy holds no key: secret ballots are stored under keyed hashes, and the key file
(``quorum.db.key`` beside the database) is what links them to anyone, so it is kept apart.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.kernel.errors import StartError


@dataclass(frozen=True)
class BackupReport:
    path: Path
    pages: int
    size: int
    newest_migration: int | None


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the database at PATH: "ok", or what is wrong."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "\n".join(str(r[0]) for r in rows)


def _is_the_database(database: Path, target: Path) -> bool:
    """Whether TARGET names the database, its log or its key file, by whatever path: "..", a
    symlink to it, or a symlinked folder. Replacing it would swap the live file from under the
    running bot, which would go on writing votes into the old one, lost."""
    folder = database.absolute().parent.resolve()
    own = {folder / (database.name + suffix) for suffix in ("", "-wal", "-shm", "-journal", ".key")}
    if target.parent.resolve() / target.name in own or target.resolve() in own:
        return True
    try:
        return target.exists() and any(p.exists() and os.path.samefile(target, p) for p in own)
    except OSError:
        return False


def backup(database: Path, target: Path) -> BackupReport:
    """Copy the database at DATABASE (running or not) to TARGET, consistently; raises
    StartError, in words, when it cannot."""
    if not database.exists():
        raise StartError(f"There is no database at {database}: check bot.database in the configuration.")
    if not os.access(database, os.R_OK):
        raise StartError(f"The database {database} cannot be read by this user: run the backup as the user the "
                         "bot runs as.")
    target = target.absolute()
    if _is_the_database(database, target):
        raise StartError(f"{target} is the database itself (or its log or key file) by another name: write "
                         "the backup to another file, best in another folder or on another disk.")
    if target.is_dir():
        raise StartError(f"{target} is a folder: name the file to write the copy to, such as "
                         f"{target / 'quorum-backup.db'}.")
    if not target.parent.is_dir():
        raise StartError(f"The backup's folder {target.parent} does not exist: create it first.")
    if target.exists() and not target.is_file():  # the copy is renamed over it: a device would become a file
        raise StartError(f"{target} is not a regular file (a device, a pipe, or a link to one): name a file "
                         f"to write the copy to, such as {target.parent / 'quorum-backup.db'}.")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        # Readable by its owner only, as the database is: it holds the members and the ballots.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as e:
        raise StartError(f"The backup cannot be written in {target.parent} ({e.strerror}): choose a folder "
                         "this user may write, or run the backup as the user the bot runs as.") from None
    try:
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(partial)) as copy:
            source.execute("PRAGMA busy_timeout=5000")
            # pages=-1: every page in one step, inside one read transaction: one snapshot, while
            # the bot goes on committing into the log.
            source.backup(copy, pages=-1)
            # The copy is a database on its own: no log beside it to carry along or forget.
            copy.execute("PRAGMA journal_mode=DELETE")
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            found = copy.execute(
                "SELECT max(version) FROM schema_migrations"
            ).fetchone() if copy.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone() else None
        verdict = integrity(partial)
        if verdict != "ok":
            raise StartError(f"The copy failed its integrity check ({verdict}); the database was not changed.")
        with partial.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
        _sync_folder(target.parent)
    except sqlite3.Error as e:
        partial.unlink(missing_ok=True)
        raise StartError(f"The backup failed ({e}); the database was not changed.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(target, pages, target.stat().st_size, found[0] if found else None)
