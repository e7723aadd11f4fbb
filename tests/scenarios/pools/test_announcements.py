"""What a pool tells its room (the freeze's commitment, the drawn panel, a declined seat, a
replacement round) is queued with the change it announces: a platform that fails at that moment
delays it, and it is posted once when the platform is back. The panel is drawn only once the
room has been sent the commitment, so that it was public before the randomness."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from bot.kernel.effects import Effect
from bot.storage.outbox import GIVE_UP_AFTER
from tests.helpers import Chat

ROOM = "console:main"


def room_down(chat: Chat) -> Callable[[bool], None]:
    """Make the platform fail every message to the pool's room; the switch turns it back on."""
    real = chat.transport.deliver
    down = {"on": True}

    async def flaky(effect: Effect) -> object:
        if down["on"] and getattr(effect, "room", None) == ROOM:
            raise ConnectionError("platform unreachable")
        return await real(effect)

    chat.transport.deliver = flaky  # type: ignore[method-assign]

    def switch(on: bool) -> None:
        down["on"] = on

    return switch


async def _pool(chat: Chat, freeze: bool = True) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m")
    for i, g in enumerate("fmfm"):
        await chat.say(f"p{i} (private): /pool 1 join", f"p{i} (private): {g}", f"p{i} (private): P{i}",
                       f"p{i} (private): yes")
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota gender=f 1-1")
    if freeze:
        assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")


async def _back(chat: Chat, switch: Callable[[bool], None]) -> str:
    """The platform is back: the whole transcript once the outbox has retried."""
    switch(False)
    await chat.advance("10m")
    await chat.app.outbox.drain()
    await chat.settle()
    return "\n".join(chat.transport.transcript)


async def test_a_commitment_the_platform_failed_to_post_is_posted_later_and_the_draw_waits_for_it(
    chat: Chat,
) -> None:
    await _pool(chat, freeze=False)
    switch = room_down(chat)
    await chat.say("chair (private): /pool 1 freeze")
    assert await chat.query("SELECT status FROM pools") == [("committed",)]
    assert "Pool 1 is frozen" not in "\n".join(chat.transport.transcript)
    before = await chat.snapshot()
    out = await chat.say("chair (private): /pool 1 draw 1 2 3")
    assert "commitment has not reached its room yet" in out and "/pool 1 draw" in out, out
    assert await chat.snapshot() == before
    text = await _back(chat, switch)
    assert text.count("Pool 1 is frozen") == 1 and "Commitment (SHA-256)" in text
    # The way to check it pins the commitment: a document sealed again after the freeze fails.
    commitment = (await chat.query("SELECT commitment FROM pools WHERE id = 1"))[0][0]
    assert f"--randomness RANDOMNESS --commitment {commitment}" in text, text
    out = await chat.say("chair (private): /pool 1 draw 1 2 3")
    text = "\n".join(chat.transport.transcript)
    assert text.count("Panel drawn") == 1
    assert text.index("Commitment (SHA-256)") < text.index("Panel drawn")


async def test_the_drawn_panel_and_what_follows_reach_the_room_once_the_platform_is_back(chat: Chat) -> None:
    await _pool(chat)
    switch = room_down(chat)
    await chat.say("chair (private): /pool 1 draw 1 2 3")
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    assert len(panel) == 2
    assert "Panel drawn" not in "\n".join(chat.transport.transcript)
    seated = (await chat.query("SELECT identity FROM pool_volunteers WHERE ticket = ?", panel[0]))[0][0]
    out = await chat.say(f"{seated.split(':', 1)[1]} (private): /pool 1 decline")
    assert "offered to someone else" in out
    await chat.say("chair (private): /pool 1 replace 4 5 6")
    assert await chat.query("SELECT rounds FROM pools") == [(1,)]
    text = await _back(chat, switch)
    # Each once, in the order they happened; the outbox's retries and later drains post nothing twice.
    await chat.app.outbox.drain()
    assert text.count("Panel drawn") == 1
    assert text.count(f"Ticket {panel[0]} declined a seat") == 1
    assert text.count("Replacement round 1") == 1
    assert text.index("Panel drawn") < text.index(f"Ticket {panel[0]} declined") < text.index("Replacement round 1")
    assert "\n".join(chat.transport.transcript) == text


async def test_a_commitment_the_outbox_gave_up_on_is_sent_again_when_the_draw_asks_for_it(chat: Chat) -> None:
    await _pool(chat, freeze=False)
    switch = room_down(chat)
    await chat.say("chair (private): /pool 1 freeze")
    for _ in range(GIVE_UP_AFTER // timedelta(hours=6) + 2):  # the room down for longer than is waited out
        await chat.advance("6h")
        await chat.app.outbox.drain()
    assert await chat.query("SELECT count(*) FROM outbox WHERE dedupe = 'pool:1:frozen' AND failed IS NOT NULL") == [
        (1,)]
    out = await chat.say("chair (private): /pool 1 draw 1 2 3")
    assert "commitment has not reached its room yet" in out
    assert await chat.query("SELECT status FROM pools") == [("committed",)]
    text = await _back(chat, switch)
    assert text.count("Pool 1 is frozen") == 1
    await chat.say("chair (private): /pool 1 draw 1 2 3")
    assert "\n".join(chat.transport.transcript).count("Panel drawn") == 1
