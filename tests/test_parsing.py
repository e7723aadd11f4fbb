"""The command grammar, deadlines and /poll options, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.engines.counting.choice import Majority, QuorumRule
from bot.features.polls.parse import ChoiceError, SpecError, parse_choice, parse_poll
from bot.kernel.durations import DeadlineError, parse_deadline, parse_duration
from bot.kernel.grammar import split_command

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def test_split_command() -> None:
    c = split_command("/poll@QuorumBot Lunch? | A | B")
    assert c is not None and c.name == "poll" and c.bot == "QuorumBot" and c.args == "Lunch? | A | B"
    assert split_command("!vote 1 2") is None
    bang = split_command("!vote 1 2", ("/", "!"))
    assert bang is not None and bang.name == "vote"
    assert split_command("hello /poll") is None


def test_durations_and_deadlines() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2x") is None
    assert parse_deadline("30m", NOW, LONDON) == NOW + timedelta(minutes=30)
    # 18:00 in London on 1 June is 17:00 UTC (summer time).
    assert parse_deadline("18:00", NOW, LONDON) == datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
    # A time already past today means tomorrow.
    assert parse_deadline("09:00", NOW, LONDON) == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    assert parse_deadline("2026-06-03T18:00", NOW, LONDON) == datetime(2026, 6, 3, 17, 0, tzinfo=UTC)
    assert parse_deadline("2026-06-03 18:00+00:00", NOW, LONDON) == datetime(2026, 6, 3, 18, 0, tzinfo=UTC)
    for bad in ("0m", "5s", "yesterday", "25:00", "2026-05-01T10:00", "400d"):
        with pytest.raises(DeadlineError):
            parse_deadline(bad, NOW, LONDON)


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
