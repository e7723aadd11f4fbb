"""Composites: the committee merges motions, each point keeps its origin, and the composite is
submitted only once a drafter of every original motion has agreed to its present words."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.motions.model import SECTIONS, MotionText, composite, wording
from bot.kernel.config import parse_config
from tests.helpers import Chat, invite_drafters


async def _three_motions(chat: Chat) -> None:
    await chat.say(
        "ann: /motion new Save the library",
        "ann: /motion M1 notes The library is to close.",
        "ann: /motion M1 resolves To campaign for the library.",
        "bob: /motion new Keep libraries open",
        "bob: /motion M2 notes The library is to close.",
        "bob: /motion M2 resolves To petition the council.",
        "cat: /motion new Libraries and jobs",
        "cat: /motion M3 believes Library jobs matter.",
        "cat: /motion M3 resolves To support library staff.",
    )


async def test_a_composite_keeps_origins_and_waits_for_every_mover(chat: Chat) -> None:
    await _three_motions(chat)
    out = await chat.say('chair: /composite M1 M2 M3 as "Libraries for all"')
    assert "Composite C1 is motion M4 (Libraries for all), drafted from M1, M2, M3" in out
    out = await chat.say("ann: /composite C1")
    assert "notes 1 ← M1 notes 1, M2 notes 1" in out  # the same words from two motions, kept once
    assert "believes 1 ← M3 believes 1" in out
    assert "resolves 1 ← M1 resolves 1" in out and "resolves 3 ← M3 resolves 1" in out
    assert out.count("not yet; a drafter of") == 3
    await chat.say("chair: /motion M4 mover Ann", "chair: /motion M4 seconder Bob")

    before = await chat.snapshot()
    out = await chat.say("chair: /motion M4 submit")
    assert "still waiting for M1, M2, M3" in out and "/composite C1 agree" in out
    assert await chat.snapshot() == before

    out = await chat.say("ann: /composite C1 agree")
    assert "You agree to the words of composite C1 (M4) for M1. Still waiting for M2, M3." in out
    await chat.say("bob: /composite C1 agree")
    # An edit by the committee changes the words: agreement given before it no longer counts.
    await chat.say("chair: /motion M4 edit resolves 2 To petition the council and the mayor.")
    out = await chat.say("cat: /composite C1 agree")
    assert "Still waiting for M1, M2." in out
    out = await chat.say("dan: /composite C1")
    assert "M1: ann agreed to earlier words" in out and "M3: agreed by cat" in out
    await chat.say("ann: /composite C1 agree", "bob: /composite C1 agree")
    out = await chat.say("chair: /motion M4 submit")
    assert "Motion M4 is submitted" in out
    history = await chat.say("chair: /motion M4 history")
    assert "agreed to the wording for M1" in history and "submitted" in history
    assert "C1 (M4): Libraries for all" in await chat.say("dan: /composite list")


async def test_when_a_mover_agreed_is_shown_in_the_organisations_zone(tmp_path: Path) -> None:
    """The time of an agreement is kept in UTC: it is shown as every other time is, in the
    organisation's zone and naming it (it was shown as UTC, unnamed: an hour off in summer)."""
    chat = await Chat.start(tmp_path, parse_config({"bot": {"timezone": "Europe/London"}}))
    try:
        await _three_motions(chat)
        await chat.say('chair: /composite M1 M2 M3 as "Libraries for all"', "cat: /composite C1 agree")
        out = await chat.say("dan: /composite C1")
        assert "M3: agreed by cat on Mon 01 Jun 13:00 (Europe/London)" in out, out
    finally:
        await chat.stop()


async def test_an_invited_drafter_agrees_for_their_motion(chat: Chat) -> None:
    await _three_motions(chat)
    await invite_drafters(chat, "ann", "M1", "eve")
    await chat.say("chair: /composite M1 M2 as Libraries")
    out = await chat.say("eve: /composite C1 agree")
    assert "for M1. Still waiting for M2." in out


@pytest.mark.parametrize(("line", "fragment"), [
    ("ann: /composite C1 agree", "agreed to the present words of composite C1 already"),
    ("dan: /composite C1 agree", "Only the drafters of the original motions (M1, M2)"),
    ("chair: /composite C1 agree", "does not agree for them"),
    ("ann: /composite C9 agree", "There is no composite C9. Send /composite list"),
    ("ann: /composite C1 sign", "There is no /composite C1 sign. Usage: /composite M3 M4"),
    ("ann: /composite list now", "Usage: /composite list (no arguments)"),
    ("chair: /composite M1 M3 as Again", "Motion M1 is composited; only drafts and submitted motions"),
    ("chair: /composite M3 M3 as Twice", "at least two different motions"),
    ("chair: /composite M3 M9 as Nothing", "There is no motion M9"),
    ("chair: /composite M3 M2", "Give the composite a title"),
    ("chair: /composite Libraries", "Name at least two different motions"),
    ("chair: /composite C1 M2 as Title", "There is no /composite C1 M2 as Title"),
    ("chair: /composite M2 M3 as", "Give the composite a title of 1 to 200 characters"),
    ("chair: /composite M2 M3 as " + "x" * 201, "Give the composite a title of 1 to 200 characters"),
    ("ann: /composite M2 M3 as Mine", "Only an organiser"),
    # A member who names no composite is told how to name one, not that only organisers merge.
    ("ann: /composite", "Say which composite, e.g. /composite C1"),
    ("ann: /composite X1", "Say which composite, e.g. /composite C1"),
    ("ann: /composite C" + "9" * 30 + " show", "Say which composite, e.g. /composite C1"),
    ("ann (private): /composite c 1", "Say which composite, e.g. /composite C1"),
    # In another room, the composite's (or the motions') room is said first, whatever else is wrong.
    ("ann #other: /composite C1 sign", "Motion M4 belongs to another room"),
    ("ann #other: /composite C1 agree now", "Motion M4 belongs to another room"),
    ("chair #other: /composite M3 M2", "Motion M3 belongs to another room; composite motions of one room"),
    ("chair #other: /composite M3 M3 as Twice", "Motion M3 belongs to another room"),
])
async def test_composite_mistakes_are_refused_and_change_nothing(chat: Chat, line: str, fragment: str) -> None:
    await _three_motions(chat)
    await chat.say("chair: /composite M1 M2 as Libraries", "ann: /composite C1 agree")
    before = await chat.snapshot()
    out = await chat.say(line)
    assert fragment in out, out
    assert await chat.snapshot() == before


async def test_agreement_is_asked_only_while_a_draft(chat: Chat) -> None:
    await _three_motions(chat)
    await chat.say("chair: /composite M1 M2 as Libraries", "ann: /composite C1 agree", "bob: /composite C1 agree",
                   "chair: /motion M4 mover Ann", "chair: /motion M4 seconder Bob", "chair: /motion M4 submit")
    before = await chat.snapshot()
    out = await chat.say("ann: /composite C1 agree")
    assert "Composite C1 (M4) is submitted; agreement is asked only while it is a draft." in out
    assert await chat.snapshot() == before


points = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=4)


@given(st.lists(st.fixed_dictionaries({s: points for s in SECTIONS}), min_size=2, max_size=4))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_every_point_of_the_originals_is_in_the_composite_with_its_origin(texts: list[dict]) -> None:
    originals = [(f"M{n}", MotionText(f"T{n}", sections=sections)) for n, sections in enumerate(texts, 1)]
    merged, origins = composite("All", originals)
    for sec in SECTIONS:
        assert len(origins[sec]) == len(merged.sections[sec])
        assert len(set(merged.sections[sec])) == len(merged.sections[sec])  # the same words kept once
        for ref, text in originals:
            for n, point in enumerate(text.sections[sec], 1):
                at = merged.sections[sec].index(point)
                assert f"{ref} {sec} {n}" in origins[sec][at]
        assert sum(len(o) for o in origins[sec]) == sum(len(t.sections[sec]) for _, t in originals)
    edited = MotionText(merged.title, merged.voice, {**merged.sections, "notes": [*merged.sections["notes"], "z"]})
    assert wording(edited) != wording(merged)


async def test_movers_whose_agreement_an_edit_undoes_are_asked_again(chat: Chat) -> None:
    await chat.say("ann: /motion new Libraries", "ann: /motion M1 resolves To defend libraries.",
                   "bob: /motion new Library jobs", "bob: /motion M2 resolves To support library staff.",
                   "chair: /composite M1 M2 as Libraries for all", "ann: /composite C1 agree")
    out = await chat.say("chair: /motion M3 edit resolves 1 To close libraries.")
    assert "agreement for M1 no longer counts" in out  # said in the room
    assert "[ann (private)]" in out and "/composite C1 agree" in out  # and ann is asked again
    assert "[bob (private)]" not in out  # bob had not agreed: nothing of his lapsed
    # No agreement stood: an edit says nothing more.
    out = await chat.say("chair: /motion M3 edit resolves 1 To save libraries.")
    assert "no longer counts" not in out and "private" not in out
    # A carried amendment changes the words too.
    await chat.say("ann: /composite C1 agree", "bob: /composite C1 agree",
                   'dan: /amend M3 resolves 2 replace "support" with "pay"', "eve: /amendment A1 second",
                   "chair: /amendment A1 vote --closes 10m", "ann: /vote 1 Yes")
    out = await chat.advance("10m")
    assert "A1 to M3 is carried and applied" in out and "agreement for M1, M2 no longer counts" in out
