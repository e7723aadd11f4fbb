"""A faithful local Telegram Bot API server for testing bots built on python-telegram-bot.

The real PTB ``Application`` talks to it over HTTP, so everything between the adapter and
Telegram (request encoding, error mapping, the rate limiter, long polling) is exercised::

    async def test_echo(fast_telegram_peer: TelegramPeer) -> None:
        peer = fast_telegram_peer
        app = application_builder(peer).build()      # or ApplicationBuilder().base_url(peer.base_url)
        app.add_handler(...)
        async with polling(app):
            alice = peer.create_user("Alice")
            peer.send_message(alice, "/start")
            reply = await peer.wait_for_bot_message(peer.private_chat(alice))

The test-facing API of :class:`TelegramPeer`, by purpose:

* set up: ``create_user``, ``create_users``, ``create_group``, ``add_member``, ``make_admin``,
  ``remove_member``, ``add_bot_to_group``, ``remove_bot_from_group``,
  ``upgrade_to_supergroup``, ``private_chat``, ``block_bot``, ``set_limits``;
* act as users: ``send_message``, ``send_command``, ``open_deep_link`` (with ``deep_link``),
  ``edit_user_message``, ``press_button``, ``answer_poll``, ``redeliver``;
* observe: ``messages``, ``bot_messages``, ``last_bot_message``, ``bot_texts``, ``bot_output``
  (every text the bot ever showed, for secrecy checks), ``calls``, ``failed_calls``,
  ``unknown_methods``, ``too_many_requests_sent``, ``too_many_requests_by_kind``, ``commands``,
  ``pending_updates``, ``deliveries``, ``updates_of``;
* wait, never sleep: ``wait_for``, ``wait_for_bot_message``, ``wait_for_calls``,
  ``wait_for_answer``, ``wait_until_delivered``, ``wait_until_confirmed``;
* lifecycle: ``start``, ``stop``, ``restart`` (same port, same state).

:mod:`.limits` lists every limit enforced and where its value comes from.
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
