"""Members' own languages through the real bot: a member's private messages follow the language
they chose (or their app's), a group's messages the language its organisers chose, commands stay
English, and every wrong /language is refused in one line with nothing changed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import bootstrap
from bot.kernel.config import parse_config
from bot.kernel.errors import ConfigError
from bot.kernel.events import Actor, Message, Room
from bot.kernel.language import current, speaking
from tests.helpers import Chat


async def test_a_member_chooses_their_language_privately(chat: Chat) -> None:
    out = await chat.say("ann (private): /language pl")
    assert "Od teraz piszę do Ciebie po polsku." in out
    assert "Nieznane polecenie /frobnicate" in await chat.say("ann (private): /frobnicate")
    # The group still reads the bot's default, and so does anyone else privately.
    assert "Unknown command /languag: did you mean /language?" in await chat.say("ann: /languag")
    assert "Unknown command /frobnicate" in await chat.say("bob (private): /frobnicate")
    overview = await chat.say("ann (private): /language")
    assert "Twój język: polski (wybrany przez Ciebie)" in overview and "cy (Cymraeg)" in overview
    assert "Back to the default: English" in await chat.say("ann (private): /language default")
    assert "Unknown command" in await chat.say("ann (private): /frobnicate")


async def test_an_organiser_chooses_the_rooms_language(chat: Chat) -> None:
    before = await chat.snapshot()
    refused = await chat.say("ann: /language cy")
    assert "Only an organiser of the room can set this room's language" in refused
    assert await chat.snapshot() == before
    # Each language's own sentence: Welsh mutates a name after "yn" ("yn Gymraeg", never "yn Cymraeg").
    assert "O hyn ymlaen rwy'n ysgrifennu yn yr ystafell hon yn Gymraeg." in await chat.say("chair: /language cy")
    assert "Gorchymyn anhysbys /languag" in await chat.say("ann: /languag")
    # A member's private messages keep their own language.
    await chat.say("ann (private): /language pl")
    assert "Nieznane polecenie" in await chat.say("ann (private): /frobnicate")
    assert "Yr ystafell hon: Cymraeg" in await chat.say("ann: /language")
    assert "O hyn ymlaen rwy'n ysgrifennu atoch yn Gymraeg." in await chat.say("bob (private): /language cy")
    assert "Od teraz piszę w tym pokoju po polsku." in await chat.say("chair: /language pl")
    assert "From now on I write in this room in English." in await chat.say("chair: /language en")


@pytest.mark.parametrize("typed, said", [
    ("/language xx", "I have no xx catalogue. Available: en (English), cy (Cymraeg), pl (polski)"),
    ("/language pl cy", "Give one language code, such as /language pl."),
])
async def test_a_wrong_language_is_refused_and_changes_nothing(chat: Chat, typed: str, said: str) -> None:
    before = await chat.snapshot()
    assert said in await chat.say(f"ann (private): {typed}")
    assert await chat.snapshot() == before


async def test_the_language_an_app_reports_is_the_default(chat: Chat) -> None:
    """Telegram says which language a member's app is in (``language_code``): that is what they
    read privately until they choose; a code without a catalogue leaves the bot's default."""
    for code, expected in [("pl-PL", "Nieznane polecenie"), ("cy", "Gorchymyn anhysbys"), ("sw", "Unknown command")]:
        start = len(chat.transport.transcript)
        who = f"console:m{code}"
        await chat.app.handle(Message(Actor(who, "M", code), Room(f"console:@m{code}", private=True), "/frobnicate",
                                      event_id=f"e-{code}"))
        await chat.settle()
        assert expected in "\n".join(chat.transport.transcript[start:])


async def test_the_bots_default_language_is_configured(tmp_path: Path) -> None:
    chat = await Chat.start(tmp_path, parse_config({"bot": {"language": "cy"}}))
    try:
        assert "Gorchymyn anhysbys" in await chat.say("ann: /languag")
        assert "Unknown command" in await chat.say("ann (private): /language en", "ann (private): /frobnicate")
    finally:
        await chat.stop()


async def test_a_default_without_a_catalogue_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="bot.language: there is no 'xx' catalogue"):
        await bootstrap(replace(parse_config({"bot": {"language": "xx"}}), database=tmp_path / "q.db"))
    with pytest.raises(ConfigError, match="bot.language must be a language code"):
        parse_config({"bot": {"language": "Polish!"}})


async def test_a_rooms_language_moves_with_the_room(chat: Chat) -> None:
    await chat.say("chair: /language pl")
    assert await chat.app.move_room("console:main", "console:main2")
    assert (await chat.app.services.languages.code_for("console:main2")) == ("pl", "chosen")


async def test_a_change_writes_in_the_language_of_who_asked(chat: Chat) -> None:
    """The writer runs every change in its own task: a message written inside a change (a
    refusal decided in the transaction) is still in the language of whoever asked."""
    from bot.kernel.errors import UserError
    from bot.kernel.language import _, speaking

    async def op(conn: object) -> None:
        raise UserError(_("This button is no longer valid."))

    with speaking(chat.app.services.languages.speech("pl")):
        with pytest.raises(UserError, match="Ten przycisk nie jest już aktualny"):
            await chat.app.writer.run(op)


# Prose in a usage line (not syntax typed as it is): a parenthesis opening on a word, a word
# before a colon, a dash between clauses: "(privately: sign up)", "organisers: /pool P size N".
_PROSE = re.compile(r"\((?![-/])[a-z]{2,}|\b[a-z]{3,}: | — ")
# Usages with prose the catalogue does not have yet: each is checked to be so, so that the day it
# is translated this list is told to shrink. /amend: "(or before "anchor", or at end)".
_NOT_YET_TRANSLATED = {"amend"}


@pytest.mark.parametrize("language", ["pl", "cy"])
async def test_help_on_each_command_reads_in_the_readers_language(chat: Chat, language: str) -> None:
    """/help COMMAND shows the usage line as the catalogue translates it, for every command (the
    prose in it, such as "(privately: sign up)" or "organisers:", used to stay English)."""
    await chat.say(f"zed (private): /language {language}")
    commands = chat.app.routes._defs  # every command, those /help does not list too
    assert len(commands) > 20
    for d in commands:
        with speaking(chat.app.services.languages.speech(language)):
            usage = current().gettext(d.usage)
        out = await chat.say(f"zed (private): /help {d.name}")
        assert usage in out, (d.name, out)
        if d.name in _NOT_YET_TRANSLATED:
            assert usage == d.usage, f"/{d.name}'s usage is translated now: take it off _NOT_YET_TRANSLATED"
        elif _PROSE.search(d.usage):
            assert usage != d.usage, f"/{d.name}'s usage has prose that is not translated: {d.usage}"
            assert d.usage not in out, out
