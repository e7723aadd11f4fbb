"""A secret ballot of fewer than 3 members cannot stay secret: whoever opens one is told so once,
whether it was opened by /poll, by a motion's or an amendment's vote, or by a trigger that fired
(told privately to the organiser who opened the campaign, since nobody typed a command)."""

from __future__ import annotations

from tests.helpers import Chat, add_members, transcript_after_outbox

WARNING = "is a secret ballot, but only 2 members may vote in it"


async def _motion(chat: Chat) -> None:
    await chat.say("ann: /motion new Save our library", "ann: /motion M1 resolves To campaign against the closure.",
                   "ann: /motion M1 mover Ann", "ann: /motion M1 seconder Bob")
    assert "is submitted" in await chat.say("ann: /motion M1 submit")


async def test_an_amendments_and_a_motions_secret_ballot_of_two_warn_the_organiser_once(chat: Chat) -> None:
    await add_members(chat, [("ann", "North"), ("bob", "North")])
    await _motion(chat)
    assert "Amendment A1 to M1" in await chat.say('bob: /amend M1 resolves 1 replace "campaign" with "fight"')
    await chat.say("ann: /amendment A1 second")
    out = await chat.say("chair: /amendment A1 vote --closes 10m --secret --roll")
    assert out.count(f"Poll 1 {WARNING}") == 1, out
    await chat.advance("10m")
    out = await chat.say("chair: /motion M1 vote --closes 10m --secret --roll")
    assert out.count(f"Poll 2 {WARNING}") == 1, out


async def test_a_fired_triggers_secret_ballot_of_two_warns_the_organiser_who_opened_it_once(chat: Chat) -> None:
    await add_members(chat, [("ann", "North"), ("bob", "North")])
    out = await chat.say("chair: /trigger open recall Cllr Smith --signatures 1 --closes 14d")
    assert "Trigger campaign T1" in out
    out = await chat.say("ann (private): /sign T1 yes")
    assert "Trigger T1 has fired" in out and "Secret ballot" in out
    said = await transcript_after_outbox(chat)
    warnings = [line for line in said.splitlines() if WARNING in line]
    assert len(warnings) == 1 and warnings[0].startswith("  [chair (private)]"), warnings


async def test_an_open_ballot_of_two_warns_nobody(chat: Chat) -> None:
    await add_members(chat, [("ann", "North"), ("bob", "North")])
    out = await chat.say("chair: /trigger open recall Cllr Smith --signatures 1 --closes 14d --roll-call")
    assert "Trigger campaign T1" in out, out
    await chat.say("ann (private): /sign T1 yes")
    assert "is a secret ballot" not in await transcript_after_outbox(chat)
