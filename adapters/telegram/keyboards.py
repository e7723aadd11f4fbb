"""The core's buttons as Telegram inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.kernel.effects import Keyboard

MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit for callback_data


def deep_link(bot_username: str, payload: str) -> str:
    """``t.me/<bot>?start=<payload>``: opens the private chat, whose client sends /start PAYLOAD."""
    return f"https://t.me/{bot_username}?start={payload}"


def inline_keyboard(keyboard: Keyboard, bot_username: str | None) -> InlineKeyboardMarkup | None:
    """None for no buttons: an edit without markup also removes the buttons a message had."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in keyboard:
        buttons: list[InlineKeyboardButton] = []
        for button in row:
            if button.start is not None:
                if not bot_username:
                    raise ValueError("a deep-link button needs the bot's username (known after getMe)")
                buttons.append(InlineKeyboardButton(button.label, url=deep_link(bot_username, button.start)))
            elif button.data is not None:
                if len(button.data.encode()) > MAX_CALLBACK_DATA:
                    raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {button.data!r}")
                buttons.append(InlineKeyboardButton(button.label, callback_data=button.data))
            else:
                raise ValueError(f"button {button.label!r} has neither data nor a deep link")
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None
