"""Fixtures of the Matrix end-to-end tests. The homeserver fixtures (``synapse``,
``matrix_users``) come from the suite's plugin; they are never imported here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.matrix.running_bot import RunningBot, StartBot
from tests.peers.synapse import Credentials, SynapseServer, UserFactory


@pytest.fixture
async def bot_account(matrix_users: UserFactory) -> Credentials:
    return await matrix_users.register("quorum")


@pytest.fixture
async def start_bot(synapse: SynapseServer, bot_account: Credentials, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start the bot (again) on the test's database; every bot started is stopped at the end."""
    running: list[RunningBot] = []

    async def start(**options: Any) -> RunningBot:
        bot = await RunningBot.start(synapse, bot_account, tmp_path / "quorum.db", **options)
        running.append(bot)
        return bot

    yield start
    for bot in running:
        if not bot.task.done() or not bot.stopped:
            await bot.stop()
