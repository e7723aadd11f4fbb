"""The randomness a panel is drawn with is what the room reads: whoever retypes the numbers the
witnesses called out gets the same panel. A character nobody sees, or one that looks like another,
would let an organiser try panel after panel behind the same announced numbers; it is refused."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel
from bot.features.pools.parse import parse_randomness
from bot.kernel.errors import UserError
from tests.helpers import Chat

ANNOUNCED = "4 17 23 38 41"
INVISIBLE = ["\u200b", "\u00ad", "\u2060", "\ufeff", "\u034f", "\ufe0f", "\u180e", "\u3164", "\u2800", "\u202c",
             "\U000e0041"]
LOOKALIKE = {"a": "а", "o": "о", "e": "е", "c": "с", "p": "р", "x": "х"}  # Latin -> Cyrillic


async def _frozen(chat: Chat) -> None:
    await chat.say("chair: /pool new Assembly | gender: f, m")
    for n, gender in enumerate("fmfmfmfm"):
        await chat.say(f"p{n} (private): /pool 1 join", f"p{n} (private): {gender}", f"p{n} (private): P{n}",
                       f"p{n} (private): yes")
    await chat.say("chair: /pool 1 size 2", "chair: /pool 1 quota gender=f 1-1", "chair: /pool 1 freeze")


async def test_numbers_with_an_invisible_character_are_refused(chat: Chat) -> None:
    """The witnesses called out 4 17 23 38 41; the organiser types them with a zero-width space
    after them, which draws another panel the room cannot tell apart: refused, nothing drawn."""
    await _frozen(chat)
    document = json.loads((await chat.query("SELECT document FROM pools"))[0][0])
    published = open_document(document)
    hidden = next(ANNOUNCED + "\u200b" * n for n in range(1, 50)
                  if draw_panel(published, ANNOUNCED + "\u200b" * n) != draw_panel(published, ANNOUNCED))
    before = await chat.snapshot()
    for line in [f"chair: /pool 1 draw {hidden}", "chair: /pool 1 draw 4 17 23 38 4\uff11",
                 "chair: /pool 1 draw ab3f\u04300c9 (beacon)"]:
        out = await chat.say(line)
        assert "which is invisible or looks like another one" in out and out.count("bot:") == 1, (line, out)
        assert await chat.snapshot() == before
    assert "U+200B" in await chat.say(f"chair: /pool 1 draw {hidden}")
    out = await chat.say(f"chair: /pool 1 draw {ANNOUNCED}")
    assert "Panel drawn" in out
    assert json.loads((await chat.query("SELECT panel FROM pools"))[0][0]) == draw_panel(published, ANNOUNCED)


@given(st.text(max_size=40))
def test_what_is_accepted_is_plain(text: str) -> None:
    """Any text is taken as it is, or refused with one message: never a crash, and never with a
    character taken that shows nothing or is a compatibility form of another."""
    try:
        taken = parse_randomness(1, "draw", text)
    except UserError as e:
        assert e.message.startswith(("The randomness holds the character U+", "Give the randomness")), e.message
        return
    assert taken == text.strip() and taken
    for ch in taken:
        assert ch.isspace() or (ch.isprintable() and unicodedata.normalize("NFKC", ch) == ch
                                and unicodedata.category(ch) not in ("Cf", "Co", "Cn")), repr(ch)


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1, max_size=30),
       st.integers(min_value=0), st.sampled_from(INVISIBLE))
def test_announced_text_with_an_invisible_character_anywhere_is_refused(text: str, at: int, hidden: str) -> None:
    assume(text.strip())
    assert parse_randomness(1, "draw", text) == text.strip()  # plain text is taken as it is
    at %= len(text.strip()) + 1
    with pytest.raises(UserError, match="invisible or looks like another one"):
        parse_randomness(1, "draw", text.strip()[:at] + hidden + text.strip()[at:])


@given(st.text(alphabet="acepox0123456789 ", min_size=2, max_size=30))
def test_a_latin_letter_swapped_for_its_cyrillic_double_is_refused(text: str) -> None:
    letters = [i for i, ch in enumerate(text) if ch in LOOKALIKE]
    assume(len(letters) >= 2)
    swapped = text[:letters[-1]] + LOOKALIKE[text[letters[-1]]] + text[letters[-1] + 1:]
    with pytest.raises(UserError, match="invisible or looks like another one"):
        parse_randomness(1, "replace", swapped)
    # A randomness in one alphabet, whichever, is taken.
    cyrillic = "".join(LOOKALIKE.get(ch, ch) for ch in text)
    assume(cyrillic.strip())
    assert parse_randomness(1, "replace", cyrillic) == cyrillic.strip()
