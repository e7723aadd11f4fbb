"""The Telegram adapter (python-telegram-bot): the bot in Telegram groups and private chats."""

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.transport import TelegramTransport

__all__ = ["TelegramAdapter", "TelegramTransport"]
