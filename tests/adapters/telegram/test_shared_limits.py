"""Several processes answering for one bot token keep, together, to Telegram's limits.

Webhook updates reach any process, and each sends its own answers; Telegram counts the token's
messages together. So each process says it is alive in the database (``Presence``, a lease of its
own), counts the others, and paces itself to its share of every limit. Two bots on one
PostgreSQL database and one token: at full budget each, a burst into one group draws 429s from
the peer; once they have counted each other, the same burst draws none.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.kernel.effects import Send
from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer
from tests.peers.telegram.ptb import free_port


async def _burst(bots: list[TelegramBot], room: str, tag: str, each: int) -> list[str]:
    texts = [[f"{tag} {i}.{n}" for n in range(each)] for i in range(len(bots))]
    delivered = await asyncio.gather(*(bot.app.transports.deliver(Send(room, t))
                                       for bot, mine in zip(bots, texts, strict=True) for t in mine))
    assert all(d is not None and d.ref for d in delivered)
    return [t for mine in texts for t in mine]


# PTB itself warns, when it builds each RetryAfter, that retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.postgresql_run("two bot processes on one PostgreSQL database; SQLite has one process")
async def test_two_processes_on_one_token_keep_to_its_limits_together(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    group = group_with_bot(peer, peer.create_user("Olga"), [])
    room = f"tg:{group.id}"
    bots: list[TelegramBot] = []
    try:
        for _ in range(2):  # the same tmp_path: the same database
            port = free_port()
            bots.append(await TelegramBot.start(tmp_path, peer, webhook_url=f"http://127.0.0.1:{port}/hook",
                                                webhook_listen="127.0.0.1", webhook_port=port))
        transports = [bot.adapter.transport for bot in bots]
        for t in transports:  # each counted itself alone when it started: the first was alone
            t.share(1)

        # Each at Telegram's whole budget for the group: together, twice what it allows.
        refused = peer.too_many_requests_sent
        sent = await _burst(bots, room, "alone", 20)
        assert peer.too_many_requests_sent > refused
        assert sorted(peer.bot_texts(group)) == sorted(sent)  # each once all the same (429s waited out)

        # They count each other (the next beat of each), and keep to half each.
        await asyncio.sleep(peer.limits.per_group.period * 2)  # the group's budget is whole again
        for bot in bots:
            await bot.app.advance(timedelta(seconds=11))
        assert [t.bot.rate_limiter.processes for t in transports] == [2, 2]  # type: ignore[union-attr]
        refused = peer.too_many_requests_sent
        sent += await _burst(bots, room, "together", 20)
        assert peer.too_many_requests_sent == refused
        assert sorted(peer.bot_texts(group)) == sorted(sent)

        # One stops for good: once its presence expires, the other has the whole budget again.
        await bots[1].stop()
        bots.pop()
        await bots[0].app.advance(timedelta(seconds=40))
        assert transports[0].bot.rate_limiter.processes == 1  # type: ignore[union-attr]
    finally:
        for bot in bots:
            await bot.stop()
