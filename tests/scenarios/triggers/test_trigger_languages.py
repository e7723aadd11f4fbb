"""A trigger campaign in a room whose organisers chose Welsh: it is announced, fires and expires
in Welsh in the room; the organiser who reads Polish privately is told of the firing in Polish;
a member who reads Polish signs with "tak" and reads where it stands in Polish; and a threshold
that can never be reached is refused in Welsh with nothing changed."""

from __future__ import annotations

import asyncio

from tests.helpers import Chat, add_members, transcript_after_outbox


async def _welsh_room(chat: Chat) -> None:
    await add_members(chat, [(f"m{i}", "Riverside") for i in range(4)])
    await chat.say("chair: /language cy", "chair (private): /language pl", "m0 (private): /language pl")


async def test_a_trigger_fires_in_the_rooms_language_and_tells_organisers_in_theirs(chat: Chat) -> None:
    await _welsh_room(chat)
    out = await chat.say("chair: /trigger open recall Cllr Smith --signatures 2 --closes 14d")
    assert "🗳 Ymgyrch sbarduno T1: adalw: Cllr Smith" in out
    assert ("Trothwy: 2 lofnod — 0 llofnod o'r 2 sydd eu hangen. Etholwyr: y gofrestr aelodau (4 aelod). "
            "Yn cau Llun, 15 Meh 12:00 (UTC).") in out
    assert "bydd pleidlais gudd yn agor yma: A ddylid adalw Cllr Smith?" in out and "[Llofnodi T1]" in out

    # The member reads Polish privately: the consent, "nie" cancels, "tak" signs.
    out = await chat.say("m0 (private): sign T1")
    assert "Podpisujesz kampanię wyzwalającą T1 (odwołanie: Cllr Smith): 0 podpisów z 2 potrzebnych" in out
    assert ("Zachowujemy informację o Twoim członkostwie, Twój oddział i czas złożenia podpisu; widzą je "
            "organizatorzy kampanii. Możesz wycofać podpis, dopóki kampania nie zadziała: /unsign T1.") in out
    assert "Nie podpisano" in await chat.say("m0 (private): nie")
    assert await chat.query("SELECT count(*) FROM trigger_signatures") == [(0,)]
    out = await chat.say("m0 (private): /sign T1 tak")
    assert "Dziękujemy: Twój podpis pod T1 jest zapisany. 1 podpis z 2 potrzebnych." in out
    out = await chat.say("m0 (private): /trigger T1")
    assert "Próg: 2 podpisy." in out and "Zamknięcie: pon., 15 cze, 12:00 (UTC); zostało 14 dni." in out

    # An English reader's signature fires it: the signer is thanked in English, the room hears
    # Welsh, and the organiser is told privately in Polish (through the outbox, once).
    out = await chat.say("m1 (private): /sign T1 yes")
    assert "Thank you: you signed T1, and your signature crossed the threshold: it has fired." in out
    assert ("🔔 Mae ymgyrch sbarduno T1 wedi cyrraedd ei throthwy: adalw: Cllr Smith — 2 lofnod o'r 2 sydd eu "
            "hangen (2 lofnod). Mae'r bleidlais yn agor nawr.") in out
    transcript = await transcript_after_outbox(chat)
    assert transcript.count("[chair (private)] bot: Kampania wyzwalająca T1 (odwołanie: Cllr Smith) zadziałała "
                            "pon., 1 cze, 12:00 (UTC): 2 podpisy z 2 potrzebnych.") == 1
    out = await chat.say("chair: /trigger T1")
    assert "Cyrhaeddodd ei throthwy am Llun, 1 Meh 12:00 (UTC). Ei phleidlais yw pleidlais 1." in out
    out = await chat.say("chair: /trigger list")
    assert "Ymgyrchoedd sbarduno:" in out and "T1: recall — Cllr Smith (wedi'i sbarduno)" in out
    await chat.say("m2 (private): /language pl")
    before = await chat.snapshot()
    out = await chat.say("m2 (private): /sign T1 tak")
    assert "Kampania wyzwalająca T1 już zadziałała; jej głosowanie jest otwarte (numer 1)." in out
    assert await chat.snapshot() == before


async def test_a_trigger_expires_in_the_rooms_language(chat: Chat) -> None:
    await _welsh_room(chat)
    out = await chat.say("chair: /trigger open no-confidence the chair --branches 1/2 --per-branch 50% --closes 2d")
    assert "Trothwy: 50.0% o'r canghennau (mae cangen yn cyfrif ar 50.0% o'i haelodau) — 0 cangen o'r 1 sydd" in out
    assert "Diffyg hyder yn the chair: ydych chi'n cefnogi'r cynnig?" in out
    await chat.advance("2d")
    for _ in range(200):  # the expiry runs on the trigger timer; wait for its announcement
        if "heb gyrraedd ei throthwy" in "\n".join(chat.transport.transcript):
            break
        await asyncio.sleep(0.01)
    assert ("Daeth ymgyrch sbarduno T1 (diffyg hyder: the chair) i ben ar ei therfyn amser heb gyrraedd ei throthwy: "
            "0 cangen o'r 1 sydd eu hangen.") in "\n".join(chat.transport.transcript)
    before = await chat.snapshot()
    assert "Kampania wyzwalająca T1 zamknęła się z upływem terminu" in await chat.say("m0 (private): /sign T1 tak")
    assert await chat.snapshot() == before


async def test_wrong_trigger_input_is_refused_in_the_readers_language(chat: Chat) -> None:
    await _welsh_room(chat)
    before = await chat.snapshot()
    cases = {
        "chair: /trigger open recall Cllr Smith --signatures 99 --closes 14d":
            "Ni fydd modd cyrraedd y trothwy hwnnw byth: mae angen 99 llofnod ond dim ond 4 aelod sydd ymhlith yr "
            "etholwyr.",
        "chair: /trigger open recall Cllr Smith --signatures 2":
            "Mae angen terfyn amser ar ymgyrch sbarduno: ychwanegwch --closes 14d",
        "m1: /trigger open recall Cllr Smith --signatures 2 --closes 14d":
            "Dim ond trefnydd yr ystafell all agor ymgyrch sbarduno.",
        "chair: /trigger T9": "Nid oes ymgyrch sbarduno T9.",
        "m0 (private): /sign T9 tak": "Nie ma kampanii wyzwalającej T9.",
        "m0 (private): /unsign": "Użycie: /unsign M12 (albo /unsign T2).",
    }
    for line, expected in cases.items():
        assert expected in await chat.say(line), line
        assert await chat.snapshot() == before, line
