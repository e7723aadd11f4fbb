"""Whole meetings played through the console adapter, checked against DOMAIN.md's rules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Chat, add_members, import_roll


async def test_instant_poll_with_vote_changes_and_deadline(chat: Chat) -> None:
    out = await chat.say("chair: /poll Lunch? | Pizza | Soup | Salad --closes 30m")
    assert "Poll 1" in out and "Closes" in out
    out = await chat.say("ann: /vote 1 Pizza", "bob: /vote 1 2", "cat: /vote 1 soup", "dan: /vote 1 sal")
    assert "Your vote in poll 1: Pizza" in out
    assert out.count("Your vote in poll 1: Soup") == 2
    assert "Your vote in poll 1: Salad" in out
    # Ann changes her mind; the later vote replaces the earlier one.
    out = await chat.say("ann: /vote 1 Soup", "ann: /results 1")
    assert re.search(r"Soup\s+\S+\s+3\s+75\.0%", out), out
    assert re.search(r"Pizza\s+\S+\s+0\s+0\.0%", out), out
    assert "Votes cast: 4" in out
    out = await chat.advance("30m")
    assert "Result — poll 1" in out and "WINNER: Soup" in out
    # Late votes are refused and change nothing.
    out = await chat.say("eve: /vote 1 Pizza")
    assert "closed" in out and "late votes are not counted" in out
    assert await chat.query("SELECT count(*) FROM votes WHERE poll_id = 1") == [(4,)]
    # The result stays fixed.
    out = await chat.say("ann: /results 1")
    assert "WINNER: Soup" in out


async def test_proposal_abstentions_count_for_turnout_not_majority(chat: Chat) -> None:
    await chat.say("chair: /poll Back the motion on free movement?")
    await chat.say("a: /vote 1 yes", "b: /vote 1 yes", "c: /vote 1 no", "d: /vote 1 abstain", "e: /vote 1 abstain")
    out = await chat.say("chair: /close 1")
    assert "Votes cast: 5" in out
    assert re.search(r"Yes\s+\S+\s+2\s+66\.7%", out), out
    assert "CARRIED" in out and "NOT CARRIED" not in out


async def test_tie_is_reported_never_broken(chat: Chat) -> None:
    await chat.say("chair: /poll Adopt?", "a: /vote 1 yes", "b: /vote 1 no")
    out = await chat.say("chair: /close 1")
    assert "TIE" in out and "CARRIED" not in out


async def test_two_thirds_fails_at_66_percent(chat: Chat) -> None:
    await chat.say("chair: /poll Change rule 4? --majority two-thirds")
    for n in range(66):
        await chat.say(f"y{n}: /vote 1 yes")
    for n in range(34):
        await chat.say(f"n{n}: /vote 1 no")
    out = await chat.say("chair: /close 1")
    assert "66.0%" in out
    assert "NOT CARRIED" in out and "less than two-thirds" in out
    # One more vote for makes exactly 67 of 101: still short of two-thirds (67.33 needed).
    await chat.say("chair: /poll Change rule 5? --majority two-thirds")
    for n in range(68):
        await chat.say(f"y{n}: /vote 2 yes")
    for n in range(34):
        await chat.say(f"n{n}: /vote 2 no")
    out = await chat.say("chair: /close 2")
    assert "CARRIED" in out and "NOT CARRIED" not in out  # 68 of 102 is exactly two-thirds


async def test_secret_poll_is_cast_privately_and_never_links_voter_to_choice(chat: Chat) -> None:
    out = await chat.say("chair: /poll Strike ballot? --secret")
    assert "Vote privately" in out
    out = await chat.say("ann: /vote 1 yes")
    assert "secret ballot" in out and "not counted" in out
    assert await chat.query("SELECT count(*) FROM secret_ballots") == [(0,)]
    out = await chat.say("ann (private): /vote 1 yes", "bob (private): /vote 1 no", "ann (private): /vote 1 no")
    assert "ann (private)] bot: Your vote in poll 1: No" in out
    out = await chat.say("cat: /results 1")
    assert "shown when it closes" in out and "2 voted" in out
    out = await chat.say("cat: /results 1 --names")
    assert "never shown" in out
    out = await chat.say("ann (private): /receipt 1")
    code = re.search(r"receipt for poll 1: ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})", out)
    assert code
    out = await chat.say("cat: /receipts 1")
    assert "still open" in out
    out = await chat.say("chair: /close 1")
    assert re.search(r"No\s+\S+\s+2\s+100\.0%", out)
    # After the close the receipts are published (privately to whoever asks): one per ballot.
    out = await chat.say("cat: /receipts 1")
    assert code.group(1) in out and "Poll 1 receipts (2)" in out and "#main] bot: I sent you the receipts" in out
    # Nothing stored names a voter: secret ballots are keyed hashes, in a table with no times.
    rows = await chat.query("SELECT voter FROM secret_ballots")
    assert len(rows) == 2 and all(v.startswith("h:") for (v,) in rows)
    assert await chat.query("SELECT count(*) FROM votes") == [(0,)]
    dump = "\n".join(map(str, (await chat.snapshot())["secret_ballots"]))
    assert "ann" not in dump and "bob" not in dump
    # ...and no output of the bot pairs a name with a choice.
    transcript = "\n".join(chat.transport.transcript)
    for line in transcript.splitlines():
        if "#main" in line:
            assert "ann" not in line and "bob" not in line


async def test_a_secret_ballot_of_too_few_members_is_opened_with_a_warning_said_once(chat: Chat) -> None:
    """Two members can each tell from the count how the other voted, and one member's vote is
    the count: the organiser is told so, once, under the ballot, and the poll is open all the
    same. From three members on (and for open polls, or polls open to the room) nothing is said."""
    await add_members(chat, [("ann", "North East"), ("bob", "North East"), ("cat", "South")])
    out = await chat.say("chair: /poll Strike? --branch North East --secret")
    assert "Poll 1: Strike?" in out and "Vote privately" in out
    assert out.count("⚠️ Poll 1 is a secret ballot, but only 2 members may vote in it") == 1, out
    assert "each can tell how the other voted" in out and "It is open all the same" in out
    assert "Your vote in poll 1: Yes" in await chat.say("ann (private): /vote 1 yes")  # open, not refused
    out = await chat.say("chair: /poll Chair? --branch South --secret")
    assert "Poll 2: Chair?" in out and "only 1 member may vote in it: its result will show everyone" in out, out
    for quiet in ("/poll Budget? --roll --secret", "/poll Venue? --branch North East", "/poll Picnic? --secret"):
        out = await chat.say(f"chair: {quiet}")
        assert "Poll " in out and "may vote in it" not in out, (quiet, out)
    out = "\n".join(chat.transport.transcript)
    assert out.count("may vote in it") == 2  # once each, for polls 1 and 2


async def test_hidden_poll_shows_results_only_at_close(chat: Chat) -> None:
    await chat.say("chair: /poll Venue? | Hall | Pub --hidden")
    await chat.say("ann: /vote 1 Hall")
    out = await chat.say("ann: /results 1")
    assert "shown when it closes" in out and "Hall" not in out
    out = await chat.say("chair: /close 1")
    assert "WINNER: Hall" in out


async def test_quorum_failure(chat: Chat) -> None:
    await chat.say("chair: /poll Dissolve the branch? --quorum 5")
    await chat.say("a: /vote 1 yes", "b: /vote 1 yes", "c: /vote 1 no")
    out = await chat.say("chair: /close 1")
    assert "NOT QUORATE" in out and "quorum 5 not met" in out


async def test_multi_choice_up_to_n(chat: Chat) -> None:
    await chat.say("chair: /poll Which days? | Mon | Tue | Wed | Thu --multi 2")
    out = await chat.say("ann: /vote 1 Mon, Wed", "bob: /vote 1 1 2", "cat: /vote 1 Mon Tue Wed")
    assert "Mon, Wed" in out and "Mon, Tue" in out and "choose at most 2" in out
    out = await chat.say("chair: /close 1")
    assert re.search(r"Mon\s+\S+\s+2", out) and "WINNER: Mon" in out


async def test_only_organisers_open_and_close(chat: Chat) -> None:
    out = await chat.say("ann: /poll Hack the vote?")
    assert "Only organisers" in out
    await chat.say("chair: /poll Real?")
    before = await chat.snapshot()
    out = await chat.say("ann: /close 1")
    assert "Only an organiser" in out
    assert await chat.snapshot() == before


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """`quorum console < meeting.txt` plays a script and prints the transcript."""
    script = "chair: /poll Lunch? | Pizza | Soup\nann: /vote 1 Pizza\nchair: /close 1\n"
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"], input=script, capture_output=True, text=True,
        cwd=tmp_path, timeout=60, env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "ann: /vote 1 Pizza" in proc.stdout  # the transcript echoes the script
    assert "WINNER: Pizza" in proc.stdout
    assert (tmp_path / "quorum.db").exists()


async def test_a_poll_where_everyone_abstained_says_so(chat: Chat) -> None:
    """Abstentions count for turnout, not for the majority: a poll where everyone abstained had
    votes cast, none for any option, and a proposal nobody voted for or against is not carried."""
    await chat.say("chair: /poll Lunch? | Pizza | Soup | Abstain", "ann: /vote 1 abstain", "bob: /vote 1 3")
    out = await chat.say("chair: /close 1")
    assert "Votes cast: 2" in out and "NO WINNER — no votes for any option (2 abstained)" in out, out
    assert "NO VOTES CAST" not in out
    assert "Poll 1 has no chart: nobody voted for any option." in await chat.say("chair: /results 1 --chart")
    for n, rule in ((2, " --majority two-thirds"), (3, "")):
        await chat.say(f"chair: /poll Rule change?{rule}", f"ann: /vote {n} abstain", f"bob: /vote {n} abstain")
        out = await chat.say(f"chair: /close {n}")
        assert "NOT CARRIED — nobody voted for or against (2 abstained)" in out, out
        assert "0 of 0" not in out and "TIE" not in out


NORTH_EAST = "name,number,branch,weight\nAnn Smith,1001,North East,120\nBob Jones,1002,North East,80\n" \
             "Cat Lee,1003,South,300\n"


@pytest.mark.parametrize("branch", ["North East", '"North East"', "“north east”", "north  EAST"])
async def test_a_branch_name_may_have_several_words(chat: Chat, branch: str) -> None:
    await import_roll(chat, NORTH_EAST)
    out = await chat.say(f"chair: /poll Q? --branch {branch} --closes 1h")
    assert "Poll 1: Q?" in out and "electorate: North East branch (2)" in out, out
    assert "Closes" in out


async def test_an_unknown_branch_is_refused_with_the_rolls_branches(chat: Chat) -> None:
    await import_roll(chat, NORTH_EAST)
    before = await chat.snapshot()
    out = await chat.say("chair: /poll Q? --branch North --closes 1h")
    assert "No member on the roll is in branch “North”; the roll's branches are North East, South." in out, out
    assert await chat.snapshot() == before
