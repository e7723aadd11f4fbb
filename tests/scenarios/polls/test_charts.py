"""Result charts through the real bot: a closed poll's result is followed by its chart (in the
console, a PNG file in exports/), /results POLL --chart draws it again, and a room can turn
charts off. The chart is an illustration of the announced text: it never replaces it."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from tests.helpers import Chat


def _file(out: str) -> Path:
    found = re.findall(r"file: (\S+\.png)", out)
    assert found, out
    return Path(found[-1])


async def test_a_closed_poll_is_followed_by_its_chart(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Pizza", "bob: /vote 1 Soup",
                   "cat: /vote 1 Pizza")
    out = await chat.say("chair: /close 1")
    assert out.index("Result — poll 1") < out.index("Poll 1: Lunch?")  # the text first, then its chart
    image = Image.open(_file(out))
    assert image.format == "PNG" and image.width == 900
    again = await chat.say("dan: /results 1 --chart")
    assert _file(again).read_bytes() == _file(out).read_bytes()  # drawn again, the same


async def test_a_room_turns_charts_off(chat: Chat) -> None:
    before = await chat.snapshot()
    assert "Only an organiser" in await chat.say("ann: /charts off")
    assert "Usage: /charts on|off" in await chat.say("chair: /charts maybe")
    assert await chat.snapshot() == before
    assert "now come without a chart" in await chat.say("chair: /charts off")
    await chat.say("chair: /poll Strike?", "ann: /vote 1 yes")
    out = await chat.say("chair: /close 1")
    assert "CARRIED" in out and "file:" not in out
    assert "file:" in await chat.say("ann: /results 1 --chart")  # on demand all the same
    await chat.say("chair: /charts on", "chair: /poll Again?", "ann: /vote 2 no")
    assert "file:" in await chat.say("chair: /close 2")


async def test_chart_requests_that_cannot_be_met_say_why(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "chair: /poll Nobody? | A one | B one")
    before = await chat.snapshot()
    assert "Poll 1 is open; its chart is drawn when it closes" in await chat.say("ann: /results 1 --chart")
    assert "Unexpected “--chart --chart”" in await chat.say("ann: /results 1 --chart --chart")
    assert await chat.snapshot() == before
    out = await chat.say("chair: /close 2")
    assert "NO VOTES" in out and "file:" not in out
    assert "Poll 2 has no chart: nothing was cast." in await chat.say("ann: /results 2 --chart")


async def test_a_secret_ballot_chart_and_an_election_chart(chat: Chat) -> None:
    await chat.say("chair: /poll Strike? --secret", "ann (private): /vote 1 yes", "bob (private): /vote 1 no",
                   "chair: /poll Chair? | Asha | Bilal | Chen --ranked")
    for who, ranking in (("ann", "1 2"), ("bob", "2 1"), ("cat", "3 1"), ("dan", "1 3")):
        await chat.say(f"{who} (private): /rank 2 {ranking}")
    secret = _file(await chat.say("chair: /close 1"))
    election = _file(await chat.say("chair: /close 2"))
    assert Image.open(secret).format == "PNG" and Image.open(election).format == "PNG"
    assert secret.name == "poll-1-result.png" and election.name == "poll-2-result.png"


async def test_a_chart_caption_shows_the_question_as_typed(chat: Chat) -> None:
    await chat.say('chair: /poll Adopt the <b>budget</b> & "plan"?', "ann: /vote 1 yes")
    out = await chat.say("chair: /close 1")
    assert 'Poll 1: Adopt the <b>budget</b> & "plan"?\n    file:' in out  # the Chat harness fails on &lt;
