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
