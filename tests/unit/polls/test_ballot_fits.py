"""A ballot is edited in place (its live tally, a ranking being built), and an edit changes one
message: so every ballot the parser allows fits in one message on every platform (Telegram's
4096 characters, the shortest limit), in every shipped language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app.bootstrap import LOCALES
from bot.engines.language import Catalogues
from bot.features.polls.model import Poll
from bot.features.polls.parse import MAX_OPTION, MAX_OPTIONS, MAX_QUESTION
from bot.features.polls.render import ONE_MESSAGE, ballot_text, confirmation, private_ballot
from bot.kernel.language import ENGLISH_SPEECH, speaking
from bot.kernel.markup import to_plain

CATALOGUES = Catalogues(LOCALES)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
TZ = ZoneInfo("America/Argentina/ComodRivadavia")  # a long zone name, shown with the deadline


def shown(text: str) -> int:
    """The length Telegram limits, in UTF-16 code units (never fewer than its characters)."""
    return len(to_plain(text).encode("utf-16-le")) // 2


def largest(kind: str, *, closed: bool = False) -> Poll:
    options = tuple(f"{n:02} " + "W" * (MAX_OPTION - 3) for n in range(MAX_OPTIONS))
    return Poll(id=99_999, room="tg:1", creator="tg:2", question="Q" * MAX_QUESTION, options=options, kind=kind,
                max_choices=1 if kind == "ranked" else MAX_OPTIONS, seats=9, secret=kind != "ranked", hidden=False,
                card=True, native=False, quorum=None, majority=None, electorate_kind="roll", branch=None,
                electorate_size=1_000_000, electorate_weight=None, opened_at=NOW,
                closes_at=NOW + timedelta(days=40), closed_at=NOW if closed else None)  # in 2027: the longest date


@pytest.mark.parametrize("code", ["en", *CATALOGUES.codes])
def test_the_largest_ballot_fits_in_one_message_in_every_language(code: str) -> None:
    with speaking(CATALOGUES.get(code) or ENGLISH_SPEECH):
        for kind in ("choice", "ranked"):
            for closed in (False, True):
                poll = largest(kind, closed=closed)
                tally = ([1_000_000] * MAX_OPTIONS, 1_000_000)
                assert shown(ballot_text(poll, TZ, tally, now=NOW)) <= ONE_MESSAGE
                assert shown(private_ballot(poll, TZ, now=NOW)[0]) <= ONE_MESSAGE
        ranked = largest("ranked")
        for n in range(MAX_OPTIONS + 1):
            text, buttons = private_ballot(ranked, TZ, list(range(n)), now=NOW)
            assert shown(text) <= ONE_MESSAGE, n
            assert len(buttons) == MAX_OPTIONS - n + 1
        done = confirmation(ranked, tuple(range(MAX_OPTIONS)), "")
        assert shown(private_ballot(ranked, TZ, list(range(MAX_OPTIONS)), done=done, now=NOW)[0]) <= ONE_MESSAGE


def test_a_ranking_being_built_shows_the_numbered_options_while_they_fit() -> None:
    poll = largest("ranked")
    short = replace(poll, question="Chair?", options=("Asha", "Bilal", "Cora"))
    text, _ = private_ballot(short, TZ, [2, 0], now=NOW)
    assert "1. Asha" in text and "3. Cora" in text and "Your ranking so far: 1. Cora, 2. Asha" in text
