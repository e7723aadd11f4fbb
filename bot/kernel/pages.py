"""Long texts cut into pieces that fit one chat message (Telegram allows 4096 characters;
markup and a page marker need some room), breaking between lines where possible."""

from __future__ import annotations

PAGE = 3500


def pages(text: str, limit: int = PAGE) -> list[str]:
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single very long line is cut where it must be
            if current:
                out.append(current)
                current = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current or not out:
        out.append(current)
    return out
