"""Keyed hashes that let a secret ballot be changed without recording who cast it.

The votes table of a secret poll holds HMAC(secret, poll, voter) instead of the voter: the
same member hashes to the same row (so a new vote replaces the old one), but the table alone
names nobody. The receipt is a second, independent hash the voter can look for in the
published list of counted ballots.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_hex(32)


def voter_hash(secret: str, poll_id: int, voter: str) -> str:
    msg = f"ballot\x00{poll_id}\x00{voter}".encode()
    return "h:" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def receipt(secret: str, poll_id: int, voter: str) -> str:
    msg = f"receipt\x00{poll_id}\x00{voter}".encode()
    digest = hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}".upper()
