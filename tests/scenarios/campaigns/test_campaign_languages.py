"""A model-motion campaign in a room whose organisers chose Welsh, signed by members who read
Polish or Welsh privately: the room reads Welsh (the announcement, branch reports, progress and
the goal reached, announced when a Polish member's signature completes it), each member reads
their own language privately, yes and no are understood in it, and a wrong answer is refused in
it with nothing changed."""

from __future__ import annotations

from datetime import timedelta

from bot.kernel.events import Actor, Message, Room
from tests.helpers import Chat, add_members, exported_csv, import_roll, transcript_after_outbox


async def _welsh_room_with_a_campaign(chat: Chat) -> None:
    await add_members(chat, [("eve", "Hillside"), ("fay", "Riverside")])
    await chat.say("chair: /language cy", "ann (private): /language pl", "bob (private): /language cy",
                   "chair: /motion new Fund our schools",
                   "chair: /motion M1 resolves To support the national campaign for school funding.",
                   "chair: /motion M1 status carried")


async def test_a_campaign_speaks_the_rooms_and_each_members_language(chat: Chat) -> None:
    await _welsh_room_with_a_campaign(chat)
    out = await chat.say("chair: /campaign M1 open --branches 2 --signatures 2 --deadline 30d")
    assert "📣 Ymgyrch cynnig enghreifftiol M1 — nod: 2 gangen a 2 lofnod erbyn Mer, 1 Gorff 2026 12:00 (UTC)." in out
    assert "[Llofnodi M1]" in out  # the button's label, its deep link unchanged
    # A refusal raised inside the change that would open it twice reads in the room's language.
    before = await chat.snapshot()
    assert "Mae M1 eisoes yn ymgyrch: mae /campaign M1 yn dangos ei chynnydd." in await chat.say(
        "chair: /campaign M1 open --branches 3")
    assert await chat.snapshot() == before

    # Ann reads Polish privately: what is kept and who sees it, then "tak" (yes) with her branch.
    out = await chat.say("ann (private): sign M1")
    assert "Podpisujesz wniosek wzorcowy M1: Fund our schools jako ann." in out
    assert ("Zachowujemy Twoje imię i nazwisko, Twój oddział, jeśli go podasz, oraz czas złożenia podpisu. Widzą "
            "je organizatorzy kampanii i mogą wyeksportować listę. Podpis możesz wycofać w każdej chwili: /unsign M1."
            in out)
    assert "Odpowiedz tak, aby podpisać" in out
    before = await chat.snapshot()
    out = await chat.say("ann (private): może")  # neither yes nor no: asked again, in Polish
    assert "Odpowiedz tak, aby podpisać M1 (albo tak NAZWA ODDZIAŁU), lub nie, aby zrezygnować." in out
    assert await chat.snapshot() == before
    assert "Dziękujemy: Twój podpis pod M1 jest zapisany. Wniosek ma teraz 1 podpis." in await chat.say(
        "ann (private): tak Hillside")
    # Stored sealed (bot/storage/sealing.py), as written when opened.
    assert [(r[0], r[2]) for r in await chat.app.services.campaigns.signatures(1)] == [("ann", "Hillside")]
    assert "Hillside" not in repr(await chat.query("SELECT * FROM campaign_signatures"))

    # Bob reads Welsh privately and answers "ie": the Welsh form for two (dau lofnod).
    out = await chat.say("bob (private): sign M1")
    assert "Rydych yn llofnodi'r cynnig enghreifftiol M1: Fund our schools, fel bob." in out
    assert "Rydym yn cadw eich enw, eich cangen os byddwch yn ei rhoi, a'r amser y gwnaethoch lofnodi." in out
    assert "Diolch: rydych wedi llofnodi M1. Mae ganddo 2 lofnod nawr." in await chat.say("bob (private): ie")

    # Branch reports in the room, with the day as Welsh writes it.
    out = await chat.say("eve: /campaign M1 adopted Hillside on 1 June")
    assert "Cofnodwyd: pasiodd Hillside branch M1 ar 1 Mehefin 2026. 1 gangen hyd yma." in out
    await chat.say("fay: /campaign M1 adopted Riverside")
    # The goal is announced to the room, in Welsh, once.
    transcript = await transcript_after_outbox(chat)
    assert transcript.count("🎉 Mae'r cynnig enghreifftiol M1 (Fund our schools) wedi cyrraedd ei nod: 2 lofnod, "
                            "2 gangen. Anfonwch /campaign M1 am y ffigurau.") == 1

    # Progress and the deadline: Welsh in the room, Polish to Ann privately.
    out = await chat.say("chair: /campaign M1")
    assert "2 lofnod o 2 · mabwysiadwyd gan 2 gangen (nod 2)" in out and "🎉 Cyrhaeddwyd y nod." in out
    assert "30 diwrnod ar ôl; terfyn amser Mer, 1 Gorff 2026 12:00 (UTC)." in out
    out = await chat.say("ann (private): /campaign M1")
    assert "2 podpisy z 2 · 2 oddziały przyjęły (cel: 2)" in out and "🎉 Cel osiągnięty." in out
    assert "Zostało 30 dni; termin: śr., 1 lip 2026, 12:00 (UTC)." in out
    assert "Podpisz prywatnie: wyślij mi sign M1" in out


async def test_an_export_is_written_for_the_organiser_who_reads_it(chat: Chat) -> None:
    """The file goes to the organiser privately: its name, caption and columns are in their
    language (Polish here), while the room is told in Welsh."""
    await _welsh_room_with_a_campaign(chat)
    await chat.say("chair (private): /language pl", "chair: /campaign M1 open --signatures 5",
                   "ann (private): /sign M1 tak Hillside")
    out = await chat.say("chair: /campaign M1 export")
    assert "Podpisy-M1.csv" in out
    rows = exported_csv(out)
    assert rows[0] == ["imię i nazwisko", "rodzaj", "oddział", "data podpisu", "zgoda"]
    assert rows[1][:3] == ["ann", "zwolennik", "Hillside"] and rows[1][4] == "tak"


async def test_wrong_campaign_input_is_refused_in_the_readers_language(chat: Chat) -> None:
    await _welsh_room_with_a_campaign(chat)
    await chat.say("chair: /campaign M1 open --signatures 2 --deadline 2d", "ann (private): /sign M1 tak")
    before = await chat.snapshot()
    cases = {
        "ann (private): /sign M1 tak": "Twój podpis pod M1 już jest",
        "ann (private): /sign X1": "to nie jest nic do podpisania",
        "bob (private): /sign M9 ie": "Nid yw M9 yn ymgyrch cynnig enghreifftiol",
        "bob: /sign M1 yes": "Llofnodwch yn breifat, fel nad yw'r grŵp yn gweld pwy a lofnododd",
        "bob: /campaign M1 close": "Dim ond trefnydd yr ystafell all gau ymgyrch.",
        "bob: /campaign M1 adopted Hillside on 31 February": "nid yw “31 February” yn ddyddiad go iawn",
        "bob: /campaign M1 retract Nowhere": "Dim adroddiad gan Nowhere branch ar M1; dim byd i'w ddileu.",
        "bob (private): /unsign M1": "Nid ydych wedi llofnodi M1; dim byd i'w dynnu'n ôl.",
    }
    for line, expected in cases.items():
        out = await chat.say(line)
        assert expected.lower() in out.lower(), (line, out)
        assert await chat.snapshot() == before, line
    # "nie" cancels in Polish; past the deadline the refusal is Polish too.
    await chat.say("ann (private): /unsign M1", "ann (private): sign M1")
    assert "Nie podpisano: nie zachowano o Tobie żadnych danych w sprawie M1." in await chat.say("ann (private): nie")
    await chat.advance("3d")
    before = await chat.snapshot()
    assert "Kampania M1 zakończyła się z upływem terminu" in await chat.say("ann (private): /sign M1 tak")
    assert await chat.snapshot() == before


async def test_a_member_told_of_a_merged_signature_reads_it_in_her_language(chat: Chat) -> None:
    """Ann, who reads Polish, signed M1 from her Matrix account and from this one before linking
    them: the note that the later signature was merged reads Polish."""
    codes = await import_roll(chat)
    await _welsh_room_with_a_campaign(chat)
    await chat.say("chair: /campaign M1 open --signatures 5")
    matrix, dm = Actor("mx:@ann:example.org", "Ann M"), Room("mx:!ann:example.org", private=True)
    await chat.app.handle(Message(matrix, dm, "/sign M1 yes"))
    await chat.app.handle(Message(matrix, dm, f"/join {codes['ann']}"))
    chat.tick(timedelta(minutes=1))
    await chat.say("ann (private): /sign M1 tak", f"ann (private): /join {codes['ann']}")
    assert ("[ann (private)] bot: Pod M1 był też twój podpis z innego konta: późniejszy podpis połączono z "
            "pierwszym, więc liczysz się raz.") in await transcript_after_outbox(chat)
    assert await chat.query("SELECT signer FROM campaign_signatures") == [("mx:@ann:example.org",)]
