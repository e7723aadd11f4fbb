"""Damaged ballot files of any shape give BallotFileError, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.files import read_ballots

LINE = st.text(alphabet='0123456789 -=,"{}:#ABC\t', max_size=14)
TEXT = st.lists(LINE, max_size=10).map("\n".join)
BLT_LIKE = st.tuples(
    st.sampled_from(["3 2", "2 1", "3 1,", "x", ""]),
    st.lists(LINE, max_size=6),
    st.sampled_from(["0", "", "0 0"]),
    st.lists(LINE, max_size=5),
).map(lambda t: "\n".join([t[0], *t[1], t[2], *t[3]]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, BLT_LIKE), st.sampled_from(["", ".blt", ".soi", ".toi", ".txt"]))
def test_any_text_reads_or_fails_with_a_located_message(text: str, suffix: str) -> None:
    try:
        profile = read_ballots(text, "f", suffix)
    except BallotFileError as err:
        assert str(err).startswith("f: ")
        assert err.line is None or 1 <= err.line <= text.count("\n") + 1
    else:
        assert profile.papers >= 0
