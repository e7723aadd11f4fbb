"""Motions in members' own languages: a room whose organiser chose Welsh reads the motion's
replies, statuses, ballots and outcomes in Welsh; a member who chose Polish reads what is sent to
them privately (drafting codes, agreement requests, refusals, exports) in Polish; the motion's own
words are never translated, and a wrong command is refused in its reader's language with nothing
changed."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.kernel.language import _, speaking
from tests.helpers import Chat, exported


async def _invite(chat: Chat, drafter: str, ref: str, person: str) -> None:
    """DRAFTER invites PERSON, who joins privately with the code (and is told so in their language)."""
    found = re.search(rf"/motion {ref} draft (\S+)", await chat.say(f"{drafter}: /motion {ref} invite"))
    assert found is not None
    said = await chat.say(f"{person} (private): /motion {ref} draft {found.group(1)}")
    assert "Jesteś teraz autorem" in said or "You are now a drafter" in said, said


async def _languages(chat: Chat) -> None:
    """The room reads Welsh; ann chose Polish, bob English; cat chose nothing (the room's)."""
    await chat.say("chair: /language cy", "ann (private): /language pl", "bob (private): /language en")


async def test_a_motion_drafted_in_a_welsh_room_by_a_polish_member(chat: Chat) -> None:
    await _languages(chat)
    out = await chat.say("chair: /motion new Achub y llyfrgell --deadline 14d")
    deadline = chat.app.clock.now() + timedelta(days=14)
    with speaking(chat.app.services.languages.speech("cy")):
        shown = chat.app.services.motions.when(deadline.replace(second=0, microsecond=0))
    assert f"Crëwyd cynnig M1: Achub y llyfrgell. Terfyn amser cyflwyno: {shown}." in out

    # The drafting code goes to the drafter privately in Polish; the room is told in Welsh.
    out = await chat.say("chair: /motion M1 invite")
    assert "Anfonais god drafftio M1 atoch yn breifat" in out
    await chat.say("chair (private): /language pl")
    out = await chat.say("chair: /motion M1 invite")
    assert "[chair (private)] bot: Aby redagować z Tobą M1 (Achub y llyfrgell), osoba z tego pokoju wysyła" in out
    await chat.say("chair (private): /language default")
    await _invite(chat, "chair", "M1", "ann")

    out = await chat.say("ann: /motion M1 notes Mae'r cyngor am gau'r llyfrgell.",
                         "ann: /motion M1 resolves Ymgyrchu yn erbyn y cau.",
                         "ann: /motion M1 resolves Ysgrifennu at y cynghorwyr.")
    assert "Wedi'i ychwanegu at M1 fel resolves 2." in out
    # Privately, the same member reads Polish: a plural form and the refusal of a point not there.
    out = await chat.say("ann (private): /motion M1 remove resolves 7")
    assert "Wniosek M1 nie ma punktu resolves 7 (ma 2 punkty)." in out
    out = await chat.say("ann: /motion M1 remove resolves 7")
    assert "Nid oes gan gynnig M1 bwynt resolves 7 (mae ganddo 2 pwynt)." in out

    out = await chat.say("cat: /motion list")
    assert "M1: Achub y llyfrgell (drafft, brys)" not in out and "M1: Achub y llyfrgell (drafft)" in out
    out = await chat.say("ann: /motion M1 show")
    assert "Mae'r gangen hon yn penderfynu:" in out and "1. Ymgyrchu yn erbyn y cau." in out
    assert "Terfyn amser cyflwyno:" in out

    # A refusal in the reader's language, and nothing changed.
    before = await chat.snapshot()
    out = await chat.say("ann: /motion M1 submit")
    assert "Enwch y cynigydd a'r eilydd yn gyntaf: /motion M1 mover ENW" in out
    out = await chat.say("ann (private): /motion M1 submit")
    assert "Najpierw wskaż wnioskodawcę i osobę popierającą: /motion M1 mover NAZWISKO" in out
    out = await chat.say('ann (private): /amend M1 resolves 1 replace "nope" with "yes"')
    assert "Ta poprawka nie pasuje do M1: resolves 1 nie zawiera „nope”" in out
    out = await chat.say("ann: /motion M1 vote --closes 10m")
    assert "Dim ond trefnydd yr ystafell all agor y bleidlais ar gynnig." in out
    assert await chat.snapshot() == before

    await chat.say("ann: /motion M1 mover Ann Smith", "ann: /motion M1 seconder Bob Jones")
    assert "Mae cynnig M1 wedi'i gyflwyno." in await chat.say("ann: /motion M1 submit")

    # An amendment, voted in the room: the question and the outcome in Welsh.
    out = await chat.say('ann: /amend M1 resolves 2 replace "y cynghorwyr" with "pob cynghorydd"')
    assert 'Gwelliant A1 i M1 gan ann: resolves 2: disodli “y cynghorwyr” â “pob cynghorydd”' in out
    await chat.say("bob: /amendment A1 second")
    out = await chat.say("chair: /amendment A1 vote --closes 10m")
    assert "Gwelliant A1 i M1 (Achub y llyfrgell): resolves 2: disodli" in out and "— cytuno?" in out
    await chat.say("ann: /vote 1 Yes", "bob: /vote 1 Yes")
    out = await chat.advance("11m")
    assert "PASIWYD gwelliant A1 i M1 ac mae wedi'i gymhwyso" in out
    out = await chat.say("ann (private): /motion M1 amendments")
    assert "A1 (przyjęta, głosowanie 1), zgłasza ann, popiera bob: resolves 2: zastąp „y cynghorwyr”" in out

    # The motion itself: carried, said in Welsh.
    out = await chat.say("chair: /motion M1 vote --closes 10m")
    assert "Cynnig M1: Achub y llyfrgell — pasio'r cynnig?" in out
    await chat.say("ann: /vote 2 Yes", "bob: /vote 2 Yes", "cat: /vote 2 No")
    assert "PASIWYD cynnig M1 (Achub y llyfrgell)." in await chat.advance("11m")

    # The document's headings are in its reader's language; its words are the motion's own.
    (md,) = exported(await chat.say("ann (private): /motion M1 export md"))
    assert "**Oddział postanawia:**" in md.decode() and "2. Ysgrifennu at pob cynghorydd." in md.decode()
    assert "- Wnioskodawca: Ann Smith" in md.decode()
    (text,) = exported(await chat.say("bob: /motion M1 export text"))
    assert "Mae'r gangen hon yn nodi:" in text.decode() and "CYNNIG BRYS" not in text.decode()

    # The history is kept as messages: each reader reads it in their own language.
    out = await chat.say("ann (private): /motion M1 history")
    assert "dodano resolves 2: Ysgrifennu at y cynghorwyr." in out
    assert "poprawka A1 przyjęta i wprowadzona: resolves 2: zastąp „y cynghorwyr” przez „pob cynghorydd”" in out
    assert "głosowanie: status: przyjęty w głosowaniu" in out and "ann: złożono wniosek" in out
    out = await chat.say("bob (private): /motion M1 history")
    assert "added resolves 2: Ysgrifennu at y cynghorwyr." in out and "status: carried by ballot" in out


async def test_drafters_are_asked_to_agree_to_a_composite_each_in_their_language(chat: Chat) -> None:
    await _languages(chat)
    await chat.say(
        "ann: /motion new Save the library",
        "ann: /motion M1 resolves To campaign for the library.",
        "bob: /motion new Keep libraries open",
        "bob: /motion M2 resolves To petition the council.",
        "cat: /motion new Library jobs",
        "cat: /motion M3 resolves To support library staff.",
    )
    await _invite(chat, "cat", "M3", "ann")
    before = await chat.snapshot()
    out = await chat.say("ann: /composite M1 M2 as Libraries")
    assert "Dim ond trefnydd yr ystafell all gyfansoddi cynigion." in out
    out = await chat.say("chair: /composite M1 M1 as Libraries")
    assert "Enwch o leiaf ddau gynnig gwahanol, yna'r teitl newydd." in out
    assert await chat.snapshot() == before

    out = await chat.say('chair: /composite M1 M2 M3 as "Libraries for all"')
    assert "Y cynnig cyfansawdd C1 yw cynnig M4 (Libraries for all), wedi'i ddrafftio o M1, M2, M3" in out
    # Each drafter is asked privately, in their language; ann once, for both motions she drafts.
    assert ("[ann (private)] bot: Organizatorzy połączyli M1, M3 we wniosek złożony C1 (M4: Libraries for all)."
            in out)
    assert "[bob (private)] bot: The organisers composited M2 into composite C1 (M4: Libraries for all)." in out
    assert "[cat (private)] bot: Mae'r trefnwyr wedi cyfansoddi M3 yn y cynnig cyfansawdd C1" in out
    assert "[chair (private)]" not in out

    out = await chat.say("ann (private): /composite C1 agree")
    assert "Zgadzasz się na brzmienie wniosku złożonego C1 (M4) w imieniu M1 i M3. Wciąż czekamy na: M2." in out
    out = await chat.say("cat: /composite C1")
    assert "M1: cytunodd ann" in out and "M2: ddim eto; mae drafftiwr M2 yn anfon /composite C1 agree" in out
    assert "resolves 2 ← M2 resolves 1" in out and "Statws" not in out
    out = await chat.say("bob: /composite C1 agree")
    assert "Mae pob cynnig gwreiddiol wedi cytuno" in out
    out = await chat.say("cat: /motion M1 show")
    assert "📜 M1: Save the library (wedi'i gyfansoddi)" in out
    out = await chat.say("ann (private): /motion M4 show")
    assert "📜 M4: Libraries for all (projekt)" in out and "Zgłasza: wniosek złożony z M1, M2, M3" in out


async def test_a_change_in_the_writer_speaks_its_callers_language(chat: Chat) -> None:
    """What a transaction writes or refuses (a motion's refusals are raised inside one) is in the
    language of whoever asked for the change, though the writer runs it on its own task."""
    assert chat.app.writer is not None

    async def said(conn: object) -> str:
        return _("Motions:")

    polish = chat.app.services.languages.speech("pl")
    with speaking(polish):
        assert await chat.app.writer.run(said) == "Wnioski:"
    assert await chat.app.writer.run(said) == "Motions:"
