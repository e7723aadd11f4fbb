"""The answer to "Reply yes to sign": English always, and the words of the reader's own language
(tak/nie in Polish, ie/na in Welsh) — but not another language's words."""

from __future__ import annotations

import pytest

from bot.app.bootstrap import LOCALES
from bot.engines.language import Catalogues
from bot.features.signing.parse import answer
from bot.kernel.language import ENGLISH_SPEECH, speaking

CATALOGUES = Catalogues(LOCALES)


@pytest.mark.parametrize("code, typed, expected", [
    ("pl", "tak", (True, "")), ("pl", "Tak  North branch", (True, "North branch")), ("pl", "nie", (False, "")),
    ("pl", "yes Hillside", (True, "Hillside")), ("pl", "n", (False, "")), ("pl", "ie", None),
    ("cy", "ie", (True, "")), ("cy", "Do Glan-y-môr", (True, "Glan-y-môr")), ("cy", "na", (False, "")),
    ("cy", "nac ydw", (False, "ydw")), ("cy", "no", (False, "")), ("cy", "tak", None),
    ("pl", "Tak, Hillside", (True, "Hillside")), ("en", "yes!", (True, "")), ("en", "yesterday", None),
    ("en", "yes", (True, "")), ("en", "Y North", (True, "North")), ("en", "tak", None), ("en", "nope", None),
    ("en", "yes <North", (True, "<North")), ("en", "yes (North) branch", (True, "(North) branch")),
    ("en", "yes: 'North'", (True, "'North'")), ("pl", "tak - Hillside", (True, "Hillside")),
])
def test_yes_and_no_in_the_readers_language(code: str, typed: str, expected: tuple[bool, str] | None) -> None:
    with speaking(CATALOGUES.get(code) or ENGLISH_SPEECH):
        assert answer(typed) == expected
