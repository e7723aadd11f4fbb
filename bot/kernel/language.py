"""The language a message is written in: which one, and the calls that translate the core's texts.

Every sentence the bot sends is written in English in the code, marked for translation, and
read out of the catalogue of the language of whoever will read it (bot/locales, gettext as
extracted by Babel's ``pybabel``):

* ``_("Poll {id} closed.")`` — a sentence. Fields are named (``{id}``, never ``{}`` or an
  f-string), so a translation may put them in its own order; the caller fills them with
  ``.format(id=...)`` for plain text or with ``markup(_(...), id=...)`` where any is markup.
* ``ngettext("{n} vote", "{n} votes", n)`` — a sentence whose form depends on a number (Polish
  has three forms, Welsh six: the catalogue knows which applies).
* ``pgettext("vote", "yes")`` — a short word whose translation depends on where it is used.
* ``N_("…")`` — marks a constant for extraction; ``_(CONSTANT)`` translates it where it is shown.

Which language applies is set around the work that writes a message (``with speaking(…)``):
the dispatcher sets the reader's language for each event (the member's in a private chat, the
room's in a group), and whoever writes to someone else — a result to a room at a deadline, a
private message to another member — sets that reader's language first. Outside any such block
the bot speaks English. The catalogues themselves (with plural rules and the formats of numbers
and dates of each locale) are loaded by bot/engines/language; this module is the seam, in the
standard library only, and its English is the code's own text.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal
from typing import Protocol

ENGLISH = "en"


class Speech(Protocol):
    """One language, as the core uses it: its code, its catalogue and its formats."""

    code: str

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def pgettext(self, context: str, message: str) -> str: ...

    def number(self, value: int | Decimal, places: int = 0) -> str:
        """VALUE with the locale's digit grouping and decimal sign, PLACES decimals shown
        (VALUE already rounded: this never rounds again)."""
        ...

    def percent(self, value: Decimal) -> str:
        """VALUE, a percentage already rounded to one decimal, as the locale writes it."""
        ...

    def moment(self, local: datetime, style: str) -> str:
        """LOCAL (in the organisation's time zone) in STYLE: "time" (14:05), "day" (Mon 05 Jan
        14:05), "full" (with the year) or "date" (05 January 2026)."""
        ...


_ENGLISH_MOMENTS = {"time": "%H:%M", "day": "%a %d %b %H:%M", "full": "%a %d %b %Y %H:%M", "date": "%d %B %Y"}


class English:
    """The code's own text, needing no catalogue: what the bot says when nothing else is set."""

    code = ENGLISH

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return message

    def number(self, value: int | Decimal, places: int = 0) -> str:
        return f"{value:,.{places}f}" if places else f"{value:,}"

    def percent(self, value: Decimal) -> str:
        return f"{value:.1f}%"

    def moment(self, local: datetime, style: str) -> str:
        return local.strftime(_ENGLISH_MOMENTS[style])


ENGLISH_SPEECH: Speech = English()

_speaking: ContextVar[Speech] = ContextVar("speaking", default=ENGLISH_SPEECH)


def current() -> Speech:
    """The language being written in now."""
    return _speaking.get()


class speaking:  # lower case: used as a function, ``with speaking(speech):``
    """Write in SPEECH inside the block (restored after it, also in a task the block starts).

    A class rather than a generator: every vote enters it twice, and a generator-based context
    manager costs several times as much. Entering the language already spoken (a bot in its
    default language, most of the time) changes nothing, and sets nothing to restore."""

    __slots__ = ("_speech", "_token")

    def __init__(self, speech: Speech) -> None:
        self._speech = speech

    def __enter__(self) -> Speech:
        speech = self._speech
        self._token = None if _speaking.get() is speech else _speaking.set(speech)
        return speech

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _speaking.reset(self._token)


def _(message: str) -> str:
    """MESSAGE in the language being written in (its fields still to fill)."""
    return _speaking.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of SINGULAR/PLURAL that agrees with N, in the language being written in."""
    return _speaking.get().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """MESSAGE as used in CONTEXT (e.g. "vote"), in the language being written in."""
    return _speaking.get().pgettext(context, message)


def N_(message: str) -> str:
    """MESSAGE marked for the catalogue but left in English here: a constant, translated with
    ``_(…)`` where it is shown."""
    return message


def primary(code: str | None) -> str:
    """The language of a code as platforms send it ("en-GB", "pt_BR", "PL") as the catalogues
    name it: the primary subtag, lower case ("en", "pt", "pl"); "" for none."""
    return (code or "").replace("_", "-").split("-", 1)[0].strip().lower()
