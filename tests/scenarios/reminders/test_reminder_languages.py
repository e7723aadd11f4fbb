"""Reminders in their readers' languages: the group warning in the room's (Welsh), each private
reminder in its member's (Polish for Ann, English for Bob, and the room's for Cat, who chose
none), written once per language; a wrong /remind is refused in the reader's language."""

from __future__ import annotations

from tests.helpers import Chat, import_roll


async def _setup(chat: Chat) -> None:
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /language cy", "ann (private): /language pl", "bob (private): /language en")
    await chat.say("chair: /poll Streic? --roll --closes 48h --secret")


async def _tick(chat: Chat, duration: str) -> str:
    start = len(chat.transport.transcript)
    await chat.advance(duration)
    await chat.app.outbox.drain()
    return "\n".join(chat.transport.transcript[start:])


def _to(out: str, who: str) -> str:
    return "\n".join(ln for ln in out.splitlines() if ln.startswith(f"  [{who}"))


async def test_each_reminder_is_in_its_readers_language(chat: Chat) -> None:
    await _setup(chat)
    out = await _tick(chat, "24h")
    ann, bob, cat = _to(out, "ann (private)"), _to(out, "bob (private)"), _to(out, "cat (private)")
    assert "⏰ Przypomnienie: głosowanie 1, Streic?, zamyka się śr., 3 cze, 12:00 (UTC), za 1 dzień." in ann
    assert "Jeszcze nie głosowałeś. Głosuj prywatnie, tutaj: /vote 1 OPTION" in ann
    assert "⏰ Reminder: poll 1, Streic?, closes at Wed 03 Jun 12:00 (UTC), in 1 day." in bob
    assert "⏰ Nodyn atgoffa: mae pleidlais 1, Streic?, yn cau am" in cat and "(UTC), ymhen 1 diwrnod." in cat
    await chat.say("ann (private): /vote 1 tak")
    out = await _tick(chat, "23h")
    group = _to(out, "#main")
    assert "⏰ Mae pleidlais 1, Streic?, yn cau am 12:00 (UTC), ymhen 1 awr. Mae 1 o 3 wedi pleidleisio." in group
    assert not _to(out, "ann (private)")  # she has voted


async def test_an_organisers_reminder_and_a_refused_one(chat: Chat) -> None:
    await _setup(chat)
    before = await chat.snapshot()
    out = await chat.say("ann (private): /remind 1")
    assert "Przypomnienia może wysłać tylko organizator pokoju głosowania 1." in out
    assert "Nie ma głosowania 7. Wyślij /polls" in await chat.say("ann (private): /remind 7")
    assert "Pleidlais gudd yw pleidlais 1: mae pwy sydd wedi pleidleisio’n gyfrinachol hefyd" in await chat.say(
        "chair: /remind 1 --names")
    assert await chat.snapshot() == before
    out = await chat.say("chair: /remind 1")
    assert "Mae nodiadau atgoffa am bleidlais 1 ar eu ffordd at 3 aelod sydd heb bleidleisio." in out
    await chat.app.outbox.drain()
    assert "Przypomnienie: głosowanie 1" in "\n".join(chat.transport.transcript)
