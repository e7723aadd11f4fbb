"""A private conversation half answered (a sign-up form, a pool registration, a signature asked
for) survives a restart, and on PostgreSQL continues in whichever process gets the next answer:
its state is in the database, sealed under the person's data key. A form left a day ends; a late
answer is told so and signs nothing. An erasure deletes the form with everything else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.kernel.clock import ManualClock
from bot.kernel.errors import UserError
from bot.storage.dialogues import Dialogues
from bot.storage.sealing import Sealer
from tests.helpers import Chat
from tests.peers.postgresql import shared

NAME = "Zebedee Quixotic-Marchbanks"


async def _restarted(chat: Chat, tmp_path: Path, **overrides: object) -> Chat:
    clock = chat.app.clock
    await chat.stop()
    return await Chat.start(tmp_path, clock=ManualClock(clock.now()), **overrides)  # type: ignore[arg-type]


async def test_a_sign_up_half_answered_goes_on_after_a_restart(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /signup open People's assembly")
    await chat.say("zed (private): /signup S1", f"zed (private): {NAME}")
    chat = await _restarted(chat, tmp_path)
    try:
        out = await chat.say("zed (private): Upper Snodsbury")
        assert "contact" in out.lower(), out
        out = await chat.say("zed (private): skip")
        assert "Do you consent" in out and NAME in out
        out = await chat.say("zed (private): yes")
        assert "you are signed up for S1" in out
        out = await chat.say("zed (private): /mydata")
        assert NAME in out and "Upper Snodsbury" in out
        assert await chat.query("SELECT count(*) FROM dialogues") == [(0,)]  # ended with the sign-up
    finally:
        await chat.stop()


async def test_a_pool_registration_half_answered_goes_on_after_a_restart(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await chat.say("p (private): /pool 1 join", "p (private): f")
    chat = await _restarted(chat, tmp_path)
    try:
        await chat.say("p (private): north")
        chat = await _restarted(chat, tmp_path)
        out = await chat.say("p (private): Pat")
        assert "consent" in out.lower(), out
        chat = await _restarted(chat, tmp_path)
        out = await chat.say("p (private): yes")
        assert "You are registered in pool 1" in out
        out = await chat.say("p (private): /mydata")
        assert "Pat" in out and "north" in out
    finally:
        await chat.stop()


async def test_a_signature_asked_for_before_a_restart_is_given_after_it(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /motion new Fund our schools", "chair: /motion M1 resolves To fund schools.",
                   "chair: /motion M1 status carried", "chair: /campaign M1 open --signatures 3 --deadline 30d")
    out = await chat.say("ann (private): sign M1")
    assert "Reply yes" in out
    chat = await _restarted(chat, tmp_path)
    try:
        out = await chat.say("ann (private): yes Hillside")
        assert "you signed M1" in out
    finally:
        await chat.stop()


async def test_an_answer_after_the_form_expired_is_told_so_and_keeps_nothing(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /motion new Fund our schools", "chair: /motion M1 resolves To fund schools.",
                       "chair: /motion M1 status carried", "chair: /campaign M1 open --signatures 3 --deadline 30d",
                       "chair: /signup open People's assembly")
        await chat.say("ann (private): sign M1", "zed (private): /signup S1", f"zed (private): {NAME}")
        chat.tick(timedelta(days=1, minutes=1))
        out = await chat.say("ann (private): yes")
        assert "sign M1" in out and "you signed" not in out, out
        out = await chat.say("zed (private): Upper Snodsbury")
        assert "/signup S1" in out, out
        out = await chat.say("zed (private): yes")
        assert "signed up" not in out
        assert await chat.query("SELECT count(*) FROM campaign_signatures") == [(0,)]
        assert await chat.query("SELECT count(*) FROM signups") == [(0,)]
        assert await chat.query("SELECT count(*) FROM dialogues") == [(0,)]
    finally:
        await chat.stop()


async def test_a_late_answer_is_told_in_the_readers_language(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /pool new Assembly | gender: f, m", "zed (private): /language pl",
                       "amy (private): /language cy", "zed (private): /pool 1 join", "amy (private): /pool 1 join")
        chat.tick(timedelta(days=2))
        out = await chat.say("zed (private): f")
        assert "czekało na odpowiedź ponad dzień" in out and "/pool 1 join" in out, out
        out = await chat.say("amy (private): f")
        assert "dros ddiwrnod am ateb" in out and "/pool 1 join" in out, out
        assert await chat.query("SELECT count(*) FROM pool_volunteers") == [(0,)]
    finally:
        await chat.stop()


async def test_a_step_read_before_another_answer_moved_the_form_is_refused(tmp_path: Path) -> None:
    """Two answers of one person at once in two processes: the second, read against the question
    the first answered, is refused (to be sent again), and the first answer stands."""
    chat = await Chat.start(tmp_path)
    try:
        dialogues = Dialogues(chat.app.reader, chat.app.writer, chat.app.clock, Sealer("test-secret-for-tests"))
        await dialogues.save("console:zed", "signup", {"step": "name"}, None)
        read = await dialogues.current("console:zed")
        assert read is not None and read.state == {"step": "name"}
        await dialogues.save("console:zed", "signup", {"step": "area", "name": "Zed"}, None, read)
        with pytest.raises(UserError, match="send this one again"):
            await dialogues.save("console:zed", "signup", {"step": "area", "name": "Other"}, None, read)
        now = await dialogues.current("console:zed")
        assert now is not None and now.state == {"step": "area", "name": "Zed"}
    finally:
        await chat.stop()


async def test_forms_left_over_a_day_are_deleted_daily(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /signup open People's assembly", "zed (private): /signup S1",
                       f"zed (private): {NAME}")
        assert await chat.query("SELECT count(*) FROM dialogues") == [(1,)]
        await chat.advance("25h")
        await chat.wait_for("")  # the scheduler's turn
        for _ in range(100):
            if await chat.query("SELECT count(*) FROM dialogues") == [(0,)]:
                break
            await chat.settle()
        assert await chat.query("SELECT count(*) FROM dialogues") == [(0,)]
    finally:
        await chat.stop()


async def test_erasure_deletes_the_form_in_progress(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path)
    try:
        await chat.say("chair: /signup open People's assembly", "zed (private): /signup S1",
                       f"zed (private): {NAME}")
        stored = await chat.query("SELECT state FROM dialogues")
        assert len(stored) == 1 and stored[0][0].startswith("sealed1:") and NAME not in stored[0][0]
        await chat.say("zed (private): /mydata erase")
        assert await chat.query("SELECT count(*) FROM dialogues") == [(0,)]
        out = await chat.say("zed (private): Upper Snodsbury")
        assert "contact" not in out.lower()
    finally:
        await chat.stop()


@pytest.mark.postgresql_run("two processes on one database")
async def test_each_answer_may_reach_another_process(tmp_path: Path) -> None:
    url = shared().database_for(str(tmp_path / "shared"))
    a, b = [await Chat.start(tmp_path, database_url=url) for _ in range(2)]
    try:
        await a.say("chair: /signup open People's assembly")
        await a.say("zed (private): /signup S1")
        await b.say(f"zed (private): {NAME}")
        await a.say("zed (private): Upper Snodsbury")
        out = await b.say("zed (private): skip")
        assert "Do you consent" in out and NAME in out
        out = await a.say("zed (private): yes")
        assert "you are signed up for S1" in out
        out = await b.say("zed (private): yes")
        assert "signed up for S1" not in out
    finally:
        await a.stop()
        await b.stop()
