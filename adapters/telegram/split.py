"""Splitting long HTML messages at line boundaries, keeping every chunk well-formed.

Telegram refuses a message longer than 4096 characters "after entities parsing" (Bot API
``sendMessage``): the text people see, where a tag counts nothing and ``&amp;`` counts one. The
core writes one text for every platform, so long results (an election's round-by-round table)
are cut here. A cut inside ``<pre>`` or ``<b>`` closes the open tags at the end of one chunk and
reopens them at the start of the next, so each chunk still parses; a cut never falls inside a
tag or an entity. Lengths are counted on the visible text, in UTF-16 code units (never fewer
than Telegram's characters): measured on the HTML source, a ballot whose options are full of
``&``, ``<`` and ``>`` would be sent in parts while it reads well under the limit.
"""

from __future__ import annotations

import re

from bot.kernel.markup import html_text

MAX_TEXT = 4096
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[\ud800-\udbff][\udc00-\udfff]|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
_LAST_BREAK = re.compile(r"\s+((?:</[^>]*>)*)$")  # a line break left before the closing tags


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shown_len(token: str) -> int:
    """What one token of HTML adds to the text Telegram shows: a tag nothing, an entity the
    character it stands for (an unknown one is kept literally, as Telegram keeps it)."""
    if len(token) > 1 and token[0] == "<":
        return 0
    if len(token) > 2 and token[0] == "&":
        return utf16_len(html_text(token))
    return utf16_len(token)


def visible_len(html: str) -> int:
    """The length Telegram limits: HTML's text after entity parsing, in UTF-16 code units."""
    return sum(_shown_len(token) for token in _TOKEN.findall(html))


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
        n = _shown_len(token)
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
    """TEXT as chunks showing at most LIMIT units each, cut at line ends where possible."""
    if visible_len(text) <= limit:
        return [text]
    chunks: list[str] = []
    open_tags: list[tuple[str, str]] = []
    current, size = "", 0
    for line in text.splitlines(keepends=True):
        shown = visible_len(line)
        pieces = [line] if shown <= limit // 2 else _hard_pieces(line, limit // 2)
        for piece in pieces:
            n = shown if len(pieces) == 1 else visible_len(piece)
            if size + n > limit and _visible(current):
                chunks.append(current + _closing(open_tags))
                current, size = _opening(open_tags), 0
            current += piece
            size += n
            _track(piece, open_tags)
    if _visible(current):
        chunks.append(current)
    return [c.strip("\n") if c.strip("\n") else c for c in chunks]


def fits(text: str, limit: int = MAX_TEXT) -> bool:
    """Whether TEXT goes as one message."""
    return visible_len(text) <= limit


def cut_to_fit(text: str, mark: str, limit: int = MAX_TEXT) -> str:
    """As much of TEXT as fits in one message with the line MARK (HTML) after it, cut at a line
    end: what an edit shows of a text too long for one message, saying so."""
    if fits(text, limit):
        return text
    shown = split_html(text, limit - visible_len(mark) - 1)[0]
    return _LAST_BREAK.sub(r"\1", shown) + "\n" + mark


def shorten(text: str, limit: int) -> str:
    """TEXT in at most LIMIT units: if longer, cut after its last word that fits, ending in
    "…" so the reader sees something was left out (a word is cut only if it alone is longer
    than half of LIMIT)."""
    if utf16_len(text) <= limit:
        return text
    head = text
    while utf16_len(head) > limit - 1:
        head = head[: len(head) - max(1, (utf16_len(head) - limit + 1) // 2)]
    if not text[len(head)].isspace():
        space = max(head.rfind(" "), head.rfind("\n"))
        if space > len(head) // 2:
            head = head[:space]
    return head.rstrip(" \n,;:—–-") + "…"
