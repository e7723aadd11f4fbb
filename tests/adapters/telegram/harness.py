"""The whole bot on Telegram for a test: the real bot on a file database, the real adapter
(python-telegram-bot over HTTP) and the local Bot API peer acting as Telegram and its users."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from adapters.telegram import TelegramAdapter
from bot.app import App, Transports, bootstrap
from bot.kernel.clock import ManualClock
from bot.kernel.config import TelegramConfig, parse_config
from tests.helpers import database_url_for
from tests.peers.telegram import Chat, TelegramPeer, User


class TelegramBot:
    def __init__(self, app: App, adapter: TelegramAdapter, task: asyncio.Task[None], peer: TelegramPeer) -> None:
        self.app = app
        self.adapter = adapter
        self.task = task
        self.peer = peer

    @classmethod
    async def start(
        cls, tmp_path: Path, peer: TelegramPeer, *, time_scale: float | None = None, clock: ManualClock | None = None,
        **telegram: Any,
    ) -> TelegramBot:
        """TIME_SCALE defaults to the peer's own, so the adapter paces itself as the peer limits.
        CLOCK: the bot's clock (a new one by default; pass one on to restart later in time)."""
        if time_scale is None:
            time_scale = peer.limits.overall.period / 1.0
        config = replace(
            parse_config({}),
            database=tmp_path / "quorum.db",
            database_url=database_url_for(tmp_path),
            secret="test-secret-for-tests",
            telegram=TelegramConfig(token=peer.token, base_url=peer.base_url, **telegram),
        )
        assert config.telegram is not None
        app = await bootstrap(config, clock or ManualClock(), Transports())
        adapter = TelegramAdapter(config.telegram, app, time_scale=time_scale, poll_timeout=1)
        app.transports.add(adapter.transport)
        await app.start()
        task = asyncio.create_task(adapter.run())
        bot = cls(app, adapter, task, peer)
        # Groups, private chats and the default scope, each for any language and for each shipped one.
        await peer.wait_for_calls("setMyCommands", 3 * (1 + len(app.menu_languages())))
        return bot

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.app.stop()

    async def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self.app.reader.execute(sql, args) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def votes(self, poll_id: int) -> int:
        """Ballots cast in POLL_ID, open or secret."""
        rows = await self.query("SELECT (SELECT count(*) FROM votes WHERE poll_id = ?)"
                                " + (SELECT count(*) FROM secret_ballots WHERE poll_id = ?)", poll_id, poll_id)
        return rows[0][0]

    async def wait_for_rows(self, sql: str, expected: list[tuple[Any, ...]], within: float = 10.0) -> None:
        """Wait until SQL returns EXPECTED: updates are handled after the peer hands them out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (rows := await self.query(sql)) != expected:
            if loop.time() > deadline:
                raise AssertionError(f"{sql} gave {rows}, not {expected}")
            await asyncio.sleep(0.02)


def group_with_bot(peer: TelegramPeer, organiser: User, members: list[User], title: str = "Branch", *,
                   supergroup: bool = True) -> Chat:
    """A group the organiser created (so is its administrator), with the bot added; a basic
    group (one Telegram upgrades to a supergroup later) unless SUPERGROUP."""
    group = peer.create_group(title, creator=organiser, members=members, supergroup=supergroup)
    peer.add_bot_to_group(group, organiser)
    return group


def started(peer: TelegramPeer, *users: User) -> None:
    """These people have opened a private chat with the bot before (so it may write to them)."""
    for user in users:
        user.started_bot = True
