"""Event contents the bot sends on Matrix, built from the HTML of the core's messages (pure
functions; the transport makes that HTML with ``to_html``, the one escaping seam).

The core writes a small HTML subset with newlines for line breaks (Telegram's convention);
Matrix clients render ``formatted_body`` as HTML, where a newline is just a space, so line
breaks become ``<br>`` outside ``<pre>``. ``body`` is the plain text for clients without HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot.app import notices
from bot.kernel.effects import Keyboard
from bot.kernel.markup import html_text

HTML_FORMAT = "org.matrix.custom.html"
MAX_TEXT = 30_000
"""Longer texts are split (at line ends) into several messages."""
MAX_CONTENT_BYTES = 40_000
"""A homeserver refuses events over 64 KiB, envelope and signatures included; the HTML and
plain bodies both count, and JSON may spell one character in six bytes (as a \\u escape)."""

POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
POLL_END = "org.matrix.msc3381.poll.end"
STABLE_POLL_RESPONSE = "m.poll.response"
POLL_ENDS = (POLL_END, "m.poll.end")
POLL_RESPONSES = (POLL_RESPONSE, STABLE_POLL_RESPONSE)
TEXT = "org.matrix.msc1767.text"

_PRE = re.compile(r"(<pre>.*?</pre>)", re.S)


def formatted(html: str) -> str:
    """The core's HTML as Matrix HTML: newlines become <br> except inside <pre>."""
    parts = _PRE.split(html)
    return "".join(p if p.startswith("<pre>") else p.replace("\n", "<br>") for p in parts)


def with_buttons(html: str, keyboard: Keyboard, bot_user_id: str) -> str:
    """Matrix has no buttons. Data buttons need nothing (the text already says how to vote
    with a command); a deep-link button becomes a line telling the member what to send the
    bot privately, which is what the link would have done on Telegram."""
    lines = []
    for row in keyboard:
        for button in row:
            if button.start is not None:
                lines.append(notices.message_me(button.label, bot_user_id, "/start " + button.start))
    if not lines:
        return html
    return html + "\n" + "\n".join(lines)


def split_html(html: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a text too long for one event at line ends, closing and reopening a <pre> block
    that straddles a cut so each part renders on its own."""
    if len(html) <= limit:
        return [html]
    budget = limit - len("<pre></pre>")
    pieces: list[str] = []
    for line in html.split("\n"):
        while len(line) > budget:  # one enormous line: cut it where it must be cut
            cut = _cut_before(line, budget)
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    parts: list[str] = []
    current: str | None = None
    in_pre = False
    for piece in pieces:
        if current is not None and len(current) + 1 + len(piece) > budget:
            parts.append(current + ("</pre>" if in_pre else ""))
            current = None
        current = ("<pre>" if in_pre else "") + piece if current is None else f"{current}\n{piece}"
        in_pre = _pre_open_after(piece, in_pre)
    if current is not None:
        parts.append(current)
    return parts


def message_parts(
    html: str, limit: int = MAX_TEXT, build: Callable[[str], dict[str, Any]] | None = None
) -> list[str]:
    """The HTML of the messages HTML is sent as: each short enough to read and small
    enough, once BUILD makes it an event content (a notice by default), for any homeserver."""
    build = build or notice
    parts: list[str] = []
    for part in split_html(html, limit):
        if len(json.dumps(build(part)).encode()) > MAX_CONTENT_BYTES and limit > 500:
            parts.extend(message_parts(part, limit // 2, build))
        else:
            parts.append(part)
    return parts


def cut_to_fit(html: str, mark: str, build: Callable[[str], dict[str, Any]]) -> str:
    """As much of HTML as one event holds (once BUILD makes it a content), cut at a line end,
    with the line MARK (HTML) after it: what an edit shows of a text too long for one event."""
    first = message_parts(html, MAX_TEXT - len(mark) - 1, lambda m: build(f"{m}\n{mark}"))[0]
    return f"{first}\n{mark}"


_UNCUTTABLE = re.compile(r"</?[a-z]+>|&(?:[a-z]+|#[0-9]+);")


def _cut_before(line: str, at: int) -> int:
    """Where to cut LINE at or before AT: never inside a tag or an entity (a cut through
    ``</pre>`` or ``&lt;`` would show its halves as text)."""
    for m in _UNCUTTABLE.finditer(line, max(0, at - 12), at + 12):
        if m.start() < at < m.end():
            return m.start() or at
    return at


def _pre_open_after(line: str, in_pre: bool) -> bool:
    for tag in re.findall(r"</?pre>", line):
        in_pre = tag == "<pre>"
    return in_pre


def notice(html: str, reply_to: str | None = None, thread: str | None = None) -> dict[str, Any]:
    """A bot's message: m.notice, so other bots do not answer it and clients may style it.

    In reply to REPLY_TO, if given; in the THREAD of that root event, if given (where the
    message it answers was sent), as ``in_thread`` says."""
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": html_text(html),
        "format": HTML_FORMAT,
        "formatted_body": formatted(html),
        "m.mentions": {},  # never ping anyone by accident
    }
    if thread:
        content["m.relates_to"] = in_thread(thread, reply_to)
    elif reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def in_thread(thread: str | None, reply_to: str | None = None) -> dict[str, Any] | None:
    """The relation of an event posted in the THREAD of that root event (None: not in one), in
    reply to REPLY_TO, or, with none, after the thread's latest event as clients without threads
    see it (``is_falling_back``: they show it as a reply to the root)."""
    if not thread:
        return None
    return {"rel_type": "m.thread", "event_id": thread, "is_falling_back": not reply_to,
            "m.in_reply_to": {"event_id": reply_to or thread}}


def edit(html: str, event_id: str) -> dict[str, Any]:
    """An edit of the bot's own message; clients show the new content in place."""
    new = notice(html)
    return {
        "msgtype": "m.notice",
        "body": "* " + new["body"],
        "format": HTML_FORMAT,
        "formatted_body": "* " + new["formatted_body"],
        "m.new_content": new,
        "m.mentions": {},
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }


def answer_id(index: int) -> str:
    """The MSC3381 answer id of option INDEX (0-based). Derived, not stored, so the bot can
    read votes on its polls after any restart."""
    return str(index + 1)


def answer_index(answer: object, options: int | None = None) -> int:
    """The option index of an answer id; -1 for an id the bot never issued (the core refuses
    the vote and tells the member)."""
    if isinstance(answer, str) and answer.isascii() and answer.isdigit() and 0 < len(answer) <= 4:
        index = int(answer) - 1
        if options is None or index < options:
            return index
    return -1


def poll_start(question: str, options: tuple[str, ...], max_choices: int, fallback: str) -> dict[str, Any]:
    """An MSC3381 poll as Element sends it: disclosed (results visible while open)."""
    return {
        POLL_START: {
            "question": {TEXT: question},
            "kind": "org.matrix.msc3381.poll.disclosed",
            "max_selections": max_choices,
            "answers": [{"id": answer_id(n), TEXT: option} for n, option in enumerate(options)],
        },
        TEXT: fallback,
        "body": fallback,
    }


def poll_shape(content: dict[str, Any]) -> tuple[int, int] | None:
    """(answers, most a response may choose) of a poll start's CONTENT; None if it has none."""
    block = content.get(POLL_START)
    if not isinstance(block, dict) or not isinstance(block.get("answers"), list):
        return None
    most = block.get("max_selections")
    answers = len(block["answers"])
    return answers, min(answers, most) if isinstance(most, int) and most > 0 else 1


def poll_fallback(question: str, options: tuple[str, ...]) -> str:
    return "\n".join([question, *(f"{n}. {o}" for n, o in enumerate(options, 1))])


def poll_end(start_event_id: str, text: str) -> dict[str, Any]:
    """The end of a poll the bot started, carrying the closing text."""
    return {
        POLL_END: {},
        TEXT: text,
        "body": text,
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
    }


def selections(event_type: str, content: dict[str, Any]) -> list[object] | None:
    """The answer ids of a poll response in either namespace; None if it is not a response."""
    if event_type == POLL_RESPONSE:
        block = content.get(POLL_RESPONSE)
        if isinstance(block, dict) and isinstance(block.get("answers"), list):
            return list(block["answers"])
        return None
    if event_type == STABLE_POLL_RESPONSE:
        chosen = content.get("m.selections")
        if isinstance(chosen, list):
            return list(chosen)
        block = content.get("m.poll.response")  # an early draft of the stable form
        if isinstance(block, dict) and isinstance(block.get("answers"), list):
            return list(block["answers"])
    return None
