"""A Matrix account's sync state on a database shared by several processes: only the holder of
the account's lease saves the sync token and the encryption store, so a process that stalled
past its lease cannot move the token back or overwrite the keys of the one that took over.

Each ``Chat`` is a whole bot on the same PostgreSQL database, as separate processes would be
(see test_shared_database.py); the first two run on PostgreSQL in every run. The rest run on the
run's database: which process does the due work is decided by what it can send.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.kernel.clock import ManualClock
from bot.kernel.effects import Delivered, Effect
from bot.storage.matrix_state import MatrixState
from bot.storage.scheduler import Scheduler
from tests.helpers import Chat
from tests.peers.postgresql import shared

ACCOUNT = "@quorum:example.org"


async def test_only_the_lease_holder_saves_the_sync_token_and_keys(tmp_path: Path) -> None:
    url = shared().database_for(str(tmp_path / "shared"))
    a, b = [await Chat.start(tmp_path, database_url=url) for _ in range(2)]
    try:
        first, second = a.app.matrix_store(ACCOUNT), b.app.matrix_store(ACCOUNT)
        assert first.shared and second.shared
        assert await first.lease.hold()
        assert not await second.lease.hold()  # one process runs the account
        assert await first.save_token("s1", ("DEVICE", "sealed-1"))
        assert not await second.save_token("s2", ("DEVICE", "sealed-2"))
        assert (await second.load()).next_batch == "s1"
        assert await second.crypto_store("DEVICE") == "sealed-1"

        # The first stalls past its lease; the second takes the account over and goes on.
        b.tick(first.lease.ttl + timedelta(seconds=1))
        assert await second.lease.hold()
        assert await second.save_token("s3", ("DEVICE", "sealed-3"))
        # The first wakes up believing it still runs the account: the database says no.
        assert not await first.save_token("s2-late", ("DEVICE", "sealed-late"))
        assert (await first.load()).next_batch == "s3"
        assert await first.crypto_store("DEVICE") == "sealed-3"
    finally:
        await a.stop()
        await b.stop()


async def test_the_store_is_sealed_with_a_key_from_the_secret(tmp_path: Path) -> None:
    url = shared().database_for(str(tmp_path / "shared"))
    a = await Chat.start(tmp_path, database_url=url)
    try:
        app = a.app
        ours = app.matrix_store(ACCOUNT).sealing_key
        # Every process with the same secret derives the same key; another secret another key.
        assert ours == MatrixState(app.reader, app.writer, app.clock, ACCOUNT, "test-secret-for-tests").sealing_key
        assert ours != MatrixState(app.reader, app.writer, app.clock, ACCOUNT, "another-secret").sealing_key
        assert b"test-secret-for-tests" not in ours
    finally:
        await a.stop()


class Standby:
    """A platform's transport in a process that does not run its account now (a Matrix account
    that another process syncs): it says so, and must not be asked to send."""

    platform = "mx"
    prefixes = ("!",)
    bot_username = None
    edit_interval = 0.0
    sending = False

    async def deliver(self, effect: Effect) -> Delivered | None:
        raise AssertionError(f"{effect!r} sent from a process that does not run the account")

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return False

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return False


async def test_due_work_and_the_outbox_wait_for_a_process_that_can_send_everywhere(tmp_path: Path) -> None:
    """A close announces itself on the poll's platform, so with several processes the one that
    runs every platform's account does the due work and sends the outbox: nothing is lost in a
    process that could not send it."""
    chat = await Chat.start(tmp_path)
    standby = Standby()
    chat.app.transports.add(standby)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m", "ann: /vote 1 Pizza")
        out = await chat.advance("31m")
        assert "Result" not in out
        assert await chat.query("SELECT closed_at FROM polls WHERE id = 1") == [(None,)]
        assert await chat.app.outbox.drain() == 0

        standby.sending = True  # this process runs the account now
        out = await chat.advance("1m")
        assert "Result — poll 1" in out and "WINNER: Pizza" in out
    finally:
        await chat.stop()


async def test_work_that_waited_for_the_account_is_done_as_soon_as_this_process_can_send(tmp_path: Path) -> None:
    """Taken over, the account's first sync tells the core (``can_send``): the overdue close and
    its announcement go then, not at the scheduler's next safety tick, half a minute on."""
    chat = await Chat.start(tmp_path)
    standby = Standby()
    chat.app.transports.add(standby)
    try:
        await chat.say("chair: /poll Lunch? | Pizza | Soup --closes 30m", "ann: /vote 1 Pizza")
        assert "Result" not in await chat.advance("31m")
        standby.sending = True  # the account's lease taken, its first sync handled
        chat.app.can_send()  # the clock stands still: only this wakes the scheduler before its tick
        await chat.wait_for("Result — poll 1", attempts=1000)  # 10 s at most, a third of the tick
    finally:
        await chat.stop()


async def test_a_process_that_does_not_do_the_due_work_still_says_it_is_alive(tmp_path: Path) -> None:
    """Work about the process itself (its presence, which paces every process's answers to a
    share of the platforms' limits) is done also while another process does the due work."""
    ready = False
    scheduler = Scheduler(ManualClock(), ready=lambda: ready)
    done: list[str] = []

    async def fire(name: str) -> None:
        done.append(name)

    scheduler.add("close polls", lambda: scheduler.clock.now() if "close polls" not in done else None,
                  lambda: fire("close polls"))
    scheduler.add("presence", lambda: scheduler.clock.now() if "presence" not in done else None,
                  lambda: fire("presence"), always=True)
    await scheduler.run_due()
    assert done == ["presence"]
    assert scheduler.next_due() is None  # nothing this process does is due: it does not spin
    ready = True
    await scheduler.run_due()
    assert done == ["presence", "close polls"]
