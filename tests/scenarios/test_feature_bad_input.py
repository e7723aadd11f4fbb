"""Bad input to motions, campaigns, sign-ups and triggers gets one clear answer and changes
nothing, line by line (random commands of every feature: test_fuzz.py)."""

from __future__ import annotations

import pytest

from tests.helpers import Chat, add_members, invite_drafters

SETUP = [
    "ann: /motion M1 notes The council plans to close the library.",
    "ann: /motion M1 resolves To campaign against the closure.",
    "ann: /motion M1 mover Ann",
    "ann: /motion M1 seconder Bob",
    "chair: /motion new Fund our schools",
    "chair: /motion M2 resolves To support the campaign.",
    'bob: /amend M1 resolves 1 replace "campaign" with "fight"',
    "chair: /motion new Fund our libraries",  # M3, published once its words are final
    "chair: /motion M3 resolves To support the campaign.",
    "chair: /motion M3 status carried",
    "chair: /campaign M3 open --branches 2 --deadline 10d",
    "ann (private): /sign M3 yes",
    "chair: /signup open Assembly",
    "chair: /trigger open recall Cllr Smith --signatures 3 --closes 5d",
    "m0 (private): /sign T1 yes",
]

BAD = [
    ("ann: /motion", "Say which motion"),
    ("ann: /motion new", "Give the motion a title"),
    ("ann (private): /motion new Title", "not in a private chat"),
    ("ann: /motion new Title --emergency", "Only an organiser"),
    ("ann: /motion new Title --colour red", "unknown option --colour"),
    ("ann: /motion M9", "There is no motion M9"),
    ("ann: /motion X9 show", "not a motion id"),
    ("ann: /motion M1 frobnicate", "There is no /motion M1 frobnicate"),
    ("ann: /motion M1 resolves", "Say the text"),
    ("ann: /motion M1 edit resolves 5 New text", "no point resolves 5"),
    ("ann: /motion M1 edit believes 1 New text", "no point believes 1"),
    ("ann: /motion M1 edit wishes 1 New text", "not a section"),
    ("ann: /motion M1 remove resolves x", "point's number"),
    ("ann: /motion M1 remove resolves ²", "point's number"),
    ('ann: /amend M1 resolves ² replace "a" with "b"', "point's number"),
    ("ann: /motion M1 export pdf", "export md|text"),
    ("ann: /motion M1 status carried", "Only an organiser"),
    ("chair: /motion M1 status won", "Usage"),
    ("chair: /motion M1 vote", "still a draft"),
    ("ann: /motion M1 emergency", "Only an organiser"),
    ("chair: /motion M2 submit", "Name the mover and seconder"),
    ("ann: /motion M2 submit", "Only the drafters of M2"),
    ("ann #other: /motion M1 show", "belongs to another room"),
    # In another room, the room is said first, whatever else is wrong.
    ("ann #other: /motion M1 remove resolves x", "M1 belongs to another room"),
    ("ann #other: /motion M1 export pdf", "M1 belongs to another room"),
    ("ann #other: /motion M1 frobnicate", "M1 belongs to another room"),
    ("chair #other: /motion M1 status won", "M1 belongs to another room"),
    ("ann #other: /amend M1 wishes To win", "M1 belongs to another room"),
    ("chair #other: /campaign M3 close now", "M3 belongs to another room"),
    ("chair #other: /campaign M3 export pdf", "M3 belongs to another room"),
    ("m1 #other: /trigger T1 explode", "T1 belongs to another room"),
    ("m1 #other: /trigger T1 cancel now", "T1 belongs to another room"),
    ('ann: /amend M1 resolves 4 replace "a" with "b"', "no point resolves 4"),
    ('ann: /amend M1 resolves 1 replace "zebra" with "b"', 'does not contain "zebra"'),
    ("ann: /amend M1 resolves 1 replace campaign with fight", "double quotes"),
    ('ann: /amend M1 resolves 1 insert "x" beside "campaign"', "expected after or before or at"),
    ("ann: /amend M1 add wishes To win", "not a section"),
    ("ann: /amend M9 add resolves To win", "There is no motion M9"),
    ("ann: /amend", "Say which motion"),
    ("bob: /amendment A1 second", "someone else must second"),
    ("ann: /amendment A9 second", "There is no amendment A9"),
    ("chair: /amendment A1 vote", "no seconder yet"),
    ("ann: /amendment A1 vote", "Only an organiser"),
    ("ann: /amendment A1 withdraw", "Only an organiser"),
    ("ann: /amendment A1 dance", "There is no /amendment A1 dance"),
    ("ann: /campaign M1", "not a model-motion campaign"),
    ("ann: /campaign M3 open --branches 3", "Only an organiser"),
    ("chair: /campaign M1 open", "Set a goal"),
    ("chair: /campaign M1 open --branches lots", "whole number"),
    ("chair: /campaign M1 open --branches ²", "whole number"),
    ("ann: /campaign M3 adopted Hillside on 40 June", "not a real date"),
    ("ann: /campaign M3 adopted Hillside on 1 January 2027", "in the future"),
    ("ann (private): /sign M3 yes", "signed M3 already"),
    ("ann: /sign M3 yes", "Sign privately"),
    ("bob (private): /sign M1 yes", "M1 is not a model-motion campaign"),
    ("bob (private): /sign M3 maybe", "Usage"),
    ("bob (private): /unsign M3", "have not signed"),
    ("bob (private): /sign", "Say what to sign"),
    ("ann: /signup open Other", "Only an organiser"),
    ("ann: /signup S1", "Sign up privately"),
    ("ann (private): /signup S9", "no sign-up form S9"),
    ("ann (private): /signup cancel", "not filling in"),
    ("ann: /signup S1 export", "Only an organiser"),
    ("ann: /signup S1 close now", "Only an organiser"),
    ("chair: /signup S1 export now", "Usage: /signup S1 export"),
    # In another room, the form's room is said first, whatever else is wrong.
    ("ann #other: /signup S1 export", "Sign-up S1 belongs to another room"),
    ("ann #other: /signup S1 export now", "Sign-up S1 belongs to another room"),
    ("ann #other: /signup S1 close", "Sign-up S1 belongs to another room"),
    ("ann: /mydata", "private chat"),
    ("zed (private): /mydata erase", "nothing to erase"),  # bob's amendment A1 is his to erase
    ("bob (private): /mydata withdraw S1", "have not signed up"),
    ("bob (private): /mydata burn", "Usage"),
    ("m0: /trigger open recall Cllr Jones --signatures 2 --closes 5d", "Only an organiser"),
    ("chair: /trigger open recall Cllr Jones --closes 5d", "exactly one threshold"),
    ("chair: /trigger open recall Cllr Jones --signatures 2", "needs a deadline"),
    ("chair: /trigger open impeach Cllr Jones --signatures 2 --closes 5d", "say which kind"),
    ("chair: /trigger open recall --signatures 2 --closes 5d", "name the office"),
    ("chair: /trigger open recall X --signatures 99 --closes 5d", "can never be reached"),
    ("chair: /trigger open recall X --electorate 120% --closes 5d", "at most 100%"),
    ("chair: /trigger open recall X --branches 1/3 --closes 5d", "needs --per-branch"),
    ("chair: /trigger open recall X --branches 1/3 --per-branch 2 --closes 5d", "no branch can count"),
    ("chair: /trigger open recall X --signatures 2 --electorate 5% --closes 5d", "exactly one threshold"),
    ("chair: /trigger open recall X --signatures 2 --closes 5d --branch Nowhere", "No member on the roll"),
    ("m0 (private): /sign T1 yes", "signed T1 already"),
    ("zed (private): /sign T1 yes", "Only members on the roll"),
    ("m1 (private): /sign T9 yes", "no trigger campaign T9"),
    ("m1 (private): /unsign T1", "have not signed"),
    ("m1: /trigger T1 cancel", "Only an organiser"),
    ("m1 #elsewhere: /trigger T1", "belongs to another room"),
    ("bob: /motion M1 title A better title", "Only the drafters of M1"),
    ("bob: /motion M1 resolves To do more.", "Only the drafters of M1"),
    ("bob: /motion M1 draft ABCD-EFGH", "not the drafting code of M1"),
    ("chair: /motion M3 invite", "Motion M3 is carried; its drafting is over"),
    ("bob: /motion M3 draft ABCD-EFGH", "Motion M3 is carried; its drafting is over"),
    ("bob: /campaign M3 adopted Hillside", "Only a member of Hillside branch"),
    ("m1: /trigger T1 explode", "There is no /trigger T1 explode"),
]


async def seed(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(3)])
    await chat.say("chair: /motion new Save our library --deadline 1d")
    await invite_drafters(chat, "chair", "M1", "ann")
    await chat.say(*SETUP)


@pytest.fixture
async def seeded(chat: Chat) -> Chat:
    await seed(chat)
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


async def test_emergency_motion_skips_the_deadline(seeded: Chat) -> None:
    chat = seeded
    await chat.advance("2d")
    before = await chat.snapshot()
    out = await chat.say("ann: /motion M1 submit")
    assert "deadline for M1 passed" in out and f"({chat.app.config.timezone})" in out, out  # the time's zone
    assert await chat.snapshot() == before
    out = await chat.say("chair: /motion M1 emergency")
    assert "now an emergency motion" in out
    out = await chat.say("ann: /motion M1 submit")
    assert "M1 is submitted" in out
    out = await chat.say("ann: /motion M1 resolves More text")
    assert "changes only by amendment" in out


TRANSLATED = [
    # The room's organiser chose Welsh: refusals in the group are Welsh.
    ("ann: /motion", "Dywedwch pa gynnig, e.e. M1. Defnydd: /motion"),
    ("chair: /trigger open recall X --signatures 2 --signatures 3 --closes 5d", "Rhoddwyd --signatures ddwywaith."),
    ("chair: /trigger open recall X --signatures --closes 5d", "Mae angen gwerth ar --signatures."),
    ("chair: /trigger open recall X --signatures 2 --closes 25:00", "nid yw 25:00 yn amser o'r dydd"),
    ("ann: /help nothing", "Nid oes gorchymyn /nothing. Anfonwch /help am y rhestr."),
    # What the counting engine finds wrong with a quorum, said in the room's language.
    ("chair: /poll Q? --roll --quorum lots", "Nid yw --quorum “lots” yn rhif"),
    ("chair: /poll Q? --roll --quorum 0%", "--quorum “0%”: mae canran rhwng 1% a 100%"),
    ("chair: /poll Q? --quorum 2.5", "--quorum “2.5”: mae nifer o bobl yn rhif cyfan"),
    ("chair: /poll Q? --quorum 0", "--quorum “0”: mae nifer o bobl yn 1 o leiaf"),
    # Ann chose Polish: refusals to her privately are Polish.
    ("ann (private): /motion X9 show", "“X9” to nie numer wniosku (taki jak M12). Użycie: /motion"),
    ("ann (private): /amend A1", "“A1” to nie numer wniosku (taki jak M12)."),
    ("ann (private): /start bogus-1", "Ten link jest już nieaktualny."),
    ("ann (private): /whoami now", "Użycie: /whoami (bez argumentów)."),
    ("ann (private): /language -", "Nie mam katalogu -."),
]


@pytest.mark.parametrize(("line", "fragment"), TRANSLATED, ids=[b[0] for b in TRANSLATED])
async def test_bad_input_is_refused_in_the_readers_language(seeded: Chat, line: str, fragment: str) -> None:
    await seeded.say("chair: /language cy", "ann (private): /language pl")
    before = await seeded.snapshot()
    out = await seeded.say(line)
    replies = [ln for ln in out.splitlines() if " bot: " in ln]
    assert len(replies) == 1, out
    assert fragment in out, out
    assert await seeded.snapshot() == before
