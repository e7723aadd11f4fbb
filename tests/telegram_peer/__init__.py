"""A faithful local Telegram Bot API server for testing bots built on python-telegram-bot.

Usage in a test::

    async with TelegramPeer(time_scale=0.01) as peer:
        app = ApplicationBuilder().token(peer.token).base_url(peer.base_url).build()
        alice = peer.create_user("Alice")
        peer.send_message(alice, "/start")
        reply = await peer.wait_for_bot_message(peer.private_chat(alice))

See :class:`TelegramPeer` for the test-facing API and :mod:`.limits` for what is enforced.
"""

from .clock import ManualClock, SystemClock
from .errors import ApiError, PeerUsageError
from .limits import TELEGRAM_LIMITS, Bucket, Limits
from .models import Chat, Message, Poll, User
from .peer import TelegramPeer
from .updates import PendingUpdate
from .world import ApiCall, CallbackQuery

__all__ = [
    "TELEGRAM_LIMITS",
    "ApiCall",
    "ApiError",
    "Bucket",
    "CallbackQuery",
    "Chat",
    "Limits",
    "ManualClock",
    "Message",
    "PeerUsageError",
    "PendingUpdate",
    "Poll",
    "SystemClock",
    "TelegramPeer",
    "User",
]
