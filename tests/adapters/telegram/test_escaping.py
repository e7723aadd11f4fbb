"""Whatever members type reaches Telegram as the text they typed: never as markup, never
escaped twice. The peer parses every message as Telegram does, so a tag that leaked would be a
live entity (or a 400 "can't parse entities"), and an entity escaped twice would show as
``&amp;lt;``.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from bot.kernel.wording import quoted
from tests import texts
from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import TelegramPeer
from tests.peers.telegram.fixtures import FAST_TIME_SCALE
from tests.peers.telegram.models import Message
from tests.texts import as_read, phrase

AUTOMATIC = {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number"}
"""Entities Telegram finds in any text by itself; formatting entities come only from markup."""


def formatting(message: Message) -> list[str]:
    """The formatting entities of MESSAGE, by type, in order: what its markup made."""
    return [e["type"] for e in message.entities if e["type"] not in AUTOMATIC]


class Branch:
    """A new group with its organiser for each example, so no one meets the fair-use limits."""

    def __init__(self, peer: TelegramPeer, n: int) -> None:
        self.peer = peer
        self.organiser = peer.create_user(f"Organiser {n}")
        self.group = group_with_bot(peer, self.organiser, [], title=f"Branch {n}")

    async def ask(self, command: str, args: str, containing: str) -> Message:
        sent = self.peer.send_command(self.organiser, command, args, self.group)
        return await self.peer.wait_for_bot_message(
            self.group, lambda m: m.reply_to is not None and m.reply_to.message_id == sent.message_id
            or containing in (m.text or ""), after=sent, within=10,
        )


def test_member_text_is_shown_as_typed_and_never_as_markup() -> None:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        peer = loop.run_until_complete(TelegramPeer(time_scale=FAST_TIME_SCALE).start())
        bot = loop.run_until_complete(TelegramBot.start(Path(tmp), peer))
        branches = iter(range(1, 10_000))
        baseline: dict[str, Any] = {}

        async def play(question: str, option: str, mistake: str, title: str) -> None:
            branch = Branch(peer, next(branches))
            poll = await branch.ask("poll", f"{question} | yes {option} | no {option}", "Poll ")
            refusal = await branch.ask("vote", f"{poll_id(poll)} {mistake}", "no option")
            form = await branch.ask("signup", f"open {title}", "Show your support")
            results = await branch.ask("results", f"{poll_id(poll)} {mistake}", "Usage")
            unknown = await branch.ask("help", mistake, "no command")
            motion = await branch.ask("motion", f"new {title}", "created")
            sent = {"poll": poll, "refusal": refusal, "form": form, "results": results, "help": unknown,
                    "motion": motion}
            for kind, message in sent.items():
                assert message.parse_mode == "HTML" and message.text, (kind, message.source)
                assert formatting(message) == baseline.setdefault(kind, formatting(message)), (kind, message.source)
            assert as_read(question) in (poll.text or "")
            assert as_read(f"yes {option}") in (poll.text or "") and as_read(f"no {option}") in (poll.text or "")
            assert [b["text"] for b in poll.buttons] == [as_read(f"yes {option}"), as_read(f"no {option}")]
            assert all(quotes(m.text or "", mistake) for m in (refusal, results, unknown))
            assert as_read(title) in (form.text or "") and as_read(title) in (motion.text or "")
            assert not peer.failed_calls()

        @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(question=phrase, option=texts.option, mistake=texts.mistake, title=phrase)
        def check(question: str, option: str, mistake: str, title: str) -> None:
            loop.run_until_complete(play(f"Q {question}?", option, f"maybe{mistake}", f"T {title}"))

        try:
            loop.run_until_complete(play("Lunch on Friday?", "pizza", "maybe", "Save the library"))  # the baseline
            check()
        finally:
            loop.run_until_complete(bot.stop())
            loop.run_until_complete(peer.stop())
            loop.close()


def quotes(text: str, mistake: str) -> bool:
    """TEXT quotes MISTAKE as typed: in curly quotes, or as part of a command named back; a long
    one by at least its first 20 characters as typed, then an ellipsis (a refusal stays one short
    message whatever was typed, ``bot.kernel.wording.clipped``)."""
    shown = as_read(mistake)
    return (quoted(shown) in text or shown in text
            or any(shown[:n].rstrip() + "…" in text for n in range(20, len(shown))))


def poll_id(message: Message) -> str:
    text = message.text or ""
    return text.split("Poll ", 1)[1].split(":", 1)[0]
