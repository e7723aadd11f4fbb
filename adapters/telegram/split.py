"""Splitting long HTML messages at line boundaries, keeping every chunk well-formed.

Telegram refuses a message longer than 4096 characters (counted in UTF-16 code units after
entity parsing). The core writes one text for every platform, so long results (an election's
round-by-round table) are cut here. A cut inside ``<pre>`` or ``<b>`` closes the open tags at
the end of one chunk and reopens them at the start of the next, so each chunk still parses.
Lengths are measured on the HTML source, an upper bound of the visible length.
"""

from __future__ import annotations

import re

MAX_TEXT = 4096
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[\ud800-\udbff][\udc00-\udfff]|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
_RESERVE = 96  # room for the closing tags of whatever is open at a cut


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _track(piece: str, open_tags: list[tuple[str, str]]) -> None:
    """Update the stack of open tags (name, opening text) after PIECE."""
    for m in _TAG.finditer(piece):
        closing, name = m.group(1) == "/", m.group(2).lower()
        if not closing:
            open_tags.append((name, m.group(0)))
            continue
        for k in range(len(open_tags) - 1, -1, -1):
            if open_tags[k][0] == name:
                del open_tags[k:]
                break


def _closing(open_tags: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))


def _opening(open_tags: list[tuple[str, str]]) -> str:
    return "".join(text for _, text in open_tags)


def _hard_pieces(line: str, budget: int) -> list[str]:
    """Cut a line longer than BUDGET between tokens, never inside a tag or an entity."""
    pieces: list[str] = []
    current, size = "", 0
    for token in _TOKEN.findall(line):
        n = utf16_len(token)
        if current and size + n > budget:
            pieces.append(current)
            current, size = "", 0
        current += token
        size += n
    if current:
        pieces.append(current)
    return pieces


def _visible(chunk: str) -> bool:
    return bool(_TAG.sub("", chunk).strip())


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """TEXT as chunks of at most LIMIT units, cut at line ends where possible."""
    if utf16_len(text) <= limit:
        return [text]
    budget = limit - _RESERVE
    chunks: list[str] = []
    open_tags: list[tuple[str, str]] = []
    current = ""
    for line in text.splitlines(keepends=True):
        pieces = [line] if utf16_len(line) <= budget // 2 else _hard_pieces(line, budget // 2)
        for piece in pieces:
            if utf16_len(current) + utf16_len(piece) > budget and _visible(current):
                chunks.append(current + _closing(open_tags))
                current = _opening(open_tags)
            current += piece
            _track(piece, open_tags)
    if _visible(current):
        chunks.append(current)
    return [c.strip("\n") if c.strip("\n") else c for c in chunks]


def truncate_html(text: str, limit: int = MAX_TEXT) -> str:
    """The first chunk of TEXT with a mark that more was cut (an edit cannot be split)."""
    chunks = split_html(text, limit - 2)
    return chunks[0] if len(chunks) == 1 else chunks[0] + "\n…"
