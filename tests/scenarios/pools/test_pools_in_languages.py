"""A pool in a room whose organisers write Welsh, with volunteers who chose Polish, Welsh or
English: the announcements in the room's language whoever asked for them, each volunteer's
registration, ticket and selection in their own, consent given in their own words, and a wrong
command refused in the reader's language with nothing changed. The pool's title, questions and
answers are the organisers' words and stay as they typed them."""

from __future__ import annotations

import json
import re

from tests.helpers import Chat, exported_csv, transcript_after_outbox

# Who reads which language privately: p0 Polish, p1 English, p2 Welsh, p3 nothing chosen (the
# room's language for what the pool tells them).
LANGUAGES = {"p0": "pl", "p1": "en", "p2": "cy"}
PEOPLE = [("p0", "b", "gogledd"), ("p1", "g", "gogledd"), ("p2", "b", "de"), ("p3", "g", "de")]


def _messages(text: str) -> list[str]:
    """The bot's messages in a transcript, one string each ("[where] bot: …")."""
    return [m.strip() for m in re.split(r"\n(?=  \[)", "\n" + text) if m.strip()]


def said_to(text: str, who: str) -> str:
    """What the bot said privately to WHO."""
    return "\n".join(m for m in _messages(text) if m.startswith(f"[{who} (private)]"))


def in_room(text: str) -> str:
    return "\n".join(m for m in _messages(text) if m.startswith("[#main]"))


async def _open(chat: Chat) -> None:
    await chat.say("chair: /language cy")
    for who, code in LANGUAGES.items():
        await chat.say(f"{who} (private): /language {code}")
    out = await chat.say("chair: /pool new Cynulliad y Cwm | rhyw: b, g | ardal: gogledd, de")
    assert "Mae cronfa 1 ar agor: Cynulliad y Cwm (cwestiynau: rhyw, ardal)" in out


async def test_registration_speaks_the_volunteers_language_and_reads_their_yes(chat: Chat) -> None:
    await _open(chat)
    out = await chat.say("p0 (private): /pool 1 join")
    # The organisers' question stays as they wrote it; the words around it are Polish.
    assert "Zgłoszenie do: Cynulliad y Cwm (pula 1). Rhyw? Odpowiedz jedną z opcji: 1. b, 2. g" in out
    assert "Wyślij „anuluj”, aby przerwać" in out
    out = await chat.say("p0 (private): 1", "p0 (private): gogledd", "p0 (private): Ola Nowak")
    assert "Czy wyrażasz zgodę na przechowywanie tych odpowiedzi" in out and "Odpowiedz „tak”" in out
    # Not a yes in any language: asked again, in Polish, and nothing is kept.
    before = await chat.snapshot()
    out = await chat.say("p0 (private): może")
    assert "Odpowiedz „tak”, aby wyrazić zgodę i się zgłosić, albo „anuluj”" in out
    assert await chat.snapshot() == before
    assert "Jesteś zgłoszony(-a) do puli 1" in await chat.say("p0 (private): Tak.")
    # Welsh: "ie" is a yes; English still works for everyone.
    out = await chat.say("p2 (private): /pool 1 join", "p2 (private): b", "p2 (private): de",
                         "p2 (private): Siân")
    assert "Ydych chi'n cydsynio i'r atebion hyn gael eu cadw" in out
    assert "Rydych wedi cofrestru yng nghronfa 1" in await chat.say("p2 (private): ie")
    # A Polish "anuluj" stops a registration, and nothing is kept.
    out = await chat.say("p3 (private): /language pl", "p3 (private): /pool 1 join", "p3 (private): g",
                         "p3 (private): anuluj")
    assert "Zgłoszenie anulowane; nic nie zostało zachowane." in out
    assert await chat.query("SELECT count(*) FROM pool_volunteers") == [(2,)]


async def _register_all(chat: Chat) -> None:
    yes = {"pl": "tak", "cy": "ie", "en": "yes"}
    for who, gender, area in PEOPLE:
        await chat.say(f"{who} (private): /pool 1 join", f"{who} (private): {gender}", f"{who} (private): {area}",
                       f"{who} (private): {who.upper()}", f"{who} (private): {yes[LANGUAGES.get(who, 'en')]}")
    assert await chat.query("SELECT count(*) FROM pool_volunteers") == [(4,)]


async def test_the_draw_is_announced_in_the_rooms_language_and_each_volunteer_told_in_theirs(chat: Chat) -> None:
    await _open(chat)
    await _register_all(chat)
    out = await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota rhyw=b 1-1")
    assert "Cronfa 1: bydd gan y panel 2 aelod." in out
    assert "Cronfa 1: union 1 aelod o'r panel gyda rhyw = b." in out
    out = await chat.say("chair: /pool 1 freeze")
    assert "Mae cronfa 1 wedi'i rhewi: 4 gwirfoddolwr, panel o 2." in out
    assert "Ymrwymiad (SHA-256):" in out
    await chat.app.outbox.drain()
    transcript = "\n".join(chat.transport.transcript)
    # Each ticket note in its reader's language; a chance with the decimal comma in Polish.
    assert re.search(r"Pula 1 \(Cynulliad y Cwm\) jest zamrożona\. Twój los ma numer \d\. "
                     r"Twoja szansa na wylosowanie wynosi \d+,\d%\.", said_to(transcript, "p0"))
    assert "Your ticket is" in said_to(transcript, "p1")
    assert "Eich tocyn yw" in said_to(transcript, "p2")
    assert "Eich tocyn yw" in said_to(transcript, "p3")  # no language of their own: the room's

    # The organiser draws from their private chat (in English): the room still reads Welsh.
    start = len(chat.transport.transcript)
    await chat.say("chair (private): /pool 1 draw 17 4 29 8 51")
    await chat.app.outbox.drain()
    drawn = "\n".join(chat.transport.transcript[start:])
    assert "Panel wedi'i ddewis ar hap — cronfa 1 gyda'r hapwerthoedd 17 4 29 8 51." in in_room(drawn)
    assert "Tocynnau a ddewiswyd:" in in_room(drawn)
    panel = json.loads((await chat.query("SELECT panel FROM pools"))[0][0])
    chosen = {ident.split(":", 1)[1]: ticket
              for ident, ticket in await chat.query("SELECT identity, ticket FROM pool_volunteers")
              if ticket in panel}
    told = {"pl": "Wylosowano Cię do: Cynulliad y Cwm (pula 1, los {t})",
            "en": "You have been selected for Cynulliad y Cwm (pool 1, ticket {t})",
            "cy": "Rydych wedi cael eich dewis ar gyfer Cynulliad y Cwm (cronfa 1, tocyn {t})"}
    for who, ticket in chosen.items():
        assert told[LANGUAGES.get(who, "cy")].format(t=ticket) in said_to(drawn, who), (who, drawn)

    # A selected volunteer declines in their language; the room is told in its own.
    who, ticket = next((w, t) for w, t in chosen.items() if w in LANGUAGES)
    out = await chat.say(f"{who} (private): /pool 1 decline")
    thanks = {"pl": "Dziękujemy za informację", "en": "Thank you for letting us know",
              "cy": "Diolch am roi gwybod i ni"}[LANGUAGES[who]]
    assert thanks in said_to(out, who)
    assert f"Gwrthododd tocyn {ticket} sedd ar banel 1." in in_room(out)
    status = await chat.say("chair: /pool 1 status")
    assert "Cronfa 1: Cynulliad y Cwm — wedi'i dewis ar hap, 4 gwirfoddolwr, maint y panel 2" in status
    assert f"Wedi gwrthod: tocyn {ticket} (sedd wag)" in status
    assert "(1 o 2 sedd yn llawn)" in status

    # The panel list reaches the organiser privately in their own language, asked for in the room.
    await chat.say("chair (private): /language pl")
    out = await chat.say("chair: /pool 1 panel")
    assert "Panel puli 1" in out
    (header, *rows) = exported_csv(out)
    assert header == ["los", "imię i nazwisko", "rhyw", "ardal", "rezygnacja", "miejsce"]
    assert any(r[4] == "tak" and r[5] == "wolne" for r in rows)


async def test_a_wrong_pool_command_is_refused_in_the_readers_language(chat: Chat) -> None:
    await _open(chat)
    await _register_all(chat)
    # A volunteer still answering when the pool is frozen is refused in their language (the
    # refusal comes from inside the change, which the writer runs in a task of its own).
    await chat.say("p5 (private): /language pl", "p5 (private): /pool 1 join", "p5 (private): b",
                   "p5 (private): de", "p5 (private): Pat")
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 freeze")
    await transcript_after_outbox(chat)  # the tickets the freeze queued are sent before the snapshot
    before = await chat.snapshot()
    out = await chat.say("p5 (private): tak")
    assert "Pula 1 została zamrożona w trakcie Twojego zgłoszenia; zgłoszenia są zamknięte." in out
    # In the room: Welsh.
    assert "Defnydd: /pool 1 size N (rhif cyfan o 1 o leiaf)." in await chat.say("chair: /pool 1 size sero")
    assert "Cofrestrwch yn breifat" in await chat.say("p1: /pool 1 join")
    # Privately: each in their own.
    out = await chat.say("p0 (private): /pool 1 leave")
    assert "Pula 1 jest zamrożona, a jej losowanie opublikowane" in out and "/pool 1 decline" in out
    assert "Pool 1 is frozen and its draw published" in await chat.say("p1 (private): /pool 1 leave")
    assert "Nie ma puli 9." in await chat.say("p0 (private): /pool 9 status")
    assert await chat.snapshot() == before


async def test_a_no_to_consent_ends_the_registration_as_cancel_does_in_each_language(chat: Chat) -> None:
    await _open(chat)
    before = await chat.snapshot()
    for who, no, cancelled in [("p0", "nie", "Zgłoszenie anulowane; nic nie zostało zachowane."),
                               ("p1", "No.", "Registration cancelled; nothing was kept."),
                               ("p2", "na", "Cofrestru wedi'i ganslo; ni chadwyd dim.")]:
        await chat.say(f"{who} (private): /pool 1 join", f"{who} (private): b", f"{who} (private): de",
                       f"{who} (private): {who.upper()}")
        out = await chat.say(f"{who} (private): {no}")
        assert cancelled in out, (who, out)
        # The form is over: a later yes registers nobody, and joining starts afresh.
        await chat.say(f"{who} (private): yes")
        assert await chat.snapshot() == before
        assert "1. b" in await chat.say(f"{who} (private): /pool 1 join")
        await chat.say(f"{who} (private): cancel")
