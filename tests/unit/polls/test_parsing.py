"""/poll options and /vote choices, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.engines.counting.choice import Majority, QuorumRule
from bot.features.polls.parse import ChoiceError, SpecError, parse_choice, parse_poll

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def test_plain_poll_is_a_proposal() -> None:
    spec = parse_poll("Back the motion on free movement?", NOW, LONDON)
    assert spec.kind == "proposal" and spec.options == ("Yes", "No", "Abstain")


def test_poll_with_all_options() -> None:
    spec = parse_poll("Rule change? --closes 2h --secret --hidden --quorum 40% --majority two-thirds --roll",
                      NOW, LONDON)
    assert spec.secret and spec.hidden and spec.electorate == "roll"
    assert spec.quorum == QuorumRule(40, True) and spec.majority is Majority.TWO_THIRDS
    assert spec.closes_at == NOW + timedelta(hours=2)
    spec = parse_poll("Days? | Mon | Tue | Wed —multi 2", NOW, LONDON)  # phones turn -- into —
    assert spec.kind == "choice" and spec.max_choices == 2
    spec = parse_poll("Chair | Ann | Bob | Cat --ranked --seats 2", NOW, LONDON)
    assert spec.kind == "ranked" and spec.seats == 2 and spec.secret


def test_poll_errors_explain() -> None:
    with pytest.raises(SpecError, match="--majority huge is unknown"):
        parse_poll("Q? --majority huge", NOW, LONDON)
    with pytest.raises(SpecError, match="at most 20 options"):
        parse_poll("Q? | " + " | ".join(f"o{i}" for i in range(21)), NOW, LONDON)


def test_choice_input() -> None:
    opts = ("Pizza", "Soup", "Salad bar")
    assert parse_choice("2", opts, 1) == (1,)
    assert parse_choice("salad bar", opts, 1) == (2,)
    assert parse_choice("piz", opts, 1) == (0,)
    assert parse_choice("Pizza, Salad bar", opts, 2) == (0, 2)
    assert parse_choice("3 1 2", opts, 1, ranked=True) == (2, 0, 1)
    with pytest.raises(ChoiceError, match="no option is called"):
        parse_choice("s", opts, 1)  # too short to be a unique prefix
    assert parse_choice("for", ("Yes", "No", "Abstain"), 1) == (0,)
    with pytest.raises(ChoiceError, match="Abstain cannot be combined"):
        parse_choice("A, Abstain", ("A", "B", "Abstain"), 2)
