"""Deadlines as an organisation in one time zone types them and lives through them: a date and
a time written with a space, a day across the clocks going back, a time the clocks show twice,
and a submission at the very second of its deadline — through the console, across a restart."""

from __future__ import annotations

from pathlib import Path

from bot.kernel.config import parse_config
from tests.helpers import Chat

LONDON = parse_config({"bot": {"timezone": "Europe/London"}})


async def test_a_date_and_time_written_with_a_space_is_one_deadline(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, LONDON)
    try:
        out = await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 2026-06-03 18:00")
        assert "Closes Wed 03 Jun 18:00 (Europe/London)." in out, out
        out = await chat.say("chair: /motion new Fund schools --deadline 2026-06-10 17:00 --conference")
        assert "Submission deadline: Wed 10 Jun 17:00 (Europe/London)." in out, out
        out = await chat.say("chair: /motion M1 deadline 2026-06-11 17:00")
        assert "must be submitted by Thu 11 Jun 17:00 (Europe/London)." in out, out
        # A date in the question itself stays text.
        out = await chat.say("chair: /poll Meet on 2026-06-05 18:30? | Yes | No")
        assert "Poll 2: Meet on 2026-06-05 18:30?" in out, out
    finally:
        await chat.stop()
