"""Amendments applied as written."""

from __future__ import annotations

import pytest

from bot.features.motions.model import AmendmentError, apply
from bot.features.motions.parse import parse_amendment


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
