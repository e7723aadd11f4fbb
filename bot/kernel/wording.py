"""How numbers, times and words read in messages: percentages exact to one decimal, rounded
half up (never a float's idea of rounding), times in the organisation's own time zone, and
counts and articles that agree with their nouns ("1 volunteer", "an open ballot")."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo


def percent(part: int, whole: int) -> str:
    if not whole:
        return "–"
    value = Decimal(part * 100) / Decimal(whole)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def when(t: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    local = t.astimezone(tz)
    if now is not None and local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def days_left(deadline: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Whole calendar days from today to the deadline's day, in the organisation's time zone."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """N and its noun in agreement: ``count_of(1, "volunteer")`` is "1 volunteer",
    ``count_of(3, "branch", "branches")`` is "3 branches"."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


_SOUNDS_LIKE_YOU = ("uni", "una", "use", "usu", "uti", "eu", "one", "once")


def a_or_an(phrase: str) -> str:
    """PHRASE with the indefinite article its first sound takes: "an open ballot",
    "a secret ballot", "an industrial majority", "a unanimous vote", "an 80% threshold"."""
    word = phrase.lower()
    vowel = word[:1] in "aeiou" and not word.startswith(_SOUNDS_LIKE_YOU)
    vowel = vowel or word.startswith(("8", "11", "18", "hour", "honest", "honour"))
    return f"{'an' if vowel else 'a'} {phrase}"


_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def quoted(text: str, limit: int = 40) -> str:
    """What someone typed, quoted back in a message: between curly quotes, as a person reads it
    (not Python's 'repr', with its backslashes), runs of spaces and line breaks as one space,
    any other control character as U+FFFD, and cut to LIMIT characters with an ellipsis."""
    shown = _CONTROL.sub("\ufffd", _SPACES.sub(" ", text.strip()))
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return f"“{shown}”"
