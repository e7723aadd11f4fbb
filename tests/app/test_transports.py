"""How the core hands effects to the platforms when nobody waits for the answer
(`Transports.send`): a failure is logged, never raised, and a refusal the platform gives for good
is one line an operator can read, not a traceback that looks like a fault of ours."""

from __future__ import annotations

import logging

import pytest

from bot.app.transports import Transports
from bot.kernel.effects import Delete, Delivered, Effect, Send
from bot.kernel.ports import DeliveryRefused


class Refusing:
    platform, prefixes, bot_username, edit_interval = "xx", ("/",), None, 0.0

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def deliver(self, effect: Effect) -> Delivered | None:
        raise self.error

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return False

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return False


async def test_a_refusal_for_good_is_one_warning_and_a_fault_keeps_its_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.app.transports")
    refused = Transports(Refusing(DeliveryRefused("the bot may not delete messages in xx:room")))  # type: ignore[arg-type]
    assert await refused.send(Delete("xx:room", "17")) is None
    [line] = caplog.records
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "may not delete messages" in line.getMessage()

    caplog.clear()
    broken = Transports(Refusing(RuntimeError("connection reset")))  # type: ignore[arg-type]
    assert await broken.send(Send("xx:room", "hello")) is None
    [line] = caplog.records
    assert line.levelno == logging.ERROR and line.exc_info is not None
