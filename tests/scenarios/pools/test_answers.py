"""What organisers and volunteers type is read one way only: an answer that is a number is never
taken for a place in the list."""

from __future__ import annotations

from bot.features.pools import store
from tests.helpers import Chat


async def test_an_answer_that_is_a_bare_number_is_refused_when_the_pool_is_opened(chat: Chat) -> None:
    before = await chat.snapshot()
    out = await chat.say("chair: /pool new Assembly | children: 0, 1, 2, 3+")
    assert "may not be a bare number such as 0" in out and "its place in the list" in out
    assert "Pool 1 is open" not in out
    assert await chat.snapshot() == before
    out = await chat.say("chair: /pool new Assembly | children: none, 1 child, 2 children, 3+")
    assert "Pool 1 is open" in out


async def test_in_a_pool_opened_with_number_answers_an_answer_is_read_by_its_name_first(chat: Chat) -> None:
    """Pools opened before bare numbers were refused keep working: a number that is an answer is
    that answer, in the registration and in the quota commands alike."""
    questions = [{"name": "children", "options": ["0", "1", "2", "3+"]}]
    assert chat.app.writer is not None
    await chat.app.writer.run(lambda conn: store.insert_pool(conn, "console:main", "Assembly", questions,
                                                             "console:chair", "2026-01-01T00:00:00"))
    await chat.say("ann (private): /pool 1 join", "ann (private): 2", "ann (private): Ann")
    out = await chat.say("ann (private): yes")
    assert "You are registered in pool 1" in out
    assert "children: 2" in await chat.say("ann (private): /mydata")
    out = await chat.say("chair: /pool 1 quota children=1 0-1")
    assert "children = 1" in out
    assert await chat.query("SELECT feature, value, min, max FROM pool_quotas") == [("children", "1", 0, 1)]
    # A place in the list that is no answer's name still picks by place.
    out = await chat.say("chair: /pool 1 quota children=4 0-1")
    assert "children = 3+" in out
