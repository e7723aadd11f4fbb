"""An organiser of one room, and a member of it, try the organisers' commands on another room's
polls, motions, amendments, composites, campaigns, sign-up forms, trigger campaigns and pools by
id, from their own group and privately: each gets one short refusal that says the thing belongs to
another room (or that only an organiser may act), nothing changes, and nothing about the thing is
told: no title, option, name or state, whatever else the command holds (ids are sequential, so
that such a thing exists is all an id already tells)."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Chat, add_members
from tests.peers.postgresql import use_postgresql

SECRET = "zanzibar"
"""A word in every title, option, name and office of the room #main: no refusal says it."""

ORGANISES = {"console:chair": {"console:main"}, "console:olga": {"console:other"}}
IN_ROOMS = {"console:olga": {"console:other"}, "console:eve": {"console:other"}}
"""Olga organises #other only, Eve is a member of #other only; everyone else is in #main."""

SETUP = [
    "chair: /poll Zanzibar plan? | Zanzibar A | Zanzibar B --closes 1h",
    "chair: /poll Zanzibar secret? | Zanzibar C | Zanzibar D --secret --roll --closes 1h",
    "chair: /motion new Zanzibar motion", "chair: /motion M1 resolves To visit Zanzibar.",
    "chair: /motion M1 mover Zanzibar Smith",
    "chair: /motion new Zanzibar second", "chair: /motion M2 resolves To fly to Zanzibar.",
    'ann: /amend M1 resolves 1 replace "visit" with "leave"',
    "chair: /motion new Zanzibar campaign", "chair: /motion M3 resolves To sail to Zanzibar.",
    "chair: /motion M3 status carried", "chair: /campaign M3 open --branches 2",
    "chair: /motion new Zanzibar fourth", "chair: /motion M4 resolves To swim to Zanzibar.",
    "chair: /composite M2 M4 as Zanzibar composite",
    "chair: /signup open Zanzibar form",
    "chair: /trigger open recall Cllr Zanzibar --signatures 2 --closes 5d",
    "chair: /pool new Zanzibar pool | gender: f, m",
]

ATTEMPTS = [
    "/close 1", "/close 2", "/remind 1", "/remind 2 --names", "/results 1 --names", "/receipts 2", "/ballots 1",
    "/proxy 1 Ann", "/proxy 2 Ann", "/proxy 2", "/proxy 2 revoke",
    "/motion M1", "/motion M1 status carried", "/motion M1 vote --closes 10m", "/motion M1 emergency",
    "/motion M1 deadline 2d", "/motion M1 export md", "/motion M1 history", "/motion M1 invite",
    "/motion M1 mover Olga", "/amendment A1", "/amendment A1 vote --closes 10m", "/amendment A1 withdraw",
    "/amend M1 resolves 1 delete \"visit\"",
    "/composite C1", "/composite C1 agree", "/composite M2 M4 as Taken", "/composite M1 M2",
    "/campaign M3 export", "/campaign M3 close", "/campaign M1 open --branches 2",
    "/signup S1 export", "/signup S1 close",
    "/trigger T1", "/trigger T1 export", "/trigger T1 cancel",
    "/pool 1 size 3", "/pool 1 quota gender=f 1-2", "/pool 1 freeze", "/pool 1 draw abc", "/pool 1 export",
    "/pool 1 status", "/pool 1 document", "/pool 1 relax",
]
"""What an organiser of #main may do (or a member there see), tried by id from elsewhere."""

TAILS = ["", "now", "frobnicate", "--closes", "99", "“", "md", "--names", "x y z"]
"""What may follow, right or wrong: the room is said first, whatever it is."""

WHERE = ["olga #other", "olga (private)", "eve #other", "eve (private)"]

REFUSED = re.compile(r"belongs to another room|^Only an organiser|^Only organisers|not in a private chat")
"""The refusals that tell nothing of the thing: whose room it is, or who may act."""


async def _start(tmp_path: Path) -> Chat:
    chat = await Chat.start(tmp_path)

    async def is_admin(actor_id: str, room_id: str) -> bool:
        return room_id in ORGANISES.get(actor_id, set())

    async def is_member(actor_id: str, room_id: str) -> bool:
        return room_id in IN_ROOMS.get(actor_id, {"console:main"})

    chat.transport.is_admin = is_admin  # type: ignore[method-assign]
    chat.transport.is_member = is_member  # type: ignore[method-assign]
    await add_members(chat, [("ann", "North"), ("bob", "North"), ("cat", "South")])
    out = await chat.say(*SETUP)
    assert "Composite C1" in out and "Pool 1" in out and "T1" in out and "S1" in out, out
    return chat


def _check(line: str, out: str) -> None:
    replies = [ln for ln in out.splitlines() if " bot: " in ln]
    assert len(replies) == 1, (line, out)
    said = replies[0].split(" bot: ", 1)[1]
    assert SECRET not in out.lower(), (line, out)
    assert REFUSED.search(said), (line, out)


@pytest.mark.parametrize("where", WHERE)
async def test_another_rooms_things_are_refused_by_id_and_told_nothing_of(tmp_path: Path, where: str) -> None:
    chat = await _start(tmp_path)
    try:
        before = await chat.snapshot()
        for attempt in ATTEMPTS:
            line = f"{where}: {attempt}"
            _check(line, await chat.say(line))
        assert await chat.snapshot() == before
        # Their own room's organisers still do these things, privately too.
        assert "S1 sign-ups: 0 rows" in await chat.say("chair (private): /signup S1 export")
        assert "T1 signatures: 0 rows" in await chat.say("chair (private): /trigger T1 export")
    finally:
        await chat.stop()


def test_any_tail_after_another_rooms_id_is_refused_for_the_room_first() -> None:
    """Hypothesis: any of the attempts, from any of the places, with any of the tails (or any
    text) after it: the room is said first, in one reply that tells nothing of the thing, and
    nothing commits."""
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        chat = loop.run_until_complete(_start(Path(tmp)))

        async def commits() -> int:
            """Bumped by every commit (as in test_fuzz.py)."""
            if use_postgresql():
                return (await chat.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"))[0][0]
            return (await chat.query("PRAGMA data_version"))[0][0]

        async def once(where: str, attempt: str, tail: str) -> None:
            line = f"{where}: {attempt} {tail}".rstrip()
            await chat.app.outbox.drain()
            before = await commits()
            _check(line, await chat.say(line))
            assert await commits() == before, line

        text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r"),
                       max_size=20)

        @settings(max_examples=150, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(st.sampled_from(WHERE), st.sampled_from(ATTEMPTS),
               st.one_of(st.lists(st.sampled_from(TAILS), max_size=3).map(" ".join), text))
        def check(where: str, attempt: str, tail: str) -> None:
            loop.run_until_complete(once(where, attempt, tail))

        try:
            check()
        finally:
            loop.run_until_complete(chat.stop())
            loop.close()


async def test_a_roll_member_outside_the_room_still_gives_a_proxy(tmp_path: Path) -> None:
    """/proxy asks the poll's room first, but a roll poll's electorate is the roll: a member of
    it who is not in the room (or not on its platform) gives, reads and takes back a proxy
    privately as any other."""
    chat = await _start(tmp_path)
    try:
        out = await chat.say("chair: /poll Budget? | Yes | No --roll --proxies 1")
        poll_id = re.search(r"Poll (\d+)", out).group(1)  # type: ignore[union-attr]

        async def is_member(actor_id: str, room_id: str) -> bool:
            return actor_id != "console:ann" and room_id in IN_ROOMS.get(actor_id, {"console:main"})

        chat.transport.is_member = is_member  # type: ignore[method-assign]
        out = await chat.say(f"ann (private): /proxy {poll_id} bob")
        assert f"You gave your proxy in poll {poll_id} to bob" in out, out
        assert "You gave your proxy to bob." in await chat.say(f"ann (private): /proxy {poll_id}")
        out = await chat.say(f"ann (private): /proxy {poll_id} revoke", f"eve (private): /proxy {poll_id} bob")
        assert f"You took back your proxy in poll {poll_id} from bob" in out, out
        assert f"Poll {poll_id} belongs to another room; ask there." in out, out
    finally:
        await chat.stop()
