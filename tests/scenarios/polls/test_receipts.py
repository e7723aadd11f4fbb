"""Receipts of secret ballots, where they matter most: after the close, for a ballot of the roll,
asked privately by a voter or an auditor."""

from __future__ import annotations

import re

from tests.helpers import Chat, import_roll


async def _closed_secret_roll_poll(chat: Chat) -> str:
    codes = await import_roll(chat)
    for who in ("ann", "bob"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike ballot? --secret --roll", "ann (private): /vote 1 yes",
                   "bob (private): /vote 1 no")
    out = await chat.say("ann (private): /receipt 1")
    found = re.search(r"receipt for poll 1: (\S+) — your ballot is recorded", out)
    assert found, out
    await chat.say("chair: /close 1")
    return found.group(1)


async def test_a_voter_gets_the_receipt_of_a_closed_secret_roll_poll(chat: Chat) -> None:
    code = await _closed_secret_roll_poll(chat)
    out = await chat.say("ann (private): /receipt 1")
    assert "went wrong" not in out, out
    assert f"Your receipt for poll 1: {code} — your ballot is counted." in out, out


async def test_the_receipts_of_a_closed_secret_roll_poll_are_sent_privately(chat: Chat) -> None:
    code = await _closed_secret_roll_poll(chat)
    out = await chat.say("bob (private): /receipts 1")
    assert "went wrong" not in out, out
    assert "Poll 1 receipts (2)" in out and code in out, out


async def test_a_roll_member_who_did_not_vote_is_told_so(chat: Chat) -> None:
    await _closed_secret_roll_poll(chat)
    codes = await import_roll(chat)  # re-importing keeps the codes
    await chat.say(f"cat (private): /join {codes['cat']}")
    out = await chat.say("cat (private): /receipt 1")
    assert "You have not voted in poll 1." in out, out


async def test_the_result_of_a_closed_roll_poll_can_be_read_privately_by_a_voter(chat: Chat) -> None:
    await _closed_secret_roll_poll(chat)
    out = await chat.say("ann (private): /results 1")
    assert "went wrong" not in out and "Result — poll 1" in out, out
