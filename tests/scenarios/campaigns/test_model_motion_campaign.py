"""Story 4: a model motion published as a campaign, signed by message, adopted by branches."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.kernel.config import parse_config
from bot.kernel.events import Actor, Message, Room
from tests.helpers import Chat, add_members, exported_csv, import_roll, transcript_after_outbox


async def _model_motion(chat: Chat, *, final: bool = True) -> None:
    """Motion M1; FINAL: carried, so its words can no longer change and it can be published."""
    await chat.say(
        "chair: /motion new Fund our schools",
        "chair: /motion M1 resolves To support the national campaign for school funding.",
    )
    if final:
        await chat.say("chair: /motion M1 status carried")


async def test_campaign_reaches_its_goal(chat: Chat) -> None:
    # Branches' votes are reported by members of those branches (here their secretaries).
    await add_members(chat, [("dee", "Riverside"), ("eve", "Hillside"), ("fay", "Riverside"), ("gus", "Lakeside")])
    await _model_motion(chat)
    out = await chat.say("chair: /campaign M1 open --branches 2 --signatures 3 --deadline 30d")
    assert "Model motion campaign M1" in out and "[Sign M1]" in out
    # Three ways to sign: the deep link, typing "sign M1", and the command.
    out = await chat.say("ann (private): /start sign-M1")
    assert "You are signing the model motion M1" in out and "Reply yes" in out
    out = await chat.say("ann (private): yes Hillside")
    assert "you signed M1. It has 1 signature" in out
    out = await chat.say("bob (private): sign M1", "bob (private): yes")
    assert "It has 2 signatures" in out
    out = await chat.say("dee (private): /sign M1 yes")
    assert "It has 3 signatures" in out
    assert "reached its goal" not in await transcript_after_outbox(chat)  # signatures met, branches not yet
    await chat.advance("3d")  # branches meet after the campaign published the motion
    out = await chat.say("eve: /campaign M1 adopted Hillside on 2 June")
    assert "Hillside branch passed M1 on 02 June 2026" in out
    await chat.say("fay: /campaign M1 adopted Riverside on 2026-06-03")
    assert (await transcript_after_outbox(chat)).count("has reached its goal") == 1
    out = await chat.say("chair: /campaign M1")
    assert "3 signatures of 3" in out and "2 branches adopted (goal 2)" in out
    assert "27 days left" in out and "The goal is reached" in out
    # Later reports still count, but the goal is announced only once.
    out = await chat.say("gus: /campaign M1 adopted Lakeside")
    assert "3 branches so far" in out
    assert (await transcript_after_outbox(chat)).count("has reached its goal") == 1
    before = await chat.snapshot()
    out = await chat.say("bob: /campaign M1 retract Lakeside")
    assert "Only the person who reported it" in out
    assert await chat.snapshot() == before
    out = await chat.say("gus: /campaign M1 retract lakeside")
    assert "removed" in out
    out = await chat.say("bob: /campaign M1 branches")
    assert "(2)" in out and "Lakeside" not in out
    out = await chat.say("chair: /campaign M1 export")
    assert "I sent you the list of signatures privately" in out
    assert "M1 signatures: 3 rows." in out
    rows = exported_csv(out)
    assert rows[0] == ["name", "kind", "branch", "signed_at", "consent"]
    assert sorted(r[0] for r in rows[1:]) == ["ann", "bob", "dee"]
    assert any(r[:3] == ["dee", "member", "Riverside"] for r in rows)
    assert any(r[:3] == ["ann", "supporter", "Hillside"] for r in rows)


async def test_bad_campaign_input_changes_nothing(chat: Chat) -> None:
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --signatures 2 --deadline 2d")
    await chat.say("ann (private): /sign M1 yes")
    before = await chat.snapshot()
    cases = {
        "ann (private): /sign M1 yes": "signed M1 already",
        "ann (private): sign M1": None,  # the prompt; signing twice is refused on yes
        "ann (private): yes": "signed M1 already",
        "bob (private): /sign M9 yes": "M9 is not a model-motion campaign",
        "bob (private): /sign X1": "not something to sign",
        "bob: /sign M1 yes": "Sign privately",
        "bob: /campaign M1 open --branches 3": "Only an organiser",
        "chair: /campaign M1 open --branches 3": "already a campaign",
        "bob: /campaign M1 adopted Hillside on 31 February": "not a real date",
        "bob: /campaign M1 adopted": "Name the branch",
        "bob: /campaign M1 export": "Only an organiser",
        "bob: /campaign M2": "M2 is not a model-motion campaign",
        "bob: /campaign M1 frobnicate": "There is no /campaign M1 frobnicate",
        "bob (private): /unsign M1": "have not signed",
        "bob: /campaign M1 retract Nowhere": "nothing to remove",
    }
    for line, expected in cases.items():
        out = await chat.say(line)
        if expected is not None:
            assert expected.lower() in out.lower(), (line, out)
        assert await chat.snapshot() == before, line
    await chat.say("bob (private): no")
    # Withdrawal, then signing a campaign past its deadline is refused.
    out = await chat.say("ann (private): /unsign M1")
    assert "withdrawn" in out
    await chat.advance("3d")
    before = await chat.snapshot()
    out = await chat.say("bob (private): /sign M1 yes")
    assert "ended at its deadline" in out
    assert await chat.snapshot() == before


async def test_an_organiser_of_another_room_cannot_touch_the_campaign(tmp_path) -> None:
    # Anyone can make a group and organise it; a motion's campaign is run from the motion's own
    # room, by its organisers: another room's organiser neither publishes it nor reads who signed.
    config = replace(parse_config({}), console_organisers=(),
                     organisers={"console:main": ("console:chair",), "console:other": ("console:eve",)})
    chat = await Chat.start(tmp_path, config)
    try:
        await chat.say("eve #other: /whoami", "ann: /motion new Secret draft",
                       "ann: /motion M1 resolves To do something confidential.")
        before = await chat.snapshot()
        out = await chat.say("eve #other: /campaign M1 open --signatures 1")
        assert "belongs to another room" in out and "confidential" not in out
        assert await chat.snapshot() == before
        await add_members(chat, [("dee", "Riverside")])
        await chat.say("chair: /motion M1 status carried", "chair: /campaign M1 open --signatures 5",
                       "bob (private): /sign M1 yes North", "dee: /campaign M1 adopted Riverside")
        before = await chat.snapshot()
        for line in ("eve #other: /campaign M1 export", "eve #other: /campaign M1 close",
                     "eve #other: /campaign M1 adopted Lakeside", "eve #other: /campaign M1 retract Riverside",
                     "eve (private): /campaign M1 export", "eve (private): /campaign M1 close"):
            out = await chat.say(line)
            assert "belongs to another room" in out or "only" in out.lower(), (line, out)
            assert "bob" not in out and "North" not in out, (line, out)
            assert await chat.snapshot() == before, line
    finally:
        await chat.stop()


async def test_a_model_motion_is_signed_for_words_that_can_no_longer_change(chat: Chat) -> None:
    await _model_motion(chat, final=False)
    # A draft's text is still edited, a submitted motion's still amended: signatures and branch
    # votes would stay attached to words their signers never saw.
    before = await chat.snapshot()
    out = await chat.say("chair: /campaign M1 open --branches 2")
    assert "can still change" in out and "/motion M1 status carried" in out
    assert await chat.snapshot() == before
    await chat.say("chair: /motion M1 submit")
    before = await chat.snapshot()
    out = await chat.say("chair: /campaign M1 open --branches 2")
    assert "can still change" in out
    assert await chat.snapshot() == before
    await chat.say("chair: /motion M1 status carried")
    out = await chat.say("chair: /campaign M1 open --branches 2")
    assert "Model motion campaign M1" in out
    out = await chat.say("chair: /motion M1 edit resolves 1 To oppose school funding.")
    assert "can no longer change" in out
    # A branch cannot have passed it before the campaign published it, nor in the future.
    await add_members(chat, [("eve", "Hillside")])
    before = await chat.snapshot()
    for line in ("eve: /campaign M1 adopted Hillside on 1 January 1990",
                 "eve: /campaign M1 adopted Hillside on yesterday",
                 "eve: /campaign M1 adopted Hillside on 2099-01-01"):
        out = await chat.say(line)
        assert "before the campaign" in out or "future" in out, (line, out)
        assert await chat.snapshot() == before, line
    out = await chat.say("eve: /campaign M1 adopted Hillside on today")
    assert "Hillside branch passed M1" in out


async def test_one_person_signs_once_before_and_after_linking_to_the_roll(chat: Chat) -> None:
    codes = await import_roll(chat)
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --signatures 2", "ann (private): /sign M1 yes",
                   f"ann (private): /join {codes['ann']}")
    # Linked now, Ann is the member Ann: the signature she gave as a supporter is still hers.
    before = await chat.snapshot()
    for line in ("ann (private): /sign M1 yes", "ann (private): sign M1", "ann (private): yes"):
        out = await chat.say(line)
        if line != "ann (private): sign M1":
            assert "signed M1 already" in out, (line, out)
        assert await chat.snapshot() == before, line
    assert "1 signature of 2" in await chat.say("chair: /campaign M1")
    assert "reached its goal" not in await transcript_after_outbox(chat)
    assert (await chat.say("ann (private): /mydata")).count("signature on M1") == 1
    assert "withdrawn" in await chat.say("ann (private): /unsign M1")
    assert "0 signatures of 2" in await chat.say("chair: /campaign M1")
    assert await chat.query("SELECT * FROM campaign_signatures") == []


async def test_final_figures_stay_final_after_close_and_after_the_deadline(chat: Chat) -> None:
    await add_members(chat, [("dee", "Riverside")])
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --branches 5 --deadline 2d", "ann (private): /sign M1 yes",
                   "bob (private): /sign M1 yes", "dee: /campaign M1 adopted Riverside")
    out = await chat.say("chair: /campaign M1")
    assert "Sign privately: send me sign M1" in out
    await chat.say("chair: /campaign M1 close")
    before = await chat.snapshot()
    for line, said in (("dee: /campaign M1 retract Riverside", "figures are final"),
                       ("chair: /campaign M1 retract Riverside", "figures are final"),
                       ("bob (private): /unsign M1", "/mydata erase")):
        out = await chat.say(line)
        assert "closed" in out and said in out, (line, out)
        assert await chat.snapshot() == before, line
    out = await chat.say("chair: /campaign M1")
    assert "2 signatures" in out and "1 branch adopted" in out and "Sign privately" not in out
    # Personal data is erasable always, final figures or not.
    assert "Erased: 1 model-motion signature" in await chat.say("bob (private): /mydata erase")


async def test_the_figures_are_final_at_the_deadline(chat: Chat) -> None:
    await add_members(chat, [("dee", "Riverside")])
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --signatures 5 --deadline 1d", "ann (private): /sign M1 yes",
                   "dee: /campaign M1 adopted Riverside")
    await chat.advance("2d")
    before = await chat.snapshot()
    for line in ("ann (private): /unsign M1", "dee: /campaign M1 retract Riverside"):
        out = await chat.say(line)
        assert "deadline" in out and "final" in out, (line, out)
        assert await chat.snapshot() == before, line
    out = await chat.say("chair: /campaign M1")
    assert "1 signature of 5 · 1 branch adopted" in out and "has passed" in out and "Sign privately" not in out


async def test_a_branch_named_with_on_reports_and_a_signers_branch_keeps_its_punctuation(chat: Chat) -> None:
    await add_members(chat, [("dee", "Stoke on Trent")])
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --branches 2")
    assert "Recorded: Stoke on Trent branch passed M1" in await chat.say("dee: /campaign M1 adopted Stoke on Trent")
    await chat.say("ann (private): /sign M1 yes <North>")
    assert [r[2] for r in await chat.app.services.campaigns.signatures(1)] == ["<North>"]


async def test_one_person_who_signed_from_two_accounts_before_linking_them_counts_once(chat: Chat) -> None:
    """Ann signed M1 and M2 from her Matrix account, then from this one, before linking either:
    once both are linked to her membership, the open campaign M1 counts her once (the signature
    she gave first stays) and she is told so privately, once; M2, closed meanwhile, keeps the
    figures it ended with."""
    codes = await import_roll(chat)
    await _model_motion(chat)
    await chat.say("chair: /motion new Fund our libraries", "chair: /motion M2 resolves To fund every library.",
                   "chair: /motion M2 status carried",
                   "chair: /campaign M1 open --signatures 3", "chair: /campaign M2 open --signatures 3")
    # Her Matrix account: what the bot answers there is not seen here, what it records is.
    matrix = Message(Actor("mx:@ann:example.org", "Ann M"), Room("mx:!ann:example.org", private=True), "")

    async def on_matrix(text: str) -> None:
        await chat.app.handle(replace(matrix, text=text))
        await chat.settle()

    await on_matrix("/sign M1 yes")
    await on_matrix("/sign M2 yes")
    chat.tick(timedelta(minutes=1))
    assert "It has 2 signatures" in await chat.say("ann (private): /sign M1 yes")
    await chat.say("ann (private): /sign M2 yes", "chair: /campaign M2 close")
    await on_matrix(f"/join {codes['ann']}")
    assert await chat.query("SELECT identity FROM identities") == [("mx:@ann:example.org",)]
    start = len(chat.transport.transcript)
    assert "linked to your membership" in await chat.say(f"ann (private): /join {codes['ann']}")
    told = [line for line in (await transcript_after_outbox(chat)).splitlines()[start:] if "merged" in line]
    assert told == ["  [ann (private)] bot: You had signed M1 from another account too: the later signature was "
                    "merged into the first, so you count once."], told
    assert "1 signature of 3" in await chat.say("chair: /campaign M1")
    assert "2 signatures of 3" in await chat.say("chair: /campaign M2")
    assert await chat.query("SELECT motion_id, signer FROM campaign_signatures ORDER BY motion_id, signer") == [
        (1, "mx:@ann:example.org"), (2, "console:ann"), (2, "mx:@ann:example.org")]
    assert "M1 signatures: 1 row." in await chat.say("chair: /campaign M1 export")
    # Her /mydata lists what both accounts left: the one M1 signature that stays, and both on M2.
    mydata = await chat.say("ann (private): /mydata")
    assert mydata.count("signature on M1") == 1 and mydata.count("signature on M2") == 2, mydata
    # Counts only went down: a third signature is the second, and the goal is not reached.
    assert "It has 2 signatures" in await chat.say("bob (private): /sign M1 yes")
    assert "reached its goal" not in await transcript_after_outbox(chat)
    # She signs once, from either account, and withdraws the one signature from either.
    assert "signed M1 already" in await chat.say("ann (private): /sign M1 yes")
    assert "withdrawn" in await chat.say("ann (private): /unsign M1")
    assert "1 signature of 3" in await chat.say("chair: /campaign M1")


async def test_progress_names_the_zone_of_the_deadline(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Supporters read /campaign far from the organisation: its deadline names the zone it is
    read in, as the campaign's announcement does."""
    chat = await Chat.start(tmp_path, parse_config({"bot": {"timezone": "Europe/London"}}))
    try:
        await _model_motion(chat)
        out = await chat.say("chair: /campaign M1 open --signatures 2 --deadline 3h")
        assert "by Mon 01 Jun 2026 16:00 (Europe/London)" in out, out  # 12:00 UTC is 13:00 BST
        assert "Deadline today, Mon 01 Jun 2026 16:00 (Europe/London)." in await chat.say("ann: /campaign M1")
        await chat.advance("4h")
        assert "The deadline has passed: Mon 01 Jun 2026 16:00 (Europe/London)." in await chat.say(
            "ann: /campaign M1")
    finally:
        await chat.stop()


async def test_a_branch_report_is_the_reporters_data_and_an_erasure_takes_their_name_off_it(chat: Chat) -> None:
    """A branch secretary's report keeps their name and chat account: /mydata lists it, and
    /mydata erase takes both off it. The branch's vote stands, and still counts."""
    await add_members(chat, [("eve", "Hillside")])
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --branches 2 --deadline 30d")
    await chat.say("eve: /campaign M1 adopted Hillside on 2026-06-01")
    assert "• branch report on M1: Hillside passed it on 2026-06-01" in await chat.say("eve (private): /mydata")
    out = await chat.say("eve (private): /mydata erase")
    assert "your name on 1 branch report (the branch's vote stands)" in out, out
    assert await chat.query("SELECT reported_by, reporter FROM campaign_adoptions") == [("", "")]
    assert "branch report" not in await chat.say("eve (private): /mydata")
    assert "1 branch adopted" in await chat.say("chair: /campaign M1")
    out = await chat.say("chair: /campaign M1 adopted Hillside")
    assert "Hillside branch was already reported (passed on 2026-06-01); nothing changed." in out, out


async def test_a_day_without_a_year_still_to_come_this_year_is_refused_as_in_the_future(chat: Chat) -> None:
    """Sent before 3 June, "3 June" is this June's, not last year's (before the campaign opened):
    the refusal says what is wrong, with the year it read."""
    await add_members(chat, [("eve", "Hillside")])
    await _model_motion(chat)
    await chat.say("chair: /campaign M1 open --branches 2")
    today = chat.app.clock.now().date()
    ahead = today + timedelta(days=3)
    typed = f"{ahead.day} {ahead.strftime('%B')}"
    before = await chat.snapshot()
    out = await chat.say(f"eve: /campaign M1 adopted Hillside on {typed}")
    assert f"{ahead.isoformat()} is in the future; report a meeting once it has passed." in out, out
    assert "before the campaign" not in out and out.count(" bot: ") == 1, out
    assert await chat.snapshot() == before
