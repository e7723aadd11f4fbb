"""Sortition through the chat: registration with consent, quotas, freeze (commit), draw
(reveal), decline and replacement — and the published file verifies on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engines.sortition.cli import main as sortition_main
from tests.helpers import Chat, exported, exported_csv
from tests.scenarios.pools.announced import verify_announced

PEOPLE = [("f", "north"), ("f", "south"), ("m", "north"), ("m", "south")] * 3


async def _register(chat: Chat, n: int = len(PEOPLE)) -> None:
    for i, (gender, area) in enumerate(PEOPLE[:n]):
        out = await chat.say(f"p{i} (private): /pool 1 join")
        assert "Gender?" in out
        await chat.say(f"p{i} (private): {gender}", f"p{i} (private): {area}", f"p{i} (private): Person {i}")
        out = await chat.say(f"p{i} (private): yes")
        assert "You are registered in pool 1" in out


async def test_sortition_end_to_end(chat: Chat, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = await chat.say("chair: /pool new Citizens' assembly | gender: f, m | area: north, south")
    assert "Pool 1 is open" in out
    out = await chat.say("ann: /pool 1 join")
    assert "Register privately" in out
    # Nothing is kept before consent.
    await chat.say("zed (private): /pool 1 join", "zed (private): f", "zed (private): cancel")
    assert await chat.query("SELECT count(*) FROM pool_volunteers") == [(0,)]
    await _register(chat)
    await chat.say("chair: /pool 1 size 4", "chair: /pool 1 quota gender=f 2-2", "chair: /pool 1 quota area=north 2-2")
    out = await chat.say("ann: /pool 1 freeze")
    assert "Only an organiser" in out
    out = await chat.say("chair: /pool 1 freeze")
    assert "Pool 1 is frozen" in out and "Commitment (SHA-256)" in out
    await chat.app.outbox.drain()
    tickets = "\n".join(chat.transport.transcript)
    assert "Your ticket is 1" in tickets and "chance of selection is 33.3%" in tickets
    out = await chat.say("p0 (private): /pool 1 join")
    assert "registration has closed" in out
    out = await chat.say("chair: /pool 1 draw 17 4 29 8 51")
    assert "Panel drawn" in out
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    assert len(panel) == 4
    # The published document names nobody.
    document = (await chat.query("SELECT document FROM pools"))[0][0]
    assert "Person" not in document and "console:" not in document
    (published,) = exported(await chat.say("p1: /pool 1 document"))
    assert json.loads(published) == json.loads(document)
    # Quotas met (each ticket's answers as the published file gives them: the stored ones are sealed).
    answers = {t: g["answers"] for g in json.loads(document)["groups"] for t in g["tickets"]}
    assert len(answers) == len(PEOPLE)
    assert sum(answers[t]["gender"] == "f" for t in panel) == 2
    assert sum(answers[t]["area"] == "north" for t in panel) == 2
    # Anyone can re-derive the panel from the published file and the announced randomness.
    path = tmp_path / "draw.json"
    path.write_text(document)
    capsys.readouterr()
    assert sortition_main(["verify", str(path), "--randomness", "17 4 29 8 51"]) == 0
    printed = capsys.readouterr().out
    assert all(str(t) in printed for t in panel)
    # A selected volunteer declines; the seat is refilled verifiably, quotas still met.
    ident = (await chat.query("SELECT identity FROM pool_volunteers WHERE ticket = ?", panel[0]))[0][0]
    name = ident.split(":", 1)[1]
    out = await chat.say(f"{name} (private): /pool 1 decline")
    assert "will be offered to someone else" in out
    out = await chat.say("chair: /pool 1 replace 99 3 12")
    assert "Replacement round 1" in out
    new_panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    assert panel[0] not in new_panel and len(new_panel) == 4
    assert sum(answers[t]["gender"] == "f" for t in new_panel) == 2
    assert sum(answers[t]["area"] == "north" for t in new_panel) == 2
    # The replacement round re-derives from the file too.
    assert sortition_main(["verify", str(path), "--randomness", "17 4 29 8 51",
                           "--round", str(panel[0]), "99 3 12"]) == 0
    printed = capsys.readouterr().out
    assert all(str(t) in printed for t in new_panel)
    out = await chat.say("chair: /pool 1 panel")
    rows = exported_csv(out)
    assert rows[0][:5] == ["ticket", "name", "gender", "area", "declined"]
    assert set(new_panel) <= {int(r[0]) for r in rows[1:]}


async def test_randomness_beginning_with_a_dash_is_drawn_with_and_checks_with_the_command_announced(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A beacon may give "-abc…", witnesses "--5,9": the draw and a replacement round
    take it as typed, and the check command the room is told runs as announced."""
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _register(chat)
    await chat.say("chair: /pool 1 size 4", "chair: /pool 1 quota gender=f 2-2", "chair: /pool 1 quota area=north 2-2")
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    out = await chat.say("chair: /pool 1 draw -abc")
    assert "Panel drawn" in out and "with randomness -abc" in out, out
    assert (await chat.query("SELECT randomness FROM pools")) == [("-abc",)]
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    printed = await verify_announced(chat, tmp_path, capsys, out)
    assert " ".join(map(str, panel)) in printed
    ident = (await chat.query("SELECT identity FROM pool_volunteers WHERE ticket = ?", panel[0]))[0][0]
    await chat.say(f"{ident.split(':', 1)[1]} (private): /pool 1 decline")
    out = await chat.say("chair: /pool 1 replace --5,9")
    assert "Replacement round 1" in out and "with randomness --5,9" in out, out
    seated = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    printed = await verify_announced(chat, tmp_path, capsys, out)
    assert f"Panel after round 1: {' '.join(map(str, seated))}" in printed


async def test_a_frozen_pool_says_which_setting_can_no_longer_change(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _register(chat)
    await chat.say("chair: /pool 1 size 4", "chair: /pool 1 quota gender=f 2-2")
    assert "Pool 1 is frozen" in await chat.say("chair: /pool 1 freeze")
    before = await chat.snapshot()
    for line, said in [
        ("chair: /pool 1 size 5", "Pool 1 is frozen; its panel size can no longer change."),
        ("chair: /pool 1 quota gender=f 1-1", "Pool 1 is frozen; its quotas can no longer change."),
        ("chair: /pool 1 freeze", "Pool 1 is frozen already; its commitment is published (/pool 1 document)."),
        ("chair: /pool 1 freeze --simple --simple", "--simple is given twice"),
    ]:
        out = await chat.say(line)
        assert said in out and out.count(" bot: ") == 1, (line, out)
        assert await chat.snapshot() == before, line


async def test_infeasible_quotas_are_explained(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _register(chat, 4)
    await chat.say("chair: /pool 1 size 3", "chair: /pool 1 quota gender=f 3-3")
    out = await chat.say("chair: /pool 1 freeze")
    assert "No panel can meet these quotas" in out and "lower the minimum by 1" in out
    assert await chat.query("SELECT status FROM pools") == [("open",)]


async def test_what_the_sortition_engine_refuses_is_said_in_the_organisers_language(chat: Chat) -> None:
    """The engine imports nothing of the bot, so it hands its reasons back as sentences with their
    fields; the pools feature says them through the reader's catalogue (here the Welsh room's),
    plural forms and all, and the refused freeze changes nothing."""
    await chat.say("chair: /pool new Assembly | gender: f, m | area: north, south")
    await _register(chat, 4)
    await chat.say("chair: /language cy", "chair: /pool 1 size 3", "chair: /pool 1 quota gender=f 3-3")
    before = await chat.snapshot()
    out = await chat.say("chair: /pool 1 freeze")
    assert "Ni all unrhyw banel fodloni'r cwotâu hyn." in out, out
    assert "Y newid lleiaf sy'n gwneud dewis yn bosibl:" in out
    assert "- gender=f: isafswm 3 ond dim ond 2 wirfoddolwr a roddodd yr ateb hwnnw - gostyngwch yr isafswm 1 " \
        "(i 2)." in out  # the "two" form, mutated
    assert "No panel" not in out and "lower the minimum" not in out
    await chat.say("chair: /pool 1 size 5")
    out = await chat.say("chair: /pool 1 freeze")
    assert "Mae gan y gronfa 4 gwirfoddolwr ond mae angen 5 ar y panel: dewch o hyd i 1 gwirfoddolwr arall neu " \
        "gwnewch y panel yn llai." in out, out
    await chat.say("chair: /pool 1 size 3")
    assert await chat.snapshot() == before


async def test_pool_bad_input(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m")
    before = await chat.snapshot()
    for line, fragment in [
        ("chair: /pool new", "title"),
        ("chair: /pool new X | gender", "NAME: OPTION"),
        ("chair: /pool new X | gender: f, f", "twice"),
        ("ann: /pool new X | a: b, c", "Only organisers"),
        ("chair: /pool 9 status", "no pool 9"),
        ("ann #elsewhere: /pool 1 status", "belongs to another room"),
        ("ann #elsewhere: /pool 1 document", "belongs to another room"),
        ("ann #elsewhere: /pool 1 status now", "belongs to another room"),  # the room first, whatever follows
        ("ann #elsewhere: /pool 1 size zero", "belongs to another room"),
        ("ann #elsewhere: /pool 1 fly", "belongs to another room"),
        ("chair: /pool 1 quota age=old 1-2", "no question “age”"),
        ("chair: /pool 1 quota gender=x 1-2", "no answer “x”"),
        ("chair: /pool 1 quota gender=f 3-2", "above the maximum"),
        ("chair: /pool 1 size zero", "Usage"),
        ("chair: /pool 1 draw 1 2 3", "Freeze pool 1 first"),
        ("chair: /pool 1 freeze", "Set the panel size first"),
        ("ann: /pool 1 size 3", "Only an organiser"),
        ("ann (private): /pool 1 leave", "not registered"),
        ("ann (private): /pool 1 decline", "not been drawn"),
        ("chair: /pool 1 fly", "Unknown or malformed"),
        ("chair: /pool 1 freeze --simple --simple", "--simple is given twice. Usage: /pool 1 freeze [--simple]"),
        ("chair: /pool 1 freeze now", "/pool 1 freeze takes only --simple (for a plain random draw), not “now”"),
        ("chair: /pool 1 freeze --fair", "not “--fair”"),
    ]:
        out = await chat.say(line)
        assert fragment.lower() in out.lower(), (line, out)
        assert await chat.snapshot() == before, line


def test_the_solver_prints_nothing_into_the_chat_transcript(tmp_path: Path) -> None:
    """The console chat prints its transcript on stdout; the solver that freezes a pool must not
    print its banner into it (a fresh process, since the banner comes once per process)."""
    import os
    import subprocess
    import sys

    lines = ["chair: /pool new Assembly | gender: f, m"]
    for n, gender in enumerate("fmf", 1):
        lines += [f"p{n} (private): /pool 1 join", f"p{n} (private): {gender}", f"p{n} (private): P {n}",
                  f"p{n} (private): yes"]
    lines += ["chair: /pool 1 size 2", "chair: /pool 1 quota gender=f 1-1", "chair: /pool 1 freeze"]
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "console"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert proc.returncode == 0, proc.stderr
    assert "Pool 1 is frozen" in proc.stdout
    assert "HiGHS" not in proc.stdout and "HiGHS" not in proc.stderr
