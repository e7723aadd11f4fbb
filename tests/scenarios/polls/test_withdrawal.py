"""Taking a vote back is asked for in words (`/vote POLL withdraw`) and says whether there was a
vote; input that names no option (a stray comma) is refused and changes nothing, in open and in
secret ballots alike."""

from __future__ import annotations

import re

import pytest

from tests.helpers import Chat


@pytest.mark.parametrize("stray", [",", " , ", ",,", ", ,"])
async def test_a_stray_separator_is_refused_and_keeps_the_vote(chat: Chat, stray: str) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Pizza")
    before = await chat.snapshot()
    out = await chat.say(f"ann: /vote 1 {stray}")
    assert "names no option" in out and "say which option" in out, out
    assert "withdrawn" not in out, out
    assert await chat.snapshot() == before
    out = await chat.say("chair: /close 1")
    assert "WINNER: Pizza" in out and "Votes cast: 1" in out, out


async def test_a_stray_separator_in_a_secret_ballot_is_refused_and_keeps_the_ballot(chat: Chat) -> None:
    await chat.say("chair: /poll Strike? --secret", "ann (private): /vote 1 yes")
    before = await chat.snapshot()
    out = await chat.say("ann (private): /vote 1 ,")
    assert "names no option" in out and "withdrawn" not in out, out
    assert await chat.snapshot() == before
    out = await chat.say("chair: /close 1")
    assert "CARRIED" in out and "Votes cast: 1" in out, out


async def test_withdraw_takes_the_vote_back_and_says_so(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h", "ann: /vote 1 Pizza", "bob: /vote 1 Soup")
    out = await chat.say("ann: /vote 1 withdraw")
    assert "Your vote in poll 1 is withdrawn: it will not be counted" in out, out
    assert await chat.query("SELECT voter FROM votes WHERE poll_id = 1") == [("console:bob",)]
    out = await chat.say("chair: /close 1")
    assert "WINNER: Soup" in out and "Votes cast: 1" in out, out


async def test_withdraw_with_no_vote_says_there_was_none_and_changes_nothing(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "bob: /vote 1 Soup")
    before = await chat.snapshot()
    out = await chat.say("ann: /vote 1 withdraw")
    assert "You have no vote in poll 1 to withdraw; nothing changed" in out, out
    assert await chat.snapshot() == before


async def test_withdrawing_a_secret_ballot_takes_its_receipt_too(chat: Chat) -> None:
    await chat.say("chair: /poll Strike? --secret", "ann (private): /vote 1 yes", "bob (private): /vote 1 no")
    anns = re.search(r"poll 1: (\S+) —", await chat.say("ann (private): /receipt 1"))
    bobs = re.search(r"poll 1: (\S+) —", await chat.say("bob (private): /receipt 1"))
    assert anns and bobs
    out = await chat.say("ann: /vote 1 withdraw")
    assert "secret ballot" in out and "withdrawn" not in out, out  # in the group: refused
    out = await chat.say("ann (private): /vote 1 withdraw")
    assert "Your vote in poll 1 is withdrawn" in out, out
    out = await chat.say("ann (private): /vote 1 withdraw")
    assert "You have no vote in poll 1 to withdraw" in out, out
    await chat.say("chair: /close 1")
    # One ballot counted, one receipt published: the list still matches the count.
    assert await chat.query("SELECT count(*) FROM secret_ballots WHERE poll_id = 1") == [(1,)]
    out = await chat.say("ann (private): /receipts 1")
    assert "Poll 1 receipts (1)" in out and bobs.group(1) in out and anns.group(1) not in out, out


async def test_an_option_called_withdraw_is_voted_for(chat: Chat) -> None:
    await chat.say("chair: /poll The motion? | Support | Withdraw it")
    out = await chat.say("ann: /vote 1 withdraw")
    assert "Your vote in poll 1: Withdraw it" in out, out


async def test_a_withdrawal_after_the_close_is_refused(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Pizza", "chair: /close 1")
    before = await chat.snapshot()
    out = await chat.say("ann: /vote 1 withdraw")
    assert "closed" in out and "withdrawn" not in out, out
    assert await chat.snapshot() == before


async def test_pressing_the_only_chosen_button_again_withdraws_the_vote(chat: Chat) -> None:
    await chat.say("chair: /poll Which days? | Mon | Tue | Wed --multi 2")
    out = await chat.say("ann [Mon]")
    assert "Your vote in poll 1: Mon" in out, out
    out = await chat.say("ann [Mon]")
    assert "Your vote in poll 1 is withdrawn" in out, out
    assert await chat.query("SELECT count(*) FROM votes") == [(0,)]
