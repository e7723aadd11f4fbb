"""Bad input gets one clear answer and changes nothing — checked command by command, and with
random text from hypothesis."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Chat

SETUP = [
    "chair: /poll Lunch? | Pizza | Soup --closes 1h",
    "chair: /poll Secret? --secret",
    "chair: /poll Days? | Mon | Tue | Wed --multi 2",
    "chair: /poll Done?",
    "ann: /vote 1 Pizza",
    "chair: /close 4",
]

# Each line must be refused with one message containing the fragment, and change nothing.
BAD = [
    ("chair: /poll", "needs a question"),
    ("chair: /poll Lunch? | Pizza", "at least two options"),
    ("chair: /poll Lunch? | Pizza | | Soup", "option is empty"),
    ("chair: /poll Lunch? | Pizza | pizza", "same name"),
    ("chair: /poll Q? | 1 | 2", "bare number"),
    ("chair: /poll Q? --closes soon", "cannot read the deadline"),
    ("chair: /poll Q? --closes 0m", "in the past or too close"),
    ("chair: /poll Q? --closes 2020-01-01T10:00", "in the past"),
    ("chair: /poll Q? --closes 400d", "more than a year"),
    ("chair: /poll Q? --closes", "needs a value"),
    ("chair: /poll Q? --multi 1", "--multi takes a number of at least 2 (the most options a member may choose), "
                                  "not “1”"),
    ("chair: /poll Q? | A | B | C --multi 3 x", "--multi takes a number of at least 2 (the most options a member may "
                                                "choose), not “3 x”"),
    ("chair: /poll Q? | A | B | C --multi 2.5", "whole number of at least 2 (the most options a member may choose), "
                                                "not “2.5”"),
    ("chair: /poll Q? | A | B | C --multi " + "9" * 50, "not “" + "9" * 19 + "…”"),
    ("chair: /poll Q? | A | B --ranked --seats x", "--seats takes a whole number of at least 1, not “x”"),
    ("chair: /poll Q? --roll --quorum 33.33333333%",
     "--quorum “33.33333333%”: a quorum has at most 9 digits before the decimal point and 6 after it"),
    ("chair: /poll Q? --quorum 1234567890", "at most 9 digits before the decimal point"),
    ("chair: /poll Q? | A | B --multi 3", "more than the 2 options"),
    # In another room, the room is said first, whatever else is wrong.
    ("ann #elsewhere: /vote 1 A0", "Poll 1 belongs to another room"),
    ("ann #elsewhere: /vote 1 Pizza Soup", "Poll 1 belongs to another room"),
    ("ann #elsewhere: /vote 2 withdraw --for Nobody", "Poll 2 is a secret ballot: nothing was changed here"),
    ("ann #elsewhere: /vote 4 Pizza", "Poll 4 belongs to another room"),
    ("ann #elsewhere: /results 1 --colour", "Poll 1 belongs to another room"),
    ("ann #elsewhere: /receipts 2 now", "Poll 2 belongs to another room"),
    ("ann #elsewhere: /ballots 4 now", "Poll 4 belongs to another room"),
    ("chair: /poll Q? | A | B | C --multi 2 pm",
     "--multi takes a whole number, such as --multi 2, but “2 pm” reads as a time; to set when the poll closes, write "
     "--closes 2 pm"),
    ("chair: /poll Q? --multi 2", "not for proposals"),
    ("chair: /poll Q? --quorum 40%", "needs a known electorate"),
    ("chair: /poll Q? --quorum lots", "not a number"),
    ("chair: /poll Q? --quorum 0%", "between 1% and 100%"),
    ("chair: /poll Q? --majority huge", "unknown; choose one of"),
    ("chair: /poll Q? --majority absolute", "needs a known electorate"),
    ("chair: /poll Q? --secret --secret", "given twice"),
    ("chair: /poll Q? --colour red", "unknown option --colour"),
    ("chair: /poll Q? --card", "card vote weighs each member by the roll"),
    ("chair: /poll Q? --roll", "roll is empty"),
    ("chair: /poll Q? --secret --native", "cannot be secret"),
    ("chair: /poll Q? | A | B --seats 2", "--seats is for ranked"),
    ("chair (private): /poll Q?", "not in a private chat"),
    ("ann: /poll Q?", "Only organisers"),
    ("ann: /vote", "Say which poll"),
    ("ann: /vote x Pizza", "not a poll number"),
    ("ann: /vote 99 Pizza", "There is no poll 99"),
    ("ann: /vote 1", "say which option"),
    ("ann: /vote 1 Pasta", "no option is called “Pasta”"),
    ("ann: /vote 1 7", "there is no option 7"),
    ("ann: /vote 1 0", "there is no option 0"),
    ("ann: /vote 1 1 2", "choose one option only"),
    ("ann: /vote 1 Pizza, Pizza", "named twice"),
    ("ann: /vote 3 Mon Tue Wed", "at most 2"),
    ("ann: /vote 4 yes", "closed"),
    ("ann: /vote 2 yes", "secret ballot"),
    ("ann: /rank 1 1 2", "not ranked"),
    ("ann: /results", "Say which poll"),
    ("ann: /results 1 extra", "Unexpected"),
    ("ann: /results 2 --names", "never shown"),
    ("ann #other: /vote 1 Pizza", "belongs to another room"),
    ("ann: /close 1", "Only an organiser"),
    ("chair: /close 4", "already closed"),
    ("chair: /close 1 now", "Usage: /close POLL"),
    ("ann: /join", "Usage: /join CODE"),
    ("ann: /join NOPE-NOPE", "not on the roll"),
    ("ann: /whoami please", "no arguments"),
    ("ann: /polls all", "no arguments"),
    ("ann: /receipt 2", "private chat"),
    ("ann (private): /receipt 1", "open ballot"),
    ("ann: /help frobnicate", "no command /frobnicate"),
    ("ann (private): /frobnicate", "Unknown command /frobnicate"),
    ("ann: /clsoe 1", "Unknown command /clsoe: did you mean /close?"),
    ("ann (private): /start vote-x", "not valid"),
    ("ann (private): /start vote-4", "closed"),
]


@pytest.fixture
async def seeded(chat: Chat) -> Chat:
    await chat.say(*SETUP)
    return chat


@pytest.mark.parametrize(("line", "fragment"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_one_clear_answer_and_no_change(seeded: Chat, line: str, fragment: str) -> None:
    before = await seeded.snapshot()
    out = await seeded.say(line)
    replies = [ln for ln in out.splitlines() if " bot: " in ln]
    assert len(replies) == 1, out
    assert fragment.lower() in out.lower(), out
    assert "went wrong" not in out
    assert await seeded.snapshot() == before


@pytest.mark.parametrize("line", [
    "chair: /poll on\xa018:00\xa0\ud800",
    "chair: /poll Lunch \ud800? | A\udfff | B",
    "ann: /vote 1 \ud800",
    "ann (private): hello \udc00",
    "chair: /motion new Title \ud800",
    "ann (private): /join \ud800\ud800",
    "chair: /poll Lunch\x00? | A\x00 | B",
], ids=["question", "options", "vote", "conversation", "motion", "join", "nul"])
async def test_a_lone_surrogate_is_read_as_an_unreadable_character(seeded: Chat, line: str) -> None:
    """A platform's JSON may carry a lone UTF-16 surrogate, which no UTF-8 database or API takes:
    it is read as U+FFFD, and the command is answered as any other."""
    out = await seeded.say(line)
    assert "went wrong" not in out and len([ln for ln in out.splitlines() if " bot: " in ln]) >= 1


SUCCESS = ("Your vote in poll", "Poll ", "Welcome", "Result", "is closed", "Your ranking")

commands = st.sampled_from(["/poll", "/vote", "/rank", "/results", "/close", "/polls", "/join", "/help",
                            "/receipt", "/start", "/whoami", "/"])
# Any text, with lone UTF-16 surrogates (a platform's JSON may carry them), markup characters and
# right-to-left marks drawn often.
junk = st.text(alphabet=st.one_of(st.characters(blacklist_categories=(), blacklist_characters="\n\r"),
                                  st.sampled_from(["\ud800", "\udfff", "<", "&", "\u202e"])), max_size=60)
speakers = st.sampled_from(["chair: ", "ann: ", "bob (private): ", "ann #x: "])


def test_random_text_never_crashes_and_errors_change_nothing() -> None:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        chat = loop.run_until_complete(Chat.start(Path(tmp)))
        loop.run_until_complete(chat.say(*SETUP))

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(speaker=speakers, cmd=commands, args=junk)
        def check(speaker: str, cmd: str, args: str) -> None:
            before = loop.run_until_complete(chat.snapshot())
            out = loop.run_until_complete(chat.say(f"{speaker}{cmd} {args}"))
            assert "went wrong" not in out
            after = loop.run_until_complete(chat.snapshot())
            if after != before:
                assert any(s in out for s in SUCCESS), out

        try:
            check()
        finally:
            loop.run_until_complete(chat.stop())
            loop.close()


@given(st.text(max_size=200))
def test_parsers_are_total(text: str) -> None:
    """The pure parsers answer every input with a value or their own error type."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.features.polls.parse import ChoiceError, SpecError, parse_choice, parse_poll
    from bot.kernel.durations import DeadlineError, parse_deadline
    from bot.kernel.grammar import split_command

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    split_command(text, ("/", "!"))
    try:
        parse_poll(text, now, ZoneInfo("Europe/London"))
    except SpecError:
        pass
    try:
        parse_choice(text, ("Pizza", "Soup", "Abstain"), 2)
    except ChoiceError:
        pass
    try:
        parse_deadline(text, now, ZoneInfo("UTC"))
    except DeadlineError:
        pass


async def test_an_override_cannot_make_a_ballot_line_read_otherwise(seeded: Chat) -> None:
    """A right-to-left override in an option would show the rest of the line reversed; it is
    dropped as the option is read, and the option is voted on by its visible name."""
    out = await seeded.say("chair: /poll Strike? | Yes\u202e | No")
    assert "\u202e" not in out and "1. Yes" in out
    assert "Your vote in poll 2: Yes" in await seeded.say("ann (private): /vote 2 Yes")
