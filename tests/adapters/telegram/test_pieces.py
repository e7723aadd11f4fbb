"""The adapter's pure parts: splitting long messages, the command menu, keyboards, updates."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update

from adapters.telegram.inbound import event_of
from adapters.telegram.keyboards import inline_keyboard
from adapters.telegram.menu import menu
from adapters.telegram.split import shorten, split_html, utf16_len, visible_len
from bot.app.bootstrap import ROUTERS
from bot.app.router import menu as command_menu
from bot.kernel.effects import Button
from bot.kernel.events import ButtonPress, Message, NativePollAnswer
from bot.kernel.markup import b, esc, html_text, pre

_TAG = re.compile(r"<(/?)(\w+)[^>]*>")


def balanced(chunk: str) -> bool:
    stack: list[str] = []
    for m in _TAG.finditer(chunk):
        if m.group(1):
            if not stack or stack.pop() != m.group(2):
                return False
        else:
            stack.append(m.group(2))
    return not stack


_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
lines = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters=_LINE_BREAKS), max_size=300), max_size=60
)


@settings(max_examples=60, deadline=None)
@given(head=lines, body=lines, limit=st.integers(min_value=200, max_value=1500))
def test_every_chunk_fits_is_balanced_and_nothing_is_lost(head: list[str], body: list[str], limit: int) -> None:
    text = esc("\n".join(head)) + "\n" + b("Result") + "\n" + pre("\n".join(body)) + "\n" + esc("end")
    chunks = split_html(text, limit)
    assert all(visible_len(c) <= limit for c in chunks)  # Telegram's limit: the text after parsing
    assert all(balanced(c) for c in chunks)
    squeeze = re.compile(r"\s+")
    assert squeeze.sub("", "".join(html_text(c) for c in chunks)) == squeeze.sub("", html_text(text))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), limit=st.integers(min_value=20, max_value=200))
def test_a_shortened_text_fits_and_keeps_its_beginning(text: str, limit: int) -> None:
    shown = shorten(text, limit)
    assert utf16_len(shown) <= limit
    if utf16_len(text) <= limit:
        assert shown == text
    else:
        assert shown.endswith("…") and text.startswith(shown.removesuffix("…"))


def test_a_text_is_shortened_after_a_whole_word() -> None:
    long = "Your vote in poll 1: Reinstatement of the branch secretary"
    assert shorten(long, 40) == "Your vote in poll 1: Reinstatement of…"
    assert shorten("x" * 50, 20) == "x" * 19 + "…"  # one word longer than the room: cut where it must be


def test_a_short_message_is_left_alone() -> None:
    assert split_html("<b>Poll 1</b>: Lunch?") == ["<b>Poll 1</b>: Lunch?"]


def test_the_command_menu_fits_telegrams_rules() -> None:
    commands = menu(command_menu(ROUTERS))
    names = [c.command for c in commands]
    assert "poll" in names and "vote" in names and "start" not in names
    assert len(names) == len(set(names)) <= 100
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", n) for n in names)
    assert all(1 <= len(c.description) <= 256 for c in commands)


def test_keyboards_use_callback_data_or_deep_links() -> None:
    markup = inline_keyboard(((Button("Yes", data="v:1:0"), Button("Vote privately", start="vote-1")),), "QBot")
    assert markup is not None
    yes, private = markup.inline_keyboard[0]
    assert yes.callback_data == "v:1:0"
    assert private.url == "https://t.me/QBot?start=vote-1"
    assert inline_keyboard((), "QBot") is None
    with pytest.raises(ValueError):
        inline_keyboard(((Button("x", data="v" * 65),),), "QBot")


def test_updates_become_events_keyed_by_what_they_are() -> None:
    user = {"id": 7, "is_bot": False, "first_name": "Ann"}
    group = {"id": -100, "type": "supergroup", "title": "Branch"}
    message = {"message_id": 5, "date": 0, "chat": group, "from": user, "text": "/vote@QBot 1 Yes"}
    event = event_of(Update.de_json({"update_id": 1, "message": message}, None))
    assert isinstance(event, Message)
    assert (event.actor.id, event.room.id, event.room.private, event.ref) == ("tg:7", "tg:-100", False, "5")
    same = event_of(Update.de_json({"update_id": 99, "message": message}, None))
    assert same is not None and same.event_id == event.event_id  # a repeat under a new update id

    query = {"id": "q1", "from": user, "chat_instance": "1", "data": "v:1:0", "message": message}
    press = event_of(Update.de_json({"update_id": 2, "callback_query": query}, None))
    assert isinstance(press, ButtonPress) and press.press_id == "q1" and press.message_ref == "5"

    answer = {"poll_id": "p9", "user": user, "option_ids": [1], "option_persistent_ids": ["1"]}
    vote = event_of(Update.de_json({"update_id": 3, "poll_answer": answer}, None))
    assert isinstance(vote, NativePollAnswer) and vote.native_ref == "p9" and vote.options == (1,)

    photo = {"message_id": 6, "date": 0, "chat": group, "from": user}
    assert event_of(Update.de_json({"update_id": 4, "message": photo}, None)) is None
