"""Story 3: a motion drafted by three members, amended by vote, and exported."""

from __future__ import annotations

import re
from pathlib import Path

from bot.kernel.config import parse_config
from tests.helpers import Chat, exported, invite_drafters


async def test_three_authors_amend_by_vote_and_export(chat: Chat) -> None:
    out = await chat.say("ann: /motion new Save our library")
    assert "Motion M1 created" in out
    await invite_drafters(chat, "ann", "M1", "bob", "cat")
    out = await chat.say(
        "ann: /motion M1 notes The council plans to close the central library.",
        "bob: /motion M1 believes Libraries are a public good.",
        "cat: /motion M1 resolves To campaign against the closure.",
        "bob: /motion M1 resolves To write to the council leader.",
        "cat: /motion M1 mover Ann Smith",
        "ann: /motion M1 seconder Bob Jones",
        "ann: /motion M1 proposer Riverside branch",
    )
    assert "resolves 2" in out
    out = await chat.say("ann: /motion M1 submit")
    assert "is submitted" in out
    out = await chat.say('cat: /amend M1 resolves 2 replace "the council leader" with "every councillor"')
    assert "Amendment A1 to M1" in out
    out = await chat.say("cat: /amendment A1 second")
    assert "someone else must second" in out
    out = await chat.say("ann: /amendment A1 second")
    assert "seconded by ann" in out
    # The motion cannot be voted on while its amendment is pending.
    before = await chat.snapshot()
    out = await chat.say("chair: /motion M1 vote --closes 10m")
    assert "decided before the motion itself" in out and "A1" in out
    assert await chat.snapshot() == before
    out = await chat.say("chair: /amendment A1 vote --closes 10m")
    assert "Poll 1" in out
    await chat.say("ann: /vote 1 Yes", "bob: /vote 1 Yes", "cat: /vote 1 No")
    out = await chat.advance("11m")
    assert "A1 to M1 is carried and applied" in out
    out = await chat.say("bob: /motion M1 show")
    assert "To write to every councillor." in out
    out = await chat.say("chair: /motion M1 vote --closes 10m")
    await chat.say("ann: /vote 2 Yes", "bob: /vote 2 Abstain")
    out = await chat.advance("11m")
    assert "Motion M1 (Save our library) is carried" in out
    out = await chat.say("ann: /motion M1 export md")
    assert "M1: Save our library, as Markdown." in out and "M1-Save-our-library.md" in out
    (md_file,) = exported(out)
    md = md_file.decode()
    assert "# Save our library" in md
    assert "**This branch resolves:**" in md
    assert "2. To write to every councillor." in md
    assert "*Proposed by Riverside branch*" in md
    assert "- Mover: Ann Smith" in md and "- Seconder: Bob Jones" in md
    (text_file,) = exported(await chat.say("ann: /motion M1 export text"))
    text = text_file.decode()
    assert "SAVE OUR LIBRARY" in text and "This branch notes:" in text
    history = await chat.say("ann: /motion M1 history")
    for who in ("ann", "bob", "cat"):
        assert f" {who}: " in history
    assert "amendment A1 carried and applied" in history


async def test_a_ballot_that_cannot_open_leaves_no_trace(chat: Chat) -> None:
    await chat.say(
        "ann: /motion new Short motion",
        "ann: /motion M1 resolves To act.",
        "ann: /motion M1 mover Ann",
        "ann: /motion M1 seconder Bob",
        "ann: /motion M1 submit",
        'ann: /amend M1 resolves 1 replace "act" with "act now"',
        "bob: /amendment A1 second",
    )
    before = await chat.snapshot()
    out = await chat.say("chair: /amendment A1 vote --roll")
    assert "roll is empty" in out
    assert await chat.snapshot() == before
    await chat.say("ann: /amendment A1 withdraw")
    before = await chat.snapshot()
    out = await chat.say("chair: /motion M1 vote --roll")
    assert "roll is empty" in out
    assert await chat.snapshot() == before


async def test_lost_and_unfitting_amendments_leave_the_text(chat: Chat) -> None:
    await chat.say(
        "ann: /motion new Two amendments",
        "ann: /motion M1 resolves To write to the MP.",
        'ann: /amend M1 resolves 1 replace "the MP" with "all MPs"',
        'cat: /amend M1 resolves 1 insert "local" after "the"',
        'ann: /amend M1 add believes Public services matter.',
        "bob: /amendment A1 second",
        "bob: /amendment A2 second",
        "bob: /amendment A3 second",
        "chair: /amendment A1 vote --closes 10m",
        "chair: /amendment A2 vote --closes 20m",
        "chair: /amendment A3 vote --closes 30m",
        "ann: /vote 1 Yes",
        "ann: /vote 2 Yes",
        "ann: /vote 3 No",
        "bob: /vote 3 No",
    )
    out = await chat.advance("31m")
    assert "A1 to M1 is carried and applied" in out
    assert "A2 to M1 was carried but no longer fits the text" in out  # "the" went with A1
    assert "A3 to M1 is lost" in out
    out = await chat.say("ann: /motion M1 show")
    assert "To write to all MPs." in out and "believes" not in out
    out = await chat.say("ann: /motion M1 amendments")
    assert "A1 (carried" in out and "A2 (void" in out and "A3 (lost" in out


async def test_a_motion_debated_without_a_ballot_can_still_be_put_to_the_vote(chat: Chat) -> None:
    await chat.say(
        "ann: /motion new Quick one",
        "ann: /motion M1 resolves To act.",
        "ann: /motion M1 mover Ann",
        "ann: /motion M1 seconder Bob",
        "ann: /motion M1 submit",
        "chair: /motion M1 status debated",
    )
    out = await chat.say("chair: /motion M1 vote --closes 10m")
    assert "Poll 1" in out
    before = await chat.snapshot()
    out = await chat.say("chair: /motion M1 vote --closes 10m")
    assert "already being voted on (poll 1)" in out
    assert await chat.snapshot() == before
    await chat.say("ann: /vote 1 No", "bob: /vote 1 No")
    out = await chat.advance("10m")
    assert "Motion M1 (Quick one) is lost" in out


async def test_composite_two_motions(chat: Chat) -> None:
    await chat.say(
        "ann: /motion new Save the library",
        "ann: /motion M1 notes The library is to close.",
        "ann: /motion M1 resolves To campaign for the library.",
        "bob: /motion new Keep libraries open",
        "bob: /motion M2 notes The library is to close.",
        "bob: /motion M2 resolves To lobby the council.",
        'bob: /amend M2 resolves 1 replace "lobby" with "petition"',
    )
    before = await chat.snapshot()
    for line, fragment in (("ann: /composite M1 M2 as Libraries", "Only an organiser"),
                           ("chair: /composite M1 as Libraries", "at least two different motions"),
                           ("chair: /composite M1 M2 as Libraries", "still pending"),
                           ("chair: /motion composite M1 M2 Libraries", "/composite M3 M4")):
        assert fragment in await chat.say(line)
        assert await chat.snapshot() == before
    await chat.say("bob: /amendment A1 withdraw")
    out = await chat.say('chair: /composite M1 M2 as "Libraries for all"')
    assert "Composite C1 is motion M3 (Libraries for all), drafted from M1, M2" in out
    out = await chat.say("ann: /motion M3 show")
    assert out.count("The library is to close.") == 1  # the same point is kept once
    assert "1. To campaign for the library." in out and "2. To lobby the council." in out
    assert "Proposed by Composite of M1, M2" in out
    out = await chat.say("ann: /motion M1 resolves More")
    assert "M1 is composited; its text can no longer change" in out
    assert "composited into M3 (C1)" in await chat.say("ann: /motion M2 history")


async def test_deadline_and_history_read_in_local_time_and_name_the_zone(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, parse_config({"bot": {"timezone": "Europe/London"}}))
    try:
        out = await chat.say("chair: /motion new Fund schools --deadline 2h")
        assert "Submission deadline: Mon 01 Jun 15:00 (Europe/London)." in out, out  # read where it is set
        assert "must be submitted by Mon 01 Jun 15:00 (Europe/London)." in await chat.say(
            "chair: /motion M1 deadline 2h")
        out = await chat.say("chair: /motion M1 history")
        # The clock reads 12:00 UTC, 13:00 in London in June, where the deadline is 15:00.
        assert "History of M1 (times in Europe/London):" in out
        assert "2026-06-01 13:00:00+01:00 chair: created: Fund schools" in out
    finally:
        await chat.stop()


async def test_a_withdrawn_motion_sends_no_drafting_code_and_takes_none(chat: Chat) -> None:
    await chat.say("ann: /motion new Save our library")
    out = await chat.say("ann: /motion M1 invite")
    code = re.search(r"/motion M1 draft (\S+)", out)
    assert code is not None, out
    out = await chat.say("ann: /motion M1 status withdrawn")
    assert "withdrawn" in out, out
    before = await chat.snapshot()
    for line in ("ann: /motion M1 invite", f"bob: /motion M1 draft {code.group(1)}"):
        out = await chat.say(line)
        assert len([ln for ln in out.splitlines() if " bot: " in ln]) == 1, out
        assert "Motion M1 is withdrawn; its drafting is over, so nobody can join its drafters." in out, out
        assert "draft " + code.group(1) not in out, out
    assert await chat.snapshot() == before
