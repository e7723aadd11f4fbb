"""What organisers and volunteers type is read one way only: an answer that is a number is never
taken for a place in the list, and a question's name may have spaces, in the quota commands too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.features.pools import store
from tests.helpers import Chat
from tests.scenarios.pools.announced import verify_announced


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


async def test_a_question_whose_name_has_a_space_takes_quotas(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | age band: young, old | gender: f, m")
    out = await chat.say("chair: /pool 1 quota age band=young 1-2")
    assert "age band = young" in out
    out = await chat.say("chair: /pool 1 quota Age  Band = old 0-2")
    assert "age band = old" in out
    assert await chat.query("SELECT feature, value, min, max FROM pool_quotas ORDER BY value") == [
        ("age band", "old", 0, 2), ("age band", "young", 1, 2)]
    out = await chat.say('chair: /pool 1 quota "age band"=young 1-1')
    assert "exactly 1 panel member with age band = young" in out
    before = await chat.snapshot()
    out = await chat.say("chair: /pool 1 quota age_band=young 1-2")
    assert "asks no question “age_band”" in out and "age band" in out
    out = await chat.say("chair: /pool new Assembly | a=b: c, d")
    assert "may not contain '='" in out
    assert await chat.snapshot() == before


async def test_a_relaxed_quota_on_a_question_with_a_space_replays(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await chat.say("chair: /pool new Assembly | age band: young, old")
    for i, band in enumerate(["young", "young", "old", "old"]):
        await chat.say(f"p{i} (private): /pool 1 join", f"p{i} (private): {band}", f"p{i} (private): P{i}",
                       f"p{i} (private): yes")
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota age band=young 1-1")
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    assert "Panel drawn" in await chat.say("chair: /pool 1 draw 1 2 3")
    out = await chat.say("chair: /pool 1 relax age band=young 0-2")
    assert "age band=young at 0–2" in out
    # The announced check command quotes the name, and replays.
    assert "--relax 'age band=young' 0-2" in out
    await verify_announced(chat, tmp_path, capsys, out)


LONG = "x" * 101
TOO_MUCH = [
    (f"chair: /pool new Assembly | {LONG}: f, m", "keep its name and each answer to 100 characters"),
    (f"chair: /pool new Assembly | gender: f, {LONG}", "keep its name and each answer to 100 characters"),
    ("chair: /pool new Assembly | size: " + ", ".join(f"s{n}" for n in range(21)),
     "lists 21 answers; a question takes at most 20"),
    ("chair: /pool new Assembly | " + " | ".join(f"q{n}: a, b" for n in range(13)), "at most 12 questions"),
]


@pytest.mark.parametrize(("line", "fragment"), TOO_MUCH, ids=["name", "answer", "answers", "questions"])
async def test_a_pool_whose_questions_would_not_fit_its_messages_is_refused(chat: Chat, line: str,
                                                                          fragment: str) -> None:
    """Each question is read out whole in a volunteer's registration, its answers listed in one
    message: a question name or answer of any length, or any number of them, would not fit."""
    before = await chat.snapshot()
    out = await chat.say(line)
    assert fragment in out and out.count(" bot: ") == 1, out
    assert await chat.snapshot() == before
