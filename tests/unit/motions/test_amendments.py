"""Amendments applied as written."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.features.motions.model import ABBREVIATIONS, Amendment, AmendmentError, apply, ends_abbreviated
from bot.features.motions.parse import parse_amendment

_FINAL = re.compile(r"[.!?;…]+$")


def test_amendments_apply_as_written() -> None:
    sections = {"notes": [], "believes": [], "resolves": ["To write to the MP.", "To march, with others."]}
    cases = {
        'resolves 1 replace "the MP" with "every MP"': "To write to every MP.",
        'resolves 1 insert "urgently" after "write"': "To write urgently to the MP.",
        'resolves 1 insert "Immediately" at start': "Immediately To write to the MP.",
        'resolves 2 delete ", with others"': "To march.",
    }
    for text, result in cases.items():
        a = parse_amendment(text)
        assert result in apply(sections, a)["resolves"]
    assert apply(sections, parse_amendment("resolves 1 delete"))["resolves"] == ["To march, with others."]
    assert apply(sections, parse_amendment("add notes A fact."))["notes"] == ["A fact."]
    for bad in ('resolves 3 delete "x"', 'resolves 1 replace "t" with "x"', 'resolves 1 delete "To write to the MP."'):
        with pytest.raises(AmendmentError):
            apply(sections, parse_amendment(bad))


def test_an_amendment_is_a_duplicate_only_of_one_that_still_stands_or_was_carried() -> None:
    from bot.features.motions.model import AmendmentRow, refuse_duplicate

    a = parse_amendment('resolves 1 replace "the MP" with "every MP"')
    other = parse_amendment('resolves 1 replace "the MP" with "all MPs"')

    def row(n: int, amendment, status: str) -> AmendmentRow:  # type: ignore[no-untyped-def]
        return AmendmentRow(n, 1, amendment, "console:bob", "bob", None, status, None, None)

    assert refuse_duplicate(a, [row(1, other, "proposed")]) is None
    for status in ("lost", "withdrawn", "void"):
        assert refuse_duplicate(a, [row(1, a, status)]) is None, status
    for status, words in [("proposed", "proposed already as A2 (by bob)"), ("seconded", "A2 (seconded)"),
                          ("voting", "A2 (voting)"), ("carried", "A2, which was carried")]:
        refusal = refuse_duplicate(a, [row(1, other, "proposed"), row(2, a, status)])
        assert refusal is not None and words in refusal, status


def test_quoted_words_match_whole_words_only() -> None:
    """The words an amendment quotes are the words of the point it names, never letters inside a
    longer word: "art" is not in "cartoon", so the room never votes on a change that would turn
    "the cartoon festival" into "the cscienceoon festival"."""
    sections = {"notes": [], "believes": [], "resolves": ["To fund the cartoon festival, and art."]}
    for bad in ('resolves 1 delete "on f"', 'resolves 1 insert "new" before "fest"',
                'resolves 1 replace "toon" with "s"'):
        with pytest.raises(AmendmentError, match="only inside longer words"):
            apply(sections, parse_amendment(bad))
    # "art" stands once as a word of its own (and once inside "cartoon", which is left alone).
    assert apply(sections, parse_amendment('resolves 1 replace "art" with "music"'))["resolves"] == [
        "To fund the cartoon festival, and music."]
    assert apply(sections, parse_amendment('resolves 1 delete ", and art"'))["resolves"] == [
        "To fund the cartoon festival."]


_LETTERS = st.characters(categories=("L",))
_WORDS = st.text(alphabet=st.one_of(_LETTERS, st.just(" ")), min_size=1, max_size=20).map(str.strip).filter(
    lambda w: bool(w) and '"' not in w)


@given(before=st.text(max_size=30), left=st.text(alphabet=_LETTERS, min_size=1, max_size=5), words=_WORDS,
       right=st.text(alphabet=_LETTERS, max_size=5), after=st.text(max_size=30))
def test_words_found_only_inside_longer_words_are_never_changed(
    before: str, left: str, words: str, right: str, after: str,
) -> None:
    """Whatever the point says, quoted words that stand in it only as part of a longer word (a
    letter runs on before them) are refused, and the point is never changed there."""
    point = f"{before} {left}{words}{right} {after}".strip()
    assume(point.count(words) == 1)
    sections = {"notes": [], "believes": [], "resolves": [point]}
    for amendment in (Amendment("replace", "resolves", 1, old=words, new="X"),
                      Amendment("delete", "resolves", 1, old=words),
                      Amendment("insert", "resolves", 1, new="X", anchor=words, where="after")):
        with pytest.raises(AmendmentError):
            apply(sections, amendment)


@given(before=st.text(max_size=30), words=_WORDS, after=st.text(max_size=30))
def test_words_standing_alone_are_changed_where_they_stand(before: str, words: str, after: str) -> None:
    """Quoted words that stand in the point once as words of their own are replaced there."""
    point = f"{before} {words} {after}"
    assume(point.count(words) == 1)
    sections = {"notes": [], "believes": [], "resolves": [point]}
    assert "§" in apply(sections, Amendment("replace", "resolves", 1, old=words, new="§"))["resolves"][0]


@pytest.mark.parametrize(("point", "words", "result"), [
    ("To support the union.", "and its members", "To support the union and its members."),
    ("To support the union.", ", with others", "To support the union, with others."),
    ("Do we agree?", "with the branch", "Do we agree with the branch?"),
    ("To lobby the council;", "and the mayor", "To lobby the council and the mayor;"),
    ("To support the union.", "It is to report by June.", "To support the union. It is to report by June."),
    ("To act as follows:", "march, then write.", "To act as follows: march, then write."),
    ("To support the union", "and its members", "To support the union and its members"),
    ("To fund the arts, sports, etc.", "and culture", "To fund the arts, sports, etc. and culture."),
    ("To campaign across the U.K.", "and Ireland", "To campaign across the U.K. and Ireland."),
    ("To write to Smith et al.;", "and the board", "To write to Smith et al. and the board;"),
    ("To vote No.", "to the cuts", "To vote No to the cuts."),
])
def test_words_inserted_at_the_end_go_before_its_full_stop(point: str, words: str, result: str) -> None:
    """'insert at end' adds to the point's last sentence, as a drafter reads it, not after its
    full stop ("the union. and its members"); words that are a sentence of their own follow it."""
    a = parse_amendment(f'resolves 1 insert "{words}" at end')
    assert apply({"notes": [], "believes": [], "resolves": [point]}, a)["resolves"] == [result]


def _tidy(text: str) -> dict[str, list[str]]:
    """TEXT as a point written in an amendment reads (spaces tidied), through the model's own way."""
    if " ".join(text.split()) == "x":  # replacing "x" with itself is refused as no change
        return {"resolves": ["x"]}
    return apply({"resolves": ["x"]}, parse_amendment(f'resolves 1 replace "x" with "{text}"'))


_WORDS = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"'), min_size=1,
                 max_size=40).filter(str.strip)
_FINAL_MARKS = ".!?;…"


@settings(max_examples=500)
@given(_WORDS, st.sampled_from(["", *_FINAL_MARKS, "...", "?!"]), _WORDS)
def test_words_inserted_at_the_end_of_free_text_keep_its_final_mark_last(stem: str, mark: str, words: str) -> None:
    """Whatever the point and the words: the point's words come first, as they were; the
    inserted words follow them; and a final full stop (question mark, semicolon…) stays the last
    thing in the point unless the inserted words end a sentence themselves."""
    assume('"' not in stem + words)
    point = _tidy(stem + mark)["resolves"][0]
    inserted = _tidy(words)["resolves"][0]
    got = apply({"resolves": [point]}, Amendment("insert", "resolves", 1, new=words, where="end"))["resolves"][0]
    assert got == _tidy(got)["resolves"][0]  # tidy: no doubled spaces, no space before a comma or stop
    final = len(point) - len(point.rstrip(_FINAL_MARKS))
    abbreviated = final and point[-final:][:2] != ".." and point[-final] == "."
    if abbreviated and ends_abbreviated(point[:len(point) - final + 1]):
        final -= 1  # the abbreviation's own stop ("the U.K.;"), which the inserted words follow
        point, stop = point[:len(point) - final], point[len(point) - final:] or "."
        if inserted.rstrip(_FINAL_MARKS) == inserted:
            assert got.startswith(point) and got.endswith(inserted + stop), (point, words, got)
        else:
            assert got.startswith(point) and got.endswith(inserted), (point, words, got)
    elif final and inserted.rstrip(_FINAL_MARKS) == inserted and point.rstrip(_FINAL_MARKS).strip():
        assert got.endswith(point[-final:]), (point, words, got)
        assert got[:-final].startswith(point[:-final].rstrip()), (point, words, got)
        assert got[:-final].endswith(inserted), (point, words, got)
    else:
        assert got.startswith(point) and got.endswith(inserted), (point, words, got)


_ABBREVIATED = st.sampled_from(sorted(ABBREVIATIONS)).map(str.capitalize) | st.sampled_from(
    sorted(ABBREVIATIONS)) | st.lists(st.characters(categories=("Lu", "Ll")), min_size=2, max_size=4).map(
    lambda letters: "".join(f"{c}." for c in letters))
"""A last word that is an abbreviation: from the list, as written or capitalised, or initials
("U.K.", "e.g.", "Ł.Ż.")."""


@settings(max_examples=500)
@given(_WORDS, _ABBREVIATED, st.sampled_from(["", ";", "!", "?", "…"]), _WORDS)
def test_an_abbreviation_ending_a_point_keeps_its_stop(stem: str, abbreviation: str, mark: str, words: str) -> None:
    """"at end" after a point ending "etc." or "U.K.": the abbreviation is kept whole and the
    words follow it, and the sentence still ends as it did (its stop, which the abbreviation's
    was too, or its semicolon…), never "U.K and Ireland."."""
    assume('"' not in stem + words and not _FINAL.search(words.rstrip()) and words.strip()[0].isalnum())
    point = _tidy(f"{stem} {abbreviation}{mark}")["resolves"][0]
    assume(point.endswith(f" {abbreviation}{mark}") and point[:-len(abbreviation + mark)].strip(_FINAL_MARKS + " "))
    got = apply({"resolves": [point]}, Amendment("insert", "resolves", 1, new=words, where="end"))["resolves"][0]
    assert got.startswith(point[:len(point) - len(mark)] + " "), (point, words, got)
    assert got.endswith(_tidy(words)["resolves"][0] + (mark or ".")), (point, words, got)
