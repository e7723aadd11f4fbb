"""A sign-up form in a room whose organisers write Welsh, filled in by supporters who chose Polish
or Welsh: the form's questions and its consent in the supporter's language, their yes, no and
skip read in it, the organiser's list in the organiser's own language, /mydata in the member's,
and a wrong request refused in the reader's language with nothing changed. The form's title and
the supporter's answers are their own words and stay as typed."""

from __future__ import annotations

from tests.helpers import Chat, exported_csv


async def test_a_supporter_signs_up_in_their_own_language(chat: Chat) -> None:
    await chat.say("chair: /language cy", "zed (private): /language pl", "amy (private): /language cy")
    out = await chat.say("chair: /signup open Cynulliad Pobl")
    assert "Dangoswch eich cefnogaeth: tapiwch y botwm neu anfonwch /signup S1 ataf." in out
    assert "[Cofrestru]" in out

    out = await chat.say("zed (private): /start signup-S1")
    assert "Zapisy S1: Cynulliad Pobl.\n    Jak mamy się do Ciebie zwracać" in out
    out = await chat.say("zed (private): Zofia Nowak", "zed (private): Grangetown", "zed (private): pomiń")
    assert "W jakiej okolicy mieszkasz?" in out
    # The whole consent, in Polish: what is kept, who keeps it, what for, and how to take it back.
    assert ("Sprawdź: imię i nazwisko Zofia Nowak; okolica Grangetown; kontakt (brak).\n    Czy wyrażasz zgodę na to, "
            "aby organizatorzy „Cynulliad Pobl” przechowywali te dane i kontaktowali się z Tobą w tej sprawie? "
            "W każdej chwili możesz je zobaczyć, wycofać lub usunąć poleceniem /mydata. Odpowiedz „tak” albo "
            "„nie”.") in out
    before = await chat.snapshot()
    assert "Odpowiedz „tak” (wyrażasz zgodę) albo „nie”" in await chat.say("zed (private): może")
    assert await chat.snapshot() == before
    out = await chat.say("zed (private): Tak")
    assert "Dziękujemy, Zofia Nowak: zapisano Cię do S1 (Cynulliad Pobl)." in out
    # Stored sealed (bot/storage/sealing.py), as written when opened.
    assert [r[:3] for r in await chat.app.services.signups.signups(1)] == [("Zofia Nowak", "Grangetown", None)]
    assert "Zofia" not in repr(await chat.query("SELECT * FROM signups"))

    # A Welsh "na" declines, and nothing is kept.
    out = await chat.say("amy (private): /signup S1", "amy (private): Amy Jones", "amy (private): Y Rhath",
                         "amy (private): hepgor")
    assert "Ydych chi'n cydsynio i drefnwyr \"Cynulliad Pobl\" gadw'r manylion hyn" in out
    assert "Wedi canslo: ni chadwyd dim amdanoch chi." in await chat.say("amy (private): na")
    assert await chat.query("SELECT count(*) FROM signups") == [(1,)]

    # The list reaches the organiser privately in their language (Polish), asked for in the Welsh room.
    await chat.say("chair (private): /language pl")
    out = await chat.say("chair: /signup S1 export")
    assert "S1 zapisy" in out
    rows = exported_csv(out)
    assert rows[0] == ["imię i nazwisko", "okolica", "kontakt", "data zapisu", "zgoda"]
    assert rows[1][:3] == ["Zofia Nowak", "Grangetown", ""] and rows[1][4] == "tak"

    # What is kept, and its erasure, with a count in Polish.
    await chat.say("chair: /signup open Ail gynulliad", "zed (private): /signup S2", "zed (private): Zofia",
                   "zed (private): Grangetown", "zed (private): zofia@example.org", "zed (private): tak")
    out = await chat.say("zed (private): /mydata")
    assert "Co o Tobie przechowuję (console:zed):" in out
    assert ("• zapis S2 (Ail gynulliad): imię i nazwisko Zofia; okolica Grangetown; kontakt zofia@example.org; "
            "od ") in out
    out = await chat.say("zed (private): /mydata erase")
    assert "Usunięto: 2 zapisy. Nic z tego nie zostało w moich zapisach." in out


async def test_a_wrong_signup_request_is_refused_in_the_readers_language(chat: Chat) -> None:
    await chat.say("chair: /language cy", "zed (private): /language pl", "chair: /signup open Cynulliad")
    before = await chat.snapshot()
    # In the Welsh room.
    assert "Dim ond trefnydd yr ystafell all allforio rhestr gofrestru." in await chat.say("amy: /signup S1 export")
    assert "Cofrestrwch yn breifat" in await chat.say("amy: /signup S1")
    # Privately, in Polish.
    assert "Nie ma formularza zapisów S7." in await chat.say("zed (private): /signup S7")
    assert "Użycie: /mydata (zobacz, co przechowujemy)" in await chat.say("zed (private): /mydata frob")
    nothing = ("Nie przechowuję żadnych Twoich zapisów, podpisów, zgłoszeń do puli ani wpisów przy wnioskach; "
               "nie ma czego usuwać.")
    assert nothing in await chat.say("zed (private): /mydata erase")
    out = await chat.say("zed (private): /signup S1", "zed (private): " + "x" * 101)
    assert "Wyślij swoje imię i nazwisko (do 100 znaków)." in out
    assert "Anulowano: nie zachowałem żadnych Twoich danych." in await chat.say("zed (private): /signup cancel")
    assert await chat.snapshot() == before


async def test_the_cancel_words_cancel_at_every_step_of_the_form(chat: Chat) -> None:
    """"cancel" (or the reader's own word for it) stops the form at whichever question it is sent:
    it is never taken for a name, an area or a contact, and nothing is kept."""
    await chat.say("chair: /signup open Assembly", "zed (private): /language pl", "amy (private): /language cy")
    cancelled = {"ann": "Cancelled: nothing about you was kept.",
                 "zed": "Anulowano: nie zachowałem żadnych Twoich danych.",
                 "amy": "Wedi canslo: ni chadwyd dim amdanoch chi."}
    answers = ["Ann Lee", "Riverside", "skip"]
    for who, word in (("ann", "cancel"), ("ann", "Cancel."), ("zed", "anuluj"), ("amy", "canslo"), ("zed", "cancel")):
        for step in range(3):  # at the name, the area and the contact
            await chat.say(f"{who} (private): /signup S1", *(f"{who} (private): {a}" for a in answers[:step]))
            before = await chat.snapshot()
            out = await chat.say(f"{who} (private): {word}")
            assert cancelled[who] in out and "S1" not in out, (who, word, step, out)
            assert await chat.snapshot() == before
            out = await chat.say(f"{who} (private): Someone")  # the form is over: not an answer
            assert "Someone" not in out and "/help" in out, out
    assert await chat.query("SELECT count(*) FROM signups") == [(0,)]
