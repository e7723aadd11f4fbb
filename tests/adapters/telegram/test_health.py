"""What /healthz and /metrics say of Telegram: connected while the Bot API answers, not when it
cannot be reached (and again once it can), and the 429s the adapter waited out, counted."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.kernel.effects import Send
from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer


async def _until(check, within: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the state was not reached in time"
        await asyncio.sleep(0.05)


async def test_health_follows_the_bot_api(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    bot = await TelegramBot.start(tmp_path, peer)
    monitoring = bot.app.monitoring
    try:
        health = await monitoring.health()
        assert health.adapters == {"tg": True} and health.ok
        await peer.server.stop()  # Telegram cannot be reached: the long poll fails

        async def down() -> bool:
            return (await monitoring.health()).adapters == {"tg": False}

        await _until(down)
        assert not (await monitoring.health()).ok
        await peer.server.start()  # on the same port: the next long poll gets through

        async def up() -> bool:
            return (await monitoring.health()).ok

        await _until(up)
    finally:
        await bot.stop()


async def test_429s_waited_out_are_counted_per_platform(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga = peer.create_user("Olga")
    started(peer, olga)
    group = group_with_bot(peer, olga, [])
    # The adapter paced ten times faster than the peer allows: Telegram answers some with 429.
    bot = await TelegramBot.start(tmp_path, peer, time_scale=peer.limits.overall.period / 10)
    try:
        transport = bot.adapter.transport
        await asyncio.gather(*(transport.deliver(Send(f"tg:{group.id}", f"line {n}")) for n in range(40)))
        assert transport.rate_limited > 0
        families = {f.name: f for f in text_string_to_metric_families((await bot.app.monitoring.metrics()).decode())}
        [sample] = [s for s in families["quorum_platform_rate_limited"].samples if s.labels == {"platform": "tg"}]
        assert sample.value == transport.rate_limited
        assert len(peer.bot_messages(group)) == 40  # each waited out, none lost
    finally:
        await bot.stop()
