"""PrefLib .soi/.toi and Vote::Count text."""

from __future__ import annotations

import pytest

from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.files import read_ballots
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
