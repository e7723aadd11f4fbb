"""Meetings played through the real bot for the web tests: each returns the page the bot linked."""

from __future__ import annotations

import json
import re

from tests.helpers import Chat
from tests.ops.conftest import PUBLIC

LINK = re.compile(re.escape(PUBLIC) + r"/(poll|draw)/\d+-[0-9a-f]{24}/")
HOSTILE = "Adopt <script>alert(1)</script> <b>budget</b> & \"plan\"? <img src=x onerror=alert(2)>"


def link_in(said: str) -> str:
    found = LINK.search(said)
    assert found, f"no page link in:\n{said}"
    return found.group(0)


async def closed_proposal(chat: Chat) -> str:
    """A proposal with a hostile title, carried 2 to 1 with an abstention."""
    await chat.say(f"chair: /poll {HOSTILE}", "ann: /vote 1 yes", "bob: /vote 1 no", "cat: /vote 1 yes",
                   "dan: /vote 1 abstain")
    return link_in(await chat.say("chair: /close 1"))


async def closed_election(chat: Chat) -> str:
    """A two-seat Scottish STV election over five ballots."""
    n = await _next_poll(chat)
    await chat.say("chair: /poll Committee | Ann | Bob | Cat | Dan --ranked --seats 2")
    for who, ranking in (("v1", "1 2"), ("v2", "1 3"), ("v3", "2 1"), ("v4", "3 4"), ("v5", "4 3 1")):
        await chat.say(f"{who} (private): /rank {n} {ranking}")
    return link_in(await chat.say(f"chair: /close {n}"))


async def closed_secret_ballot(chat: Chat) -> tuple[str, str]:
    """A secret ballot of three; the page, and ann's receipt code."""
    n = await _next_poll(chat)
    await chat.say("chair: /poll Officer? | Ann Zebra | Bob Quagga --secret")
    await chat.say(f"ann (private): /vote {n} Ann Zebra", f"bob (private): /vote {n} Bob Quagga",
                   f"cat (private): /vote {n} Ann Zebra")
    said = await chat.say(f"ann (private): /receipt {n}")
    code = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", said)
    assert code, said
    return link_in(await chat.say(f"chair: /close {n}")), code.group(0)


async def drawn_panel(chat: Chat) -> tuple[str, list[int]]:
    """A citizens' assembly pool of twelve, drawn, one seat declined and refilled; the page and
    the seated panel."""
    await chat.say("chair: /pool new Citizens' <assembly> | gender: f, m | area: north, south")
    for i in range(12):
        await chat.say(f"p{i} (private): /pool 1 join", f"p{i} (private): {'fm'[i % 2]}",
                       f"p{i} (private): {('north', 'south')[i // 2 % 2]}", f"p{i} (private): Person {i}",
                       f"p{i} (private): yes")
    await chat.say("chair: /pool 1 size 4", "chair: /pool 1 quota gender=f 2-2", "chair: /pool 1 quota area=north 2-2",
                   "chair: /pool 1 freeze")
    page = link_in(await chat.say("chair: /pool 1 draw 17 4 29 8 51"))
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    ident = (await chat.query("SELECT identity FROM pool_volunteers WHERE ticket = ?", panel[0]))[0][0]
    said = await chat.say(f"{ident.split(':', 1)[1]} (private): /pool 1 decline", "chair: /pool 1 replace 99 3 12")
    assert "Replacement round 1" in said, said
    seated = sorted(json.loads((await chat.query("SELECT panel FROM pools"))[0][0]))
    assert panel[0] not in seated and len(seated) == 4
    return page, seated


async def _next_poll(chat: Chat) -> int:
    rows = await chat.query("SELECT coalesce(max(id), 0) + 1 FROM polls")
    return int(rows[0][0])
