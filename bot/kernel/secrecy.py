"""Keyed hashes that let a secret ballot be changed without recording who cast it.

The votes table of a secret poll holds HMAC(secret, poll, voter) instead of the voter: the
same member hashes to the same row (so a new vote replaces the old one), but the table alone
names nobody. The receipt is a second, independent hash the voter can look for in the
published list of counted ballots: a hash of the ballot's own key (``ballot_receipt``), made
when it is asked for and never stored, so nothing in the database ties a code to a ballot.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped


def format_code(raw: str) -> str:
    """Eight code characters as people write them: ABCD-EF23."""
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    """A code as typed (any case, with or without the dash or spaces) in its written form."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return format_code(raw) if len(raw) == 8 else raw


def keyed_code(secret: str, purpose: str) -> str:
    """A short code only the key holder can make, for PURPOSE (e.g. drafting one motion)."""
    digest = hmac.new(secret.encode(), f"code\x00{purpose}".encode(), hashlib.sha256).digest()
    return format_code("".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:8]))


def same_code(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_secret() -> str:
    return secrets.token_hex(32)


def voter_hash(secret: str, poll_id: int, voter: str) -> str:
    msg = f"ballot\x00{poll_id}\x00{voter}".encode()
    return "h:" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def ballot_receipt(secret: str, poll_id: int, key: str) -> str:
    """The receipt code of the secret ballot stored under KEY (its keyed voter hash, or the one
    it was first cast under: see migrations/0032_receipts_from_ballots.sql)."""
    return _code(secret, f"ballot receipt\x00{poll_id}\x00{key}")


def receipt(secret: str, poll_id: int, voter: str) -> str:
    """The receipt code of VOTER's ballot in a poll opened before receipts were made from
    ballots: it was stored with the ballot, and its voter holds it."""
    return _code(secret, f"receipt\x00{poll_id}\x00{voter}")


def _code(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}".upper()


def cancel_mark(secret: str, poll_id: int, giver: str) -> str:
    """That GIVER (a member's voter key) cancelled the proxy they gave in a poll by voting
    themselves, as a keyed hash: written with their ballot, in its transaction, it names nobody."""
    msg = f"cancelled\x00{poll_id}\x00{giver}".encode()
    return "x:" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def caster_hash(secret: str, poll_id: int, caster: str) -> str:
    """Who cast a secret ballot (the voter, or the holder of their proxy), as a keyed hash of
    its own kind: every ballot of a poll that takes proxies carries one, so without the key a
    ballot cast by proxy looks like any other, and with it the count can tell how many were."""
    msg = f"cast\x00{poll_id}\x00{caster}".encode()
    return "c:" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()
