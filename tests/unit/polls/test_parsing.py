"""/poll options and /vote choices, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engines.counting.choice import Majority, QuorumRule
from bot.features.polls.parse import (
    VALUED,
    ChoiceError,
    SpecError,
    is_withdrawal,
    parse_ballot,
    parse_choice,
    parse_poll,
)

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


# -- options come last; dashes in a question are text ------------------------------------------


@pytest.mark.parametrize("question", [
    "Approve the budget — yes or no?",  # em dash
    "Approve the budget – yes or no?",  # en dash
    "Approve the budget - yes or no?",  # hyphen
    "Approve the budget -- yes or no?",  # a double hyphen on its own
    "Seats for 2--3 people, first-come—first-served?",  # dashes inside words
    "A —yes or —no answer?",  # a long dash before a word that is no option
    "Ends with a dash —",
])
def test_dashes_in_a_question_are_text(question: str) -> None:
    spec = parse_poll(question, NOW, LONDON)
    assert spec.question == question and spec.kind == "proposal"
    spec = parse_poll(f"{question} | Red — warm | Blue-green --secret —hidden", NOW, LONDON)
    assert spec.question == question and spec.options == ("Red — warm", "Blue-green")
    assert spec.secret and spec.hidden


@pytest.mark.parametrize("dash", ["--", "—", "–"])
def test_options_at_the_end_take_any_dash_phones_type(dash: str) -> None:
    spec = parse_poll(f"Days? | Mon — am | Tue {dash}multi 2 {dash}closes 1h", NOW, LONDON)
    assert spec.options == ("Mon — am", "Tue") and spec.max_choices == 2
    assert spec.closes_at == NOW + timedelta(hours=1)
    spec = parse_poll(f"Rule change? {dash}quorum=40% {dash}roll", NOW, LONDON)
    assert spec.quorum == QuorumRule(40, True) and spec.electorate == "roll"


@pytest.mark.parametrize(("text", "says"), [
    ("Lunch? --secret | Pizza | Soup", "put options at the end"),
    ("Lunch? | Pizza --closes 1h | Soup", "put options at the end"),
    ("Lunch --secrte | Pizza | Soup", "unknown option --secrte"),
    ("Lunch? | Pizza | Soup --colour red", "unknown option --colour"),
    ("Lunch? | Pizza | Soup --secret yes", "unexpected “yes” after the options"),
    ("Lunch? | Pizza | Soup --closes", "needs a value"),
])
def test_misplaced_or_unknown_options_are_refused(text: str, says: str) -> None:
    with pytest.raises(SpecError, match=says):
        parse_poll(text, NOW, LONDON)


@pytest.mark.parametrize(("text", "value"), [
    ("Lunch? | Pizza | Soup --closes 2 h", "2 h"),
    ("Lunch? | Pizza | Soup --closes 1w pm", "1w pm"),
    ("Lunch? | Pizza | Soup --closes 2 h --secret", "2 h"),
    ("Strike? --closes=2 hours --roll", "2 hours"),
])
def test_a_deadline_typed_with_spaces_is_refused_naming_it(text: str, value: str) -> None:
    """``--closes 2 h``: one error naming the value that cannot be read and how to write one,
    not "--closes is an option: put options at the end" (it is at the end)."""
    with pytest.raises(SpecError) as refused:
        parse_poll(text, NOW, LONDON)
    assert str(refused.value).startswith(f"--closes: cannot read the deadline “{value}”; give a length of time (30m")
    with pytest.raises(SpecError, match=f"cannot read the deadline “{value}”"):
        parse_ballot(text.partition("--")[1] + text.partition("--")[2], "/motion M1 vote [--closes 2h]", "M1?",
                     NOW, LONDON)


_VALUE_WORDS = st.sampled_from(["2", "h", "1w", "pm", "30", "m", "6", "6pm", "18:00", "2026-06-03", "hours",
                                "at", "tomorrow", "1.5", "d", "am", "x", "%", "40%", "2/3", "—", "-"])


@settings(max_examples=300)
@given(st.sampled_from(["Lunch? | Pizza | Soup", "Strike?", "Chair? | Ann | Bob | Cat", "Days? | Mon | Tue | Wed"]),
       st.sampled_from(["", " --secret", " --roll", " —ranked", " --hidden --roll"]),
       st.sampled_from(sorted(VALUED)), st.booleans(), st.lists(_VALUE_WORDS, min_size=2, max_size=4),
       st.sampled_from(["", " --secret", " --roll", " —hidden"]))
def test_no_value_typed_with_spaces_is_taken_for_a_misplaced_option(
    text: str, before: str, option: str, inline: bool, value: list[str], after: str
) -> None:
    """Whatever an option's value and however many spaces it was typed with, a poll is opened
    or refused for what is wrong with it, never as an option misplaced in the text."""
    args = f"{text}{before} --{option}{'=' if inline else ' '}{' '.join(value)}{after}"
    try:
        parse_poll(args, NOW, LONDON)
    except SpecError as e:
        assert "put options at the end" not in str(e), args


# -- numbers: decimals are numbers, exactly ----------------------------------------------------


def test_a_decimal_quorum_is_read_exactly() -> None:
    spec = parse_poll("Rule change? --roll --quorum 40.5%", NOW, LONDON)
    assert spec.quorum is not None and spec.quorum.value == Fraction(81, 2) and str(spec.quorum) == "40.5%"


def test_a_decimal_deadline_is_read_exactly() -> None:
    assert parse_poll("Q? --closes 1.5h", NOW, LONDON).closes_at == NOW + timedelta(minutes=90)
    assert parse_poll("Q? --closes 0.25d", NOW, LONDON).closes_at == NOW + timedelta(hours=6)


@pytest.mark.parametrize(("typed", "value"), [
    ("--multi 2 pm", "2 pm"), ("--multi 2pm", "2pm"), ("--multi=2 p.m.", "2 p.m."), ("--multi 2:30 pm", "2:30 pm"),
    ("--multi 18:00", "18:00"), ("--multi 1w", "1w"), ("--multi 2h --closes 1d", "2h"),
    ("--ranked --seats 2 pm", "2 pm"), ("--roll --proxies 3pm", "3pm"),
])
def test_a_number_option_given_a_time_says_it_reads_as_one_and_where_a_deadline_goes(typed: str, value: str) -> None:
    """``--multi 2 pm`` reads as a time (6pm, 6:30 pm and 1w are deadlines); the answer names
    what was read, and says how to write the number and the deadline, rather than that --multi
    takes a number, which the member thought they gave."""
    option = next(w.split("=")[0] for w in typed.split() if w.startswith(("--multi", "--seats", "--proxies")))
    with pytest.raises(SpecError) as refused:
        parse_poll(f"Lunch? | Pizza | Soup | Salad {typed}", NOW, LONDON)
    assert str(refused.value) == (f"{option} takes a whole number, such as {option} 2, but “{value}” reads as a "
                                  f"time; to set when the poll closes, write --closes {value}")


@pytest.mark.parametrize(("text", "says"), [
    ("Q? | A | B | C --multi 2.5", "--multi takes a whole number"),
    ("Chair | A | B | C --ranked --seats 1.5", "--seats takes a whole number"),
    ("Q? --quorum 2.5", "whole number of people"),
])
def test_a_decimal_where_a_whole_number_is_needed_says_so(text: str, says: str) -> None:
    with pytest.raises(SpecError, match=says):
        parse_poll(text, NOW, LONDON)


def test_industrial_thresholds_are_not_for_card_votes() -> None:
    with pytest.raises(SpecError, match="count members one by one"):
        parse_poll("Strike? --roll --card --majority industrial-40", NOW, LONDON)


# -- a vote names an option, or asks to be withdrawn -------------------------------------------


@pytest.mark.parametrize("text", [",", " , ", ",,", ", ,"])
def test_separators_alone_name_no_option(text: str) -> None:
    with pytest.raises(ChoiceError, match="names no option"):
        parse_choice(text, ("Pizza", "Soup"), 2)
    assert not is_withdrawal(text, ("Pizza", "Soup"))


def test_withdraw_is_a_word_unless_an_option_is_called_that() -> None:
    assert is_withdrawal("withdraw", ("Pizza", "Soup")) and is_withdrawal(" Withdraw ", ("Yes", "No"))
    assert not is_withdrawal("withdraw", ("Support", "Withdraw the motion"))
    assert not is_withdrawal("withdrawn", ("Pizza", "Soup"))
