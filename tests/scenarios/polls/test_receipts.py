"""Receipts of secret ballots, where they matter most: after the close, for a ballot of the roll,
asked privately by a voter or an auditor."""

from __future__ import annotations

import re
from pathlib import Path

from bot.kernel.events import Actor, Message, Room
from bot.kernel.secrecy import receipt
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


def _receipt_of(out: str) -> str:
    found = re.search(r"receipt for poll \d+: ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})", out)
    assert found, out
    return found.group(1)


async def _link_other_account(chat: Chat, member: int) -> Actor:
    """A Matrix account of MEMBER's, linked already (as /join there would have)."""
    other = Actor("matrix:@ann:example.org", "Ann M")

    async def op(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("INSERT INTO identities(identity, display_name, member_id, linked_at)"
                           " VALUES (?, 'Ann M', ?, '2026-01-01T00:00:00')", (other.id, member))

    await chat.app.writer.run(op)
    chat.app.services.roll.linked(other.id, member)
    return other


async def test_a_ballot_dropped_when_its_account_is_linked_takes_its_receipt_with_it(chat: Chat) -> None:
    """A member voted from one account, and from another not yet linked: linking keeps the
    member's first ballot, drops the other with its receipt (one receipt per ballot counted), and
    tells the member privately, without a word of either choice."""
    codes = await import_roll(chat)
    await chat.say("chair: /poll Secret? | Pizza | Soup --secret")
    other = await _link_other_account(chat, 1)
    await chat.app.handle(Message(other, Room(other.id, private=True), "/vote 1 Pizza"))
    await chat.settle()
    await chat.say("ann (private): /vote 1 Soup")
    out = await chat.say(f"ann (private): /join {codes['ann']}")
    told = [line for line in out.splitlines() if "[ann (private)]" in line and "Welcome" not in line]
    assert told == ["  [ann (private)] bot: Poll 1 (Secret?): the vote this account cast before it was linked is "
                    "not counted, since your membership had voted in it already from another account; that vote "
                    "stands. Vote again to change it."], out
    assert "Pizza" not in out and "Soup" not in out
    assert "your ballot is recorded" in await chat.say("ann (private): /receipt 1")
    out = await chat.say("chair: /close 1", "ann (private): /receipts 1")
    assert "Votes cast: 1" in out and "Poll 1 receipts (1)" in out, out


async def test_a_receipt_stays_the_same_when_its_account_is_linked(chat: Chat) -> None:
    """The code a voter notes when voting is the one published with the receipts, also when they
    link their account to the roll in between (their ballot then counts as the member's)."""
    codes = await import_roll(chat)
    await chat.say("chair: /poll Secret? | Pizza | Soup --secret", "ann (private): /vote 1 Pizza")
    noted = _receipt_of(await chat.say("ann (private): /receipt 1"))
    await chat.say(f"ann (private): /join {codes['ann']}")
    out = await chat.say("ann (private): /receipt 1")
    assert _receipt_of(out) == noted and "your ballot is recorded" in out
    await chat.say("ann (private): /vote 1 Soup")  # voting again keeps the code, as it always did
    assert _receipt_of(await chat.say("ann (private): /receipt 1")) == noted
    out = await chat.say("chair: /close 1", "ann (private): /receipts 1")
    assert "Poll 1 receipts (1)" in out and noted in out, out
    assert f"{noted} — your ballot is counted" in await chat.say("ann (private): /receipt 1")
    out = await chat.say("ann (private): /vote 1 withdraw")
    assert "closed" in out


async def test_a_withdrawn_ballot_of_a_linked_account_takes_its_first_receipt(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say("chair: /poll Secret? | Pizza | Soup --secret", "ann (private): /vote 1 Pizza",
                   f"ann (private): /join {codes['ann']}")
    assert "is withdrawn" in await chat.say("ann (private): /vote 1 withdraw")
    assert await chat.query("SELECT count(*) FROM receipts WHERE poll_id = 1") == [(0,)]


async def test_a_vote_in_an_open_ballot_dropped_when_its_account_is_linked_is_told_too(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say("chair: /poll Open? | Pizza | Soup")
    other = await _link_other_account(chat, 1)
    await chat.app.handle(Message(other, Room("console:main"), "/vote 1 Pizza"))
    await chat.say("ann: /vote 1 Soup")
    out = await chat.say(f"ann (private): /join {codes['ann']}")
    assert "Poll 1 (Open?): the vote this account cast before it was linked is not counted" in out, out
    out = await chat.say("chair: /close 1")
    assert "Votes cast: 1" in out and "WINNER: Pizza" in out


async def test_no_stored_row_holds_a_receipt_code_while_the_poll_is_open_or_after(chat: Chat) -> None:
    """A voter shows her receipt code to prove she is counted: a code stored beside her ballot,
    or in the ballot's own commit, would give her choice to whoever holds a copy of the database.
    Codes are made from the ballots' keys when asked for, so no row of any table holds one, on
    either backend, and the published list has each counted ballot's code."""
    await chat.say("chair: /poll Strike? | Yes | No --secret")
    given = {}
    for who, choice in (("ann", "Yes"), ("bob", "No"), ("cat", "Yes")):
        await chat.say(f"{who} (private): /vote 1 {choice}")
        given[who] = _receipt_of(await chat.say(f"{who} (private): /receipt 1"))
    assert len(set(given.values())) == 3
    await chat.say("bob (private): /vote 1 Yes")  # a changed vote keeps its code
    assert _receipt_of(await chat.say("bob (private): /receipt 1")) == given["bob"]
    stored = repr(await chat.snapshot())
    assert not any(code in stored or code.replace("-", "") in stored for code in given.values())
    out = await chat.say("chair: /close 1", "ann (private): /receipts 1")
    assert "Poll 1 receipts (3)" in out and all(code in out for code in given.values()), out
    stored = repr(await chat.snapshot())
    assert not any(code in stored or code.replace("-", "") in stored for code in given.values())


async def test_a_poll_opened_before_receipts_were_made_from_ballots_keeps_the_codes_it_gave(tmp_path: Path) -> None:
    """A secret poll open when the bot is upgraded stored a receipt with each ballot, and its
    voters hold those codes: it goes on storing them, and publishes them at the close."""
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /poll Strike? | Yes | No --secret")

    async def opened_before(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("UPDATE polls SET receipts_stored = 1 WHERE id = 1")  # as the migration does

    await chat.app.writer.run(opened_before)
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("ann (private): /vote 1 Yes", "bob (private): /vote 1 No", "bob (private): /vote 1 withdraw")
        code = receipt("test-secret-for-tests", 1, "console:ann")
        assert _receipt_of(await chat.say("ann (private): /receipt 1")) == code
        assert await chat.query("SELECT code FROM receipts WHERE poll_id = 1") == [(code,)]
        out = await chat.say("chair: /close 1", "ann (private): /receipts 1", "ann (private): /receipt 1")
        assert "Poll 1 receipts (1)" in out and f"{code} — your ballot is counted" in out, out
    finally:
        await chat.stop()
