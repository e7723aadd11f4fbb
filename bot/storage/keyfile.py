"""The key for secret-ballot hashes, kept in a file beside the database (never inside it), so a
copy of the database alone links nobody to a vote."""

from __future__ import annotations

import os
from pathlib import Path

from bot.kernel.secrecy import new_secret


def load_or_make_key(database: Path | str) -> str:
    if str(database) == ":memory:":
        return new_secret()
    key = Path(f"{database}.key")
    if key.exists():
        return key.read_text().strip()
    secret = new_secret()
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return secret
