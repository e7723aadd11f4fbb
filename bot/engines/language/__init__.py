"""The catalogues: each shipped language's translations, plural rules and formats, from Babel.

A catalogue is a gettext ``.po`` file in ``<directory>/<code>/LC_MESSAGES/quorum.po`` (the
layout ``pybabel update -d`` writes). It is read on first use of its language, compiled in
memory (so there is no ``.mo`` to forget to rebuild), and kept. English needs no catalogue: it
is the code's own text (bot/kernel/language.py), so a bot that speaks only English never imports
Babel. Numbers, percentages and dates are formatted by Babel from the locale's CLDR data: the
decimal sign, digit grouping, the names of days and months and their grammatical case.

Pure like the other engines: it reads files and formats values, and imports nothing of the bot.
"""

from __future__ import annotations

import gettext
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

DOMAIN = "quorum"

_SKELETONS: dict[str, tuple[str | None, str | None]] = {
    "time": (None, "Hm"), "day": ("MMMEd", "Hm"), "full": ("yMMMEd", "Hm"), "date": ("yMMMMd", None),
}
"""What each style of moment shows (a date's fields, a time's), as CLDR skeletons: each locale
orders, spells and punctuates them itself ("pon., 5 sty, 14:05", "Llun, 5 Ion 14:05",
"1月5日(月) 14:05"), so a language added needs no pattern of ours. The time is on the 24-hour
clock in every language, as deadlines are typed (18:00)."""


class CatalogueError(Exception):
    """A shipped catalogue cannot be read."""


class Translated:
    """One language from its catalogue (see bot.kernel.language.Speech)."""

    def __init__(self, code: str, translations: gettext.GNUTranslations, locale: Any) -> None:
        self.code = code
        self._t = translations
        self._locale = locale
        pattern = locale.percent_formats[None].pattern
        self._percent = pattern.replace("0%", "0.0%", 1) if "0.0" not in pattern else pattern

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def number(self, value: int | Decimal, places: int = 0) -> str:
        from babel.numbers import format_decimal

        pattern = "#,##0." + "0" * places if places else "#,##0"
        return format_decimal(value, format=pattern, locale=self._locale, decimal_quantization=False)

    def percent(self, value: Decimal) -> str:
        from babel.numbers import format_percent

        return format_percent(Decimal(value) / 100, format=self._percent, locale=self._locale,
                              decimal_quantization=False)

    def moment(self, local: datetime, style: str) -> str:
        from babel.dates import format_skeleton

        day, clock = (format_skeleton(skeleton, local, tzinfo=local.tzinfo, locale=self._locale) if skeleton else ""
                      for skeleton in _SKELETONS[style])
        if not (day and clock):
            return day or clock
        # The locale's own way of joining a date and a time: a date of abbreviated month and
        # weekday (MMMEd) is CLDR's "medium" width. Quotes mark literal text in a pattern.
        joined = str(self._locale.datetime_formats["medium"]).replace("'", "")
        return joined.replace("{0}", clock).replace("{1}", day)


class Catalogues:
    """The languages shipped in DIRECTORY, each loaded when first asked for."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._loaded: dict[str, Translated] = {}
        self.codes: tuple[str, ...] = tuple(sorted(
            p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        ))

    def name(self, code: str) -> str:
        """The language CODE in its own words ("polski", "Cymraeg"), as its speakers look for it."""
        from babel import Locale

        return Locale.parse(code).get_display_name(code) or code

    def get(self, code: str) -> Translated | None:
        """The language CODE ("pl"), or None if no catalogue of it is shipped."""
        if code not in self.codes:
            return None
        if code not in self._loaded:
            self._loaded[code] = self._load(code)
        return self._loaded[code]

    def _load(self, code: str) -> Translated:
        from babel import Locale
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        path = self._directory / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        try:
            with path.open("rb") as f:
                catalog = read_po(f, locale=code, domain=DOMAIN)
        except Exception as e:  # a broken shipped file: say which
            raise CatalogueError(f"The {code} catalogue ({path.name}) cannot be read: {e}") from e
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        return Translated(code, gettext.GNUTranslations(buffer), Locale.parse(code))
