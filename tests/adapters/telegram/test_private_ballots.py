"""Secret and ranked ballots on Telegram: cast in a private chat, opened from a deep link."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer


async def test_a_secret_ballot_is_cast_privately_and_the_group_never_sees_a_choice(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    members = peer.create_users(6, prefix="Voter")
    group = group_with_bot(peer, organiser, members)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Strike? | Yes | No --secret", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        assert ballot.buttons == [{"text": "Vote privately", "url": peer.deep_link("vote-1")}]

        for n, member in enumerate(members):
            peer.open_deep_link(member, "vote-1")
            private = peer.private_chat(member)
            mine = await peer.wait_for_bot_message(private, containing="Poll 1")
            choice = "v:1:0" if n < 4 else "v:1:1"
            press = await peer.wait_for_answer(peer.press_button(member, mine, choice))
            assert press.answer_text and press.answer_text.startswith("Your vote in poll 1:")
        assert await bot.votes(1) == 6

        peer.send_command(organiser, "close", "1", group)
        result = await peer.wait_for_bot_message(group, containing="Result — poll 1")
        assert "Yes" in (result.text or "") and "4" in (result.text or "")
        shown_in_group = [
            version.text or ""
            for message in peer.bot_messages(group)
            for version in [*message.edits, message.version()]
        ]
        names = [m.first_name for m in members]
        assert not any(name in text for text in shown_in_group for name in names)
        assert all(q.message.chat.id != group.id for q in peer.world.callback_queries.values())
    finally:
        await bot.stop()


async def test_a_secret_vote_typed_in_the_group_is_not_counted_and_taken_down_where_the_bot_may(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Ann types her choice in the group, where everyone reads it: it is not counted, and her
    message is deleted where the bot is an administrator that may delete messages; where it may
    not, she is asked to delete it herself."""
    peer = fast_telegram_peer
    olga, ann, bob = peer.create_user("Olga"), peer.create_user("Ann"), peer.create_user("Bob")
    group = peer.create_group("Branch", creator=olga, members=[ann, bob])
    peer.add_bot_to_group(group, olga, as_admin=True)
    other = peer.create_group("Second branch", creator=olga, members=[ann, bob])
    peer.add_bot_to_group(other, olga, as_admin=True, can_delete_messages=False)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(olga, "poll", "Strike? | Yes | No --secret", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        typed = peer.send_command(ann, "vote", "1 Yes", group)
        answer = await peer.wait_for_bot_message(group, containing="your vote was not counted here")
        assert typed.deleted
        assert "I deleted your message, so your choice is no longer shown here." in (answer.text or "")

        peer.send_command(olga, "poll", "Ballot? | Yes | No --secret", other)
        await peer.wait_for_bot_message(other, containing="Poll 2")
        kept = peer.send_command(bob, "vote", "2 No", other)
        refused = await peer.wait_for_bot_message(other, containing="your vote was not counted here")
        assert not kept.deleted and "please delete it yourself" in (refused.text or ""), refused.text
        assert await bot.votes(1) == 0 and await bot.votes(2) == 0
    finally:
        await bot.stop()


async def test_a_ranked_election_by_buttons_and_by_text(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    ann, ben = peer.create_user("Ann"), peer.create_user("Ben")
    group = group_with_bot(peer, organiser, [ann, ben])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Chair? | Asha | Bilal | Cora --ranked", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        assert ballot.buttons[0]["url"] == peer.deep_link("vote-1")

        peer.open_deep_link(ann, "vote-1")
        private = peer.private_chat(ann)
        mine = await peer.wait_for_bot_message(private, containing="Pick candidates in order")
        for data in ("r:1:2", "r:1:0"):
            await peer.wait_for_answer(peer.press_button(ann, mine, data))
        assert "1. Cora, 2. Asha" in (mine.text or "").replace("Your ranking so far: ", "")
        confirm = await peer.wait_for_answer(peer.press_button(ann, mine, "r:1:ok"))
        assert confirm.answer_text and "1. Cora, 2. Asha" in confirm.answer_text

        peer.send_message(ben, "/rank 1 3 1 2")
        reply = await peer.wait_for_bot_message(peer.private_chat(ben), containing="Your ranking in poll 1")
        assert "1. Cora, 2. Asha, 3. Bilal" in (reply.text or "")
        assert await bot.votes(1) == 2

        peer.send_command(organiser, "close", "1", group)
        result = await peer.wait_for_bot_message(group, containing="Cora")
        assert "Asha" in (result.text or "") or "Cora" in (result.text or "")
        group_text = " ".join(t for t in peer.bot_texts(group))
        assert "Ann" not in group_text and "Ben" not in group_text
    finally:
        await bot.stop()
