"""One queue for everything the bot sends, paced to Telegram's flood limits.

PTB's ``AIORateLimiter`` paces requests to 30 per second overall and 20 per minute into one
group. Added here: only calls that post into a chat spend that budget (Telegram does not count
``getChatAdministrators`` or ``answerCallbackQuery`` as messages, and they must not wait behind a
10,000-message broadcast); a private chat gets its own budget (about one message a second,
short bursts tolerated) so that a member ranking candidates by button never draws a 429; and a
``RetryAfter`` (429) holds every request back for as long as Telegram asked (see
``process_request``).

Several processes answering for one token (webhook updates reach any of them) each pace to their
share of every limit (``share``), since Telegram counts the token's messages together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

MESSAGES_PER_SECOND = 30
GROUP_MESSAGES_PER_MINUTE = 20
PRIVATE_MESSAGES_PER_SECOND = 1
# Bursts are kept below Telegram's so that the platform's budget is never the one that runs
# out: its bucket refills only once a request reaches it, so network delay shifts its timing
# against ours, and the spare budget absorbs that. The sustained rates are Telegram's.
OVERALL_BURST = 5
GROUP_BURST = 15
PRIVATE_BURST = 4
MAX_RETRIES = 8

COUNTED = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "sendPoll",
        "stopPoll",
        "sendPhoto",
        "sendDocument",
        "forwardMessage",
        "copyMessage",
    }
)
"""Methods that put something into a chat and so spend flood budget."""


def _bucket(burst: int, per_second: float, processes: int, time_scale: float) -> tuple[int, float]:
    """A bucket for one of PROCESSES sharing a limit of PER_SECOND with bursts of BURST: a
    burst of its share (at least one request), refilled at its share of the rate."""
    size = max(1, burst // processes)
    return size, size * processes / per_second * time_scale


class SendLimiter(AIORateLimiter):
    """Telegram's limits; ``time_scale`` shrinks every period alike (a test peer running fast)."""

    def __init__(self, *, time_scale: float = 1.0, max_retries: int = MAX_RETRIES) -> None:
        overall, overall_period = _bucket(OVERALL_BURST, MESSAGES_PER_SECOND, 1, time_scale)
        group, group_period = _bucket(GROUP_BURST, GROUP_MESSAGES_PER_MINUTE / 60.0, 1, time_scale)
        super().__init__(overall_max_rate=overall, overall_time_period=overall_period,
                         group_max_rate=group, group_time_period=group_period, max_retries=max_retries)
        self._time_scale = time_scale
        self._private_burst, self._private_period = _bucket(PRIVATE_BURST, PRIVATE_MESSAGES_PER_SECOND, 1, time_scale)
        self._private: dict[int, AsyncLimiter] = {}
        self.processes = 1  # how many processes send for this token (see share)
        self._resume_at = 0.0  # loop time until which a RetryAfter holds every request back
        self.rate_limited = 0  # requests Telegram refused as too many (429), for /metrics

    def share(self, processes: int) -> None:
        """Pace to one PROCESSES-th of each of Telegram's limits, bursts included, since that
        many processes send for this token at once and Telegram counts them together. The
        budgets start afresh when the number changes (a process came or went)."""
        n = max(1, processes)
        if n == self.processes:
            return
        self.processes = n
        overall, overall_period = _bucket(OVERALL_BURST, MESSAGES_PER_SECOND, n, self._time_scale)
        self._base_limiter = AsyncLimiter(overall, overall_period)
        self._group_max_rate, self._group_time_period = _bucket(
            GROUP_BURST, GROUP_MESSAGES_PER_MINUTE / 60.0, n, self._time_scale)
        self._group_limiters = {}
        self._private_burst, self._private_period = _bucket(PRIVATE_BURST, PRIVATE_MESSAGES_PER_SECOND, n,
                                                            self._time_scale)
        self._private = {}
        log.info("pacing to 1/%d of Telegram's limits: %d processes send for this bot", n, n)

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._private) > 4096:  # forget chats whose budget is full again
            for key, limiter in list(self._private.items()):
                if key != chat_id and limiter.has_capacity(limiter.max_rate):
                    del self._private[key]
        limiter = self._private.get(chat_id)
        if limiter is None:
            limiter = self._private[chat_id] = AsyncLimiter(self._private_burst, self._private_period)
        return limiter

    async def _wait_out_pause(self) -> None:
        loop = asyncio.get_running_loop()
        # A loop, not an Event: another 429 during the wait may move the end of the pause.
        while (left := self._resume_at - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Like AIORateLimiter's, but a RetryAfter pauses every request until it has passed,
        and a request waits out a pause before it takes budget. (AIORateLimiter ends the pause
        as soon as any other request completes, and lets requests paced during it fire together
        afterwards: each 429 then draws the next.)"""
        max_retries = rate_limit_args or self._max_retries
        counted = endpoint in COUNTED
        for attempt in range(max_retries + 1):
            await self._wait_out_pause()
            try:
                if not counted:  # no chat budget: not a message
                    return await callback(*args, **kwargs)
                return await self._within_budget(callback, args, kwargs, data)
            except RetryAfter as exc:
                self.rate_limited += 1
                if attempt == max_retries:
                    log.error("still refused with 429 after %d retries", max_retries)
                    raise
                wait = exc._retry_after.total_seconds() + 0.1
                loop = asyncio.get_running_loop()
                self._resume_at = max(self._resume_at, loop.time() + wait)
                log.info("flood control: pausing all sends for %.1f s", wait)
        raise AssertionError("unreachable")

    async def _within_budget(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        data: dict[str, Any],
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            chat_id = 0
        group: int | bool = chat_id if chat_id < 0 else False
        run = partial(self._run_request, True, group, False, callback, args, kwargs)
        if chat_id > 0:
            async with self._private_limiter(chat_id):
                return await run()
        return await run()
