"""When an amendment may be proposed: to a motion being drafted and to a submitted one (members
who are not its drafters change a draft by amendment put to the room), never once the motion is
decided; and never twice word for word while the first still stands."""

from __future__ import annotations

from tests.helpers import Chat


async def _motion(chat: Chat, submit: bool = False) -> None:
    await chat.say("ann: /motion new Save our library", "ann: /motion M1 resolves To campaign against the closure.",
                   "ann: /motion M1 mover Ann", "ann: /motion M1 seconder Bob")
    if submit:
        assert "is submitted" in await chat.say("ann: /motion M1 submit")


async def test_a_draft_is_amended_by_the_room_and_a_decided_motion_is_not(chat: Chat) -> None:
    await _motion(chat)
    # Bob is not a drafter: he cannot edit the draft, but he can move an amendment to it.
    assert "Only the drafters of M1" in await chat.say("bob: /motion M1 resolves To write to the council.")
    out = await chat.say('bob: /amend M1 resolves 1 replace "campaign" with "fight"')
    assert "Amendment A1 to M1" in out
    await chat.say("cat: /amendment A1 second", "chair: /amendment A1 vote --closes 10m", "ann: /vote 1 Yes")
    assert "A1 to M1 is carried and applied" in await chat.advance("10m")
    assert "To fight against the closure." in await chat.say("ann: /motion M1 show")
    # Submitted: its text now changes only by amendment, which is still open to the room.
    assert "is submitted" in await chat.say("ann: /motion M1 submit")
    assert "changes only by amendment" in await chat.say("ann: /motion M1 resolves More.")
    assert "Amendment A2 to M1" in await chat.say('cat: /amend M1 resolves 1 insert "together" after "fight"')
    await chat.say("cat: /amendment A2 withdraw", "chair: /motion M1 status carried")
    before = await chat.snapshot()
    out = await chat.say('cat: /amend M1 resolves 1 insert "together" after "fight"')
    assert "M1 is carried; it can no longer be amended" in out
    assert await chat.snapshot() == before


async def test_an_identical_amendment_is_refused_and_named(chat: Chat) -> None:
    await _motion(chat, submit=True)
    await chat.say('bob: /amend M1 resolves 1 replace "campaign" with "fight"')
    for speaker in ("cat", "bob"):
        before = await chat.snapshot()
        out = await chat.say(f'{speaker}: /amend M1 resolves 1 replace "campaign" with "fight"')
        assert "That amendment is proposed already as A1 (by bob)" in out and "/amendment A1 second" in out
        assert await chat.snapshot() == before
    # Seconded or being voted on, it is still the one to act on.
    await chat.say("cat: /amendment A1 second")
    out = await chat.say('dan: /amend M1 resolves 1 replace "campaign" with "fight"')
    assert "proposed already as A1 (seconded)" in out
    # A different amendment to the same words is a different question, and is taken.
    assert "Amendment A2 to M1" in await chat.say('dan: /amend M1 resolves 1 replace "campaign" with "march"')
    # Once withdrawn, the same words may be moved again by someone else.
    await chat.say("chair: /amendment A1 withdraw")
    assert "Amendment A3 to M1" in await chat.say('cat: /amend M1 resolves 1 replace "campaign" with "fight"')


async def test_an_amendment_identical_to_a_carried_one_is_refused(chat: Chat) -> None:
    await _motion(chat, submit=True)
    await chat.say("bob: /amend M1 add resolves To write to every councillor.", "cat: /amendment A1 second",
                   "chair: /amendment A1 vote --closes 10m", "ann: /vote 1 Yes")
    assert "A1 to M1 is carried and applied" in await chat.advance("10m")
    before = await chat.snapshot()
    out = await chat.say("cat: /amend M1 add resolves To write to every councillor.")
    assert "That amendment is A1, which was carried already" in out
    assert await chat.snapshot() == before


async def _three_points(chat: Chat) -> None:
    await chat.say("ann: /motion new Support", "ann: /motion M1 resolves To support the strike.",
                   "ann: /motion M1 resolves To support the union.", "ann: /motion M1 resolves To support the members.")


async def test_an_amendment_follows_its_point_when_an_earlier_point_is_deleted(chat: Chat) -> None:
    await _three_points(chat)
    await chat.say("bob: /amend M1 resolves 1 delete", 'cat: /amend M1 resolves 2 replace "support" with "oppose"',
                   "cat: /amendment A1 second", "bob: /amendment A2 second",
                   "chair: /amendment A1 vote --closes 10m", "ann: /vote 1 Yes")
    assert "A1 to M1 is carried and applied" in await chat.advance("10m")
    # The union point is now resolves 1, and A2 names it so: the room voted to change that point.
    assert "resolves 1: replace" in await chat.say("ann: /motion M1 amendments")
    await chat.say("chair: /amendment A2 vote --closes 10m", "ann: /vote 2 Yes")
    assert "A2 to M1 is carried and applied" in await chat.advance("10m")
    shown = await chat.say("ann: /motion M1 show")
    assert "To oppose the union." in shown and "To support the members." in shown


async def test_an_amendment_to_a_point_deleted_before_it_is_voted_on_is_void(chat: Chat) -> None:
    await _three_points(chat)
    await chat.say('bob: /amend M1 resolves 1 replace "support" with "oppose"', "cat: /amendment A1 second")
    # A drafter removes the very point A1 amends: A1 can no longer be applied as moved, and is void.
    out = await chat.say("ann: /motion M1 remove resolves 1")
    assert "A1" in out and "void" in out
    rows = await chat.query("SELECT status FROM amendments WHERE id = 1")
    assert rows == [("void",)]
    shown = await chat.say("ann: /motion M1 show")
    assert "To support the union." in shown and "oppose" not in shown


async def test_a_point_removed_by_a_drafter_renumbers_the_amendments_after_it(chat: Chat) -> None:
    await _three_points(chat)
    await chat.say('cat: /amend M1 resolves 2 replace "support" with "oppose"', "bob: /amendment A1 second")
    await chat.say("ann: /motion M1 remove resolves 1")
    await chat.say("chair: /amendment A1 vote --closes 10m", "ann: /vote 1 Yes")
    assert "A1 to M1 is carried and applied" in await chat.advance("10m")
    shown = await chat.say("ann: /motion M1 show")
    assert "To oppose the union." in shown and "To support the members." in shown


async def test_a_point_whose_amendment_is_being_voted_on_is_not_removed(chat: Chat) -> None:
    await _three_points(chat)
    await chat.say('bob: /amend M1 resolves 2 replace "support" with "oppose"', "cat: /amendment A1 second",
                   "chair: /amendment A1 vote --closes 10m")
    before = await chat.snapshot()
    out = await chat.say("ann: /motion M1 remove resolves 2")
    assert "Amendment A1 to resolves 2 is being voted on (poll 1)" in out
    assert await chat.snapshot() == before


async def test_an_amendment_being_voted_on_whose_point_another_deletes_is_void_when_carried(chat: Chat) -> None:
    await _three_points(chat)
    await chat.say("bob: /amend M1 resolves 2 delete", 'cat: /amend M1 resolves 2 replace "support" with "oppose"',
                   "cat: /amendment A1 second", "bob: /amendment A2 second",
                   "chair: /amendment A1 vote --closes 10m", "chair: /amendment A2 vote --closes 20m",
                   "ann: /vote 1 Yes", "ann: /vote 2 Yes")
    assert "A1 to M1 is carried and applied" in await chat.advance("10m")
    out = await chat.advance("10m")
    assert "A2 to M1 was carried but no longer fits the text" in out and "has been deleted" in out
    shown = await chat.say("ann: /motion M1 show")
    assert "oppose" not in shown and "To support the strike." in shown and "To support the members." in shown
    assert "union" not in shown


async def test_a_motion_is_not_withdrawn_while_an_amendment_to_it_is_being_voted_on(chat: Chat) -> None:
    await _motion(chat)
    await chat.say('bob: /amend M1 resolves 1 replace "campaign" with "fight"', "cat: /amendment A1 second",
                   "chair: /amendment A1 vote --closes 10m")
    before = await chat.snapshot()
    out = await chat.say("ann: /motion M1 status withdrawn")
    assert "Amendment A1 to M1 is being voted on (poll 1)" in out and "withdraw" in out
    assert await chat.snapshot() == before
    await chat.say("ann: /vote 1 Yes")
    assert "A1 to M1 is carried and applied" in await chat.advance("10m")
    assert "M1 is now withdrawn" in await chat.say("ann: /motion M1 status withdrawn")


async def test_an_amendment_carried_after_its_motion_was_withdrawn_leaves_the_text_alone(chat: Chat) -> None:
    await _motion(chat)
    await chat.say('bob: /amend M1 resolves 1 replace "campaign" with "fight"', "cat: /amendment A1 second",
                   "chair: /amendment A1 vote --closes 10m", "ann: /vote 1 Yes")

    async def withdraw(conn) -> None:  # as a database written before withdrawal waited for the ballot
        await conn.execute("UPDATE motions SET status = 'withdrawn' WHERE id = 1")

    await chat.app.writer.run(withdraw)
    out = await chat.advance("10m")
    assert "A1 to M1 was carried, but M1 is withdrawn" in out
    assert "To campaign against the closure." in await chat.say("ann: /motion M1 show")
    assert await chat.query("SELECT status FROM amendments WHERE id = 1") == [("void",)]
