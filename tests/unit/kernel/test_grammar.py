"""The command grammar and deadlines as people type them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.durations import DeadlineError, parse_deadline, parse_duration
from bot.kernel.grammar import CommandText, GrammarError, split_command, split_options

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def test_split_command() -> None:
    c = split_command("/poll@QuorumBot Lunch? | A | B")
    assert c is not None and c.name == "poll" and c.bot == "QuorumBot" and c.args == "Lunch? | A | B"
    assert split_command("!vote 1 2") is None
    bang = split_command("!vote 1 2", ("/", "!"))
    assert bang is not None and bang.name == "vote"
    assert split_command("hello /poll") is None


@pytest.mark.parametrize("typed", ["\ufeff/vote 1 2", "\u200f/vote 1 2", "\u200b /vote 1 2", "/\u200bvote 1 2",
                                   "/vote\u200b 1 2", "/vo\u00adte 1 2"])
def test_a_command_is_read_through_characters_that_show_nothing(typed: str) -> None:
    """A byte-order mark, a zero-width space, a direction mark or a soft hyphen before the
    command or inside its name hides nothing a reader could see: the command is the one shown.
    Its text after the name is kept as typed."""
    assert split_command(typed) == CommandText("vote", "1 2")
    assert split_command("/vote 1 \u200f2") == CommandText("vote", "1 \u200f2")


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


words = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")), min_size=1, max_size=8)


@given(st.lists(words.filter(lambda w: not w.startswith("--")), min_size=1, max_size=8),
       st.sampled_from(["", "--emergency", "--deadline 2d", "—deadline 2d --emergency", "--deadline=2d"]))
def test_text_keeps_its_dashes_and_options_come_last(text: list[str], options: str) -> None:
    """Every command's free text (a title, a question, a name) keeps any dash it holds; only
    the run of options at the end is read as options."""
    free, opts = split_options(" ".join([*text, options]), frozenset({"emergency"}), frozenset({"deadline"}), "U")
    assert free == " ".join(text)
    assert ("emergency" in opts.flags) == ("emergency" in options)
    assert opts.values.get("deadline") == ("2d" if "deadline" in options else None)


@pytest.mark.parametrize("args, closes", [
    ("Tea? --closes 6:30 pm --secret", "6:30 pm"), ("Tea? --closes 6 PM", "6 PM"),
    ("Tea? --closes=6:30 p.m.", "6:30 p.m."),
    ("Tea? --closes 2026-06-03 18:00", "2026-06-03 18:00"), ("Tea? --closes 2026-06-03 6:30 pm", "2026-06-03 6:30 pm"),
    ("Tea at 6 pm? --closes 6pm", "6pm"), ("Tea? —closes 2026-06-03 6pm", "2026-06-03 6pm"),
])
def test_a_time_written_apart_is_one_value(args: str, closes: str) -> None:
    """A date and its time, and a time and its am or pm, are how people write a deadline: the
    rest is part of the option's value, while the same words in the text stay text."""
    text, opts = split_options(args, frozenset({"secret"}), frozenset({"closes"}), "U")
    assert opts.values["closes"] == closes
    assert text == args.partition(" —")[0].partition(" --")[0]


@given(st.lists(words.filter(lambda w: not w.startswith("--")), max_size=4),
       st.lists(words.filter(lambda w: not w.startswith(("--", "—", "–")) and "|" not in w), min_size=2, max_size=4),
       st.booleans(), st.sampled_from(["", " --emergency"]))
def test_a_value_typed_with_spaces_is_the_options_value(text: list[str], value: list[str], inline: bool,
                                                        after: str) -> None:
    """``--deadline 2 h`` at the end: all its words are the option's value, for the command to
    read (and refuse naming it), and the text before stays the text: never "--deadline is an
    option: put options at the end"."""
    args = " ".join([*text, "--deadline" + ("=" if inline else " ") + " ".join(value)]) + after
    free, opts = split_options(args, frozenset({"emergency"}), frozenset({"deadline"}), "U")
    assert free == " ".join(text) and opts.values["deadline"] == " ".join(value)
    assert opts.flags == ({"emergency"} if after else set())


@pytest.mark.parametrize(("args", "fragment"), [
    ("Title --emergency more words", "--emergency is an option: put options at the end"),
    ("Title --urgent", "unknown option --urgent"),
    ("Title --emergency yes", "unexpected “yes” after the options; only --deadline takes a value"),
    ("Title --deadline", "--deadline needs a value"),
])
def test_options_out_of_place_are_refused(args: str, fragment: str) -> None:
    with pytest.raises(GrammarError, match=re.escape(fragment)):
        split_options(args, frozenset({"emergency"}), frozenset({"deadline"}), "U")


def test_controls_that_reorder_text_are_dropped_and_letters_keep_their_direction() -> None:
    from bot.kernel.events import scrub

    assert scrub("Yes\u202e (against)") == "Yes (against)"  # RLO would show the rest reversed
    assert scrub("\u2067No\u2069 | Yes") == "No | Yes"
    assert scrub("نعم \u200f| لا") == "نعم \u200f| لا"  # Arabic and the RLM mark stay as typed
    assert scrub("a\ud800b") == "a\ufffdb"
    assert scrub("a\x00b") == "a\ufffdb"  # a NUL, which PostgreSQL's text cannot hold


def test_what_someone_typed_is_quoted_as_a_person_reads_it() -> None:
    from bot.kernel.wording import quoted

    assert quoted("Pasta") == "“Pasta”"
    assert quoted("don't") == "“don't”"  # no backslashes, no switch of quote marks
    assert quoted("two\nlines\tand  spaces") == "“two lines and spaces”"
    assert quoted("a\x00b") == "“a\ufffdb”"
    assert quoted("x" * 50, 10) == "“xxxxxxxxx…”"


def test_parse_errors_are_written_in_the_language_being_written_in() -> None:
    """The kernel's refusals read from the catalogue of the language being written in: the same
    fields, the plural form the number takes, English outside any language."""
    from bot.app.bootstrap import LOCALES
    from bot.engines.language import Catalogues
    from bot.kernel.errors import UserError
    from bot.kernel.ids import parse_ref
    from bot.kernel.language import speaking
    from bot.kernel.limits import Attempts

    catalogues = Catalogues(LOCALES)
    flags, one, two = frozenset({"secret"}), frozenset({"closes"}), frozenset({"closes", "multi"})
    with speaking(catalogues.get("pl")):  # type: ignore[arg-type]
        with pytest.raises(GrammarError, match="nieznana opcja --bogus. Dostępne opcje: --secret"):
            split_options("Tea? --bogus", flags, frozenset(), "/poll")
        with pytest.raises(GrammarError, match="wartość przyjmuje tylko --closes. Użycie: /poll"):
            split_options("Tea? --secret yes", flags, one, "/poll")
        with pytest.raises(GrammarError, match="wartość przyjmują tylko --closes, --multi."):
            split_options("Tea? --secret yes", flags, two, "/poll")
        with pytest.raises(UserError, match="“X9” to nie numer poprawki"):
            parse_ref("X9", "A", "/amend")
    with speaking(catalogues.get("cy")):  # type: ignore[arg-type]
        with pytest.raises(DeadlineError, match="nid yw 25:00 yn amser o'r dydd"):
            parse_deadline("25:00", NOW, LONDON)
        with pytest.raises(UserError, match="Dywedwch pa welliant, e.e. A1. Defnydd: /amend"):
            parse_ref("", "A", "/amend")
    with pytest.raises(GrammarError, match="only --closes takes a value"):
        split_options("Tea? --secret yes", flags, one, "/poll")
    with pytest.raises(GrammarError, match="only --closes, --multi take a value"):
        split_options("Tea? --secret yes", flags, two, "/poll")

    clock = [NOW]
    attempts = Attempts(1, timedelta(minutes=1), lambda: clock[0])
    attempts.failed("ann")
    with speaking(catalogues.get("pl")), pytest.raises(UserError, match="spróbuj ponownie za 1 minutę"):  # type: ignore[arg-type]
        attempts.check("ann", "join codes")
    attempts = Attempts(1, timedelta(minutes=3), lambda: clock[0])
    attempts.failed("ann")
    with speaking(catalogues.get("pl")), pytest.raises(UserError, match="za 3 minuty albo"):  # type: ignore[arg-type]
        attempts.check("ann", "drafting codes")
    with pytest.raises(UserError, match="try again in 3 minutes"):
        attempts.check("ann", "join codes")
