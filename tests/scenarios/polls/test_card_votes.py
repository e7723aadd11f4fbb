"""Card votes: a delegate's vote is weighed by the membership they carry, but a quorum counts
the people who voted (DOMAIN.md: quorum is a minimum turnout of members; card votes weigh the
decision). The result gives both the head count and the weight."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import Chat, import_roll

# Four delegates: Ann carries 100 members' votes, the others 50 each (250 in all).
DELEGATES = (
    "name,number,branch,weight\nAnn Smith,1,North,100\nBob Jones,2,North,50\n"
    "Cat Lee,3,South,50\nDan Roe,4,South,50\n"
)


async def _delegates(chat: Chat) -> None:
    codes = await import_roll(chat, DELEGATES)
    for who, code in codes.items():
        await chat.say(f"{who} (private): /join {code}")


async def test_a_head_count_quorum_counts_people_not_card_weight(chat: Chat) -> None:
    await _delegates(chat)
    await chat.say("chair: /poll Affiliate to the campaign? --roll --card --quorum 3", "ann: /vote 1 yes")
    out = await chat.say("chair: /close 1")
    # One delegate voted, however many members she carries: three are needed.
    assert "NOT QUORATE" in out and "CARRIED" not in out, out
    assert "quorum 3 not met: 1 voted" in out, out
    assert "counts people, not card votes" in out, out
    # Both measures of turnout: the people and the weight they carried.
    assert "Turnout (card vote): 1 of 4 members voted (25.0%), casting 100 of 250 votes (40.0%)" in out, out


async def test_a_head_count_quorum_met_by_people_carries_on_weight(chat: Chat) -> None:
    await _delegates(chat)
    await chat.say("chair: /poll Affiliate? --roll --card --quorum 3",
                   "bob: /vote 1 yes", "cat: /vote 1 yes", "ann: /vote 1 no")
    out = await chat.say("chair: /close 1")
    # Three people voted, so the quorum is met; on weight it is 100 for and 100 against: a tie.
    assert "quorum 3 met: 3 voted" in out and "NOT QUORATE" not in out, out
    assert re.search(r"Yes\s+\S+\s+100", out) and re.search(r"No\s+\S+\s+100", out), out
    assert "TIE — 100 for, 100 against: the question is not decided" in out, out


async def test_a_percentage_quorum_on_a_card_vote_is_a_share_of_the_members(chat: Chat) -> None:
    await _delegates(chat)
    # Ann alone carries 40% of the weight but is 1 of 4 people (25%): not quorate.
    await chat.say("chair: /poll First? --roll --card --quorum 50%", "ann: /vote 1 yes")
    out = await chat.say("chair: /close 1")
    assert "NOT QUORATE" in out and "quorum 50% not met: 1 of 4 voted, 2 needed" in out, out
    # Bob and Cat carry 40% of the weight too, but are 2 of 4 people (50%): quorate.
    await chat.say("chair: /poll Second? --roll --card --quorum 50%", "bob: /vote 2 yes", "cat: /vote 2 no",
                   "dan: /vote 2 abstain")
    out = await chat.say("chair: /close 2")
    assert "quorum 50% met: 3 of 4 voted" in out and "NOT QUORATE" not in out, out
    assert "Turnout (card vote): 3 of 4 members voted (75.0%), casting 150 of 250 votes (60.0%)" in out, out


async def test_results_so_far_of_a_card_vote_give_both_turnouts(chat: Chat) -> None:
    await _delegates(chat)
    await chat.say("chair: /poll Third? --roll --card", "ann: /vote 1 yes", "bob: /vote 1 no")
    out = await chat.say("chair: /results 1")
    assert "Results so far" in out
    assert "Turnout (card vote): 2 of 4 members voted (50.0%), casting 150 of 250 votes (60.0%)" in out, out


async def test_the_industrial_thresholds_refuse_a_card_vote(chat: Chat) -> None:
    await _delegates(chat)
    before = await chat.snapshot()
    out = await chat.say("chair: /poll Strike? --roll --card --majority industrial")
    assert "count members one by one" in out and "drop --card" in out, out
    assert await chat.snapshot() == before


async def test_a_secret_card_vote_stores_no_weight_beside_a_choice(chat: Chat) -> None:
    """A member's card weight may be theirs alone (Cat Lee's 300 here): stored beside the choice
    it would name her. The ballots keep only the keyed hash and the choice; the count finds
    each weight from the electorate with the key."""
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Affiliate? --roll --card --secret")
    await chat.say("ann (private): /vote 1 yes", "bob (private): /vote 1 yes", "cat (private): /vote 1 no")
    assert await chat.query("SELECT DISTINCT weight FROM secret_ballots WHERE poll_id = 1") == [(1,)]
    out = await chat.say("chair: /close 1")
    assert re.search(r"Yes\s+\S+\s+200\b", out) and re.search(r"No\s+\S+\s+300\b", out), out
    assert "casting 500 of 500 votes (100.0%)" in out


async def test_a_ranked_card_vote_gives_heads_of_heads_and_weight_of_weight(chat: Chat) -> None:
    await _delegates(chat)
    await chat.say("chair: /poll Delegate? | Ann | Bob | Cat --ranked --roll --card",
                   "ann (private): /rank 1 1 2", "bob (private): /rank 1 2 3", "cat (private): /rank 1 3 1")
    out = await chat.say("chair: /close 1")
    assert ("Turnout (card vote): 3 of 4 members voted (75.0%), casting 200 of 250 votes (80.0%)") in out, out
    assert "Ballots: 3 of 250" not in out
    assert "Ballots: 3 of 4" in await chat.say("chair: /poll Chair? | Ann | Bob --ranked --roll",
                                                 "ann (private): /rank 2 1", "bob (private): /rank 2 2",
                                                 "cat (private): /rank 2 1", "chair: /close 2")


async def test_a_ranked_card_votes_ballots_are_neither_kept_nor_published(chat: Chat) -> None:
    """Each delegate's weight is on the roll: a file of weighted rankings would show how each
    ranked, as the secret ballots, stored without weight, never do."""
    await _delegates(chat)
    await chat.say("chair: /poll Delegate? | Ann | Bob | Cat --ranked --roll --card",
                   "ann (private): /rank 1 1 2", "bob (private): /rank 1 2 3", "cat (private): /rank 1 3 1")
    out = await chat.say("chair: /close 1")
    assert "Elected: Ann" in out, out
    before = await chat.snapshot()
    out = await chat.say("ann: /ballots 1")
    assert "Election 1 was a card vote: its ballots are not published" in out and "/results 1" in out, out
    assert await chat.snapshot() == before
    stored = (await chat.query("SELECT result FROM polls WHERE id = 1"))[0][0]
    assert '"blt": ""' in stored and "100 1 2 0" not in stored, stored
    # Without --card, the same ballots are published (each counts one).
    await chat.say("chair: /poll Chair? | Ann | Bob | Cat --ranked --roll",
                   "ann (private): /rank 2 1 2", "bob (private): /rank 2 2 3", "chair: /close 2")
    assert "the ballots as a BLT file" in await chat.say("ann: /ballots 2")


async def test_a_card_elections_ballots_kept_before_are_dropped_by_the_migration(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await _delegates(chat)
    await chat.say("chair: /poll Delegate? | Ann | Bob | Cat --ranked --roll --card",
                   "ann (private): /rank 1 1 2", "bob (private): /rank 1 2 3", "chair: /close 1")
    # As a result frozen before migration 28 holds it: the weighted ballots beside the count.
    result = json.loads((await chat.query("SELECT result FROM polls WHERE id = 1"))[0][0])
    result.pop("ballots_withheld")
    result["blt"] = '3 1\n100 1 2 0\n50 2 3 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Delegate?"\n'

    async def as_before(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("UPDATE polls SET result = ? WHERE id = 1", (json.dumps(result),))
        await conn.execute("DELETE FROM schema_migrations WHERE version = 28")

    await chat.app.writer.run(as_before)
    await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        stored = json.loads((await chat.query("SELECT result FROM polls WHERE id = 1"))[0][0])
        assert stored["blt"] == "" and stored["ballots_withheld"] is True
        assert stored["elected"] == result["elected"] and stored["count"] == result["count"]
        assert "not published" in await chat.say("ann: /ballots 1")
    finally:
        await chat.stop()
