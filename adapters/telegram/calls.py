"""Calling the Bot API: retrying what may be retried, refusing what never will succeed.

Flood control (429) is the rate limiter's business (see ``limiter``). Here: network trouble
and timeouts are retried with backoff. A request that never left this machine (no connection,
no free connection in the pool) is always safe to repeat. One whose answer was lost may
already have taken effect: repeating an edit, an answer to a press or closing a poll is
harmless, and repeating a message risks showing it twice; a lost reminder is worse than a
repeated one, so messages are repeated too. Errors Telegram gives for good (the bot was
blocked, the chat does not exist) become ``DeliveryRefused``, so the outbox does not retry them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.kernel.ports import DeliveryRefused, NoRightToSend

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_RIGHT = ("have no rights to send a message", "chat_write_forbidden", "not enough rights to send text messages")
"""Refusals that say the bot may not post in the chat now (members may not write and it is no
administrator; it was restricted): what they refused is sent once the right is back."""

ATTEMPTS = 5
FIRST_BACKOFF = 0.5


def never_sent(error: NetworkError) -> bool:
    """True when the request surely did not reach Telegram, so repeating it cannot duplicate."""
    cause = error.__cause__
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout) or (
        isinstance(error, TimedOut) and "Pool timeout" in str(error)
    )


def is_not_modified(error: BadRequest) -> bool:
    return "message is not modified" in error.message.lower()


async def call(
    what: str,
    request: Callable[[], Awaitable[T]],
    *,
    attempts: int = ATTEMPTS,
    backoff: float = FIRST_BACKOFF,
) -> T:
    """REQUEST's result, retrying network failures; DeliveryRefused for permanent refusals.

    BadRequest is re-raised as such when the caller may want to handle it (``is_not_modified``).
    """
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            return await request()
        except Forbidden as e:
            raise DeliveryRefused(f"{what}: {e.message}") from e
        except BadRequest:
            raise
        except (RetryAfter, ChatMigrated):
            raise
        except NetworkError as e:  # includes TimedOut
            if attempt == attempts:
                raise
            if not never_sent(e):
                log.warning("%s: %s; repeating it (it may have arrived)", what, e)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def refused(what: str, error: BadRequest) -> DeliveryRefused:
    """A BadRequest the same request would get again (unknown chat, message gone, …)."""
    if no_right(error.message):
        return NoRightToSend(f"{what}: {error.message}")
    return DeliveryRefused(f"{what}: {error.message}")


def no_right(reason: str) -> bool:
    """Whether a refusal saying REASON is for want of the right to post (see NO_RIGHT)."""
    reason = reason.lower()
    return any(words in reason for words in NO_RIGHT)
