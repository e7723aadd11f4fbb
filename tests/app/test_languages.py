"""The app in members' own languages: /help and /start, the platforms' menus, an export's caption
written in its reader's language, and a refusal raised inside the writer's transaction written in
the language of whoever asked (the writer runs in a task of its own)."""

from __future__ import annotations

from bot.app.transports import Transports
from bot.kernel.effects import Delivered, Effect, SendFile
from bot.kernel.language import speaking
from tests.helpers import Chat, exported


async def _languages(chat: Chat) -> None:
    await chat.say("chair: /language cy", "ann (private): /language pl")


async def test_help_lists_and_explains_in_the_readers_language(chat: Chat) -> None:
    await _languages(chat)
    listed = await chat.say("ann (private): /help")
    assert listed.startswith("  [ann (private)] bot: Polecenia Quorum (tylko dla organizatorów oznaczone ★):")
    assert "/join — połącz konto czatu ze swoim członkostwem (wyślij prywatnie)" in listed
    assert "Wyślij /help POLECENIE, aby poznać szczegóły, np. /help poll." in listed
    explained = await chat.say("ann: /help join")  # in the Welsh room
    assert "/join — cysylltu eich cyfrif sgwrsio â'ch aelodaeth (anfonwch yn breifat)\n    Defnydd: /join CODE" \
        in explained
    assert "Mae eich trefnydd yn rhoi cod ymuno i chi o'r gofrestr aelodau." in explained
    assert "Cześć! Prowadzę głosowania" in await chat.say("ann (private): /start")
    # Bob chose nothing: English, as before.
    english = await chat.say("bob (private): /help")
    assert "Quorum commands (organiser-only ones marked ★):" in english
    assert "/join — link your chat account to your membership (send it privately)" in english


async def test_a_wrong_help_is_refused_in_the_readers_language_and_changes_nothing(chat: Chat) -> None:
    await _languages(chat)
    before = await chat.snapshot()
    assert "Nid oes gorchymyn /frob. Anfonwch /help am y rhestr." in await chat.say("ann: /help frob")
    assert "Nie ma polecenia /frob. Wyślij /help, aby zobaczyć listę." in await chat.say("ann (private): /help frob")
    assert await chat.snapshot() == before


async def test_the_menus_are_in_each_shipped_language(chat: Chat) -> None:
    app = chat.app
    assert set(app.menu_languages()) == {"en", "pl", "cy"}
    polish = dict(app.menu("any", "pl"))
    assert polish["join"] == "połącz konto czatu ze swoim członkostwem (wyślij prywatnie)"
    assert dict(app.menu("group", "cy"))["whoami"] == "dangos sut mae'r bot yn eich adnabod"
    assert "join" not in dict(app.menu("group", "cy"))
    assert dict(app.menu())["join"] == "link your chat account to your membership (send it privately)"
    assert [n for n, _ in app.menu("any", "pl")] == [n for n, _ in app.menu()]


async def test_an_export_caption_is_in_its_readers_language(chat: Chat) -> None:
    """An organiser asks in the Welsh room; the file goes to her privately, captioned in Polish."""
    await chat.say("chair (private): /language pl", "chair: /language cy", "chair: /signup open Assembly")
    out = await chat.say("chair: /signup S1 export")
    assert exported(out)
    assert "[chair (private)] bot: S1 zapisy: 0 wierszy." in out  # zero takes the "many" form
    assert "[#main] bot: Anfonais hyn atoch yn breifat:" in out


async def test_a_file_in_parts_is_headed_in_the_language_written_in(chat: Chat) -> None:
    class TextOnly:
        platform, prefixes, bot_username, edit_interval = "xx", ("/",), None, 0.0
        sent: list[Effect] = []

        async def deliver(self, effect: Effect) -> Delivered | None:
            self.sent.append(effect)
            return Delivered(ref=str(len(self.sent)))

    platform = TextOnly()
    with speaking(chat.app.services.languages.speech("cy")):
        await Transports(platform).deliver(SendFile("xx:room", "e.blt", b"x\n" * 3000, "Ballots"))  # type: ignore[arg-type]
    assert "Ballots (rhan 1 o 2)" in platform.sent[0].text  # type: ignore[attr-defined]


async def test_a_refusal_inside_the_writers_transaction_is_in_the_askers_language(chat: Chat) -> None:
    """/join's wrong code is found inside the writer's transaction, in the writer's own task."""
    await _languages(chat)
    assert "Kodu ZZZZ-ZZZZ nie ma w rejestrze członków." in await chat.say("ann (private): /join ZZZZ-ZZZZ")
    assert "Nid yw'r cod ZZZZ-ZZZZ ar y gofrestr aelodau." in await chat.say("bob: /join ZZZZ-ZZZZ")
    assert "The code ZZZZ-ZZZZ is not on the roll." in await chat.say("bob (private): /join ZZZZ-ZZZZ")
