"""Every sentence the counting engine writes about the rules a poll met or failed is said again in
the reader's language (bot/features/polls/render.py), with the same figures, and in English
exactly as the engine wrote it."""

from __future__ import annotations

import itertools

import pytest

from bot.app.bootstrap import LOCALES
from bot.engines.counting.choice import Majority, QuorumRule, decide, tally
from bot.engines.language import Catalogues
from bot.features.polls.render import in_words, known
from bot.kernel.language import speaking

CATALOGUES = Catalogues(LOCALES)


def _every_reason() -> set[str]:
    """What decide() says over proposals and choices, each rule, quorum kind, card or not."""
    said: set[str] = set()
    quorums = [None, QuorumRule.parse("40%"), QuorumRule.parse("2")]
    for votes in itertools.product(range(4), repeat=3):
        ballots = [((i,), 1) for i, n in enumerate(votes) for _ in range(n)]
        for proposal, options in ((True, ("Yes", "No", "Abstain")), (False, ("A one", "B one", "C one"))):
            t = tally(options, ballots)
            for majority, quorum in itertools.product([None, *Majority], quorums):
                if not proposal and majority in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40):
                    continue
                d = decide(t, proposal=proposal, majority=majority, quorum=quorum, electorate=10)
                said.update(d.reasons, d.met)
                if majority not in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40):
                    card = tally(options, [(c, 3) for c, _ in ballots])
                    d = decide(card, proposal=proposal, majority=majority, quorum=quorum, electorate=30, members=10)
                    said.update(d.reasons, d.met)
    return said


REASONS = sorted(_every_reason())


def test_every_sentence_the_engine_writes_is_known() -> None:
    assert len(REASONS) > 30
    assert [r for r in REASONS if not known(r)] == []


def test_in_english_a_reason_reads_as_the_engine_wrote_it() -> None:
    assert [r for r in REASONS if in_words(r) != r] == []


@pytest.mark.parametrize("code", ["pl", "cy"])
def test_each_reason_is_translated_with_its_figures(code: str) -> None:
    speech = CATALOGUES.get(code)
    assert speech is not None
    with speaking(speech):
        for reason in REASONS:
            said = in_words(reason)
            assert said != reason, reason
            assert [c for c in reason if c.isdigit()] == [c for c in said if c.isdigit()], (reason, said)
    with speaking(speech):
        assert in_words("more for than against (7 for, 3 against)") == {
            "pl": "więcej głosów za niż przeciw (7 za, 3 przeciw)",
            "cy": "mwy o blaid nag yn erbyn (7 o blaid, 3 yn erbyn)",
        }[code]
