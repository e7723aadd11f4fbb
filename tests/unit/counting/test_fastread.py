"""The bulk readers (numpy over bytes, folding by hashed line text) read every file exactly as the
line-by-line readers do: the same profile for what they accept, and for anything else they step
aside so the careful reader gives its located error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from counting_helpers import elections_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engines.counting import blt, fastread, preflib
from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.files import read_ballot_bytes, read_ballots
from bot.engines.counting.profile import Profile

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "elections"


def _slow(monkeypatch: pytest.MonkeyPatch, text: str, suffix: str) -> Profile | BallotFileError | ValueError:
    with monkeypatch.context() as m:
        m.setattr(blt, "_folded", lambda *a: None)
        m.setattr(preflib, "_folded", lambda *a: None)
        return _read(text, suffix)


def _read(text: str, suffix: str) -> Profile | BallotFileError | ValueError:
    try:
        return read_ballots(text, "f", suffix)
    except ValueError as exc:
        return exc


def _same(a: Profile | Exception, b: Profile | Exception) -> None:
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert type(a) is type(b) and str(a) == str(b)
        return
    assert a.candidates == b.candidates and a.title == b.title and a.seats == b.seats
    assert a.withdrawn == b.withdrawn and a.descriptions == b.descriptions and a.blank == b.blank
    assert np.array_equal(a.rankings, b.rankings)
    assert a.multiplicity.tolist() == b.multiplicity.tolist()
    assert a.counts.tolist() == b.counts.tolist()


def _from_bytes(data: bytes, suffix: str) -> Profile | BallotFileError | ValueError:
    """What `quorum count` reads from a file's bytes (the bulk path on bytes when it can)."""
    try:
        return read_ballot_bytes(data, "f", suffix)
    except ValueError as exc:
        return exc


def _from_text(data: bytes, suffix: str) -> Profile | BallotFileError | ValueError:
    """The same bytes decoded first and read as text, as before there was a path on bytes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return BallotFileError("f", None, f"not UTF-8 text ({exc.reason})")
    return _read(text.replace("\r\n", "\n").replace("\r", "\n"), suffix)


def _bulk_on_bytes(data: bytes, suffix: str) -> bool:
    """Whether the bytes path read the file (a fault it found in the names counts as read)."""
    try:
        if suffix == ".blt":
            return blt.read_blt_bytes(data, "f") is not None
        return preflib.read_preflib_bytes(data, "f", suffix[1:]) is not None
    except ValueError:
        return True


def _files() -> list[Path]:
    found = sorted(SHIPPED.glob("*.*"))
    shared = elections_dir()
    if shared.is_dir():
        found += sorted(p for p in shared.rglob("*") if p.suffix in (".blt", ".soi", ".toi"))
    return [p for p in found if p.suffix in (".blt", ".soi", ".toi")]


def test_every_real_file_reads_alike_in_bulk_and_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = 0
    for path in _files():
        text = path.read_text(encoding="utf-8-sig")
        fast = _read(text, path.suffix)
        _same(fast, _slow(monkeypatch, text, path.suffix))
        bulk += isinstance(fast, Profile) and (
            blt._folded(text, text.index("\n") + 1, len(fast.candidates)) is not None
            if path.suffix == ".blt"
            else preflib._folded(text, "f", preflib._Header()) is not None
        )
    assert bulk >= len(_files()) // 2, "most real files are plain and should take the bulk path"


def test_every_real_file_reads_alike_from_its_bytes() -> None:
    on_bytes = 0
    for path in _files():
        data = path.read_bytes()
        _same(_from_bytes(data, path.suffix), _from_text(data, path.suffix))
        on_bytes += _bulk_on_bytes(data, path.suffix)
    assert on_bytes >= len(_files()) // 2, "most real files are plain and should be read from their bytes"


def _blt(n_cand: int, lines: list[tuple[int, list[int]]]) -> str:
    body = [f"{w} {' '.join(str(c) for c in prefs)} 0".replace("  ", " ") for w, prefs in lines]
    names = [f'"C{i}"' for i in range(1, n_cand + 1)]
    return "\n".join([f"{n_cand} 2", *body, "0", *names, '"t"']) + "\n"


def _soi(n_cand: int, lines: list[tuple[int, list[int]]]) -> str:
    head = [f"# NUMBER ALTERNATIVES: {n_cand}"] + [f"# ALTERNATIVE NAME {i}: C{i}" for i in range(1, n_cand + 1)]
    return "\n".join(head + [f"{w}: {','.join(str(c) for c in prefs)}" for w, prefs in lines]) + "\n"


BALLOTS = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(
                st.one_of(st.just(1), st.integers(1, 10**6), st.integers(1, 10**30)),
                st.lists(st.integers(1, n), max_size=n + 2),
            ),
            min_size=1,
            max_size=60,
        ),
    )
)


@settings(max_examples=200, deadline=None)
@given(BALLOTS, st.sampled_from([".blt", ".soi"]), st.integers(0, 3))
def test_generated_ballots_read_alike(ballots: tuple[int, list[tuple[int, list[int]]]], suffix: str,
                                      copies: int) -> None:
    n, lines = ballots
    lines = lines * (copies + 1)  # repeated lines are what the bulk path folds
    text = (_blt if suffix == ".blt" else _soi)(n, lines)
    with pytest.MonkeyPatch.context() as m:
        _same(_read(text, suffix), _slow(m, text, suffix))


NOISE = st.text(alphabet="0123456789 ,:=-+{}#\t\r\nx\x00é", max_size=6)


@settings(max_examples=300, deadline=None)
@given(BALLOTS, st.sampled_from([".blt", ".soi"]), st.data())
def test_damaged_lines_read_alike(ballots: tuple[int, list[tuple[int, list[int]]]], suffix: str,
                                  data: st.DataObject) -> None:
    n, lines = ballots
    text = (_blt if suffix == ".blt" else _soi)(n, lines)
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    text = text[:at] + data.draw(NOISE) + text[at + cut :]
    with pytest.MonkeyPatch.context() as m:
        _same(_read(text, suffix), _slow(m, text, suffix))


@pytest.mark.parametrize("mix", [None, 0, 1])
def test_hash_table_groups_exactly_whatever_the_hash(monkeypatch: pytest.MonkeyPatch, mix: int | None) -> None:
    """Keys are grouped by equality, never by hash: with a hash that sends every key to one slot
    (mix 0) or one that barely mixes (mix 1), the groups are still exact."""
    if mix is not None:
        monkeypatch.setattr(fastread, "_MIX", (np.uint64(mix),) * len(fastread._MIX))
    keys = [np.array([5, 7, 5, 9, 7, 5, 2**40, 2**40], dtype=np.int64),
            np.array([1, 1, 1, 2, 1, 3, 0, 0], dtype=np.int64)]
    group, first = fastread.fold_keys(keys)
    pairs = list(zip(keys[0].tolist(), keys[1].tolist(), strict=True))
    for i in range(len(pairs)):
        for j in range(len(pairs)):
            assert (group[i] == group[j]) == (pairs[i] == pairs[j])
    assert sorted(pairs[f] for f in first.tolist()) == sorted(set(pairs))


def test_a_bad_line_far_down_a_large_file_is_named() -> None:
    lines = [(1, [1, 2, 3])] * 300_000 + [(1, [1, 9])]
    with pytest.raises(BallotFileError, match="line 300002: preference 9 is not a candidate 1..3"):
        read_ballots(_blt(3, lines), "f", ".blt")


def test_long_lines_and_a_mix_of_lengths_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines far longer than most (a full ranking of 300 candidates) beside short ones."""
    n = 300
    lines = [(1, list(range(1, n + 1)))] * 3 + [(2, [5, 1])] * 4 + [(1, list(range(n, 0, -1)))]
    text = _blt(n, lines)
    fast = _read(text, ".blt")
    assert isinstance(fast, Profile) and fast.papers == 12 and fast.ballots_cast == 8
    assert blt._folded(text, text.index("\n") + 1, n) is not None
    _same(fast, _slow(monkeypatch, text, ".blt"))


HEADS = st.sampled_from(["", "\ufeff", "# a comment\n", "\n\n", "\ufeff# Kommentar \u00e9\n"])
NAMES = st.sampled_from(["C", "Se\u00e1n ", "\u00c9lodie", "A \"B\""])


@settings(max_examples=200, deadline=None)
@given(BALLOTS, st.sampled_from([".blt", ".soi", ".toi"]), HEADS, NAMES, st.booleans(), st.booleans())
def test_generated_files_read_alike_from_bytes_and_text(
    ballots: tuple[int, list[tuple[int, list[int]]]], suffix: str, head: str, name: str, crlf: bool,
    withdraw: bool,
) -> None:
    n, lines = ballots
    text = (_blt if suffix == ".blt" else _soi)(n, lines * 2).replace("C1", name)
    if suffix == ".blt" and withdraw:
        text = text.replace("\n", "\n-1\n", 1)
    text = head + text
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    _same(_from_bytes(data, suffix), _from_text(data, suffix))
    plain = all(w < 10**18 and len(set(prefs)) == len(prefs) for w, prefs in lines)
    if plain and not crlf and isinstance(_from_text(data, suffix), Profile):
        assert _bulk_on_bytes(data, suffix), "a plain file is read from its bytes"


BYTE_NOISE = st.binary(max_size=4) | st.sampled_from([b"\xc3", b"\xff", b"\xef\xbb\xbf", b"\r", b"\n0\n", b"#"])


@settings(max_examples=300, deadline=None)
@given(BALLOTS, st.sampled_from([".blt", ".soi"]), st.data())
def test_damaged_bytes_read_alike_from_bytes_and_text(
    ballots: tuple[int, list[tuple[int, list[int]]]], suffix: str, data: st.DataObject
) -> None:
    n, lines = ballots
    raw = (_blt if suffix == ".blt" else _soi)(n, lines).replace("C2", "Se\u00e1n").encode("utf-8")
    at = data.draw(st.integers(0, len(raw)))
    cut = data.draw(st.integers(0, 3))
    raw = raw[:at] + data.draw(BYTE_NOISE) + raw[at + cut :]
    _same(_from_bytes(raw, suffix), _from_text(raw, suffix))


def test_a_header_longer_than_the_part_decoded_first_reads_alike() -> None:
    comments = "".join(f"# note {i}\n" for i in range(blt._HEAD // 8))
    data = (comments + _blt(3, [(1, [1, 2])] * 10)).encode()
    assert not _bulk_on_bytes(data, ".blt")
    fast = _from_bytes(data, ".blt")
    assert isinstance(fast, Profile) and fast.papers == 10
    _same(fast, _from_text(data, ".blt"))
