"""Polls in the members' own languages, through the real bot: in a room whose organiser chose
Welsh, with a member who chose Polish. The ballot, the result and its chart are the room's (in
Welsh, whoever closed the poll and wherever); a reply in a private chat is the member's (Polish);
a message to someone else (a proxy's holder) is in the holder's language, not the giver's; yes,
no and abstain are accepted in the reader's language beside English and count as the English
words do; a wrong answer is refused in the reader's language and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from tests.helpers import Chat, import_roll


async def _room(chat: Chat, poll: str) -> str:
    """A Welsh room; Ann reads Polish privately, Bob Welsh, Cat has chosen nothing. The ballot posted."""
    codes = await import_roll(chat)
    for who in ("ann", "bob", "cat"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /language cy", "ann (private): /language pl", "bob (private): /language cy")
    return await chat.say(f"chair: {poll}")


def _file(out: str) -> Path:
    found = re.findall(r"file: (\S+\.png)", out)
    assert found, out
    return Path(found[-1])


async def test_a_proposal_in_a_welsh_room_with_a_polish_member(chat: Chat) -> None:
    ballot = await _room(chat, "/poll Streic? --roll --proxies 1 --closes 48h")
    assert "🗳 Pleidlais 1: Streic?" in ballot and "I bleidleisio: /vote 1 OPTION (rhif neu enw)." in ballot
    assert "etholwyr: y gofrestr aelodau (3)" in ballot
    assert re.search(r"Yn cau (Llun|Maw|Mer|Iau|Gwen|Sad|Sul)\w*, \d{1,2} \w+ \d\d:\d\d", ballot), ballot

    # Ann gives her proxy privately: her answer is Polish, Bob is told in Welsh.
    out = await chat.say("ann (private): /proxy 1 Bob Jones")
    assert "Dałeś pełnomocnictwo w głosowaniu 1 osobie Bob Jones, która została powiadomiona." in out
    assert "Mae Ann Smith yn rhoi eu dirprwy i chi ym mhleidlais 1 (Streic?)" in out
    assert "gives you their proxy" not in out

    # Yes in Welsh in the room, abstain in Polish privately (two words), a proxy vote in Welsh.
    out = await chat.say("cat: /vote 1 ie")
    assert "Eich pleidlais ym mhleidlais 1: Yes — gallwch ei newid tan" in out
    out = await chat.say("bob (private): /vote 1 o blaid --for Ann Smith")
    assert "Eich pleidlais fel dirprwy Ann Smith ym mhleidlais 1: Yes" in out
    out = await chat.say("bob (private): /vote 1 Na")
    assert "Eich pleidlais ym mhleidlais 1: No" in out
    assert "Dirprwyon ym mhleidlais 1 (1 ar y mwyaf gan un aelod):" in await chat.say("bob (private): /proxy 1")

    # The result is the room's, though an organiser closes it from a private chat.
    out = await chat.say("chair (private): /close 1")
    assert "Canlyniad — pleidlais 1: Streic?" in out
    assert "PASIWYD" in out
    assert "Nifer a bleidleisiodd: 3 o 3 (100.0%); 1 papur pleidleisio wedi’i fwrw trwy ddirprwy" in out
    assert re.search(r"Yes\s+\S+\s+2\s+66\.7%", out), out
    assert "Pleidlais 1: Streic?" in out and "CARRIED" not in out and "Turnout" not in out
    welsh_chart = _file(out).read_bytes()

    # Ann reads the result privately in Polish, with a decimal comma; her chart is drawn in Polish.
    out = await chat.say("ann (private): /results 1")
    assert "Wynik — głosowanie 1: Streic?" in out and "PRZYJĘTY" in out
    assert "Frekwencja: 3 z 3 (100,0%); 1 głos oddany przez pełnomocnika" in out
    assert re.search(r"Yes\s+\S+\s+2\s+66,7%", out), out
    polish_chart = _file(await chat.say("ann (private): /results 1 --chart")).read_bytes()
    assert polish_chart != welsh_chart  # the words on it are hers, not the room's
    assert Image.open(_file(await chat.say("ann (private): /results 1 --chart"))).width == 900
    # And the room's chart is still the Welsh one (each language is kept apart).
    assert _file(await chat.say("cat: /results 1 --chart")).read_bytes() == welsh_chart


async def test_words_in_the_readers_language_count_as_the_english_ones(chat: Chat) -> None:
    await chat.say("chair: /language cy", "ann (private): /language pl", "bob (private): /language pl",
                   "dan (private): /language pl")
    await chat.say("chair: /poll Budżet? --secret")
    out = await chat.say("ann (private): /vote 1 wstrzymuję się", "bob (private): /vote 1 TAK",
                         "dan (private): /vote 1 przeciw", "cat (private): /vote 1 no")
    assert "Twój głos w głosowaniu 1: Abstain" in out and "Twój głos w głosowaniu 1: Yes" in out
    assert "Twój głos w głosowaniu 1: No" in out
    assert "Your vote in poll 1: No" in out  # Cat chose no language: the bot's default, privately
    out = await chat.say("chair: /close 1")
    assert re.search(r"Yes\s+\S+\s+1\s", out) and re.search(r"No\s+\S+\s+2\s", out), out
    assert re.search(r"Abstain\s+1\n", out), out  # an abstention, as "abstain" would be
    assert "COLLWYD" in out  # 1 for, 2 against: lost, as the English words would have it


async def test_a_wrong_answer_is_refused_in_the_readers_language_and_changes_nothing(chat: Chat) -> None:
    await _room(chat, "/poll Streic? --roll")
    before = await chat.snapshot()
    out = await chat.say("cat: /vote 1 tak")  # Polish is not the room's language
    assert "Pleidlais 1: nid oes opsiwn o’r enw “tak”; yr opsiynau yw 1 Yes, 2 No, 3 Abstain." in out
    out = await chat.say("ann (private): /vote 1 7")
    assert "Głosowanie 1: nie ma opcji 7; opcje to 1 Yes, 2 No, 3 Abstain." in out
    out = await chat.say("ann (private): /proxy 1 Bob Jones")
    assert "Głosowanie 1 nie przyjmuje pełnomocnictw: zagłosuj sam" in out
    out = await chat.say("ann (private): /vote 9 tak")
    assert "Nie ma głosowania 9. Wyślij /polls, aby zobaczyć otwarte głosowania." in out
    assert await chat.snapshot() == before


async def test_an_election_is_counted_in_the_rooms_words_and_ranked_in_the_members(chat: Chat) -> None:
    await chat.say("chair: /language cy", "ann (private): /language pl")
    await chat.say("chair: /poll Cadeirydd? | Asha | Bilal | Chen --ranked")
    out = await chat.say("ann (private): /rank 1 2 1")
    assert "Twój ranking w głosowaniu 1: 1. Bilal, 2. Asha — możesz go zmienić do zamknięcia głosowania." in out
    for who, ranking in (("bob", "1 2"), ("cat", "3 1"), ("dan", "1 3")):
        await chat.say(f"{who} (private): /rank 1 {ranking}")
    out = await chat.say("chair: /close 1")
    assert "📊 Canlyniad — etholiad 1: Cadeirydd?" in out and "Papurau pleidleisio: 4" in out
    assert "C1 dewisiadau cyntaf" in out and "Etholwyd: Asha" in out and "Anhrosglwyddadwy" in out
    assert "first preferences" not in out and "Elected:" not in out
    assert "Y papurau pleidleisio (heb enwau) fel ffeil BLT: /ballots 1" in out
