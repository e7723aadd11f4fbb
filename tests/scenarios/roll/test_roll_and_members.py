"""The membership roll: import, join codes, linked identities voting once, card votes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.features.roll.parse import RollError, parse_roll_csv
from tests.helpers import ROLL, Chat, import_roll


def test_roll_csv_errors_name_the_line() -> None:
    with pytest.raises(RollError, match="line 1: unknown column “email”"):
        parse_roll_csv("name,email\nAnn,a@x\n")
    with pytest.raises(RollError, match="line 3: member number 7 appears twice"):
        parse_roll_csv("name,number\nAnn,7\nBob,7\n")
    with pytest.raises(RollError, match="line 2: weight “x”"):
        parse_roll_csv("name,weight\nAnn,x\n")
    with pytest.raises(RollError, match="no 'name' column"):
        parse_roll_csv("number\n1\n")
    with pytest.raises(RollError, match="empty"):
        parse_roll_csv("")


async def test_reimport_keeps_codes(chat: Chat) -> None:
    first = await import_roll(chat)
    second = await import_roll(chat)
    assert first == second


async def test_roll_poll_turnout_and_linked_accounts_vote_once(chat: Chat) -> None:
    codes = await import_roll(chat)
    out = await chat.say("chair: /poll Affiliate? --roll --quorum 50%")
    assert "electorate: the roll (3)" in out
    out = await chat.say("zed: /vote 1 yes")
    assert "Link your account first" in out
    out = await chat.say(f"ann (private): /join {codes['ann'].lower()}")
    assert "Welcome, Ann Smith" in out
    # Ann links a second account (another platform in real life) with the same code.
    await chat.say("ann: /vote 1 yes")
    # A second identity of Ann on the same platform is refused.
    out = await chat.say(f"ann2 (private): /join {codes['ann']}")
    assert "already linked to another account on this platform" in out
    out = await chat.say("ann: /vote 1 no", "chair: /results 1")
    assert "Turnout: 1 of 3 (33.3%)" in out
    out = await chat.say("chair: /close 1")
    assert "NOT QUORATE" in out


async def test_one_member_two_platforms_one_vote(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say("chair: /poll Join the march? --roll")
    await chat.say(f"ann (private): /join {codes['ann']}", "ann: /vote 1 yes")
    # The same member from another platform: the core sees another identity, same membership.
    from bot.kernel.events import Actor, Message, Room

    await chat.app.handle(Message(Actor("mx:@ann:example.org", "Ann"), Room("mx:!dm:example.org", private=True),
                                   f"/join {codes['ann']}"))
    await chat.app.handle(Message(Actor("mx:@ann:example.org", "Ann"), Room("mx:!dm:example.org", private=True),
                                   "/vote 1 no"))
    rows = await chat.query("SELECT voter, choice FROM votes WHERE poll_id = 1")
    assert len(rows) == 1 and rows[0][1] == "1"  # one vote, the latest (No)


async def test_votes_before_linking_move_to_the_member(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say("chair: /poll Picnic?")
    await chat.say("ann: /vote 1 yes")
    await chat.say(f"ann (private): /join {codes['ann']}")
    assert await chat.query("SELECT voter FROM votes") == [("m:1",)]


async def test_card_vote_weighs_by_membership(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say("chair: /poll Support the motion? --roll --card")
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("ann: /vote 1 yes", "bob: /vote 1 yes", "cat: /vote 1 no")
    out = await chat.say("chair: /close 1")
    assert re.search(r"Yes\s+\S+\s+200", out) and re.search(r"No\s+\S+\s+300", out)
    assert "NOT CARRIED" in out and "card vote" in out


async def test_branch_electorate(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say("chair: /poll North only? --branch north")
    await chat.say(f"cat (private): /join {codes['cat']}")
    out = await chat.say("cat: /vote 1 yes")
    assert "not in the electorate of poll 1" in out
    out = await chat.say("chair: /poll Nobody? --branch East")
    assert "No member on the roll is in branch “East”" in out


def test_members_import_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    roll = tmp_path / "roll.csv"
    roll.write_text(ROLL)
    root = Path(__file__).resolve().parents[3]
    env = {**__import__("os").environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", str(roll)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "number,name,branch,join_code" and len(lines) == 4
    assert re.fullmatch(r"1001,Ann Smith,North,[A-Z2-9]{4}-[A-Z2-9]{4}", lines[1])
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nx,y\n")
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", str(bad)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 2 and "unknown column “email”" in proc.stderr


def test_members_import_replace_names_who_was_made_inactive(tmp_path: Path) -> None:
    """--replace makes members missing from the file inactive: the organiser is told who, by name
    and number, so a member dropped by a typo is seen before the next ballot."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}

    def members_import(text: str, *options: str) -> subprocess.CompletedProcess[str]:
        roll = tmp_path / "roll.csv"
        roll.write_text(text)
        return subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", str(roll), *options],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)

    proc = members_import(ROLL)
    assert proc.returncode == 0 and "Imported 3 members." in proc.stderr, proc.stderr
    proc = members_import("name,number,branch\nAnn Smith,1001,North\n", "--replace")
    assert proc.returncode == 0, proc.stderr
    assert "Imported 1 member." in proc.stderr
    assert "Made inactive (missing from the file): Bob Jones (1002), Cat Lee (1003)." in proc.stderr
    proc = members_import("name,number,branch\nAnn Smith,1001,North\n", "--replace")
    assert "No member was made inactive" in proc.stderr and "Made inactive" not in proc.stderr
