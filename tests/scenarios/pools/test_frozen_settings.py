"""The panel size and quotas a freeze computed its lottery with are the ones the pool keeps: a
change sent while the freeze is computing is either in the published draw or refused, never
confirmed and then ignored."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from bot.features.pools.service import PoolService
from tests.helpers import Chat


async def _pool_of_twelve(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | area: n, s")
    for i in range(12):
        g, a = "fm"[i % 2], "ns"[(i // 2) % 2]
        await chat.say(f"p{i} (private): /pool 1 join", f"p{i} (private): {g}", f"p{i} (private): {a}",
                       f"p{i} (private): P{i}", f"p{i} (private): yes")
    await chat.say("chair: /pool 1 size 4", "chair: /pool 1 quota gender=f 1-3")


async def test_a_change_sent_while_the_freeze_computes_is_never_confirmed_and_then_ignored(chat: Chat) -> None:
    await _pool_of_twelve(chat)
    start = len(chat.transport.transcript)
    # Two organisers at once: one freezes, the other tightens a quota and changes the size.
    await asyncio.gather(chat.session.play("chair: /pool 1 freeze"),
                         chat.session.play("chair: /pool 1 quota gender=f 2-2"),
                         chat.session.play("chair: /pool 1 size 6"))
    await chat.settle()
    await chat.app.outbox.drain()
    said = "\n".join(chat.transport.transcript[start:])
    stored_size = (await chat.query("SELECT panel_size FROM pools"))[0][0]
    stored_quotas = await chat.query("SELECT feature, value, min, max FROM pool_quotas")
    document = (await chat.query("SELECT document FROM pools"))[0][0]
    if document is None:  # the freeze gave way to the changes, and said so
        assert "changed while" in said and "/pool 1 freeze" in said, said
        assert "exactly 2 panel members" in said and "will have 6 members" in said
        assert (stored_size, stored_quotas) == (6, [("gender", "f", 2, 2)])
        assert await chat.query("SELECT status FROM pools") == [("open",)]
    else:  # the freeze came first: the changes were refused, and the pool keeps what it published
        published = json.loads(document)
        assert published["panel_size"] == stored_size
        assert [(q["feature"], q["value"], q["min"], q["max"]) for q in published["quotas"]] == stored_quotas
    # What the status says agrees with what was published, drawn or not.
    if document is None:
        assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    assert "Panel drawn" in await chat.say("chair: /pool 1 draw 5 5 5")
    published = json.loads((await chat.query("SELECT document FROM pools"))[0][0])
    out = await chat.say("chair: /pool 1 status")
    assert f"panel size {published['panel_size']}" in out
    assert "relaxed" not in out
    size = published["panel_size"]
    assert f"({size} of {size} seats filled)" in out


@pytest.mark.parametrize(("line", "said"), [
    ("chair: /pool 1 size 6", "Pool 1 is frozen; its panel size can no longer change."),
    ("chair: /pool 1 quota gender=f 2-2", "Pool 1 is frozen; its quotas can no longer change."),
])
async def test_a_change_read_before_the_freeze_and_written_after_it_is_refused(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, line: str, said: str
) -> None:
    """The change looked at the pool while it was still open, and its write comes after the
    freeze's commit: the write itself finds the pool frozen."""
    await _pool_of_twelve(chat)
    as_read = await chat.app.services.pools.get(1)
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    before = await chat.snapshot()

    async def stale(self: PoolService, pool_id: int) -> object:
        return dataclasses.replace(as_read)

    monkeypatch.setattr(PoolService, "get", stale)
    out = await chat.say(line)
    assert said in out, out
    assert "panel will have" not in out and "panel members with" not in out
    assert await chat.snapshot() == before
