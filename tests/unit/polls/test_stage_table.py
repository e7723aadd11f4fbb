"""An election's stage table as members read it (bot/features/polls/render.py): in English it is
the counting engine's own table, line for line, for every method and all sorts of counts (ties,
surpluses, exclusions, seats left unfilled); in another language the same figures, with its words
and its decimal sign."""

from __future__ import annotations

import random

import pytest

from bot.app.bootstrap import LOCALES
from bot.engines.counting.methods import count
from bot.engines.counting.profile import build_profile
from bot.engines.counting.render import to_dict, to_text
from bot.engines.language import Catalogues
from bot.features.polls.render import stage_table
from bot.kernel.language import speaking

CATALOGUES = Catalogues(LOCALES)
NAMES = ("Asha", "Bilal", "Chen", "Dorota", "Eilir", "Fatima")


def _counts() -> list[tuple[str, object]]:
    out = []
    rng = random.Random(17)
    for case in range(60):
        method = ("scottish", "meek", "irv")[case % 3]
        candidates = NAMES[: rng.randint(2, 6)]
        seats = 1 if method == "irv" else rng.randint(1, max(1, len(candidates) - 1))
        ballots = [rng.sample(range(len(candidates)), rng.randint(1, len(candidates)))
                   for _ in range(rng.randint(1, 40))]
        weights = [rng.choice((1, 1, 1, 2, 7)) for _ in ballots]
        profile = build_profile(candidates, ballots, weights, seats=seats, title="Chair?")
        out.append((method, count(profile, method, seats, seed=case)))
    return out


COUNTS = _counts()


@pytest.mark.parametrize("case", range(len(COUNTS)))
def test_in_english_the_table_is_the_engines(case: int) -> None:
    _method, result = COUNTS[case]
    engine = to_text(result)  # type: ignore[arg-type]
    assert engine.startswith("Chair?\n")
    assert stage_table(to_dict(result)) == engine.removeprefix("Chair?\n")  # type: ignore[arg-type]


def test_the_counts_cover_ties_transfers_and_every_method() -> None:
    text = "\n".join(to_text(r) for _, r in COUNTS)  # type: ignore[arg-type]
    for seen in ("Scottish STV", "Meek STV", "Instant-runoff", "surplus of", "exclusion of", "tie (", "transfer value",
                 "Elected:", "iteration"):
        assert seen in text, seen


@pytest.mark.parametrize("code, words", [
    ("pl", ("Wybrani:", "Nieprzenoszalne", "E1 pierwsze preferencje")),
    ("cy", ("Etholwyd:", "Anhrosglwyddadwy", "C1 dewisiadau cyntaf")),
])
def test_in_polish_and_welsh_the_same_figures_in_their_words(code: str, words: tuple[str, ...]) -> None:
    speech = CATALOGUES.get(code)
    assert speech is not None
    for method, result in COUNTS[:12]:
        english = stage_table(to_dict(result))  # type: ignore[arg-type]
        with speaking(speech):
            said = stage_table(to_dict(result))  # type: ignore[arg-type]
        assert said != english
        digits = [c for c in english if c.isdigit()]
        assert [c for c in said if c.isdigit()] == digits or method == "meek"  # S1 → E1: the digits stay
        for word in words:
            assert word in said, (word, said)
        assert "quota" not in said and "elected" not in said.lower().replace("elected:", "")
    english = stage_table(to_dict(COUNTS[0][1]))  # type: ignore[arg-type]
    with speaking(speech):
        said = stage_table(to_dict(COUNTS[0][1]))  # type: ignore[arg-type]
    assert "10.8421" in english and ("10,8421" if code == "pl" else "10.8421") in said  # Welsh writes a point
