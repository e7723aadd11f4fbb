"""The record of applied updates in bounded memory: packed ids still never count twice, across
restarts too, and an id that only shares its first 64 bits with an applied one is not dropped."""

from __future__ import annotations

import hmac
from datetime import timedelta
from pathlib import Path

import pytest

from bot.kernel.clock import ManualClock
from bot.kernel.events import Actor, ButtonPress, Room
from bot.storage import writer as writer_module
from bot.storage.writer import Writer, _Applied
from tests.helpers import Chat

ROOM = Room("console:main")


def press(who: str, option: int, event_id: str) -> ButtonPress:
    return ButtonPress(Actor(f"console:{who}", who), ROOM, f"v:1:{option}", event_id=event_id)


def test_applied_tokens_are_packed_and_answered_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "_COMPACT", 3)
    applied = _Applied()
    tokens = [f"k:{i:016x}{'ab' * 8}" for i in (5, 1, 9)]
    applied.add({tokens[0]})
    assert applied.maybe(tokens[0]) is True and applied.maybe(tokens[1]) is False
    applied.add(set(tokens[1:]))  # the third packs them all
    assert applied.recent == set() and applied.packed.tolist() == [1, 5, 9]
    assert [applied.maybe(t) for t in tokens] == [None, None, None]  # the database decides
    assert applied.maybe(f"k:{7:016x}{'ab' * 8}") is False


async def test_packed_ids_are_recognised_after_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "_COMPACT", 2)  # pack after every other update
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    for i in range(6):
        await chat.app.handle(press(f"v{i}", 0, f"u{i}"))
    await chat.app.handle(press("v0", 1, "later"))
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        writer = chat.app.writer
        assert isinstance(writer, Writer) and len(writer._applied.packed) == 7  # the seven presses
        # Every old update redelivered after the restart changes nothing ...
        for i in range(6):
            await chat.app.handle(press(f"v{i}", 1, f"u{i}"))
        assert await chat.query("SELECT voter, choice FROM votes ORDER BY voter") == [
            ("console:v0", "1"), *((f"console:v{i}", "0") for i in range(1, 6))
        ]
        # ... and a new one still counts.
        await chat.app.handle(press("v5", 1, "fresh"))
        assert await chat.query("SELECT choice FROM votes WHERE voter = 'console:v5'") == [("1",)]
    finally:
        await chat.stop()


async def test_updates_applied_over_14_days_ago_are_forgotten_soon_after_a_start(tmp_path: Path) -> None:
    """The record of applied updates keeps 14 days (platforms redeliver for a day at most), and
    its first pass comes minutes after a start, so a bot restarted daily still forgets."""
    clock = ManualClock()
    chat = await Chat.start(tmp_path, clock=clock)
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    await chat.app.handle(press("ann", 0, "old"))
    await chat.advance("13d")
    await chat.app.handle(press("bob", 0, "recent"))
    await chat.stop()
    clock.advance(timedelta(days=2))  # down for two days; started again
    chat = await Chat.start(tmp_path, clock=clock)
    try:
        writer = chat.app.writer

        async def kept(event_id: str) -> bool:
            return bool(await chat.query("SELECT 1 FROM seen_events WHERE event_id = ?", writer.token(event_id)))

        assert await kept("old") and await kept("recent")
        await chat.advance("11m")
        assert not await kept("old") and await kept("recent")
        await chat.app.handle(press("bob", 1, "recent"))  # a redelivery within the 14 days changes nothing
        assert await chat.query("SELECT choice FROM votes WHERE voter = 'console:bob'") == [("0",)]
    finally:
        await chat.stop()


def _tokens_share_64_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token made to share its first 64 bits (and packed at once), so each check of one
    on record goes to seen_events."""
    monkeypatch.setattr(writer_module, "_COMPACT", 1)
    real = Writer.token

    def clashing(self: Writer, event_id: str) -> str:
        return "k:" + "0" * 16 + real(self, event_id)[2:18]

    monkeypatch.setattr(Writer, "token", clashing)


async def test_an_id_sharing_64_bits_with_an_applied_one_is_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every token made to share its first 64 bits, so each check goes to seen_events."""
    _tokens_share_64_bits(monkeypatch)
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
        await chat.app.handle(press("ann", 0, "a"))
        chat.app.dispatcher._recent.clear()
        await chat.app.handle(press("bob", 1, "b"))  # same 64 bits as "a": still counted
        await chat.app.handle(press("ann", 1, "a"))  # "a" again: dropped
        chat.app.dispatcher._recent.clear()
        await chat.app.handle(press("ann", 1, "a"))
        assert await chat.query("SELECT voter, choice FROM votes ORDER BY voter") == [
            ("console:ann", "0"), ("console:bob", "1")
        ]
    finally:
        await chat.stop()


async def test_unusual_ids_on_record_are_kept_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page holding something other than keyed tokens is read row by row; those ids are kept
    whole, the keyed ones packed, and both are recognised."""
    monkeypatch.setattr(writer_module, "_PAGE", 2)
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    await chat.app.handle(press("ann", 0, "a"))
    await chat.app.handle(press("bob", 0, "b"))
    await chat.app.handle(press("cat", 0, "c"))

    async def odd(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("INSERT INTO seen_events(event_id, seen_at) VALUES ('k:NOT-HEX', '2026-01-01')")

    assert chat.app.writer is not None
    await chat.app.writer.run(odd)
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        writer = chat.app.writer
        assert isinstance(writer, Writer)
        assert writer._applied.recent == {"k:NOT-HEX"} and len(writer._applied.packed) == 3
        assert writer._applied.maybe("k:NOT-HEX") is True
        for event_id in "abc":
            assert await writer.has_seen(event_id)
        assert not await writer.has_seen("d")
    finally:
        await chat.stop()


async def test_copies_arriving_while_the_database_is_asked_run_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two copies of one update arrive together while its check waits on the database (its first
    64 bits are on record): one is acted on, the other dropped without a reply."""
    _tokens_share_64_bits(monkeypatch)
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup")
        await chat.app.handle(press("ann", 0, "a"))  # packs the shared 64 bits
        before = len(chat.transport.transcript)
        copy = press("bob", 1, "b")
        import asyncio

        await asyncio.gather(chat.app.handle(copy), chat.app.handle(copy))
        assert await chat.query("SELECT voter, choice FROM votes ORDER BY voter") == [
            ("console:ann", "0"), ("console:bob", "1")
        ]
        assert [t for t in chat.transport.transcript[before:] if "Your vote" in t] == [
            "  [bob (private)] bot: Your vote in poll 1: Soup — you can change it until the poll closes."
        ]
    finally:
        await chat.stop()


def test_update_tokens_are_hmac_sha256_of_the_update_id() -> None:
    """Tokens on record must be made the same way after an upgrade, or a redelivery would count."""
    for key in ("test-secret-for-tests", "k" * 100):  # a key longer than SHA-256's block is hashed first
        writer = Writer(None, lambda: "", key)  # type: ignore[arg-type]
        for event_id in ("tg:12345:678", "mx:$event:example.org", "élan \ud800"):
            message = b"update\x00" + event_id.encode("utf-8", "surrogatepass")
            assert writer.token(event_id) == "k:" + hmac.digest(key.encode(), message, "sha256")[:16].hex()
