"""Telegram's documented limits, in one place so tests can see and scale them.

Sources of the default values:

* Bot API reference (https://core.telegram.org/bots/api): text of ``sendMessage`` is
  1-4096 characters after entities parsing; ``callback_data`` 1-64 bytes;
  ``answerCallbackQuery`` text 0-200 characters; ``sendPoll`` question 1-300 characters and
  options 1-100 characters; ``BotCommand`` command 1-32 characters of ``[a-z0-9_]`` and
  description 1-256 characters; at most 100 commands; ``getUpdates`` limit 1-100.
* ``sendDocument``/``sendPhoto`` (https://core.telegram.org/bots/api#sending-files): a bot
  uploads files of up to 50 MB (Telegram answers a larger request 413 ``Request Entity Too
  Large``), photos of up to 10 MB (a larger one is refused ``PHOTO_SAVE_FILE_INVALID``, the MTProto
  error clients meet); a caption is 0-1024 characters after entities parsing.
* Bots FAQ (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
  about one message per second in a single chat (short bursts tolerated), about 30 messages
  per second overall, and at most 20 messages per minute into one group.
* python-telegram-bot's ``telegram.constants`` (``MessageLimit``, ``PollLimit``,
  ``FloodLimit``, ...), which mirrors the same documents and which the tests compare against.

The FAQ gives no burst size for a single chat; the peer allows 5 messages at once refilling at
one a second (``per_private_chat``), a judgement that keeps "one a second" on average while
tolerating the short bursts the FAQ mentions. Edits count towards the same budgets
(``edits_count_towards_flood``), since Telegram throttles edits too.

A press on a button of an older message comes with the message as an ``InaccessibleMessage``
(Bot API ``CallbackQuery.message`` is a ``MaybeInaccessibleMessage``: "deleted or otherwise
inaccessible to the bot"): only its chat, its id and a ``date`` of 0; no topic, no text, no
buttons. The reference does not say when a message becomes inaccessible; bot authors meet it on
messages a day or two old (tdlib/telegram-bot-api issue 401), so the peer says 48 hours
(``message_accessible_for``), a judgement like the burst above.

The Bot API 10.0 reference lowered the minimum number of poll options to 1; the peer keeps 2
as its default because a one-option poll is never a ballot and Quorum must not send one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """A flood-control budget: ``capacity`` messages, refilled evenly over ``period`` seconds.

    A token bucket rather than a sliding window, because Telegram does not document its
    algorithm and PTB's ``AIORateLimiter`` (a leaky bucket of the same shape) should never be
    answered 429 when configured with the same numbers.
    """

    capacity: int
    period: float

    @property
    def rate(self) -> float:
        """Tokens regained per second."""
        return self.capacity / self.period


@dataclass(frozen=True)
class Limits:
    """Every limit the peer enforces. The defaults are Telegram's; see the module docstring."""

    max_text_length: int = 4096
    max_callback_data_bytes: int = 64
    max_callback_answer_length: int = 200
    max_inline_buttons: int = 100
    message_accessible_for: int = 48 * 3600  # seconds; see the module docstring
    max_inline_buttons_per_row: int = 8
    max_poll_question_length: int = 300
    max_poll_option_length: int = 100
    min_poll_options: int = 2
    max_poll_options: int = 12
    max_commands: int = 100
    max_command_length: int = 32
    max_command_description_length: int = 256
    max_updates_per_call: int = 100
    max_caption_length: int = 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    max_photo_bytes: int = 10 * 1024 * 1024
    overall: Bucket = Bucket(capacity=30, period=1.0)
    per_group: Bucket = Bucket(capacity=20, period=60.0)
    per_private_chat: Bucket = Bucket(capacity=5, period=5.0)
    flood_control: bool = True
    edits_count_towards_flood: bool = True

    def scaled(self, time_scale: float) -> Limits:
        """The same limits with every flood-control period multiplied by ``time_scale``.

        ``Limits().scaled(0.01)`` lets 20 messages into a group per 0.6 s instead of per
        minute, so a burst test runs in a second while keeping Telegram's proportions.
        ``retry_after`` stays a whole number of seconds, at least 1, as Telegram sends it, so
        a client that obeys it waits at least a second whatever the scale.
        """
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        return dataclasses.replace(
            self,
            overall=Bucket(self.overall.capacity, self.overall.period * time_scale),
            per_group=Bucket(self.per_group.capacity, self.per_group.period * time_scale),
            per_private_chat=Bucket(self.per_private_chat.capacity, self.per_private_chat.period * time_scale),
        )

    def with_changes(self, **changes: object) -> Limits:
        """A copy with some limits changed, e.g. ``per_group=Bucket(3, 1.0)``."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


TELEGRAM_LIMITS = Limits()
"""Telegram's own numbers, for code that wants to say so explicitly."""
