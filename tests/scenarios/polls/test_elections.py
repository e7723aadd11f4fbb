"""Ranked elections through the chat: private ranking, the count, the BLT export."""

from __future__ import annotations

from tests.helpers import Chat, exported


async def test_irv_election_ranked_privately(chat: Chat) -> None:
    out = await chat.say("chair: /poll Chair of the branch | Ann | Bob | Cat --ranked")
    assert "ranked" in out and "Vote privately" in out
    out = await chat.say("x1: /rank 1 1 2")
    assert "secret ballot" in out and "not counted" in out
    out = await chat.say("x1 (private): /vote 1 Ann")
    assert "ranked election: use /rank" in out
    votes = ["1 2", "1 3", "1", "2 1", "2 1", "3 2", "3 2", "3 1", "2 3"]
    for n, ranking in enumerate(votes):
        out = await chat.say(f"v{n} (private): /rank 1 {ranking}")
        assert "Your ranking in poll 1" in out
    out = await chat.say("v0 (private): /rank 1 1 1")
    assert "named twice" in out
    out = await chat.say("chair: /ballots 1")
    assert "still open" in out
    out = await chat.say("chair: /close 1")
    assert "Result — election 1" in out and "Elected:" in out and "Ballots: 9" in out
    out = await chat.say("ann: /ballots 1")
    assert "[#main] bot: Election 1: the ballots as a BLT file." in out and "election-1-ballots.blt" in out
    (blt,) = exported(out)
    assert blt.decode().count("\n") > 5 and '"Ann"' in blt.decode()


async def test_stv_three_seats(chat: Chat) -> None:
    await chat.say("chair: /poll Committee | A | B | C | D | E --ranked --seats 2")
    rankings = ["1 2"] * 5 + ["2 1"] * 3 + ["3 4"] * 4 + ["4 3"] * 2 + ["5"] * 1
    for n, r in enumerate(rankings):
        await chat.say(f"m{n} (private): /rank 1 {r}")
    out = await chat.say("chair: /close 1")
    assert "Elected: C, A" in out  # in order of election


async def test_ranked_buttons_in_private_chat(chat: Chat) -> None:
    from bot.kernel.events import Actor, ButtonPress, Room

    await chat.say("chair: /poll Secretary | Ann | Bob | Cat --ranked")
    out = await chat.say("ann (private): /start vote-1")
    assert "[Ann]" in out and "[Confirm]" in out
    ann = Actor("console:ann", "ann")
    dm = Room("console:@ann", private=True)
    for data in ("r:1:2", "r:1:0", "r:1:ok"):
        await chat.app.handle(ButtonPress(ann, dm, data))
    out = "\n".join(chat.transport.transcript)
    assert "Your ranking in poll 1: 1. Cat, 2. Ann" in out
    assert await chat.query("SELECT count(*) FROM secret_ballots") == [(1,)]  # a ranked ballot is secret
