"""Each volunteer is in a pool once, with one ticket, however they reach it: a member who links a
second account registers once; a freeze holds exactly the volunteers its lottery was computed
for; and a registration a freeze has given a ticket is not deleted by a leave sent just before."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.kernel.events import Actor, Message, Room
from tests.helpers import Chat, import_roll, transcript_after_outbox


async def _join(chat: Chat, who: str, gender: str) -> str:
    await chat.say(f"{who} (private): /pool 1 join", f"{who} (private): {gender}", f"{who} (private): {who.title()}")
    return await chat.say(f"{who} (private): yes")


async def _pool(chat: Chat, people: str = "fmfm") -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m")
    for n, gender in enumerate(people):
        assert "You are registered in pool 1" in await _join(chat, f"p{n}", gender)
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota gender=f 1-1")


async def _matrix(chat: Chat, text: str) -> None:
    """Ann's Matrix account says TEXT to the bot privately (the console has no Matrix adapter:
    what the bot answers there is dropped, and what it stored is read back instead)."""
    await chat.app.handle(Message(Actor("mx:@ann:example.org", "Ann"), Room("mx:!dm:example.org", private=True),
                                  text))
    await chat.settle()


async def test_a_member_registers_once_from_all_their_linked_accounts(chat: Chat) -> None:
    """Ann's console and Matrix accounts are one membership: registered from one, she is refused
    from the other (she had two tickets, and twice everyone else's chance)."""
    codes = await import_roll(chat)
    await chat.say("chair: /pool new Assembly | gender: f, m")
    await chat.say(f"ann (private): /join {codes['ann']}")
    await _matrix(chat, f"/join {codes['ann']}")
    assert len(await chat.app.services.roll.accounts(1)) == 2
    assert "You are registered in pool 1" in await _join(chat, "ann", "f")
    before = await chat.snapshot()
    for text in ["/pool 1 join", "f", "Ann again", "yes"]:
        await _matrix(chat, text)
    assert await chat.snapshot() == before
    assert await chat.query("SELECT identity FROM pool_volunteers") == [("console:ann",)]

    # Registering from both at once (the second form already under way when the first consented)
    # is refused at the consent, and nothing of the second is kept.
    assert "You have left pool 1" in await chat.say("ann (private): /pool 1 leave")
    await chat.say("ann (private): /pool 1 join", "ann (private): f", "ann (private): Ann")
    for text in ["/pool 1 join", "f", "Ann again"]:
        await _matrix(chat, text)
    assert "You are registered in pool 1" in await chat.say("ann (private): yes")
    await _matrix(chat, "yes")
    assert await chat.query("SELECT identity FROM pool_volunteers") == [("console:ann",)]
    assert "You are registered in pool 1" in await _join(chat, "bob", "m")  # another member is not held back


async def test_a_member_is_told_why_a_second_account_cannot_register(chat: Chat) -> None:
    """Ann's second account (ann2, linked to her membership as /join links her Matrix account) is
    told why, at the start and, when her first registered meanwhile, at the consent."""
    codes = await import_roll(chat)
    await chat.say("chair: /pool new Assembly | gender: f, m")
    await chat.say(f"ann (private): /join {codes['ann']}")
    await add_account(chat, "console:ann2", member=1)
    await chat.say("ann2 (private): /pool 1 join", "ann2 (private): f", "ann2 (private): Ann")
    assert "You are registered in pool 1" in await _join(chat, "ann", "f")
    before = await chat.snapshot()
    refusal = ("Your membership is registered in pool 1 already, from another of your linked accounts: a member "
               "registers once.")
    assert refusal in await chat.say("ann2 (private): yes")
    assert refusal in await chat.say("ann2 (private): /pool 1 join")
    assert await chat.snapshot() == before


async def add_account(chat: Chat, identity: str, member: int) -> None:
    """Link IDENTITY to MEMBER as /join would (the console is one platform, where /join links one
    account a member: this stands for their account on another)."""
    async def link(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("INSERT INTO identities(identity, display_name, member_id, linked_at)"
                           " VALUES (?, 'Ann', ?, '2026-01-01T00:00:00')", (identity, member))

    await chat.app.writer.run(link)
    chat.app.services.roll.linked(identity, member)


async def test_a_member_who_registered_from_two_accounts_before_linking_them_is_registered_once(
        chat: Chat) -> None:
    """Ann registered in pools 1 and 2 from her Matrix account and her console account before she
    linked either: linking the second keeps her first registration in each open pool, withdraws
    the later, and tells her; a frozen pool (3) keeps both, its published draw holding both."""
    codes = await import_roll(chat)
    for title in ("One", "Two", "Three"):
        await chat.say(f"chair: /pool new {title} | gender: f, m")
    for pool in (1, 2, 3):
        for text in [f"/pool {pool} join", "f", "Ann", "yes"]:
            await _matrix(chat, text)
        await chat.say(f"ann (private): /pool {pool} join", "ann (private): f", "ann (private): Ann Smith",
                       "ann (private): yes")
    assert "You are registered in pool 1" in await _join(chat, "bob", "m")
    await chat.say("chair: /pool 3 size 1", "chair: /pool 3 freeze")
    await _matrix(chat, f"/join {codes['ann']}")
    out = await chat.say(f"ann (private): /join {codes['ann']}")
    assert "Welcome, Ann Smith" in out
    said = await transcript_after_outbox(chat)
    assert "You had registered in pools 1, 2 from another account too: in each, the later registration is " \
           "withdrawn, so you hold one ticket." in said, said
    assert sorted(await chat.query("SELECT pool_id, identity FROM pool_volunteers")) == [
        (1, "console:bob"), (1, "mx:@ann:example.org"), (2, "mx:@ann:example.org"), (3, "console:ann"),
        (3, "mx:@ann:example.org")]
    # The note named the pools she registered in: an erasure takes it from the outbox too.
    merged = "SELECT count(*) FROM outbox WHERE target = 'console:ann' AND dedupe LIKE 'pools:merged:%'"
    assert await chat.query(merged) == [(1,)]
    # Erased from either account, all four registrations of both accounts go: they are hers.
    assert "Erased: 4 pool registrations." in await chat.say("ann (private): /mydata erase")
    assert await chat.query(merged) == [(0,)]
    assert sorted(await chat.query("SELECT pool_id, identity FROM pool_volunteers WHERE identity LIKE '%ann%'")) == []


async def test_a_freeze_refuses_when_the_volunteers_changed_while_its_lottery_was_computed(chat: Chat) -> None:
    """p0 leaves and zed registers while the lottery is computed: the count is as it was, but the
    document would have held a ticket for p0 (told it after leaving) and none for zed."""
    await _pool(chat)
    pools = chat.app.services.pools
    computed_for = await pools.volunteers(await pools.get(1))
    assert "You have left pool 1" in await chat.say("p0 (private): /pool 1 leave")
    assert "You are registered in pool 1" in await _join(chat, "zed", "f")
    before = await chat.snapshot()

    async def as_when_the_freeze_began(pool):  # type: ignore[no-untyped-def]
        return computed_for

    pools.volunteers = as_when_the_freeze_began  # type: ignore[method-assign]
    out = await chat.say("chair: /pool 1 freeze")
    del pools.volunteers
    assert "Someone registered or left pool 1 meanwhile; send /pool 1 freeze again." in out, out
    assert await chat.snapshot() == before

    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    assert sorted(await chat.query("SELECT identity, ticket FROM pool_volunteers")) == [
        ("console:p1", 1), ("console:p2", 2), ("console:p3", 3), ("console:zed", 4)]
    document = json.loads((await chat.query("SELECT document FROM pools"))[0][0])
    assert document["pool_size"] == 4


async def test_a_leave_sent_as_the_pool_froze_keeps_the_registration(chat: Chat) -> None:
    """p0's leave was read while the pool was open, and the freeze committed before it: the
    published draw holds p0's ticket, so the registration stays and p0 is told how to decline."""
    await _pool(chat)
    pools = chat.app.services.pools
    open_pool = await pools.get(1)
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    before = await chat.snapshot()

    async def as_read_before_the_freeze(pool_id: int):  # type: ignore[no-untyped-def]
        return open_pool

    pools.get = as_read_before_the_freeze  # type: ignore[method-assign]
    for line in ["p0 (private): /pool 1 leave", "p0 (private): /mydata withdraw P1"]:
        out = await chat.say(line)
        assert "Pool 1 is frozen and its draw published; if you are selected and cannot take part, send /pool 1 " \
               "decline." in out, out
        assert await chat.snapshot() == before
    del pools.get
    assert len(await chat.query("SELECT ticket FROM pool_volunteers WHERE ticket IS NOT NULL")) == 4


async def test_the_announced_check_names_the_file_the_bot_sends(chat: Chat, tmp_path: Path) -> None:
    """The check command the room is given runs as it is on the file /pool P document sends (it
    named pool-1.json, and the file came as pool-1-document.json)."""
    await _pool(chat)
    await chat.say("chair: /pool 1 freeze")
    out = await chat.say("chair: /pool 1 draw 17 4 29 8 51")
    command = re.search(r"quorum sortition verify (\S+) ", out)
    assert command is not None, out
    sent = await chat.say("p1: /pool 1 document")
    (path,) = re.findall(r"file: (.+)", sent)
    assert Path(path).name == command.group(1)
