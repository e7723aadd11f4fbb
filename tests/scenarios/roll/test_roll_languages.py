"""The roll in members' own languages: a room whose organiser chose Welsh, a member who chose
Polish. /join and /whoami answer in the reader's language, refusals too (with nothing changed),
and what the bot writes to someone else is in that person's language."""

from __future__ import annotations

from bot.features.roll.render import import_summary
from bot.features.roll.service import RollService
from bot.kernel.language import speaking
from tests.helpers import Chat, import_roll


async def _languages(chat: Chat) -> None:
    await chat.say("chair: /language cy", "ann (private): /language pl")


async def test_joining_and_whoami_in_polish_and_welsh(chat: Chat) -> None:
    await _languages(chat)
    codes = await import_roll(chat)
    out = await chat.say(f"ann (private): /join {codes['ann']}")
    assert "Witaj, Ann Smith: to konto jest teraz połączone z Twoim członkostwem." in out
    out = await chat.say("ann (private): /whoami")
    assert "połączono Cię z członkiem Ann Smith, oddział North." in out
    # In the Welsh room, Bob (no language of his own) joins: the room reads Welsh.
    out = await chat.say(f"bob: /join {codes['bob']}")
    assert ("Croeso, Bob Jones: mae'r cyfrif hwn bellach wedi'i gysylltu â'ch aelodaeth. Gwelwyd eich cod yma, "
            "felly nid yw'n gweithio mwyach; anfonais un newydd atoch yn breifat.") in out
    assert "Chi yw console:zed, heb eich cysylltu â'r gofrestr aelodau." in await chat.say("zed: /whoami")


async def test_a_wrong_code_is_refused_in_the_readers_language_and_changes_nothing(chat: Chat) -> None:
    await _languages(chat)
    codes = await import_roll(chat)
    before = await chat.snapshot()
    out = await chat.say("ann (private): /join ZZZZ-ZZZZ")
    assert "Kodu ZZZZ-ZZZZ nie ma w rejestrze członków. Sprawdź go u swojego organizatora." in out
    assert "Defnydd: /join COD" in await chat.say("bob: /join two words")
    assert "Użycie: /whoami (bez argumentów)." in await chat.say("ann (private): /whoami now")
    assert await chat.snapshot() == before
    await chat.say(f"ann (private): /join {codes['ann']}")
    out = await chat.say(f"ann (private): /join {codes['ann']}")
    assert "To konto jest już połączone z członkiem: Ann Smith." in out


async def test_too_many_wrong_codes_counts_the_minutes_in_polish(chat: Chat) -> None:
    await _languages(chat)
    await import_roll(chat)
    for n in range(5):
        await chat.say(f"ann (private): /join WRNG-{n:04d}")
    out = await chat.say("ann (private): /join WRNG-9999")
    assert "Zbyt wiele błędnych kodów dołączenia z tego konta: spróbuj ponownie za 60 minut" in out


async def test_an_import_summary_reads_in_each_language(chat: Chat) -> None:
    roll: RollService = chat.app.services.roll
    entries = [e for e in (await roll.import_entries([])).rows]  # nothing yet
    assert entries == []
    from bot.features.roll.parse import parse_roll_csv

    result = await roll.import_entries(parse_roll_csv("name\nAnn\nBob\nCat\nDee\nEve\n"))
    languages = chat.app.services.languages
    with speaking(languages.speech("pl")):
        assert import_summary(result) == "Zaimportowano 5 członków."
    with speaking(languages.speech("cy")):
        assert import_summary(result) == "Mewnforiwyd 5 aelod."
    assert import_summary(result) == "Imported 5 members."
    again = await roll.import_entries(parse_roll_csv("name\nAnn\nBob\nCat\nDee\nEve\nFay\n"))
    with speaking(languages.speech("pl")):
        assert import_summary(again) == ("Zaimportowano 1 nowego członka.\n5 osób było już w rejestrze członków: "
                                         "zaktualizowane, ich kody dołączenia bez zmian.")
    with speaking(languages.speech("cy")):
        assert import_summary(again) == ("Mewnforiwyd 1 aelod newydd.\nRoedd 5 eisoes ar y gofrestr: wedi'u "
                                         "diweddaru, eu codau ymuno heb eu newid.")
