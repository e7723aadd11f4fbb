"""A broadcast wake-up, so tests and long polls wait for change instead of sleeping."""

from __future__ import annotations

import asyncio


class Signal:
    """Every :meth:`notify` wakes every current waiter; waiters then re-check their condition."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seconds: float) -> bool:
        """Wait for the next notification; False if ``seconds`` passed first."""
        if seconds <= 0:
            return False
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True
