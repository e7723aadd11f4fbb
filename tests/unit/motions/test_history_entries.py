"""A motion's history is kept as messages with their fields, so each reader reads it in their own
language; rows written before that (plain English text) read as they were written."""

from __future__ import annotations

from bot.app.bootstrap import LOCALES
from bot.engines.language import Catalogues
from bot.features.motions.model import Amendment, entry, motion_status_entry, read_entry, stored
from bot.kernel.language import N_, speaking

CATALOGUES = Catalogues(LOCALES)


def _in(code: str, row: str) -> str:
    speech = CATALOGUES.get(code)
    assert speech is not None
    with speaking(speech):
        return read_entry(row)


def test_an_entry_reads_in_each_language_with_its_fields_untouched() -> None:
    row = stored(entry(N_("added {section} {n}: {text}"), section="resolves", n=2, text="To act now."))
    assert read_entry(row) == "added resolves 2: To act now."
    assert _in("pl", row) == "dodano resolves 2: To act now."
    assert _in("cy", row) == "ychwanegwyd resolves 2: To act now."


def test_a_status_and_an_amendment_inside_an_entry_are_read_too() -> None:
    row = stored(entry(N_("status: {status} by ballot"), status=motion_status_entry("carried")))
    assert read_entry(row) == "status: carried by ballot"
    assert _in("pl", row) == "status: przyjęty w głosowaniu"
    amendment = Amendment("replace", "resolves", 1, old="a", new="b")
    row = stored(entry(N_("proposed amendment {ref}: {summary}"), ref="A1", summary=amendment.summary_entry))
    assert read_entry(row) == 'proposed amendment A1: resolves 1: replace "a" with "b"'
    assert _in("cy", row) == "cynigiodd welliant A1: resolves 1: disodli “a” â “b”"


def test_rows_from_before_entries_read_as_written() -> None:
    assert _in("pl", "amendment A1 carried and applied: notes 1: delete the whole point") == \
        "amendment A1 carried and applied: notes 1: delete the whole point"
    assert _in("pl", '{"m": broken') == '{"m": broken'


def test_a_members_words_in_an_entry_are_never_read_as_a_template() -> None:
    row = stored(entry(N_("created: {title}"), title="Pay {rise} now {0}"))
    assert _in("pl", row) == "utworzono: Pay {rise} now {0}"
