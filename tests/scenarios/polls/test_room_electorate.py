"""A poll open to "anyone in the room" is for those in the room when it opened: someone who
joins after is refused with one message saying so (and when it opened), and nothing changes;
whoever was there before, or came before it opened, votes, also after leaving and coming back.
A join or a leave is kept only while an open poll of its room needs it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from tests.helpers import Chat, database_run, migrate_until


async def test_a_member_who_joined_after_the_poll_opened_cannot_vote(chat: Chat) -> None:
    await chat.say(":join ann")  # before any poll: there when it opens
    await chat.say(":advance 1m", "chair: /poll Lunch? | Pizza | Soup --closes 1h")
    await chat.say(":advance 1m", ":join dan")
    before = await chat.snapshot()
    out = await chat.say("dan: /vote 1 Soup")
    assert "electorate of poll 1 was fixed when it opened" in out and "you joined the room after" in out, out
    assert "(UTC)" in out, out  # the opening time, in the organisation's zone
    assert await chat.snapshot() == before
    out = await chat.say("dan [Soup]")
    assert "electorate of poll 1 was fixed when it opened" in out, out
    assert await chat.snapshot() == before
    out = await chat.say("ann: /vote 1 Pizza", "bob: /vote 1 Pizza")  # bob: there before the bot saw anyone join
    assert out.count("Your vote in poll 1: Pizza") == 2, out
    out = await chat.say("chair: /close 1")
    assert "Votes cast: 2" in out and "WINNER: Pizza" in out, out
    # The join told the bot nothing once the poll closed: it is gone.
    assert await chat.query("SELECT member FROM room_changes") == []


async def test_a_join_before_the_poll_opened_is_not_kept(chat: Chat) -> None:
    await chat.say("chair: /poll Old? | A | B")
    await chat.say(":advance 1m", ":join eve #finance")  # another room: poll 1 does not need it
    assert await chat.query("SELECT member FROM room_changes") == []
    await chat.say(":join eve")
    assert await chat.query("SELECT member FROM room_changes") == [("console:eve",)]
    out = await chat.say(":advance 1m", "chair: /poll New? | A | B", ":advance 1m", "eve: /vote 2 A")
    assert "fixed when it opened" not in out, out  # she was there when poll 2 opened
    out = await chat.say("eve: /vote 1 A")
    assert "electorate of poll 1 was fixed when it opened" in out, out


async def test_a_member_there_when_the_poll_opened_who_left_and_came_back_votes(chat: Chat) -> None:
    """The first change the bot saw of a member after the opening says whether they were there:
    a leave, and they were; a join, and they were not, whatever they did after."""
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h", ":advance 1m")
    await chat.say(":leave ann", ":advance 1m", ":join ann")  # ann: there at the opening
    await chat.say(":join dan", ":advance 1m", ":leave dan", ":advance 1m", ":join dan")  # dan: came after
    await chat.say(":join bob", ":advance 1m", "chair: /poll Dinner? | Pasta | Rice --closes 1h", ":advance 1m")
    await chat.say(":leave bob", ":advance 1m", ":join bob")  # bob: came after poll 1, there at poll 2
    before = await chat.snapshot()
    out = await chat.say("dan: /vote 1 Soup")
    assert "electorate of poll 1 was fixed when it opened" in out and "you joined the room after" in out, out
    out = await chat.say("bob: /vote 1 Soup")
    assert "electorate of poll 1 was fixed when it opened" in out, out
    assert await chat.snapshot() == before
    out = await chat.say("ann: /vote 1 Pizza", "bob: /vote 2 Rice")
    assert "fixed when it opened" not in out, out
    assert "Your vote in poll 1: Pizza" in out and "Your vote in poll 2: Rice" in out, out
    await chat.say("chair: /close 1", "chair: /close 2")
    assert await chat.query("SELECT member FROM room_changes") == []


async def test_a_change_in_the_second_the_poll_opened_counts_the_member_as_there(chat: Chat) -> None:
    """The platforms stamp a join or a leave to the second, so one in the very second the poll
    opened may have come before the opening or after it: read in the member's favour, a leave
    that second says they were there (they may come back and vote), and a join that second says
    nothing (they may have come just before). Whatever they did after decides as usual."""
    await chat.say(":join dan", ":join eve")  # dan, eve: there before the poll
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h", ":leave ann", ":join bob", ":leave dan",
                   ":join dan", ":join eve", ":leave eve")
    await chat.say(":advance 1m", ":join ann", ":leave bob", ":advance 1m", ":join bob", ":join eve")
    await chat.say(":join fay", ":advance 1m", "chair: /poll Dinner? | Pasta | Rice --closes 1h", ":leave fay")
    out = await chat.say("ann: /vote 1 Pizza", "bob: /vote 1 Soup", "dan: /vote 1 Pizza", "eve: /vote 1 Soup")
    assert "fixed when it opened" not in out, out
    assert out.count("Your vote in poll 1:") == 4, out
    await chat.say(":advance 1m", ":join fay")
    out = await chat.say("fay: /vote 2 Rice")  # there when poll 2 opened (left that second), not poll 1
    assert "Your vote in poll 2: Rice" in out, out
    out = await chat.say("fay: /vote 1 Soup")
    assert "electorate of poll 1 was fixed when it opened" in out, out
    await chat.say("chair: /close 1", "chair: /close 2")
    assert await chat.query("SELECT member FROM room_changes") == []


async def test_a_late_joiner_is_late_in_the_room_a_poll_moved_to(chat: Chat) -> None:
    """A room that moves (a group become a supergroup, an upgraded Matrix room) keeps what the
    bot saw of its members under its new id: who joined late in the old room and joins the new
    one is still late, as is anyone who joins the new one after the poll opened. A member who
    follows an upgraded Matrix room into its replacement is no join (its adapter does not
    report one), so whoever was there at the opening votes there."""
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h", ":advance 1m", ":join dan")
    out = await chat.say("dan: /vote 1 Soup")
    assert "electorate of poll 1 was fixed when it opened" in out, out
    await chat.say(":advance 1m")
    assert await chat.app.move_room("console:main", "console:hall")
    await chat.say(":advance 1m", ":join dan #hall", ":join eve #hall")
    before = await chat.snapshot()
    out = await chat.say("dan #hall: /vote 1 Soup", "eve #hall: /vote 1 Soup")
    assert out.count("electorate of poll 1 was fixed when it opened") == 2, out
    assert await chat.snapshot() == before
    out = await chat.say("ann #hall: /vote 1 Pizza")
    assert "Your vote in poll 1: Pizza" in out, out


async def test_a_late_join_kept_before_a_restart_still_counts_after_it(tmp_path: Path) -> None:
    """Votes look at the kept joins only once one may be kept (none, most of the time): a
    restart learns from the database that one is."""
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 1h", ":advance 1m", ":join dan")
        now = chat.app.clock.now()
    finally:
        await chat.stop()
    chat = await Chat.start(tmp_path, clock=ManualClock(now + timedelta(minutes=1)))
    try:
        before = await chat.snapshot()
        out = await chat.say("dan: /vote 1 Soup")
        assert "electorate of poll 1 was fixed when it opened" in out, out
        assert await chat.snapshot() == before
    finally:
        await chat.stop()


async def test_the_joins_kept_before_leaves_were_kept_too_survive_the_migration(tmp_path: Path) -> None:
    """A database last used when only the latest join of each member was kept (migrations up
    to 0040), with open room polls: each join becomes a kept change, so a late joiner stays
    late, and no one else is refused, in that room or another."""
    await migrate_until(tmp_path, 41)
    for poll_id, room, opened in ((1, "console:main", "11:00"), (2, "console:finance", "11:30")):
        await database_run(tmp_path, "INSERT INTO polls(id, room, creator, question, options, kind, electorate_kind,"
                           " opened_at) VALUES (?, ?, 'console:chair', 'Lunch?', ?, 'choice', 'room', ?)",
                           poll_id, room, '["A", "B"]', f"2026-06-01T{opened}:00+00:00")
    for room, member, joined in (("console:main", "console:dan", "11:10"), ("console:finance", "console:bob", "11:40")):
        await database_run(tmp_path, "INSERT INTO room_joins(room, member, joined_at) VALUES (?, ?, ?)",
                           room, member, f"2026-06-01T{joined}:00+00:00")
    chat = await Chat.start(tmp_path)
    try:
        assert sorted(await chat.query("SELECT room, member, at, joined FROM room_changes")) == [
            ("console:finance", "console:bob", "2026-06-01T11:40:00+00:00", 1),
            ("console:main", "console:dan", "2026-06-01T11:10:00+00:00", 1)]
        await chat.wait_for("[#main] bot:")
        await chat.wait_for("[#finance] bot:")  # both ballots posted again, as after any restart
        before = await chat.snapshot()
        out = await chat.say("dan: /vote 1 A", "bob #finance: /vote 2 A")
        assert out.count("was fixed when it opened") == 2, out
        assert "electorate of poll 1" in out and "electorate of poll 2" in out, out
        assert await chat.snapshot() == before
        out = await chat.say("ann: /vote 1 B", "bob: /vote 1 B", "dan #finance: /vote 2 B", "ann #finance: /vote 2 B")
        assert "fixed when it opened" not in out, out
        assert out.count("Your vote in poll 1: B") == 2 and out.count("Your vote in poll 2: B") == 2, out
        # Dan's vote waits for the close of poll 2 (the join he made after poll 1 opened): then it is gone.
        await chat.say("chair: /close 1")
        assert await chat.query("SELECT member FROM room_changes") == [("console:bob",)]
    finally:
        await chat.stop()
