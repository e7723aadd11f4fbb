"""PrefLib .soi/.toi and Vote::Count text."""

from __future__ import annotations

import re

import pytest

from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.files import read_ballot_bytes, read_ballots
from bot.engines.counting.preflib import read_preflib
from bot.engines.counting.votecount import read_votecount

TOI = """# TITLE: Mayor
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 3
# ALTERNATIVE NAME 1: Kiss
# ALTERNATIVE NAME 2: Wright
# ALTERNATIVE NAME 3: Montroll
10: 1,2
4: 2,{1,3}
3: {1,2},3
2: 3,{2},1
"""


def test_toi_equal_ranking_is_an_overvote_at_that_rank() -> None:
    p = read_preflib(TOI, "m.toi")
    assert p.candidates == ("Kiss", "Wright", "Montroll") and p.title == "Mayor"
    # "2,{1,3}" counts for Wright only; "{1,2},3" has a tied first rank: blank, not valid;
    # a one-candidate brace is a plain rank.
    assert dict(p.ballots()) == {(0, 1): 10, (1,): 4, (2, 1, 0): 2}
    assert p.blank == 3 and p.papers == 16


def test_soi_rejects_ties_and_unknown_candidates() -> None:
    with pytest.raises(BallotFileError, match="line 3: a strict order"):
        read_preflib("# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n1: {1,2}\n", "x.soi", "soi")
    with pytest.raises(BallotFileError, match="line 2: candidate 7"):
        read_preflib("# ALTERNATIVE NAME 1: A\n1: 7\n", "x.soi", "soi")
    with pytest.raises(BallotFileError, match="line 2: count 'x'"):
        read_preflib("# ALTERNATIVE NAME 1: A\nx: 1\n", "x.soi", "soi")


def test_vote_count_text() -> None:
    text = "# Seats: 2\n# Constituency: Ward\n:CHOICES:A_B:C\n3:A_B:C\nC\n"
    p = read_votecount(text)
    assert p.seats == 2 and p.title == "Ward" and p.candidates == ("A_B", "C")
    assert dict(p.ballots()) == {(0, 1): 3, (1,): 1}
    with pytest.raises(BallotFileError, match="line 2: 'D' is not one of"):
        read_votecount(":CHOICES:A\n1:D\n")
    with pytest.raises(BallotFileError, match="line 1: ballots come before"):
        read_votecount("1:A\n")


def test_format_is_chosen_by_suffix_then_content() -> None:
    assert read_ballots(TOI).candidates[0] == "Kiss"
    assert read_ballots(":CHOICES:A:B\n1:B\n").candidates == ("A", "B")
    assert read_ballots("# Seats: 1\n:CHOICES:A:B\n1:B\n").candidates == ("A", "B")
    assert read_ballots("2 1\n1 2 0\n0\nA\nB\n").candidates == ("A", "B")
    # A BLT file naming its candidates in PrefLib-style comments is still BLT.
    blt = "2 1\n1 2 0\n0\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bo\nWard\n"
    assert read_ballots(blt, suffix=".blt").candidates == ("Ann", "Bo")
    assert read_ballots(TOI, suffix=".toi").blank == 3


def test_vote_count_superscript_is_not_a_count() -> None:
    # "²" passes str.isdigit() but is no number: it used to reach int() and fail with Python's
    # own error. It is a choice name like any other, and not one of the :CHOICES: here.
    with pytest.raises(BallotFileError, match="line 2: '²' is not one of the :CHOICES:"):
        read_votecount(":CHOICES:A\n²:A\n")


HEADED = """# DATA TYPE: soi
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 9
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: Ann
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Cat
4: 1
3: 2
2: 3,2
"""


def _every_path(text: str) -> list:
    """TEXT read by each way in: bytes (bulk path), text (bulk path), and the line-by-line
    reader (carriage returns send a file there)."""
    crlf = text.replace("\n", "\r\n")
    return [lambda: read_ballot_bytes(text.encode(), "b.soi", ".soi"), lambda: read_preflib(text, "b.soi", "soi"),
            lambda: read_preflib(crlf, "b.soi", "soi"), lambda: read_ballot_bytes(crlf.encode(), "b.soi", ".soi")]


def test_a_file_agreeing_with_its_header_is_read_every_way() -> None:
    for read in _every_path(HEADED):
        p = read()
        assert p.papers == 9 and dict(p.ballots()) == {(0,): 4, (1,): 3, (2, 1): 2}


@pytest.mark.parametrize(("text", "reason"), [
    # Cut short after a whole line: 7 voters counted of 9, and another winner.
    (HEADED.removesuffix("2: 3,2\n"), "b.soi: the header declares 9 voters (NUMBER VOTERS) but the lines count 7"),
    (HEADED.replace("VOTERS: 9", "VOTERS: 100"), "declares 100 voters (NUMBER VOTERS) but the lines count 9"),
    (HEADED.replace("ORDERS: 3", "ORDERS: 4"), "declares 4 orders (NUMBER UNIQUE ORDERS) but the file has 3 lines"),
])
def test_a_file_disagreeing_with_its_header_is_refused(text: str, reason: str) -> None:
    for read in _every_path(text):
        with pytest.raises(BallotFileError, match=re.escape(reason)):
            read()


def test_a_count_without_a_ranking_is_refused_with_its_line() -> None:
    # Cut in the middle of its last line: PrefLib has no empty order, and blank papers would
    # have been counted silently.
    for text in (HEADED.replace("2: 3,2\n", "2: \n"), HEADED.replace("2: 3,2\n", "2:")):
        for read in _every_path(text):
            with pytest.raises(BallotFileError, match=r"b\.soi: line 10: count 2 with no ranking"):
                read()


def test_a_name_beyond_the_number_of_alternatives_is_refused_with_its_line() -> None:
    text = HEADED.replace("ALTERNATIVES: 3", "ALTERNATIVES: 2")
    for read in _every_path(text):
        with pytest.raises(BallotFileError, match=r"b\.soi: line 7: ALTERNATIVE NAME 3 is beyond NUMBER ALTERNATIVES"):
            read()


@pytest.mark.parametrize("seats", ["0", "two", "2x", "-1", ""])
def test_vote_count_seats_that_are_no_number_of_seats_are_refused(seats: str) -> None:
    # Passed over as a comment (or read as 0), the file was counted for one seat: a wrong count
    # without a word. It is refused at its line, saying what the line must hold.
    with pytest.raises(BallotFileError, match=r"line 1: '# Seats: .*' must give the number of seats"):
        read_votecount(f"# Seats: {seats}\n:CHOICES:A:B:C\n3:A:B\n2:B\n1:C\n", "w.txt")
    assert read_votecount("#  seats :  02 \n:CHOICES:A:B\n1:A\n").seats == 2
