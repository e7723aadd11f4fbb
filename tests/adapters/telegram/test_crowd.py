"""A thousand members vote in one group poll over HTTP; each vote is counted once."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.crowd import vote_in_crowd
from tests.peers.telegram import TelegramPeer


async def test_a_thousand_members_each_counted_once(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    result = await vote_in_crowd(tmp_path, fast_telegram_peer, 1000, within=120)
    assert result.votes_counted == result.votes_on_disk == 1000
    assert result.counts == result.expected
    assert result.answers == 1000  # every press answered, none twice
    assert [c for c in result.failed_calls if "not modified" not in (c[1] or "")] == []
    assert result.too_many_requests == 0
