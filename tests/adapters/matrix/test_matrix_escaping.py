"""Whatever members type reaches Matrix clients as the text they typed: in ``body`` as it is,
and in ``formatted_body`` as HTML text, never as a tag of its own and never escaped twice."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from nio import Event

from bot.kernel.wording import quoted
from tests import texts
from tests.adapters.matrix.running_bot import RunningBot
from tests.adapters.matrix.scenes import body, joined
from tests.peers.synapse import (
    MatrixUser,
    SynapseServer,
    UserFactory,
    create_room,
    invite,
    join,
    notice_from,
    send_text,
)
from tests.texts import as_read, phrase

ORGANISERS = 8
"""Commands rotate among them, so no one meets the fair-use limits."""


class Rendered(HTMLParser):
    """What a client shows of a formatted_body: its text (``<br>`` as a line end) and its tags."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "br":
            self.text += "\n"

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"/{tag}")

    def handle_data(self, data: str) -> None:
        self.text += data


def edits(event: Event) -> bool:
    return event.source["content"].get("m.relates_to", {}).get("rel_type") == "m.replace"


def test_member_text_is_shown_as_typed_and_never_as_markup(synapse: SynapseServer) -> None:
    loop = asyncio.new_event_loop()
    users = UserFactory(synapse)
    with tempfile.TemporaryDirectory() as tmp:

        async def setup() -> tuple[RunningBot, str, MatrixUser, list[MatrixUser]]:
            bot = await RunningBot.start(synapse, await users.register("quorum"), Path(tmp) / "quorum.db")
            founder = await users("founder")
            organisers = [await users(f"secretary{n}") for n in range(ORGANISERS)]
            room = await create_room(founder, name="Branch", power_levels={o.user_id: 50 for o in organisers})
            for who in organisers:
                await invite(founder, room, who)
            await invite(founder, room, bot.user_id)
            for who in organisers:
                await join(who, room)
            await founder.wait_for_event(room, joined(bot.user_id))
            return bot, room, founder, organisers

        bot, room, founder, organisers = loop.run_until_complete(setup())
        turns = itertools.cycle(organisers)
        baseline: dict[str, list[str]] = {}

        async def answer(text: str) -> Event:
            """The bot's answer to TEXT, sent by the next organiser. The founder watches: every
            earlier answer is in the founder's timeline already, so the next new one is this."""
            mark = founder.mark(room)
            await send_text(next(turns), room, text)
            return await founder.wait_for_event(room, lambda e: notice_from(bot.user_id)(e) and not edits(e),
                                                start=mark)

        async def play(question: str, option: str, mistake: str, title: str) -> None:
            poll = await answer(f"!poll {question} | yes {option} | no {option}")
            number = body(poll).split("Poll ", 1)[1].split(":", 1)[0]
            refusal = await answer(f"!vote {number} {mistake}")
            form = await answer(f"!signup open {title}")
            shown = {}
            for kind, notice in {"poll": poll, "refusal": refusal, "form": form}.items():
                content = notice.source["content"]
                assert content["format"] == "org.matrix.custom.html"
                rendered = Rendered(content["formatted_body"])
                assert rendered.tags == baseline.setdefault(kind, rendered.tags), (kind, content)
                assert rendered.text == content["body"], (kind, content)  # the same text, both ways
                shown[kind] = content["body"]
            assert question in shown["poll"]
            assert f"yes {option}" in shown["poll"] and f"no {option}" in shown["poll"]
            assert quoted(mistake) in shown["refusal"]  # quoted as typed, between curly quotes
            assert title in shown["form"]

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        # Synapse answers 500 to an event holding a lone surrogate, so no member can send one.
        @given(question=phrase.map(as_read), option=texts.option.map(as_read), mistake=texts.mistake.map(as_read),
               title=phrase.map(as_read))
        def check(question: str, option: str, mistake: str, title: str) -> None:
            loop.run_until_complete(play(f"Q {question}?", option, f"maybe{mistake}", f"T {title}"))

        try:
            loop.run_until_complete(play("Lunch on Friday?", "pizza", "maybe", "Save the library"))  # the baseline
            check()
        finally:
            loop.run_until_complete(bot.stop())
            loop.run_until_complete(users.close_all())
            loop.close()
