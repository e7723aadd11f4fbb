"""The one escaping seam: what the core says, as markup a platform may render, and nothing else.

The core writes messages in a small subset of HTML (bold, italic, code, pre) that Telegram takes
verbatim and Matrix as ``formatted_body``. Whatever people typed (a question, an option, a name,
a title, an echoed mistake) must reach a platform as text, never as markup. So there are two
kinds of text here:

* ``Markup``: built only by this module (``b``, ``i``, ``code``, ``pre``, ``esc``, ``markup``),
  which escape every piece of text they are given that is not Markup already;
* every other ``str``: plain text, however it was made (an f-string, a UserError's message).

``to_html`` is where a message becomes HTML for a platform: Markup as it is, plain text escaped,
once. ``to_plain`` gives the text for the console and for Matrix ``body``. Mixing the two with
``+`` or ``Markup.join`` escapes the plain side; an f-string that holds Markup is plain text (its
tags would show as written), so renderers use ``markup("{} …", …)`` instead.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable
from typing import Any

_TAG = re.compile(r"<[^>]+>")


class Markup(str):
    """Text that is already markup: tags the core wrote around escaped text."""

    __slots__ = ()

    def __add__(self, other: object) -> Markup:
        return Markup(str.__add__(self, esc(other)))

    def __radd__(self, other: object) -> Markup:
        return Markup(str.__add__(esc(other), self))

    def join(self, parts: Iterable[object]) -> Markup:  # type: ignore[override]
        return Markup(str.join(self, (esc(p) for p in parts)))


def esc(text: object) -> Markup:
    """TEXT as markup: escaped, unless it is markup already."""
    if isinstance(text, Markup):
        return text
    return Markup(html.escape(str(text), quote=False))


def b(text: object) -> Markup:
    return Markup(f"<b>{esc(text)}</b>")


def i(text: object) -> Markup:
    return Markup(f"<i>{esc(text)}</i>")


def code(text: object) -> Markup:
    return Markup(f"<code>{esc(text)}</code>")


def pre(text: object) -> Markup:
    return Markup(f"<pre>{esc(text)}</pre>")


class _Escaping(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        return esc(format(value, format_spec) if format_spec else value)


def markup(template: str, /, *args: object, **kwargs: object) -> Markup:
    """TEMPLATE (written by the core, so trusted: it may hold tags) with its ``{}`` fields
    filled by ARGS, each escaped unless it is Markup."""
    return Markup(_Escaping().format(template, *args, **kwargs))


def lines(*parts: object) -> Markup:
    """Lines of a message, each escaped unless it is Markup, joined by newlines."""
    return Markup("\n").join(parts)


def to_html(text: str) -> str:
    """A message as HTML for a platform: markup as it is, plain text escaped. The one seam:
    every adapter passes what the core says through here (or ``to_plain``) and nowhere else."""
    return str(text) if isinstance(text, Markup) else html.escape(text, quote=False)


def html_text(html_string: str) -> str:
    """HTML that ``to_html`` made, as the text it shows: tags dropped, entities read."""
    return html.unescape(_TAG.sub("", html_string))


def to_plain(text: str) -> str:
    """A message as plain text, for a console or a client without HTML: markup's tags dropped
    and its entities read; plain text as it is."""
    return html_text(text) if isinstance(text, Markup) else text
