"""BLT reading (real-world variants), writing, and clear errors for damaged files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engines.counting.blt import read_blt, read_blt_bytes, write_blt
from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.profile import Profile, build_profile
from bot.engines.counting.scottish import count_scottish

BASIC = """4 2
-3
3 1 2 0
2 2 1 4 0
1 3 1 0
1 4=1 2 0
5 2 0
0
"Ann ""Red"" SMITH"
Bob JONES
"Cy"
"Di" "Green Party"
"Test election"
"""


def test_reads_quotes_doubled_quotes_unquoted_withdrawn_title_and_weights() -> None:
    p = read_blt(BASIC)
    assert p.candidates == ('Ann "Red" SMITH', "Bob JONES", "Cy", "Di")
    assert p.descriptions[3] == "Green Party"
    assert p.title == "Test election" and p.seats == 2
    assert p.withdrawn == frozenset({2})
    got = dict(p.ballots())
    # "3 1 0" loses the withdrawn candidate 3 and becomes blank; "4=1 2" is an overvote at rank 1.
    assert got == {(0, 1): 3, (1, 0, 3): 2, (0,): 1, (1,): 5}
    assert p.papers == 11 and p.blank == 1


def test_names_on_one_line_and_alternative_name_comments() -> None:
    p = read_blt('2 1\n1 1 2 0\n0\n"A" "B"\n"T"\n')
    assert p.candidates == ("A", "B") and p.title == "T"
    q = read_blt("2 1\n1 2 0\n0\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bo\nWard\n")
    assert q.candidates == ("Ann", "Bo") and q.title == "Ward"


def test_writer_round_trips() -> None:
    p = read_blt(BASIC)
    again = read_blt(write_blt(p))
    assert again.candidates == p.candidates
    assert again.descriptions == p.descriptions
    assert again.withdrawn == p.withdrawn and again.title == p.title
    assert dict(again.ballots()) == dict(p.ballots())


def test_blank_papers_are_written_and_read_back_blank_not_valid() -> None:
    """A paper with no usable preference is a line "N 0" in BLT (OpenSTV, ERS): written so a
    published file says how many were blank, and read back as blank, never as a valid vote, so
    the quota of a recount from the file is the one the first count had."""
    p = read_blt('3 1\n2 1 2 0\n1 0\n1 3 0\n3 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Ward"\n')
    assert (p.blank, p.papers) == (4, 3)
    text = write_blt(p)
    assert "\n4 0\n" in text
    for again in (read_blt(text), read_blt_bytes(text.encode("utf-8"))):
        assert again is not None and (again.blank, again.papers, again.ballots_cast) == (4, 3, 2)
        first, recount = count_scottish(p), count_scottish(again)
        assert (recount.valid, recount.quota, recount.elected) == (first.valid, first.quota, first.elected) \
            and first.valid == 3


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("3 1,\n1 1 0\n0\nA\nB\nC\n", 1, "stray comma"),
        ("3 1\n1 1 0,\n0\nA\nB\nC\n", 2, "end with 0"),
        ("3 1\n1 1 5 0\n0\nA\nB\nC\n", 2, "not a candidate 1..3"),
        ("3 1\nx 1 0\n0\nA\nB\nC\n", 2, "weight"),
        ("3 1\n1 1 0\n2 2 a 0\n0\nA\nB\nC\n", 3, "'a'"),
        ("3 1\n-7\n1 1 0\n0\nA\nB\nC\n", 2, "withdrawn"),
        ("3\n1 1 0\n0\nA\nB\nC\n", 1, "CANDIDATES SEATS"),
        ('2 1\n1 1 0\n0\n"A\nB\n', 4, "closing quote"),
    ],
)
def test_damaged_files_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(BallotFileError) as err:
        read_blt(text, "f.blt")
    assert err.value.line == line
    assert words in str(err.value)
    assert str(err.value).startswith(f"f.blt: line {line}: ")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("2 1\n1 1 0\nA\nB\n", "not closed"),
        ("3 1\n1 1 0\n0\nA\n", "promises 3 candidates"),
    ],
)
def test_damaged_files_without_a_single_line(text: str, words: str) -> None:
    with pytest.raises(BallotFileError, match=words):
        read_blt(text)


def test_one_description_and_no_title_keeps_every_name_on_its_candidate() -> None:
    # A name and its party on one line, the other names alone, no title: four strings for
    # three candidates. Read as three names and a title, candidate 2 was called "Green" and
    # candidate 3 "Bob", so the votes for Bob were reported for Green, and Cat's for Bob.
    p = read_blt('3 1\n4 2 0\n3 3 0\n2 1 0\n0\n"Ann" "Green"\n"Bob"\n"Cat"\n')
    assert p.candidates == ("Ann", "Bob", "Cat")
    assert p.descriptions == ("Green", "", "")
    assert p.title is None
    q = read_blt('3 1\n4 2 0\n0\n"Ann"\n"Bob"\n"Cat" "Red"\n')
    assert q.candidates == ("Ann", "Bob", "Cat") and q.descriptions == ("", "", "Red")
    # All the names on the first line and a title after them is still that.
    r = read_blt('3 1\n4 2 0\n0\n"Ann" "Bob" "Cat"\n"Ward"\n')
    assert r.candidates == ("Ann", "Bob", "Cat") and r.title == "Ward"


_ONE_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12)
"""Any text a BLT name can be: quotes, spaces at either end, a leading #, digits, empty, and
every other control character (BLT separates names by line, so only a line break cannot be)."""


@st.composite
def _profiles(draw: st.DrawFn) -> Profile:
    names = draw(st.lists(_ONE_LINE, min_size=1, max_size=5))
    n = len(names)
    # An empty ranking is a blank paper: no usable preference, not valid, not counted.
    rankings = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=0, max_size=n, unique=True),
                             min_size=1, max_size=6))
    weights = draw(st.lists(st.integers(1, 10**6), min_size=len(rankings), max_size=len(rankings)))
    withdrawn = draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    return build_profile(names, rankings, weights, withdrawn=withdrawn, seats=draw(st.integers(1, 3)),
                         title=draw(st.none() | _ONE_LINE),
                         descriptions=draw(st.lists(_ONE_LINE, min_size=n, max_size=n) | st.just([])))


def _as_read(p: Profile) -> tuple[object, ...]:
    """What a BLT file says of P: an absent description is an empty one. Its blank papers are
    part of it (a recount reports them), and never among the valid ones."""
    descriptions = tuple(p.descriptions) + ("",) * (len(p.candidates) - len(p.descriptions))
    return (p.candidates, descriptions, p.title, p.seats, p.withdrawn, sorted(p.ballots()), p.blank, p.papers)


@settings(max_examples=300, deadline=None)
@given(_profiles())
def test_what_the_writer_writes_reads_back_as_it_was(p: Profile) -> None:
    """A name or title with quotes, with nothing in it, or with no title at all, is read back
    as written (the file published with an election's result is recounted from it)."""
    text = write_blt(p)
    assert _as_read(read_blt(text)) == _as_read(p), text
    fast = read_blt_bytes(text.encode("utf-8"))
    assert fast is None or _as_read(fast) == _as_read(p), text


@pytest.mark.parametrize("where", ["name", "description", "title"])
@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n"])
def test_a_line_break_in_a_name_is_refused_rather_than_written_unreadable(where: str, line_break: str) -> None:
    broken = f"Ann{line_break}SMITH"
    fields = {"name": {"candidates": [broken, "Bob"]}, "description": {"descriptions": [broken, ""]},
              "title": {"title": broken}}[where]
    p = build_profile(**{"candidates": ["Ann", "Bob"], "rankings": [[0, 1]], **fields})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="holds a line break, which a BLT file cannot hold; write it on one line"):
        write_blt(p)
