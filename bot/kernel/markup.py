"""The markup the core writes: a subset of HTML that Telegram accepts verbatim and Matrix
takes as ``formatted_body``; ``plain`` gives the text for the console and for Matrix ``body``."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def b(text: object) -> str:
    return f"<b>{esc(text)}</b>"


def i(text: object) -> str:
    return f"<i>{esc(text)}</i>"


def code(text: object) -> str:
    return f"<code>{esc(text)}</code>"


def pre(text: object) -> str:
    return f"<pre>{esc(text)}</pre>"


def plain(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))
