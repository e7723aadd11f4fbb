"""Native polls, redelivered updates, flood control and odd updates, through the peer."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.kernel.effects import Send, SendPrivate
from bot.kernel.markup import b, lines, pre
from bot.kernel.ports import DeliveryRefused
from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import TelegramPeer
from tests.peers.telegram.ptb import free_port


async def test_a_native_poll_is_counted_and_stopped_at_close(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    members = peer.create_users(3)
    group = group_with_bot(peer, organiser, members)
    started(peer, organiser)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Lunch? | Pizza | Soup --native", group)
        sent = await peer.wait_for_calls("sendPoll")
        assert sent[0].params["is_anonymous"] in (False, "false", "False")
        poll_message = await peer.wait_for_bot_message(group, lambda m: m.poll is not None)
        assert poll_message.poll is not None
        note = await peer.wait_for_bot_message(peer.private_chat(organiser), containing="native poll")
        assert "whole group" in (note.text or "")

        peer.answer_poll(members[0], poll_message, [0])
        peer.answer_poll(members[1], poll_message, [0])
        peer.answer_poll(members[2], poll_message, [1])
        peer.answer_poll(members[2], poll_message, [0])  # changed their mind
        await bot.wait_for_rows("SELECT choice, count(*) FROM votes GROUP BY choice", [("0", 3)])

        peer.send_command(organiser, "close", "1", group)
        await peer.wait_for_calls("stopPoll")
        assert poll_message.poll.is_closed
        result = await peer.wait_for_bot_message(group, containing="Result — poll 1")
        assert "Pizza" in (result.text or "") and "3" in (result.text or "")
    finally:
        await bot.stop()


@pytest.mark.parametrize("keep_update_id", [False, True])
async def test_a_redelivered_update_never_counts_or_answers_twice(
    tmp_path: Path, fast_telegram_peer: TelegramPeer, keep_update_id: bool
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    member = peer.create_user("Max")
    group = group_with_bot(peer, organiser, [member])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Lunch? | Pizza | Soup", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        press = await peer.wait_for_answer(peer.press_button(member, ballot, "v:1:0"))
        typed = peer.send_command(member, "vote", "1 Soup", group)
        await peer.wait_for_bot_message(group, containing="Your vote in poll 1: Soup")
        replies_before = len(peer.bot_messages(group))
        await peer.wait_until_confirmed()

        assert press.update is not None and typed.update is not None
        again = [peer.redeliver(press.update, keep_update_id=keep_update_id),
                 peer.redeliver(typed.update, keep_update_id=keep_update_id)]
        for update in again:
            await peer.wait_until_delivered(update)
        # The same member's next message is handled after the repeats (one person, in order).
        peer.send_command(member, "results", "1", group)
        await peer.wait_for_bot_message(group, containing="Results so far — poll 1")

        assert await bot.votes(1) == 1
        assert (await bot.query("SELECT choice FROM votes"))[0][0] == "1"  # Soup, the later vote
        assert len(peer.bot_messages(group)) == replies_before + 1  # only the /results answer
        assert len(peer.calls("answerCallbackQuery")) == 1
        assert not peer.failed_calls()
    finally:
        await bot.stop()


# PTB itself warns, when it builds each RetryAfter, that retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_burst_past_the_limits_draws_429s_and_still_delivers_each_message_once(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    group = group_with_bot(peer, organiser, [])
    # The adapter paces itself ten times faster than the peer allows, so flood control answers 429.
    bot = await TelegramBot.start(tmp_path, peer, time_scale=0.001)
    try:
        texts = [f"notice {n}" for n in range(60)]
        delivered = await asyncio.gather(*(bot.app.transports.deliver(Send(f"tg:{group.id}", t)) for t in texts))
        assert all(d is not None and d.ref for d in delivered)
        assert peer.too_many_requests_sent > 0
        shown = peer.bot_texts(group)
        assert sorted(shown) == sorted(texts)  # every one, exactly once
    finally:
        await bot.stop()


async def test_long_messages_are_split_and_refusals_are_permanent(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    organiser, stranger = peer.create_user("Olga"), peer.create_user("Stan")
    group = group_with_bot(peer, organiser, [])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        rows = "\n".join(f"round {n:4}: transfer {n * 7:6} votes" for n in range(400))
        long_text = lines(b("Count"), pre(rows), "The end.")
        await bot.app.transports.deliver(Send(f"tg:{group.id}", long_text))
        parts = peer.bot_messages(group)
        assert len(parts) >= 3 and not peer.failed_calls()
        assert all(len(m.text or "") <= 4096 for m in parts)
        assert "".join(m.text or "" for m in parts).count("round") == 400
        assert parts[0].text.startswith("Count\n") and "<b>" not in "".join(m.text or "" for m in parts)

        with pytest.raises(DeliveryRefused):  # Stan never opened a chat with the bot
            await bot.app.transports.deliver(SendPrivate(f"tg:{stranger.id}", "Reminder"))
    finally:
        await bot.stop()


async def test_malformed_and_unexpected_updates_are_skipped(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    member = peer.create_user("Max")
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.world.queue.push("message", {"message_id": 1, "text": "no chat, no date"})
        peer.world.queue.push("message_reaction", {"weird": True})
        said = peer.send_message(member, "hello")
        peer.edit_user_message(said, "/help")  # an edited command is not re-read: it says so
        peer.send_message(member, "/start")
        await peer.wait_for_bot_message(peer.private_chat(member), containing="Hello!")
        await peer.wait_until_confirmed()
        texts = peer.bot_texts(peer.private_chat(member))
        assert len(texts) == 3 and "I understand commands" in texts[0]
        assert texts[1] == "Edits are not re-read: send /help again as a new message."
        assert {c["command"] for c in peer.commands()} >= {"poll", "vote", "rank", "close"}
    finally:
        await bot.stop()


async def test_webhook_mode(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    member = peer.create_user("Max")
    port = free_port()
    bot = await TelegramBot.start(
        tmp_path, peer, webhook_url=f"http://127.0.0.1:{port}/quorum-hook", webhook_port=port
    )
    try:
        await peer.wait_for(lambda: peer.world.webhook.url, what="setWebhook")
        assert peer.world.webhook.secret_token
        peer.send_message(member, "/start")
        await peer.wait_for_bot_message(peer.private_chat(member), containing="Hello!")
    finally:
        await bot.stop()


async def test_a_webhook_skips_an_update_it_cannot_read_and_refuses_posts_without_the_secret(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Telegram posts an update again until it is answered with a 2xx, and the updates behind
    it wait: an update the bot cannot read is answered and skipped, as in long polling. A post
    that does not carry the secret Telegram was given is refused and never handled."""
    peer = fast_telegram_peer
    member = peer.create_user("Max")
    port = free_port()
    hook = f"http://127.0.0.1:{port}/quorum-hook"
    bot = await TelegramBot.start(tmp_path, peer, webhook_url=hook, webhook_port=port)
    try:
        peer.world.queue.push("message", {"message_id": 1, "text": "no chat, no date"})
        peer.send_message(member, "/start")
        await peer.wait_for_bot_message(peer.private_chat(member), containing="Hello!")
        await peer.wait_until_confirmed()
        forged = {"update_id": 1, "message": {
            "message_id": 99, "date": 1, "chat": {"id": member.id, "type": "private", "first_name": "Max"},
            "from": {"id": member.id, "is_bot": False, "first_name": "Max"}, "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
        async with ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
                async with session.post(hook, json=forged, headers=headers) as response:
                    assert response.status == 403
        peer.send_message(member, "/start")
        await peer.wait_for(lambda: len(peer.bot_texts(peer.private_chat(member))) == 2, what="the second answer")
        assert all(text.startswith("Hello!") for text in peer.bot_texts(peer.private_chat(member)))
    finally:
        await bot.stop()


async def test_sends_survive_an_outage_and_follow_a_group_upgrade(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    basic = group_with_bot(peer, organiser, [], supergroup=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        upgraded = peer.upgrade_to_supergroup(basic)
        await bot.app.transports.deliver(Send(f"tg:{basic.id}", "after the upgrade"))
        assert peer.bot_texts(upgraded) == ["after the upgrade"]

        await peer.stop()  # Telegram unreachable: the send is retried until it is back
        sending = asyncio.create_task(bot.app.transports.deliver(Send(f"tg:{upgraded.id}", "after the outage")))
        await asyncio.sleep(0.3)
        assert not sending.done()
        await peer.start()
        assert await asyncio.wait_for(sending, 20) is not None
        assert peer.bot_texts(upgraded) == ["after the upgrade", "after the outage"]
    finally:
        await bot.stop()


async def test_the_quorum_command_runs_the_bot_on_telegram(tmp_path: Path, telegram_peer: TelegramPeer) -> None:
    from dataclasses import replace

    from bot.cli import _run_platforms
    from bot.kernel.config import TelegramConfig, parse_config

    peer = telegram_peer
    config = replace(
        parse_config({}),
        database=tmp_path / "quorum.db",
        telegram=TelegramConfig(token=peer.token, base_url=peer.base_url),
    )
    running = asyncio.create_task(_run_platforms(config))
    try:
        member = peer.create_user("Max")
        peer.send_message(member, "/start")
        await peer.wait_for_bot_message(peer.private_chat(member), containing="Hello!", within=20)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
