"""What follows a close survives a crash: a stop between a close's commit and its follow-up (the
chart, the ballot message shown closed, the features waiting on the poll told) has the next
start do that follow-up, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleTransport
from bot.kernel.clock import ManualClock
from bot.kernel.effects import Edit
from tests.helpers import Chat, DiesInChart, exported


async def test_a_follow_up_cut_short_is_done_at_the_next_start_and_only_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edits: list[Edit] = []
    deliver = ConsoleTransport.deliver

    async def spy(self: ConsoleTransport, effect: object):  # type: ignore[no-untyped-def]
        if isinstance(effect, Edit):
            edits.append(effect)
        return await deliver(self, effect)  # type: ignore[arg-type]

    monkeypatch.setattr(ConsoleTransport, "deliver", spy)
    chat = await Chat.start(tmp_path)
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Soup")
    ballot_ref = chat.transport.keyboards["console:main"][0]
    dies = DiesInChart(chat)  # the process dies once the close has committed
    closing = asyncio.create_task(chat.say("chair: /close 1"))
    await dies.reached()
    assert (await chat.query("SELECT closed_at IS NOT NULL FROM polls WHERE id = 1"))[0][0]
    assert "WINNER: Soup" in "\n".join(chat.transport.transcript)  # the result was announced
    assert not [e for e in edits if e.ref == ballot_ref and not e.buttons]  # still shown open
    closing.cancel()
    await asyncio.gather(closing, return_exceptions=True)
    now = chat.app.clock.now()
    await chat.stop()
    assert not exported("\n".join(chat.transport.transcript))  # no chart went out

    # Started again (on a shared database, once another process could no longer be finishing it).
    chat = await Chat.start(tmp_path, clock=ManualClock(now + timedelta(minutes=11)))
    text = await chat.wait_for("file: ")
    charts = exported(text)
    assert len(charts) == 1 and charts[0].startswith(b"\x89PNG")
    assert "Poll 1: Lunch?" in text  # the chart's caption
    for _ in range(250):  # the chart first, then the ballot message, then the record
        if await chat.query("SELECT poll_id FROM followed_up_polls") and any(not e.buttons for e in edits):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # time for anything done twice to show
    assert await chat.query("SELECT poll_id FROM followed_up_polls") == [(1,)]
    shown_closed = [e for e in edits if e.ref == ballot_ref and not e.buttons]
    assert len(shown_closed) == 1, edits  # the ballot message shows the poll closed, without its buttons
    await chat.stop()

    chat = await Chat.start(tmp_path, clock=ManualClock(now + timedelta(minutes=30)))
    await chat.say("ann: /polls")
    await asyncio.sleep(0.2)  # time for a follow-up done again, in the background, to show
    assert not exported("\n".join(chat.transport.transcript))  # done once: no second chart
    assert len([e for e in edits if e.ref == ballot_ref and not e.buttons]) == 1
    await chat.stop()
