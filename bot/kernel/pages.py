"""Long texts cut into pieces that fit one chat message (Telegram allows 4096 characters;
markup and a page marker need some room), breaking between lines where possible. Markup stays
markup (the core's tags never span lines, but for ``pre``, which is cut before it is wrapped)."""

from __future__ import annotations

from bot.kernel.markup import Markup

PAGE = 3500


def pages(text: str, limit: int = PAGE) -> list[str]:
    kind = Markup if isinstance(text, Markup) else str
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single very long line is cut where it must be
            if current:
                out.append(current)
                current = ""
            cut = _cut(line, limit) if kind is Markup else limit
            out.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current or not out:
        out.append(current)
    return [kind(page) for page in out]


def _cut(line: str, limit: int) -> int:
    """Where to cut a long line of markup: at LIMIT, or before an entity or tag it would split."""
    head = line[:limit]
    cut = limit
    for start, end in (("&", ";"), ("<", ">")):
        opened = head.rfind(start)
        if opened > head.rfind(end):
            cut = min(cut, opened)
    return cut or limit
