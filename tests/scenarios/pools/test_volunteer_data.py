"""A pool volunteer's own data: /mydata lists the registration, /mydata withdraw P1 leaves an open
pool, and /mydata erase erases it. In an open pool the registration is deleted; in a frozen one
the ticket stays for the published draw, with nothing of the person, and a seat the erased
volunteer holds, or is drawn for later, is open as if declined, refilled by the published rules,
and the draw still verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel, replace
from bot.storage.sealing import Sealer
from tests.helpers import Chat, exported_csv, transcript_after_outbox
from tests.scenarios.pools.announced import verify_announced

NAME = "Zebedee Quixotic-Marchbanks"
PEOPLE = [("f", "north"), ("f", "south"), ("m", "north"), ("m", "south")] * 3
RANDOMNESS = "17 4 29 8 51"


async def _join(chat: Chat, who: str, gender: str, area: str, name: str) -> None:
    await chat.say(f"{who} (private): /pool 1 join", f"{who} (private): {gender}", f"{who} (private): {area}",
                   f"{who} (private): {name}")
    assert "You are registered in pool 1" in await chat.say(f"{who} (private): yes")


async def _frozen(chat: Chat, people: list[tuple[str, str]] = PEOPLE) -> dict[str, object]:
    """Pool 1 with PEOPLE registered (p0, p1, …), frozen for a panel of four; its document."""
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    for i, (gender, area) in enumerate(people):
        await _join(chat, f"p{i}", gender, area, f"Person {i}")
    await chat.say("chair: /pool 1 size 4", "chair: /pool 1 quota gender=f 2-2", "chair: /pool 1 quota area=north 2-2")
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    document: dict[str, object] = json.loads((await chat.query("SELECT document FROM pools"))[0][0])
    return document


async def _holder(chat: Chat, ticket: int) -> str:
    """The speaker who holds TICKET."""
    identity = (await chat.query("SELECT identity FROM pool_volunteers WHERE ticket = ?", ticket))[0][0]
    return str(identity).split(":", 1)[1]


def _answers(document: dict[str, object], ticket: int) -> dict[str, str]:
    groups = document["groups"]
    assert isinstance(groups, list)
    return next(g["answers"] for g in groups if ticket in g["tickets"])



async def _refilled_verifiably(chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str], ticket: int
                              ) -> tuple[list[int], str]:
    """Replacement round 1 refills TICKET's open seat, and the announced check replays it: the
    new panel, and what the check printed."""
    out = await chat.say("chair: /pool 1 replace 99 3 12")
    assert "Replacement round 1" in out, out
    new_panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    assert ticket not in new_panel and len(new_panel) == 4
    printed = await verify_announced(chat, tmp_path, capsys, out)
    assert f"Round 1: ticket {ticket} -> ticket" in printed
    return new_panel, printed


async def test_mydata_lists_a_pool_registration_and_withdraws_it(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _join(chat, "zed", "f", "north", NAME)
    out = await chat.say("zed (private): /mydata")
    assert f"• pool P1 (Assembly): name {NAME}; answers gender: f; area: north; since 20" in out, out
    assert "/mydata withdraw S1 (or M12, T2, P1)" in out
    out = await chat.say("zed (private): /mydata withdraw P1")
    assert "You have left pool 1; your answers are erased." in out
    assert await chat.query("SELECT count(*) FROM pool_volunteers") == [(0,)]
    assert "I keep no sign-ups, signatures, pool registrations or motion records of yours." \
        in await chat.say("zed (private): /mydata")


async def test_a_frozen_registration_shows_its_ticket(chat: Chat) -> None:
    await _frozen(chat)
    out = await chat.say("p4 (private): /mydata")
    assert "• pool P1 (Assembly): name Person 4; answers gender: f; area: north; ticket 5; since 20" in out, out


async def test_mydata_says_a_seat_was_declined(chat: Chat) -> None:
    """That a volunteer declined the seat they were drawn for is kept about them (the panel list
    the organisers export says so): /mydata says it too."""
    await _frozen(chat)
    await chat.say(f"chair: /pool 1 draw {RANDOMNESS}")
    ticket = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])[0]
    who = await _holder(chat, ticket)
    name = f"Person {who[1:]}"
    assert f"ticket {ticket}; since 20" in await chat.say(f"{who} (private): /mydata")
    await chat.say(f"{who} (private): /pool 1 decline")
    out = await chat.say(f"{who} (private): /mydata")
    assert f"• pool P1 (Assembly): name {name}; answers gender: " in out, out
    assert f"; ticket {ticket}, its seat declined; since 20" in out, out


async def test_withdrawing_what_is_not_yours_or_no_longer_can_be_is_refused(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _join(chat, "amy", "f", "north", "Amy Jones")
    before = await chat.snapshot()
    for line, said in [
        ("zed (private): /mydata withdraw P1", "You are not registered in pool 1."),  # amy's pool, not zed's
        ("zed (private): /mydata withdraw P9", "There is no pool 9."),
        ("zed (private): /mydata withdraw P", "“P” is not a pool id (like P12)."),
        ("zed (private): /mydata withdraw P1x", "“P1x” is not a pool id (like P12)."),
        ("amy: /mydata withdraw P1", "Ask about your data in a private chat with me"),
    ]:
        out = await chat.say(line)
        assert said in out, (line, out)
        assert out.count("bot:") == 1, (line, out)
        assert await chat.snapshot() == before, line


async def test_a_frozen_pool_cannot_be_left_but_can_be_erased_from(chat: Chat) -> None:
    await _frozen(chat)
    before = await chat.snapshot()
    out = await chat.say("p0 (private): /mydata withdraw P1")
    assert "Pool 1 is frozen and its draw published" in out and out.count("bot:") == 1
    assert await chat.snapshot() == before


async def test_erasing_from_an_open_pool_deletes_the_registration(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _join(chat, "zed", "f", "north", NAME)
    await _join(chat, "amy", "m", "south", "Amy Jones")
    out = await chat.say("zed (private): /mydata erase")
    assert "Erased: 1 pool registration." in out, out
    assert await chat.query("SELECT identity FROM pool_volunteers") == [("console:amy",)]
    assert await chat.query("SELECT count(*) FROM data_keys WHERE holder = ?",
                            Sealer("test-secret-for-tests").holder("console:zed")) == [(0,)]
    assert "nothing to erase" in await chat.say("zed (private): /mydata erase")
    assert "Amy Jones" in await chat.say("amy (private): /mydata")


async def test_erased_before_the_draw_and_drawn_the_seat_is_open_and_refilled_verifiably(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = await _frozen(chat)
    panel = draw_panel(open_document(document), RANDOMNESS)
    ticket = panel[0]
    who = await _holder(chat, ticket)
    await chat.app.outbox.drain()
    assert await chat.query("SELECT count(*) FROM outbox WHERE target = ?", f"console:{who}") == [(1,)]  # the ticket

    out = await chat.say(f"{who} (private): /mydata erase")
    assert "Erased: 1 pool registration." in out and "keeps your ticket in its published draw" in out, out
    # The ticket stays for the draw, with nothing of the person; the note that told them it is gone.
    assert await chat.query("SELECT identity, name, answers, ticket, declined, erased FROM pool_volunteers"
                            " WHERE ticket = ?", ticket) == [(f"erased:{ticket}", None, None, ticket, 0, 1)]
    assert await chat.query("SELECT count(*) FROM pool_volunteers WHERE identity = ?", f"console:{who}") == [(0,)]
    assert await chat.query("SELECT count(*) FROM outbox WHERE target = ?", f"console:{who}") == [(0,)]
    assert "I keep no sign-ups" in await chat.say(f"{who} (private): /mydata")
    assert "12 volunteers" in await chat.say("chair: /pool 1 status")

    # Drawn anyway (the draw does not know who erased): the seat is open at once, as if declined.
    out = await chat.say(f"chair: /pool 1 draw {RANDOMNESS}")
    assert "Panel drawn" in out and f"Ticket {ticket} declined a seat on panel 1." in out, out
    await transcript_after_outbox(chat)
    assert await chat.query("SELECT count(*) FROM outbox WHERE target = ?", f"console:{who}") == [(0,)]
    assert f"ticket {ticket} (seat open)" in await chat.say("chair: /pool 1 status")
    await _refilled_verifiably(chat, tmp_path, capsys, ticket)
    # The organisers' panel list shows the erased volunteer as erased, with the published answers.
    rows = exported_csv(await chat.say("chair: /pool 1 panel"))
    published = _answers(document, ticket)
    assert [str(ticket), "(erased)", published["gender"], published["area"], "yes", "refilled"] in rows, rows


async def test_erased_while_seated_the_seat_is_open_and_the_room_told(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _frozen(chat)
    assert "Panel drawn" in await chat.say(f"chair: /pool 1 draw {RANDOMNESS}")
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    ticket = panel[1]
    who = await _holder(chat, ticket)
    await chat.app.outbox.drain()
    assert await chat.query("SELECT count(*) FROM outbox WHERE target = ?", f"console:{who}") == [(2,)]  # ticket, seat

    out = await chat.say(f"{who} (private): /mydata erase")
    assert "Erased: 1 pool registration." in out
    said = await transcript_after_outbox(chat)
    assert f"Ticket {ticket} declined a seat on panel 1." in said
    assert await chat.query("SELECT identity, name, answers, declined, erased FROM pool_volunteers WHERE ticket = ?",
                            ticket) == [(f"erased:{ticket}", None, None, 1, 1)]
    assert await chat.query("SELECT count(*) FROM outbox WHERE target = ?", f"console:{who}") == [(0,)]
    out = await chat.say("chair: /pool 1 status")
    assert f"ticket {ticket} (seat open)" in out
    # The volunteer is no longer there to decline (again) or to be told anything.
    assert "not on the panel" in await chat.say(f"{who} (private): /pool 1 decline")
    new_panel, printed = await _refilled_verifiably(chat, tmp_path, capsys, ticket)
    assert all(str(t) in printed for t in new_panel)


async def test_an_erased_volunteer_drawn_by_a_replacement_round_leaves_the_seat_open_for_the_next(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = await _frozen(chat, PEOPLE * 2)
    assert "Panel drawn" in await chat.say(f"chair: /pool 1 draw {RANDOMNESS}")
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    draw = open_document(document)
    # A seated ticket whose group has two volunteers off the panel: one of them erases, and the
    # first round's randomness is one that draws the erased one for the seat.
    seated, erased = next((t, rest[0]) for t in panel
                          if len(rest := [o for o in draw.groups[draw.group_of(t)].tickets if o not in panel]) >= 2)
    first = next(r for n in range(100)
                 if replace(draw, panel, [seated], r := f"{n} 5 5", 1)[1][0].replacement == erased)
    leaving, declining = await _holder(chat, erased), await _holder(chat, seated)
    assert "Erased: 1 pool registration." in await chat.say(f"{leaving} (private): /mydata erase")
    assert "will be offered to someone else" in await chat.say(f"{declining} (private): /pool 1 decline")

    out = await chat.say(f"chair: /pool 1 replace {first}")
    assert f"Ticket {seated}'s seat goes to ticket {erased}." in out, out
    assert f"Ticket {erased} declined a seat on panel 1." in out, out
    assert await chat.query("SELECT declined FROM pool_volunteers WHERE ticket = ?", erased) == [(1,)]
    assert f"ticket {erased} (seat open)" in await chat.say("chair: /pool 1 status")
    out = await chat.say("chair: /pool 1 replace 8 8 8")
    assert "Replacement round 2" in out, out
    now = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    assert seated not in now and erased not in now and len(now) == 4
    printed = await verify_announced(chat, tmp_path, capsys, out)
    assert f"Round 1: ticket {seated} -> ticket {erased}" in printed
    assert f"Round 2: ticket {erased} -> ticket" in printed
