"""A group poll through Telegram: buttons, answers to each press, live tally, roles."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer


async def test_fifty_members_vote_by_buttons_and_change_their_votes(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    members = peer.create_users(50)
    group = group_with_bot(peer, organiser, members)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Back the motion on free movement?", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        assert [b["callback_data"] for b in ballot.buttons] == ["v:1:0", "v:1:1", "v:1:2"]

        presses = [peer.press_button(m, ballot, "v:1:0") for m in members]
        for press in presses:
            await peer.wait_for_answer(press, within=20)
        assert all(p.answer_text and p.answer_text.startswith("Your vote in poll 1: Yes") for p in presses)

        changes = [peer.press_button(m, ballot, "v:1:1") for m in members[:20]]
        for press in changes:
            await peer.wait_for_answer(press, within=20)
        assert all(p.answer_text and p.answer_text.startswith("Your vote in poll 1: No") for p in changes)

        await peer.wait_for(
            lambda: "1. Yes — 30" in (ballot.text or "") and "2. No — 20" in (ballot.text or ""),
            within=20,
            what="the live tally",
        )
        assert "50 voted so far" in (ballot.text or "")
        assert await bot.votes(1) == 50
        edits = peer.calls("editMessageText")
        assert 1 <= len(edits) < len(presses) + len(changes)  # throttled, not one per vote
        assert not peer.failed_calls("answerCallbackQuery")
        assert len(peer.calls("answerCallbackQuery")) == 70
        assert peer.too_many_requests_sent == 0

        peer.send_command(organiser, "close", "1", group)
        result = await peer.wait_for_bot_message(group, containing="Result — poll 1")
        assert "CARRIED" in (result.text or "")
        await peer.wait_for(lambda: "Closed." in (ballot.text or ""), what="the closed ballot")
        assert not ballot.buttons
    finally:
        await bot.stop()


async def test_a_member_who_is_not_an_admin_cannot_run_the_meeting(tmp_path: Path, telegram_peer: TelegramPeer) -> None:
    peer = telegram_peer  # Telegram's own flood-control periods
    organiser = peer.create_user("Olga")
    member = peer.create_user("Max")
    group = group_with_bot(peer, organiser, [member])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        asked = peer.send_command(member, "poll", "Dissolve the branch? | Yes | No", group)
        refusal = await peer.wait_for_bot_message(group, containing="Only organisers")
        assert refusal.reply_to is not None and refusal.reply_to.message_id == asked.message_id
        assert not await bot.query("SELECT id FROM polls")

        peer.send_command(organiser, "poll", "Lunch? | Pizza | Soup", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.send_command(member, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Only an organiser")
        assert (await bot.query("SELECT closed_at FROM polls WHERE id = 1"))[0][0] is None
        assert len(peer.calls("getChatAdministrators")) == 1  # cached
    finally:
        await bot.stop()


async def test_a_press_is_answered_once_even_when_handling_it_fails(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    member = peer.create_user("Max")
    group = group_with_bot(peer, organiser, [member])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Lunch? | Pizza | Soup", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")

        async def broken(ctx: object, data: str) -> str:
            raise RuntimeError("the database went away")

        bot.app.services.polls.on_press = broken  # type: ignore[method-assign]
        press = await peer.wait_for_answer(peer.press_button(member, ballot, "v:1:0"))
        # The spinner stops with the same words a failed command gets: nothing was recorded, try again.
        assert press.answer_text == "Sorry, something went wrong on my side. Please try again in a moment."
        assert await bot.votes(1) == 0
        assert len(peer.calls("answerCallbackQuery")) == 1 and not peer.failed_calls("answerCallbackQuery")
    finally:
        await bot.stop()


async def test_a_burst_of_two_hundred_votes_ends_with_the_final_tally_on_the_ballot(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Live-tally edits are one at a time: an edit held back (here the Bot API's front end
    failing three times, so it is tried again after three and a half seconds) is never overtaken by a later
    one, which it would then overwrite with an older tally for good. Within Telegram's limits,
    with no 429 and far fewer edits than votes."""
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    members = peer.create_users(200)
    group = group_with_bot(peer, organiser, members)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Back the motion on free movement?", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        first = [peer.press_button(m, ballot, "v:1:0") for m in members[:100]]
        for press in first:
            await peer.wait_for_answer(press, within=20)
        await peer.wait_for(lambda: "100 voted so far" in (ballot.text or ""), within=20, what="the first tally")
        peer.bad_gateway("editMessageText", times=3)
        held = peer.press_button(members[100], ballot, "v:1:1")  # its tally's edit is held back
        await peer.wait_for_answer(held, within=20)
        await peer.wait_for(lambda: peer.failed_calls("editMessageText"), what="the edit that failed")
        second = [peer.press_button(m, ballot, "v:1:1") for m in members[101:]]
        for press in second:
            await peer.wait_for_answer(press, within=20)
        assert await bot.votes(1) == 200
        await peer.wait_for(lambda: "200 voted so far" in (ballot.text or ""), within=20, what="the final tally")
        await asyncio.sleep(4.0)  # longer than the held-back edit's retries take
        assert "200 voted so far" in (ballot.text or ""), ballot.text
        assert "1. Yes — 100" in (ballot.text or "") and "2. No — 100" in (ballot.text or "")
        assert peer.too_many_requests_sent == 0
        assert len(peer.calls("editMessageText")) < 20
    finally:
        await bot.stop()


async def test_a_live_tally_edit_held_back_never_lands_after_the_close(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """A live-tally edit the Bot API's front end fails (502, tried again after half a second,
    a second and a half, three and a half) while the organiser closes the poll: the close's
    "Closed." edit waits for it and comes last, so the closed ballot keeps no tally buttons."""
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    members = peer.create_users(3)
    group = group_with_bot(peer, organiser, members)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Back the motion on free movement?", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        await peer.wait_for_answer(peer.press_button(members[0], ballot, "v:1:0"))
        await peer.wait_for(lambda: "1 voted so far" in (ballot.text or ""), what="the first tally")
        peer.bad_gateway("editMessageText", times=3)
        await peer.wait_for_answer(peer.press_button(members[1], ballot, "v:1:0"))
        await peer.wait_for(lambda: peer.failed_calls("editMessageText"), what="the edit held back")
        peer.send_command(organiser, "close", "1", group)
        await peer.wait_for_bot_message(group, containing="Result — poll 1")
        await peer.wait_for(lambda: "Closed." in (ballot.text or ""), within=10, what="the closed ballot")
        await asyncio.sleep(4.0)  # longer than the held-back edit's retries take
        assert "Closed." in (ballot.text or ""), ballot.text
        assert not ballot.buttons
    finally:
        await bot.stop()
