"""Nothing lost, nothing counted twice: acknowledgement after commit, redelivery, ordering."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg

from bot.kernel.effects import AnswerPress
from bot.kernel.events import Actor, ButtonPress, Message, Room
from tests.helpers import Chat, exported


class _Other:
    """A connection of the test's own to the bot's database: it reads only what is committed."""

    def __init__(self, chat: Chat, tmp_path: Path) -> None:
        self._url = chat.app.config.database_url
        self._file = tmp_path / "quorum.db"
        self._server: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def votes(self) -> int:
        if self._url is None:
            with sqlite3.connect(self._file) as conn:
                return int(conn.execute("SELECT count(*) FROM votes").fetchone()[0])
        async with self._lock:  # one statement at a time on the one connection
            if self._server is None:
                self._server = await asyncpg.connect(self._url)
            return int(await self._server.fetchval("SELECT count(*) FROM votes"))

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()


async def test_acknowledged_votes_are_on_disk(chat: Chat, tmp_path: Path) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    room = Room("console:main")
    acked: list[str] = []
    orig = chat.transport.deliver
    other = _Other(chat, tmp_path)

    async def spy(effect):  # type: ignore[no-untyped-def]
        # At the moment a confirmation is sent, the vote must already be readable by another
        # connection (i.e. committed), not just sitting in a transaction.
        text = getattr(effect, "text", "")
        if "Your vote" in text:
            acked.append(f"{await other.votes()}")
        return await orig(effect)

    chat.transport.deliver = spy  # type: ignore[method-assign]
    await asyncio.gather(*(
        chat.app.handle(Message(Actor(f"console:v{i}", f"v{i}"), room, f"/vote 1 {1 + i % 2}"))
        for i in range(300)
    ))
    assert len(acked) == 300
    assert all(int(n) >= 1 for n in acked)
    assert chat.app.writer is not None and chat.app.writer.batches < 300  # group commit happened
    assert await other.votes() == 300
    await other.close()


async def test_redelivered_updates_never_count_twice(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    room = Room("console:main")
    ann = Actor("console:ann", "ann")
    first = ButtonPress(ann, room, "v:1:0", event_id="u1")
    second = ButtonPress(ann, room, "v:1:1", event_id="u2")
    await chat.app.handle(first)
    await chat.app.handle(second)
    chat.app.dispatcher._recent.clear()  # as after a restart: only the database remembers
    await chat.app.handle(first)  # the older update redelivered must not undo the newer vote
    assert await chat.query("SELECT choice FROM votes") == [("1",)]
    # Concurrent duplicates of a new update: applied once.
    chat.app.dispatcher._recent.clear()
    dup = ButtonPress(ann, room, "v:1:0", event_id="u3")
    await asyncio.gather(chat.app.handle(dup), chat.app.handle(dup))
    assert await chat.query("SELECT choice FROM votes") == [("0",)]
    # A redelivered /poll does not open a second poll.
    msg = Message(Actor("console:chair", "chair"), room, "/poll Again?", event_id="u4")
    await chat.app.handle(msg)
    chat.app.dispatcher._recent.clear()
    await chat.app.handle(msg)
    assert await chat.query("SELECT count(*) FROM polls") == [(2,)]


async def test_votes_queued_before_close_count_and_after_are_refused(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    room = Room("console:main")
    before = [chat.app.handle(Message(Actor(f"console:b{i}", f"b{i}"), room, "/vote 1 Pizza")) for i in range(50)]
    close = chat.app.handle(Message(Actor("console:chair", "chair"), room, "/close 1"))
    after = [chat.app.handle(Message(Actor(f"console:a{i}", f"a{i}"), room, "/vote 1 Soup")) for i in range(50)]
    await asyncio.gather(*before, close, *after)
    rows = await chat.query("SELECT result FROM polls WHERE id = 1")
    import json

    result = json.loads(rows[0][0])
    counted = await chat.query("SELECT count(*) FROM votes WHERE poll_id = 1")
    # The frozen result equals the votes stored: nothing slipped in after the close.
    assert result["ballots"] == counted[0][0]
    assert result["counts"][1] == 0 or result["ballots"] == sum(result["counts"])


async def test_restart_closes_overdue_polls_and_keeps_votes(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m", "ann: /vote 1 Soup")
    now = chat.app.clock.now()
    await chat.stop()
    # The bot is down across the deadline.
    from datetime import timedelta

    from bot.kernel.clock import ManualClock

    chat = await Chat.start(tmp_path, clock=ManualClock(now + timedelta(hours=2)))
    out = await chat.wait_for("WINNER")  # the deadline loop finds the overdue poll at start
    assert "WINNER: Soup" in out and "comes late" in out
    out = await chat.wait_for("file: ")  # and its chart follows, as after any close
    assert len(exported(out)) == 1
    await chat.stop()


async def test_old_update_ids_are_forgotten_new_ones_kept(chat: Chat) -> None:
    from datetime import timedelta

    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    room = Room("console:main")
    ann = Actor("console:ann", "ann")
    await chat.app.handle(ButtonPress(ann, room, "v:1:0", event_id="old"))
    chat.tick(timedelta(days=15))
    await chat.app.handle(ButtonPress(ann, room, "v:1:1", event_id="new"))
    await chat.app.scheduler.run_due()
    assert await chat.query("SELECT event_id FROM seen_events") == [(chat.app.writer.token("new"),)]
    assert chat.app.writer is not None
    assert await chat.app.writer.has_seen("new") and not await chat.app.writer.has_seen("old")


REFUSE_ZED_SQLITE = """CREATE TRIGGER refuse_zed BEFORE INSERT ON votes WHEN NEW.voter = 'console:zed'
BEGIN SELECT RAISE(ABORT, 'the disk refused'); END"""
REFUSE_ZED_POSTGRESQL = [
    """CREATE FUNCTION refuse_zed() RETURNS trigger AS $$ BEGIN
         IF NEW.voter = 'console:zed' THEN RAISE EXCEPTION 'the disk refused'; END IF; RETURN NEW; END $$
       LANGUAGE plpgsql""",
    "CREATE TRIGGER refuse_zed BEFORE INSERT ON votes FOR EACH ROW EXECUTE FUNCTION refuse_zed()",
]


async def test_a_batch_the_database_refuses_acknowledges_none_of_it_and_the_next_one_commits(chat: Chat) -> None:
    """A vote batch is all or nothing: when a statement in it fails, no vote of the batch is
    stored or acknowledged (each presser is told to try again), the update ids of none are
    recorded (so a redelivery is applied later), and the writer is not left inside the failed
    transaction."""
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    postgresql = chat.app.config.database_url is not None

    async def refuse_zed(conn) -> None:  # type: ignore[no-untyped-def]
        for sql in REFUSE_ZED_POSTGRESQL if postgresql else [REFUSE_ZED_SQLITE]:
            await conn.execute(sql)

    async def allow_zed(conn) -> None:  # type: ignore[no-untyped-def]
        await conn.execute("DROP TRIGGER refuse_zed ON votes" if postgresql else "DROP TRIGGER refuse_zed")

    assert chat.app.writer is not None
    await chat.app.writer.run(refuse_zed)
    room = Room("console:main")
    answers: dict[str, str] = {}
    orig = chat.transport.deliver

    async def record(effect):  # type: ignore[no-untyped-def]
        if isinstance(effect, AnswerPress):
            answers[effect.press.actor.name] = effect.text
        return await orig(effect)

    chat.transport.deliver = record  # type: ignore[method-assign]
    presses = [ButtonPress(Actor(f"console:{name}", name), room, "v:1:0", event_id=f"press-{name}")
               for name in ("zed", *(f"v{i}" for i in range(30)))]
    batches = chat.app.writer.batches
    await asyncio.gather(*(chat.app.handle(p) for p in presses))
    assert chat.app.writer.batches == batches  # the batch with zed's vote in it was not committed

    stored = {r[0] for r in await chat.query("SELECT voter FROM votes WHERE poll_id = 1")}
    assert len(answers) == len(presses)
    for press in presses:
        acknowledged = answers[press.actor.name].startswith("Your vote")
        assert acknowledged == (press.actor.id in stored), answers[press.actor.name]
        if not acknowledged:
            assert answers[press.actor.name].startswith("Sorry, something went wrong on my side.")
    assert not stored  # they were pressed at once: one batch, refused whole

    await chat.app.writer.run(allow_zed)
    answers.clear()
    await asyncio.gather(*(chat.app.handle(p) for p in presses))  # each update delivered again
    assert all(text.startswith("Your vote") for text in answers.values()) and len(answers) == len(presses)
    assert await chat.query("SELECT count(*) FROM votes WHERE poll_id = 1") == [(len(presses),)]
