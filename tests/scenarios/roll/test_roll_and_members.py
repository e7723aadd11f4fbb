"""The membership roll: import, join codes, linked identities voting once, card votes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.features.roll.model import RollEntry
from bot.features.roll.parse import RollError, parse_roll_csv
from bot.features.roll.render import import_summary
from tests.helpers import ROLL, Chat, import_roll


def test_roll_csv_errors_name_the_line() -> None:
    with pytest.raises(RollError, match="line 1: unknown column “email”"):
        parse_roll_csv("name,email\nAnn,a@x\n")
    with pytest.raises(RollError, match="line 3: member number 7 appears twice"):
        parse_roll_csv("name,number\nAnn,7\nBob,7\n")
    with pytest.raises(RollError, match="line 2: weight “x”"):
        parse_roll_csv("name,weight\nAnn,x\n")
    with pytest.raises(RollError, match="line 2: weight .* must be a whole number"):  # not a crash, nor a slow read
        parse_roll_csv("name,weight\nAnn," + "9" * 5000 + "\n")
    with pytest.raises(RollError, match="no 'name' column"):
        parse_roll_csv("number\n1\n")
    with pytest.raises(RollError, match="empty"):
        parse_roll_csv("")


def test_a_roll_naming_one_member_twice_without_a_number_is_refused() -> None:
    """Two rows with the same name and branch and no number would be one member on the roll (the
    second matched the first): the electorate one short and the second person never able to join.
    The file is refused, naming both lines and how to tell the two apart."""
    with pytest.raises(RollError) as refused:
        parse_roll_csv("name,branch\nJohn Smith,North\nJohn Smith,North\nAnn Lee,South\n")
    assert str(refused.value) == (
        "line 3: “John Smith” (branch “North”) is already on line 2, with no member number to tell them "
        "apart; give each their member number (a number column), or remove the repeated line")
    with pytest.raises(RollError, match="line 4: “Ann” is already on line 2, with no member number"):
        parse_roll_csv("name\nAnn\nBob\nAnn\n")
    # Told apart by a number, by the branch, or numbered on one line only: each its own member.
    assert len(parse_roll_csv("name,number,branch\nJohn Smith,1,North\nJohn Smith,2,North\n")) == 2
    assert len(parse_roll_csv("name,branch\nJohn Smith,North\nJohn Smith,South\n")) == 2
    assert len(parse_roll_csv("name,number\nJohn Smith,\nJohn Smith,7\n")) == 2


async def test_an_import_counts_only_the_members_it_added(chat: Chat) -> None:
    """Every row is a member of its own, and the summary says how many are new: a re-import adds
    nobody, and says so, rather than "Imported 3 members" again."""
    roll = chat.app.services.roll
    first = await roll.import_entries(parse_roll_csv(ROLL))
    assert import_summary(first) == "Imported 3 members."
    assert len(await roll.electorate()) == 3
    again = await roll.import_entries(parse_roll_csv(ROLL + "Dee Park,1004,South,1\n"))
    assert import_summary(again) == ("Imported 1 new member.\n"
                                     "3 were already on the roll: updated, their join codes unchanged.")
    assert len(await roll.electorate()) == 4
    same = await roll.import_entries(parse_roll_csv(ROLL))
    assert import_summary(same).startswith("No new member.\n3 were already on the roll")


async def test_a_second_member_of_the_same_name_cannot_fold_into_one_on_the_roll(chat: Chat) -> None:
    """Rows handed to the import directly (not through the file's checks) still never make two
    rows one member: the import is refused whole and the roll is left as it was."""
    roll = chat.app.services.roll
    before = await chat.snapshot()
    john = RollEntry("John Smith", None, "North", 1)
    with pytest.raises(RollError, match="John Smith"):
        await roll.import_entries([john, john, RollEntry("Ann Lee", None, "South", 1)])
    assert await chat.snapshot() == before


async def test_numbering_a_roll_keeps_its_members_and_their_codes(chat: Chat) -> None:
    """Told to give each member their number, an organiser re-imports the roll with numbers: the
    members already on it (with no number) get theirs and keep their codes, rather than a second
    member each. Where the roll's one unnumbered John Smith could be either of two numbered ones,
    the file is refused and the roll left as it was."""
    roll = chat.app.services.roll
    first = await roll.import_entries(parse_roll_csv("name,branch\nJohn Smith,North\nAnn Lee,South\n"))
    numbered = await roll.import_entries(parse_roll_csv(
        "name,number,branch\nJohn Smith,5,North\nAnn Lee,6,South\n"))
    assert [code for *_, code in numbered.rows] == [code for *_, code in first.rows]
    assert len(await roll.electorate()) == 2
    assert import_summary(numbered).startswith("No new member.")

    await chat.app.services.roll.import_entries(parse_roll_csv("name,branch\nJo Bloggs,East\n"))
    before = await chat.snapshot()
    with pytest.raises(RollError, match="“Jo Bloggs” .branch “East”. is on the roll with no member number"):
        await roll.import_entries(parse_roll_csv("name,number,branch\nJo Bloggs,7,East\nJo Bloggs,8,East\n"))
    assert await chat.snapshot() == before


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
    assert "No new member.\n1 was already on the roll" in proc.stderr
    assert "Made inactive (missing from the file): Bob Jones (1002), Cat Lee (1003)." in proc.stderr
    proc = members_import("name,number,branch\nAnn Smith,1001,North\n", "--replace")
    assert "No member was made inactive" in proc.stderr and "Made inactive" not in proc.stderr


def test_members_import_refuses_one_member_twice(tmp_path: Path) -> None:
    """Two John Smiths of North with no number: the file is refused (exit 2) naming the lines and
    what to do, with no join codes printed and nobody added; numbered, both are imported."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}

    def members_import(text: str) -> subprocess.CompletedProcess[str]:
        roll = tmp_path / "members.csv"
        roll.write_text(text)
        return subprocess.run([sys.executable, "-m", "bot.cli", "members", "import", str(roll)],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)

    proc = members_import("name,branch\nJohn Smith,North\nJohn Smith,North\nAnn Lee,South\n")
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert "line 3: “John Smith” (branch “North”) is already on line 2" in proc.stderr, proc.stderr
    assert "give each their member number" in proc.stderr and "Imported" not in proc.stderr
    proc = members_import("name,number,branch\nJohn Smith,1,North\nJohn Smith,2,North\nAnn Lee,3,South\n")
    assert proc.returncode == 0 and "Imported 3 members." in proc.stderr, proc.stderr
    assert len(set(line.rsplit(",", 1)[1] for line in proc.stdout.strip().splitlines()[1:])) == 3


async def test_a_branch_is_named_in_any_case_in_any_alphabet(chat: Chat) -> None:
    """--branch north finds North, and łódź finds Łódź as well: the databases' lower() folds only
    A to Z, so a branch named with another letter was found only as written."""
    await import_roll(chat, "name,number,branch\nAnn,1,Łódź\nBob,2,ÖSTRA\nCat,3,North\nDee,4,\n")
    for typed, members in [("łódź", 1), ("ŁÓDŹ", 1), ("östra", 1), ("north", 1)]:
        out = await chat.say(f"chair: /poll Branch only? --branch {typed}")
        assert f"branch ({members})" in out, (typed, out)
    assert await chat.app.services.roll.electorate("łódź") == {1: 1}
    assert [m for m, _b in await chat.app.services.roll.branches("östra")] == [2]


async def test_an_import_never_gives_two_members_one_join_code(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    """A code drawn for a new member that another member has already is drawn again (among
    100,000 members two alike are about one in 200): the import used to fail at the database."""
    from bot.features.roll import store

    first = await import_roll(chat, "name,number\nAnn,1\n")
    drawn = iter([first["ann"], "BBBB-CCCC", "BBBB-CCCC", "DDDD-EEEE"])
    monkeypatch.setattr(store, "new_join_code", lambda: next(drawn))
    codes = await import_roll(chat, "name,number\nAnn,1\nBob,2\nCat,3\n")
    assert codes == {"ann": first["ann"], "bob": "BBBB-CCCC", "cat": "DDDD-EEEE"}


async def test_a_code_typed_in_two_halves_as_read_aloud_links(chat: Chat) -> None:
    """ABCD EF23, as a code read out at a meeting is typed, was refused as "Usage: /join CODE"
    though it is the code; two words that are not one code still are."""
    codes = await import_roll(chat)
    first, second = codes["ann"].lower().split("-")
    assert "Welcome, Ann Smith" in await chat.say(f"ann (private): /join {first} {second}")
    before = await chat.snapshot()
    for typed in [f"{codes['bob']} please", "my code", f"{codes['bob'][:4]} {codes['bob'][5:]} x"]:
        assert "Usage: /join CODE" in await chat.say(f"bob (private): /join {typed}"), typed
    assert "The code ZZZZ ZZZZ is not on the roll" in await chat.say("bob (private): /join ZZZZ ZZZZ")
    assert await chat.snapshot() == before


async def test_an_import_names_the_members_it_renamed(chat: Chat) -> None:
    """Member numbers swapped in the file hand Ann's membership (her join code, her linked
    accounts, her votes to come) to Bob's name and Bob's to hers: the summary said only "updated",
    and now names each member the file renamed, for the organiser to check."""
    roll = chat.app.services.roll
    await roll.import_entries(parse_roll_csv(ROLL))
    swapped = "name,number,branch,weight\nBob Jones,1001,North,120\nAnn Smith,1002,North,80\nCat Lee,1003,South,300\n"
    summary = import_summary(await roll.import_entries(parse_roll_csv(swapped)))
    assert summary == ("No new member.\n3 were already on the roll: updated, their join codes unchanged.\n"
                       "Renamed, by member number (their join codes and linked accounts stay with the number; "
                       "check each is the same person): Ann Smith (1001) → Bob Jones, Bob Jones (1002) → Ann "
                       "Smith."), summary
    assert "Renamed" not in import_summary(await roll.import_entries(parse_roll_csv(swapped)))


async def _join_from_matrix(chat: Chat, who: str, code: str) -> int | None:
    """/join CODE sent privately from a Matrix account of WHO's; the member it is linked to then."""
    from bot.kernel.events import Actor, Message, Room

    account = f"mx:@{who}:example.org"
    await chat.app.handle(Message(Actor(account, who), Room(f"mx:!{who}:example.org", private=True), f"/join {code}"))
    await chat.settle()
    return chat.app.services.roll.member(account)


async def test_a_join_code_sent_in_a_group_links_and_is_replaced_since_others_read_it(chat: Chat) -> None:
    """A code sent in the group is read by everyone there: any of them could link an account of
    theirs on another platform to the membership, and vote in its name. The sender is linked,
    the code stops working at once, and the member gets a new one privately for their other
    accounts."""
    codes = await import_roll(chat)
    out = await chat.say(f"ann: /join {codes['ann']}")
    assert "Welcome, Ann Smith" in out and "Your code was seen here, so it no longer works" in out, out
    new = re.search(r"\[ann \(private\)\] bot: Your new join code, for linking your accounts on other platforms: "
                    r"(\S+)\. Send it only to me", out)
    assert new and new.group(1) != codes["ann"], out
    assert await _join_from_matrix(chat, "eve", codes["ann"]) is None  # someone who read it
    assert await _join_from_matrix(chat, "ann", new.group(1)) == chat.app.services.roll.member("console:ann")
    assert await chat.query("SELECT count(*) FROM identities WHERE member_id IS NOT NULL") == [(2,)]
    # Her first account is told of the second: a link she did not make would be someone voting as her.
    told = chat.transport.transcript[-1]
    assert ("[ann (private)] bot: Another account, ann (mx:@ann:example.org), is now linked to your membership as "
            "well: it votes and signs as you. If that was not you, tell your organiser.") in told


async def test_a_right_join_code_sent_in_a_group_is_replaced_even_when_the_link_is_refused(chat: Chat) -> None:
    codes = await import_roll(chat)
    await chat.say(f"ann (private): /join {codes['ann']}")
    out = await chat.say(f"ann: /join {codes['ann']}")
    assert "This account is already linked to Ann Smith." in out and "That code was seen here" in out, out
    assert await _join_from_matrix(chat, "eve", codes["ann"]) is None
    before = await chat.snapshot()
    out = await chat.say("bob: /join ZZZZ-ZZZZ")  # a wrong code names no member: nothing to replace
    assert "is not on the roll" in out and "seen here" not in out, out
    assert await chat.snapshot() == before


async def test_member_numbers_written_with_and_without_leading_zeros_are_one_number(chat: Chat) -> None:
    """Numbers are kept as written (007 stays 007), but 7 and 007 are one member's number: a
    spreadsheet that read the column as numbers drops the zeros, and the import made a second
    member of one (two join codes, two votes). Both in a file, or 7 in a file where the roll has
    007, are refused, changing nothing, saying what to do."""
    roll = chat.app.services.roll
    with pytest.raises(RollError, match="line 3: member number “7” is the number “007” of an earlier line"):
        parse_roll_csv("name,number\nAnn Smith,007\nBob Jones,7\n")
    await roll.import_entries(parse_roll_csv("name,number\nAnn Smith,007\nBob Jones,0100\n"))
    before = await chat.snapshot()
    with pytest.raises(RollError, match="member number “7” .“Ann Smith”. is on the roll as “007”") as refused:
        await roll.import_entries(parse_roll_csv("name,number\nAnn Smith,7\nBob Jones,0100\n"), replace=True)
    assert "format that column as text" in str(refused.value)
    assert await chat.snapshot() == before
    summary = import_summary(await roll.import_entries(parse_roll_csv("name,number\nAnn Smith,007\n")))
    assert summary.startswith("No new member."), summary
    assert await chat.query("SELECT number, name FROM members ORDER BY number") == [("007", "Ann Smith"),
                                                                                     ("0100", "Bob Jones")]
