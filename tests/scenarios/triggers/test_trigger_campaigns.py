"""Story 6: trigger campaigns of each threshold kind fire exactly once — also under 200
concurrent signatures and redelivered messages — and never after their deadline."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.kernel.config import parse_config
from bot.kernel.events import Actor, Message, Room
from tests.helpers import Chat, add_members, import_roll, transcript_after_outbox


def _private(name: str, text: str, event_id: str | None = None) -> Message:
    return Message(Actor(f"console:{name}", name), Room(f"console:@{name}", private=True), text, event_id=event_id)


async def _polls(chat: Chat) -> int:
    return (await chat.query("SELECT count(*) FROM polls"))[0][0]


async def test_signatures_threshold_fires_once(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", "Riverside") for i in range(5)])
    before = await chat.snapshot()
    out = await chat.say("m0: /trigger open recall Cllr Smith --signatures 3 --closes 14d")
    assert "Only an organiser" in out
    assert await chat.snapshot() == before
    out = await chat.say("chair: /trigger open recall Cllr Smith --signatures 3 --closes 14d --roll-call")
    assert "Trigger campaign T1: recall: Cllr Smith" in out and "[Sign T1]" in out
    out = await chat.say("m0 (private): sign T1")
    assert "You are signing trigger campaign T1" in out
    out = await chat.say("m0 (private): yes")
    assert "1 signature of the 3 needed" in out
    await chat.say("m1 (private): /sign T1 yes")
    out = await chat.say("m1 (private): /unsign T1")
    assert "withdrawn" in out
    await chat.say("m1 (private): /start sign-T1", "m1 (private): yes")
    out = await chat.say("m2 (private): /sign T1 yes")
    assert out.count("has fired") == 2  # the announcement and the signer's thanks
    assert "Trigger T1 has fired: recall: Cllr Smith — 3 signatures of the 3 needed" in out
    assert "Poll 1: T1: Recall Cllr Smith?" in out
    assert "[chair (private)] bot: Trigger T1 (recall: Cllr Smith) fired" in await transcript_after_outbox(chat)
    assert await _polls(chat) == 1
    before = await chat.snapshot()
    out = await chat.say("m3 (private): /sign T1 yes")
    assert "already fired" in out
    out = await chat.say("m0 (private): /unsign T1")
    assert "can no longer be withdrawn" in out
    assert await chat.snapshot() == before
    out = await chat.say("chair: /trigger T1")
    assert "It fired at" in out and "poll 1" in out
    out = await chat.say("m3: /vote 1 Yes")
    assert "Your vote in poll 1: Yes" in out


async def test_electorate_share_fires_once(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(10)])
    out = await chat.say("chair: /trigger open open-selection the MP for Riverside --electorate 25% --closes 7d")
    assert "25.0% of the electorate — 0 signatures of the 3 needed" in out
    for i in range(2):
        out = await chat.say(f"m{i} (private): /sign T1 yes")
        assert "has fired" not in out
    out = await chat.say("m2 (private): /sign T1 yes")
    assert "Trigger T1 has fired" in out and "3 signatures of the 3 needed" in out
    assert "Secret ballot" in out  # the follow-up ballot is secret by default
    assert await _polls(chat) == 1
    out = await chat.say("m3 (private): /sign T1 yes")
    assert "already fired" in out
    assert await _polls(chat) == 1


async def test_branch_share_fires_when_enough_branches_count(chat: Chat) -> None:
    members = [(f"a{i}", "Avon") for i in range(4)] + [(f"b{i}", "Brent") for i in range(4)] + \
        [(f"c{i}", "Cray") for i in range(2)]
    await add_members(chat, members)
    out = await chat.say(
        "chair: /trigger open no-confidence the chair --branches 1/2 --per-branch 50% --closes 10d")
    assert "50.0% of branches (a branch counts at 50.0% of its members)" in out
    assert "0 branches of the 2 needed" in out
    # Many signatures in one branch make only one branch count.
    for name in ("a0", "a1", "a2", "a3"):
        out = await chat.say(f"{name} (private): /sign T1 yes")
        assert "has fired" not in out
    out = await chat.say("chair: /trigger T1")
    assert "1 branch of the 2 needed" in out and "Branches that count: Avon" in out
    out = await chat.say("b0 (private): /sign T1 yes")
    assert "has fired" not in out
    out = await chat.say("c0 (private): /sign T1 yes")  # Cray: 1 of 2 members is 50%
    assert "Trigger T1 has fired" in out
    assert await _polls(chat) == 1
    out = await chat.say("b1 (private): /sign T1 yes")
    assert "already fired" in out
    assert await _polls(chat) == 1


async def test_two_hundred_concurrent_signatures_fire_once(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", f"B{i % 4}") for i in range(250)])
    await chat.say("chair: /trigger open recall the leader --signatures 150 --closes 14d")
    messages = [_private(f"m{i}", "/sign T1 yes", event_id=f"upd-{i}") for i in range(200)]
    redelivered = [_private(f"m{i}", "/sign T1 yes", event_id=f"upd-{i}") for i in range(140, 160)]
    await asyncio.gather(*(chat.app.handle(m) for m in messages + redelivered))
    await chat.settle()
    assert await chat.query("SELECT count(*) FROM trigger_signatures") == [(150,)]
    assert await chat.query("SELECT status FROM triggers") == [("fired",)]
    assert await _polls(chat) == 1
    transcript = await transcript_after_outbox(chat)
    assert transcript.count("Trigger T1 has fired") == 1
    assert transcript.count("[chair (private)] bot: Trigger T1") == 1
    assert transcript.count("your signature crossed the threshold") == 1
    assert transcript.count("already fired") == 50
    # A redelivery after a restart (the in-memory memory of updates is gone) is still dropped.
    chat.app.dispatcher._recent.clear()
    await chat.app.handle(_private("m10", "/sign T1 yes", event_id="upd-10"))
    await chat.app.handle(_private("m220", "/sign T1 yes", event_id="upd-220"))
    assert await chat.query("SELECT count(*) FROM trigger_signatures") == [(150,)]
    assert await _polls(chat) == 1


async def test_concurrent_signatures_just_short_never_fire(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(200)])
    await chat.say("chair: /trigger open recall the leader --signatures 200 --closes 14d")
    messages = [_private(f"m{i}", "/sign T1 yes", event_id=f"u{i}") for i in range(199)]
    await asyncio.gather(*(chat.app.handle(m) for m in messages + messages[:50]))
    assert await chat.query("SELECT count(*), (SELECT status FROM triggers) FROM trigger_signatures") == \
        [(199, "open")]
    await chat.app.handle(_private("m199", "/sign T1 yes", event_id="u199"))
    assert await chat.query("SELECT status FROM triggers") == [("fired",)]
    assert await _polls(chat) == 1


async def test_trigger_expires_unfired(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(5)])
    await chat.say("chair: /trigger open recall Cllr Jones --signatures 3 --closes 2d")
    await chat.say("m0 (private): /sign T1 yes", "m1 (private): /sign T1 yes")
    await chat.advance("2d")
    for _ in range(200):  # the expiry runs on the trigger timer; wait for its announcement
        if "closed at its deadline without firing" in "\n".join(chat.transport.transcript):
            break
        await asyncio.sleep(0.01)
    transcript = "\n".join(chat.transport.transcript)
    assert ("Trigger T1 (recall: Cllr Jones) closed at its deadline without firing: 2 signatures of the 3 needed"
            in transcript)
    before = await chat.snapshot()
    out = await chat.say("m2 (private): /sign T1 yes")
    assert "closed at its deadline" in out
    out = await chat.say("m0 (private): /unsign T1")
    assert "closed" in out
    assert await chat.snapshot() == before
    assert await _polls(chat) == 0
    assert await chat.query("SELECT status FROM triggers") == [("expired",)]


async def test_signature_at_the_deadline_is_refused_even_before_the_timer_runs(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(3)])
    await chat.say("chair: /trigger open recall Cllr Jones --signatures 1 --closes 1h")
    chat.tick(timedelta(hours=1))  # the clock passes the deadline, no timer yet
    out = await chat.say("m0 (private): /sign T1 yes")
    assert "closed at its deadline" in out
    assert await _polls(chat) == 0


async def test_fired_trigger_ballot_is_opened_after_a_restart(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await add_members(chat, [("m0", None), ("m1", None)])
        await chat.say("chair: /trigger open recall Cllr Jones --signatures 1 --closes 1d")

        async def fire_without_ballot(conn) -> None:  # type: ignore[no-untyped-def]
            # As if the bot stopped right after committing the firing signature.
            await conn.execute("INSERT INTO trigger_signatures VALUES (1, 1, 'console:m0', NULL, 1, 'x')")
            await conn.execute("UPDATE triggers SET status = 'fired', fired_at = '2026-06-01T12:00:00+00:00'")

        assert chat.app.writer is not None
        await chat.app.writer.run(fire_without_ballot)
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path)
    try:
        for _ in range(200):
            if (await chat.query("SELECT ballot_poll_id FROM triggers"))[0][0] is not None:
                break
            await asyncio.sleep(0.01)
        assert await chat.query("SELECT ballot_poll_id FROM triggers") == [(1,)]
        assert "Trigger T1 has fired" in "\n".join(chat.transport.transcript)
    finally:
        await chat.stop()


async def test_announcements_survive_a_platform_that_is_down_when_a_trigger_expires_or_fires(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", None) for i in range(3)])
    await chat.say("chair: /trigger open recall Cllr Smith --signatures 3 --closes 1h",
                   "chair: /trigger open recall Cllr Jones --signatures 1 --closes 1d")
    real = chat.transport.deliver

    async def down(effect):  # type: ignore[no-untyped-def]
        raise ConnectionError("platform unreachable")

    chat.transport.deliver = down  # type: ignore[method-assign]
    try:
        await chat.advance("1h")  # T1 expires
        await chat.app.scheduler.run_due()
        await chat.say("m0 (private): /sign T2 yes")  # T2 fires
    finally:
        chat.transport.deliver = real  # type: ignore[method-assign]
    assert await chat.query("SELECT id, status FROM triggers ORDER BY id") == [(1, "expired"), (2, "fired")]
    chat.tick(timedelta(minutes=10))  # past the outbox's retry
    shown = await transcript_after_outbox(chat)
    assert shown.count("Trigger T1 (recall: Cllr Smith) closed at its deadline without firing") == 1, shown
    assert shown.count("Trigger T2 has fired: recall: Cllr Jones") == 1, shown
    assert "[chair (private)] bot: Trigger T2 (recall: Cllr Jones) fired" in shown
    chat.tick(timedelta(hours=1))  # a retry never posts twice
    shown = await transcript_after_outbox(chat)
    assert shown.count("closed at its deadline without firing") == 1, shown
    assert shown.count("Trigger T2 has fired") == 1, shown


async def test_erasure_deletes_signatures_on_cancelled_and_expired_triggers(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", "North") for i in range(5)])
    await chat.say("chair: /trigger open recall Cllr Smith --signatures 3 --closes 2d",
                   "chair: /trigger open recall Cllr Jones --signatures 3 --closes 2d",
                   "m0 (private): /sign T1 yes", "m0 (private): /sign T2 yes", "m1 (private): /sign T1 yes",
                   "chair: /trigger T1 cancel")
    await chat.advance("3d")  # T2 expires
    await chat.app.scheduler.run_due()
    assert await chat.query("SELECT status FROM triggers ORDER BY id") == [("cancelled",), ("expired",)]
    out = await chat.say("m0 (private): /mydata erase")
    assert "Erased: 2 trigger signatures." in out, out
    assert await chat.query("SELECT trigger_id, member_id FROM trigger_signatures") == [(1, 2)]  # m1's stays
    assert "I keep no sign-ups, signatures, pool registrations or motion records of yours." \
        in await chat.say("m0 (private): /mydata")


async def test_erasure_says_why_a_fired_triggers_signature_is_kept(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", "North") for i in range(3)])
    await chat.say("chair: /trigger open recall Cllr Smith --signatures 1 --closes 2d", "m0 (private): /sign T1 yes")
    before = await chat.snapshot()
    out = await chat.say("m0 (private): /mydata erase")
    assert "nothing to erase" not in out, out
    assert "signature on T1" in out and "T1 fired" in out and "why its ballot was held" in out, out
    assert await chat.snapshot() == before


async def test_shares_and_counts_take_plain_bounded_numbers_only(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", "North") for i in range(3)])
    before = await chat.snapshot()
    for threshold in ("--electorate 1e-9999%", "--electorate 1e9999999%", "--electorate 1E2%",
                      "--electorate 0.0000001%", "--electorate 1_0%", "--electorate 1/1e99999",
                      "--branches 1/2 --per-branch 1e-9999%", "--branches 1e99999999/1e99999999 --per-branch 1"):
        out = await chat.say(f"chair: /trigger open recall X {threshold} --closes 2d")
        assert out.count("bot:") == 1 and "is not a share" in out, (threshold, out)
        assert "something went wrong" not in out
    for count in ("²", "9" * 5000):
        for option in ("--signatures", "--branches 1/2 --per-branch"):
            out = await chat.say(f"chair: /trigger open recall X {option} {count} --closes 2d")
            assert out.count("bot:") == 1 and "takes a whole number of at least 1" in out, (option, out)
    assert await chat.snapshot() == before
    out = await chat.say("chair: /trigger open recall X --electorate 0.000001% --closes 2d")
    assert "Trigger campaign T1" in out, out


async def test_signing_says_the_branch_comes_from_the_roll_not_from_the_reply(chat: Chat) -> None:
    await add_members(chat, [("m1", "North"), ("m2", None)])
    await chat.say("chair: /trigger open recall X --signatures 2 --closes 2d")
    out = await chat.say("m1 (private): sign T1")
    assert "counts for your branch on the roll when the campaign opened (North)" in out, out
    out = await chat.say("m1 (private): yes Southside")
    assert "you signed T1" in out and "counts for North, your branch on the roll" in out, out
    assert await chat.query("SELECT branch FROM trigger_signatures") == [("North",)]
    out = await chat.say("m2 (private): /sign T1 yes Southside")
    assert "The roll gives you no branch" in out, out


async def test_a_member_signs_once_from_two_linked_accounts(chat: Chat) -> None:
    """Only members sign a trigger, and a signature is the member's, not the account's: an
    account signs nothing before it is linked, and a member's second account finds the member's
    signature there. So no link can leave a member counted twice (as model motions had to be
    merged: tests/scenarios/campaigns)."""
    codes = await import_roll(chat)
    await chat.say(f"ann (private): /join {codes['ann']}",
                   "chair: /trigger open recall Cllr Smith --signatures 2 --closes 14d")
    matrix, dm = Actor("mx:@ann:example.org", "Ann M"), Room("mx:!ann:example.org", private=True)
    await chat.app.handle(Message(matrix, dm, "/sign T1 yes"))
    await chat.say("ann (private): /sign T1 yes")
    await chat.app.handle(Message(matrix, dm, f"/join {codes['ann']}"))
    await chat.app.handle(Message(matrix, dm, "/sign T1 yes"))
    await chat.settle()
    assert await chat.query("SELECT member_id FROM identities WHERE identity = ?", matrix.id) == [(1,)]
    assert await chat.query("SELECT member_id, identity FROM trigger_signatures") == [(1, "console:ann")]
    assert "1 signature of the 2 needed" in await chat.say("chair: /trigger T1")


async def test_progress_names_the_zone_of_the_deadline(tmp_path: Path) -> None:
    """Members read /trigger far from the organisation: its deadline names the zone it is read
    in, as the campaign's announcement does."""
    chat = await Chat.start(tmp_path, parse_config({"bot": {"timezone": "Europe/London"}}))
    try:
        await add_members(chat, [("m0", "North"), ("m1", "North")])
        out = await chat.say("chair: /trigger open recall X --signatures 2 --closes 2d")
        assert "Closes Wed 03 Jun 13:00 (Europe/London)." in out, out  # 12:00 UTC is 13:00 BST
        assert "Closes Wed 03 Jun 13:00 (Europe/London); 2 days left." in await chat.say("m0: /trigger T1")
    finally:
        await chat.stop()


NORTH_EAST = "name,number,branch,weight\nAnn Smith,1001,North East,120\nBob Jones,1002,North East,80\n" \
             "Cat Lee,1003,South,300\n"


@pytest.mark.parametrize("branch", ["North East", '"North East"', "“north east”", "north  EAST", "=North East"])
@pytest.mark.parametrize("after", [True, False], ids=["last", "between"])
async def test_a_trigger_branch_may_have_several_words_as_a_polls_may(chat: Chat, branch: str, after: bool) -> None:
    """--branch reads a name of several words up to the next option, in quotes or not, in any
    case, as /poll does, and keeps it as the roll spells it: the campaign's electorate is the
    branch's two members."""
    await import_roll(chat, NORTH_EAST)
    option = f"--branch{branch}" if branch.startswith("=") else f"--branch {branch}"
    line = (f"chair: /trigger open recall Cllr Smith --signatures 2 --closes 14d {option}" if after
            else f"chair: /trigger open recall Cllr Smith --signatures 2 {option} --closes 14d")
    out = await chat.say(line)
    assert "Trigger campaign T1" in out and "Electorate: North East branch (2 members)" in out, out
    assert await chat.query("SELECT branch FROM triggers") == [("North East",)]


@pytest.mark.parametrize("command", ["/trigger open recall Cllr Smith --signatures 2 --branch “North East --closes 14d",
                                     "/poll Strike? --branch \"North East --closes 1h",
                                     "/poll Strike? --closes 1h --branch 'North"])
async def test_a_branch_with_a_quotation_mark_left_open_is_refused_plainly(chat: Chat, command: str) -> None:
    await import_roll(chat, NORTH_EAST)
    before = await chat.snapshot()
    out = await chat.say(f"chair: {command}")
    assert "a quotation mark is left open" in out and '--branch "North East"' in out, out
    assert len([ln for ln in out.splitlines() if " bot: " in ln]) == 1, out
    assert await chat.snapshot() == before


async def test_an_unknown_trigger_branch_is_refused_with_the_rolls_branches(chat: Chat) -> None:
    await import_roll(chat, NORTH_EAST)
    before = await chat.snapshot()
    out = await chat.say("chair: /trigger open recall Cllr Smith --signatures 2 --branch North --closes 14d")
    assert "No member on the roll is in branch “North”; the roll's branches are North East, South." in out, out
    assert await chat.snapshot() == before


async def test_help_says_how_a_branch_of_several_words_is_written(chat: Chat) -> None:
    for command in ("poll", "trigger"):
        out = await chat.say(f"ann: /help {command}")
        assert "several words runs to the next option, or goes in quotes" in out, out
