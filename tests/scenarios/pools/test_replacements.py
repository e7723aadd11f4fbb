"""After the draw: a declined seat that nobody left can fill without breaking a quota does not
stop the assembly. The round draws nothing and says how to go on; the organisers leave the seat
empty or relax a quota for replacements; later replacements keep working; the status shows the
seated panel apart from the tickets that declined; and the published file, with the steps
announced, replays the panel as it stands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel
from tests.helpers import Chat, exported
from tests.scenarios.pools.announced import verify_announced

# Area and gender; quotas: one woman and one northerner on a panel of two. The only northern
# woman (ticket 1) sits in every panel with a southern man (tickets 6, 7), the others are a
# southern woman (4, 5) with a northern man (2, 3). If ticket 1 declines, nobody keeps both quotas.
PEOPLE = [("f", "north"), ("m", "north"), ("m", "north"), ("f", "south"), ("f", "south"), ("m", "south"),
          ("m", "south")]


async def _drawn_with_ticket_1(chat: Chat) -> tuple[list[int], dict[int, str]]:
    """A frozen pool of PEOPLE, drawn with the first announced randomness whose panel seats ticket 1;
    the panel, and each ticket's speaker."""
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    for i, (gender, area) in enumerate(PEOPLE):
        await chat.say(f"p{i} (private): /pool 1 join", f"p{i} (private): {gender}", f"p{i} (private): {area}",
                       f"p{i} (private): Person {i}", f"p{i} (private): yes")
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota gender=f 1-1", "chair: /pool 1 quota area=north 1-1")
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    document = json.loads((await chat.query("SELECT document FROM pools"))[0][0])
    draw = open_document(document)
    randomness = next(f"{n} 17 4" for n in range(100) if 1 in draw_panel(draw, f"{n} 17 4"))
    assert "Panel drawn" in await chat.say(f"chair: /pool 1 draw {randomness}")
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    rows = await chat.query("SELECT ticket, identity FROM pool_volunteers")
    speakers = {t: ident.split(":", 1)[1] for t, ident in rows}
    assert panel[0] == 1 and len(panel) == 2
    return panel, speakers



async def test_a_seat_nobody_can_fill_is_left_empty_and_later_replacements_go_on(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel, who = await _drawn_with_ticket_1(chat)
    other = panel[1]
    await chat.say(f"{who[1]} (private): /pool 1 decline")
    before = await chat.snapshot()
    out = await chat.say("chair: /pool 1 replace 5 5 5")
    assert "Nothing was drawn" in out and "ticket 1's seat" in out
    assert "/pool 1 empty 1" in out and "/pool 1 relax " in out
    assert await chat.snapshot() == before
    # The status keeps the seated panel apart from the declined ticket.
    out = await chat.say("chair: /pool 1 status")
    assert f"Panel: {other} (1 of 2 seats filled)" in out
    assert "Declined: ticket 1 (seat open)" in out
    # Another selected volunteer declines meanwhile: the round still refuses, naming ticket 1.
    await chat.say(f"{who[other]} (private): /pool 1 decline")
    out = await chat.say("chair: /pool 1 replace 6 6 6")
    assert "Nothing was drawn" in out and "ticket 1's seat" in out
    # The organisers leave ticket 1's seat empty; the next round refills the other seat.
    assert "Only an organiser" in await chat.say("ann: /pool 1 empty 1")
    out = await chat.say("chair: /pool 1 empty 1")
    assert "the seat ticket 1 declined stays empty" in out and "Panel now: none (0 of 2 seats filled)" in out
    out = await chat.say("chair: /pool 1 replace 7 7 7")
    assert "Replacement round 1" in out and f"Ticket {other}'s seat goes to ticket" in out
    new = int(re.search(rf"Ticket {other}'s seat goes to ticket (\d+)", out).group(1))  # type: ignore[union-attr]
    assert new in (6, 7) and new != other  # the same group: a southern man
    assert "Panel now: " + str(new) + " (1 of 2 seats filled)" in out
    status = await chat.say("chair: /pool 1 status")
    assert f"Panel: {new} (1 of 2 seats filled)" in status
    assert f"Declined: ticket {other} (seat refilled), ticket 1 (seat left empty)" in status
    # The new member is told privately; the announced steps replay from the published file.
    await chat.app.outbox.drain()
    assert "You have been selected" in "\n".join(chat.transport.transcript)
    printed = await verify_announced(chat, tmp_path, capsys, out)
    assert "Ticket 1's seat is left empty." in printed
    assert f"Round 1: ticket {other} -> ticket {new} (same group)." in printed
    assert f"Panel (1 of 2 seats filled): {new}" in printed
    out = await chat.say("chair: /pool 1 panel")
    (panel_file,) = exported(out)
    listed = panel_file.decode()
    assert "ticket,name,gender,area,declined,seat" in listed and "left empty" in listed


async def test_a_quota_relaxed_for_replacements_lets_the_round_fill_the_seat(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel, who = await _drawn_with_ticket_1(chat)
    await chat.say(f"{who[1]} (private): /pool 1 decline")
    out = await chat.say("chair: /pool 1 replace 5 5 5")
    suggested = re.search(r"/pool 1 relax (\S+ \d+-\d+)", out)
    assert suggested is not None, out
    for line, fragment in [
        ("ann: /pool 1 relax gender=f 0-1", "Only an organiser"),
        ("chair: /pool 1 relax gender=f 1-2 3", "Usage: /pool 1 relax"),
        ("chair: /pool 1 relax gender=f 2-2", "can only lower the minimum or raise the maximum"),
        ("chair: /pool 1 relax gender=m 0-2", "no quota line gender=m"),
        ("chair: /pool 1 relax gender=f 1-1", "nothing to relax"),
        ("chair: /pool 1 relax age=old 0-1", "no question “age”"),
        ("chair: /pool 1 empty 6x", "Usage: /pool 1 empty TICKET"),
        (f"chair: /pool 1 empty {panel[1]}", "has not declined"),
    ]:
        before = await chat.snapshot()
        assert fragment in await chat.say(line), line
        assert await chat.snapshot() == before, line
    out = await chat.say(f"chair: /pool 1 relax {suggested.group(1)}")
    assert "replacement rounds from now on keep" in out and "the published draw is unchanged" in out
    out = await chat.say("chair: /pool 1 replace 8 8 8")
    assert "Replacement round 1" in out and "Ticket 1's seat goes to ticket" in out
    assert "Panel now: " in out and "(2 of 2 seats filled)" in out
    status = await chat.say("chair: /pool 1 status")
    assert "relaxed to" in status and "for replacements" in status
    assert "Declined: ticket 1 (seat refilled)" in status and "(2 of 2 seats filled)" in status
    printed = await verify_announced(chat, tmp_path, capsys, out)
    assert "Relaxed for the rounds after it" in printed
    assert "Round 1: ticket 1 -> ticket" in printed and "(another group that keeps the quotas)" in printed
    # Once refilled, that seat cannot be left empty, and there is nothing more to refill.
    assert "refilled already" in await chat.say("chair: /pool 1 empty 1")
    assert "No seat on panel 1 is open" in await chat.say("chair: /pool 1 replace 9 9 9")


async def test_relax_and_empty_wait_for_the_draw(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m")
    before = await chat.snapshot()
    assert "not frozen yet" in await chat.say("chair: /pool 1 relax gender=f 0-1")
    assert "not been drawn yet" in await chat.say("chair: /pool 1 empty 1")
    assert await chat.snapshot() == before
