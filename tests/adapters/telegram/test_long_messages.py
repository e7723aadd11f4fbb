"""Long texts on Telegram: a message is limited to 4096 characters of the text people see (Bot
API ``sendMessage``: "after entities parsing"), and the pop-up answer to a press to 200."""

from __future__ import annotations

from pathlib import Path

from adapters.telegram.ids import qualified
from bot.kernel.effects import Edit, Send
from bot.kernel.markup import b, lines, pre
from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer

SIGNS = "<&> " * 22  # 88 characters that the HTML source spells in 308


async def test_a_ballot_full_of_markup_characters_is_one_message_and_its_tally_shows_whole(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """The largest ballot a poll may have (a 300-character question, 20 options of 100), its
    text full of ``&``, ``<`` and ``>``: some 2,400 characters to read, over 7,000 of HTML."""
    peer = fast_telegram_peer
    organiser, member = peer.create_user("Olga"), peer.create_user("Max")
    group = group_with_bot(peer, organiser, [member])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        question = ("Q " + SIGNS * 4)[:299] + "?"
        options = [f"Option {n:02}: {SIGNS}".strip() for n in range(1, 21)]
        assert len(question) == 300 and all(len(o) <= 100 for o in options)
        peer.send_command(organiser, "poll", " | ".join([question, *options]), group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        assert ballot.source is not None and len(ballot.source) > 7000
        assert len([m for m in peer.bot_messages(group) if "Option" in (m.text or "")]) == 1
        assert options[-1] in (ballot.text or "") and len(ballot.buttons) == 20

        press = await peer.wait_for_answer(peer.press_button(member, ballot, "v:1:19"))
        assert press.answer_text and press.answer_text.startswith("Your vote in poll 1:")
        await peer.wait_for(lambda: "1 voted so far" in (ballot.text or ""), within=10, what="the live tally")
        text = ballot.text or ""
        assert f"20. {options[-1]} — 1" in text and "To vote: /vote" in text and "…" not in text
        assert not peer.failed_calls()
    finally:
        await bot.stop()


async def test_an_edit_too_long_for_one_message_says_it_was_cut(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """Nothing the bot edits is that long (a ballot fits); if something were, the message shows
    what fits, cut at a line end, and says the rest is cut rather than ending in a bare "…"."""
    peer = fast_telegram_peer
    organiser = peer.create_user("Olga")
    group = group_with_bot(peer, organiser, [])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        rows = "\n".join(f"Round {n}: " + "█" * 60 for n in range(1, 121))
        delivered = await bot.app.transports.send(Send(qualified(group.id), lines(b("Transfers"), pre(rows))))
        assert delivered is not None and delivered.ref
        edited = "\n".join(f"Count {n}: " + "▒" * 60 for n in range(1, 121))
        await bot.app.transports.send(Edit(qualified(group.id), delivered.ref, lines(b("Recount"), pre(edited))))

        message = await peer.wait_for(
            lambda: next((m for m in peer.bot_messages(group) if "Recount" in (m.text or "")), None),
            what="the edited message")
        text = message.text or ""
        assert len(text) <= 4096
        assert text.endswith("\n… (too long for one message: the rest is cut)")
        last_shown = text.splitlines()[-2]  # a whole line: the cut falls at a line end
        assert last_shown.startswith("Count ") and last_shown.endswith(" " + "▒" * 60)
        assert not peer.failed_calls()
    finally:
        await bot.stop()


async def test_a_long_answer_to_a_press_is_cut_after_a_whole_word_and_says_so(
    tmp_path: Path, fast_telegram_peer: TelegramPeer
) -> None:
    """The pop-up a press gets holds 200 characters (Bot API ``answerCallbackQuery``); a ranking
    of three long names says more, so it ends after the last word that fits, with "…"."""
    peer = fast_telegram_peer
    organiser, ann = peer.create_user("Olga"), peer.create_user("Ann")
    group = group_with_bot(peer, organiser, [ann])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        names = ["Asha Abdullahi of the Northern Region Branch Committee",
                 "Bilal Hussain of the Southern Region Branch Committee",
                 "Cora Jones-Whitfield of the Eastern Region Branch Committee"]
        peer.send_command(organiser, "poll", " | ".join(["Chair?", *names]) + " --ranked", group)
        await peer.wait_for_bot_message(group, containing="Poll 1")
        peer.open_deep_link(ann, "vote-1")
        mine = await peer.wait_for_bot_message(peer.private_chat(ann), containing="Pick candidates in order")
        for data in ("r:1:2", "r:1:0", "r:1:1"):
            await peer.wait_for_answer(peer.press_button(ann, mine, data))
        confirm = await peer.wait_for_answer(peer.press_button(ann, mine, "r:1:ok"))

        full = (f"Your ranking in poll 1: 1. {names[2]}, 2. {names[0]}, 3. {names[1]}"
                " — you can change it until the poll closes.")
        assert full[199].isalpha() and full[200].isalpha()  # 200 characters would end mid-word
        shown = confirm.answer_text or ""
        assert len(shown) <= 200 and shown.endswith("…")
        kept = shown.removesuffix("…")
        assert full.startswith(kept) and not full[len(kept)].isalnum() and kept[-1].isalnum()
        assert await bot.votes(1) == 1
        assert not peer.failed_calls()
    finally:
        await bot.stop()
