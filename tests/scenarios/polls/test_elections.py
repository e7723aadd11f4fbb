"""Ranked elections through the chat: private ranking, the count, the BLT export."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Chat, exported, import_roll


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


async def test_an_inquorate_election_elects_nobody_and_says_why(tmp_path: Path) -> None:
    """A quorum applies to an election as to any poll: short of it, nobody is elected, the
    result says NOT QUORATE with the figures, and so does every later reading of it (after a
    restart too); the ballots stay published, the count is not run."""
    chat = await Chat.start(tmp_path)
    try:
        codes = await import_roll(chat)
        for who in ("ann", "bob", "cat"):
            await chat.say(f"{who} (private): /join {codes[who]}")
        await chat.say("chair: /poll Chair? | Ann | Bob | Cat --ranked --quorum 3", "ann (private): /rank 1 2 1",
                       "chair: /poll Chair? | Ann | Bob | Cat --ranked --roll --quorum 50%",
                       "ann (private): /rank 2 2 1")
        out = await chat.say("chair: /close 1", "chair: /close 2")
        assert "NOT QUORATE — no decision — quorum 3 not met: 1 voted" in out
        assert "NOT QUORATE — no decision — quorum 50% not met: 1 of 3 voted, 2 needed" in out
        assert "Elected" not in out and "elected Bob" not in out
        out = await chat.say("ann (private): /ballots 2")
        (blt,) = exported(out)
        assert '"Bob"' in blt.decode()  # the ballots, for anyone to check the turnout
        assert "has no chart" in await chat.say("chair: /results 2 --chart")
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        out = await chat.say("ann (private): /results 2")
        assert "NOT QUORATE — no decision — quorum 50% not met: 1 of 3 voted, 2 needed" in out
        assert "Elected" not in out
    finally:
        await chat.stop()


async def test_a_quorate_election_says_its_quorum_was_met(chat: Chat) -> None:
    await chat.say("chair: /poll Chair? | Ann | Bob | Cat --ranked --quorum 2")
    await chat.say("ann (private): /rank 1 2 1", "bob (private): /rank 1 2")
    out = await chat.say("chair: /close 1")
    assert "Elected: Bob" in out and "Quorum 2 met: 2 voted" in out
