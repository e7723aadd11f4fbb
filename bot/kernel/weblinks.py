"""Links to the auditor's pages: unguessable, yet made again from the key alone.

A closed poll's page (or a draw's) is at ``PUBLIC_URL/poll/ID-MAC``, where MAC is a keyed hash
of what the page shows. Whoever was told the link (the result message carries it) can open it;
nobody can walk the ids to find the pages of polls they were never shown. Nothing is stored:
the key that makes the link also checks it.
"""

from __future__ import annotations

import hashlib
import hmac

KINDS = ("poll", "draw")
MAC_LENGTH = 24  # hex digits: 96 bits


class PageLinks:
    def __init__(self, key: str, public_url: str | None) -> None:
        self._key = key.encode()
        self.public_url = public_url.rstrip("/") if public_url else None

    def _mac(self, kind: str, ident: int) -> str:
        message = f"page\x00{kind}\x00{ident}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:MAC_LENGTH]

    def token(self, kind: str, ident: int) -> str:
        return f"{ident}-{self._mac(kind, ident)}"

    def path(self, kind: str, ident: int) -> str:
        return f"/{kind}/{self.token(kind, ident)}/"

    def url(self, kind: str, ident: int) -> str | None:
        """The page's address to publish, or None when the pages are not served."""
        return f"{self.public_url}{self.path(kind, ident)}" if self.public_url else None

    def read(self, kind: str, token: str) -> int | None:
        """The id TOKEN opens for KIND, or None if it is not a link the key made."""
        ident, sep, mac = token.partition("-")
        if not sep or not ident.isascii() or not ident.isdigit() or len(ident) > 12:
            return None
        number = int(ident)
        return number if hmac.compare_digest(mac.encode(), self._mac(kind, number).encode()) else None
