"""Replacement rounds that cannot fill a seat: the round draws nothing and says what would let it
(the smallest relaxation), a seat left empty keeps counting for the quotas as held so it never
blocks a later round, a relaxed quota only ever loosens, and `verify` replays relaxations and
empty seats in the order they were announced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engines.sortition import QuotaBound, Quotas, SeatUnfillable, SortitionError, Volunteer, prepare
from bot.engines.sortition.cli import main
from bot.engines.sortition.published import PublishedDraw, open_document
from bot.engines.sortition.reveal import replace

# One northerner (ticket 1), one southerner (2), two easterners (3, 4); exactly one northerner
# on a panel of two. Every panel seats ticket 1.
AREAS = ["north", "south", "east", "east"]
NORTH = QuotaBound("area", "north", 1, 1)


@pytest.fixture(scope="module")
def document() -> dict:
    pool = [Volunteer(f"v{i}", {"area": a}) for i, a in enumerate(AREAS)]
    return prepare(pool, Quotas.of(2, [NORTH]), "leximin", "Assembly").document


@pytest.fixture
def draw(document: dict) -> PublishedDraw:
    return open_document(document)


def test_a_seat_nobody_keeps_the_quotas_for_draws_nothing_and_names_the_smallest_relaxation(draw) -> None:
    with pytest.raises(SeatUnfillable) as refused:
        replace(draw, [1, 2], [1], "witnesses", 1)
    assert refused.value.ticket == 1
    assert refused.value.relax == (QuotaBound("area", "north", 0, 1),)
    assert "Nothing was drawn" in refused.value.message and "area=north 0-1" in refused.value.message


def test_the_relaxed_quota_lets_the_round_fill_the_seat_from_another_group(draw) -> None:
    relaxed = draw.quotas.relaxed(QuotaBound("area", "north", 0, 1))
    panel, made = replace(draw, [1, 2], [1], "witnesses", 1, (), relaxed)
    assert not made[0].same_group and made[0].replacement in (3, 4)
    assert panel == sorted([2, made[0].replacement])


def test_a_seat_left_empty_counts_as_held_and_never_blocks_a_later_round(draw) -> None:
    # Ticket 1's seat was left empty (it stays in the panel, declined); then ticket 2 declines.
    # Its group has nobody left; an easterner keeps "one northerner" only because the empty
    # seat still counts as ticket 1's. Were it not counted, this round would be stuck too.
    panel, made = replace(draw, [1, 2], [2], "next round", 1, [1])
    assert made[0].replacement in (3, 4) and not made[0].same_group
    assert panel == sorted([1, made[0].replacement])


def test_a_quota_only_ever_loosens() -> None:
    quotas = Quotas.of(4, [QuotaBound("g", "f", 1, 2), QuotaBound("g", "m", 1, 3)])
    assert quotas.relaxed(QuotaBound("g", "f", 0, 3)).bounds[0] == QuotaBound("g", "f", 0, 3)
    for bound, words in [
        (QuotaBound("g", "f", 2, 2), "only lower the minimum or raise the maximum"),
        (QuotaBound("g", "f", 1, 1), "only lower the minimum or raise the maximum"),
        (QuotaBound("g", "f", 1, 2), "nothing to relax"),
        (QuotaBound("g", "x", 0, 1), "no quota line g=x"),
        (QuotaBound("g", "f", 3, 0), "above the maximum"),
    ]:
        with pytest.raises(SortitionError, match=words):
            quotas.relaxed(bound)


def test_verify_replays_relaxations_and_empty_seats_in_the_order_announced(
    document: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    randomness = next(r for r in map(str, range(50)) if _panel(path, r, capsys) == "1 2")
    base = ["verify", str(path), "--randomness", randomness]
    # Relaxed first, the round fills ticket 1's seat.
    assert main([*base, "--relax", "area=north", "0-1", "--round", "1", "r1"]) == 0
    printed = capsys.readouterr().out
    assert "Relaxed for the rounds after it: area=north 0-1." in printed
    assert "Round 1: ticket 1 -> ticket" in printed and "another group that keeps the quotas" in printed
    # The same round before the relaxation is stuck: the order of the steps matters.
    assert main([*base, "--round", "1", "r1", "--relax", "area=north", "0-1"]) == 1
    assert "Nothing was drawn" in capsys.readouterr().err
    # Ticket 1's seat left empty; ticket 2's refilled later; the panel shows one seat filled.
    assert main([*base, "--empty", "1", "--round", "2", "r2"]) == 0
    printed = capsys.readouterr().out
    assert "Ticket 1's seat is left empty." in printed and "Round 1: ticket 2 -> ticket" in printed
    assert "Panel (1 of 2 seats filled):" in printed
    for steps, error in [
        (["--empty", "1", "--round", "1", "r2"], "an empty seat stays empty"),
        (["--empty", "3"], "holds no seat"),
        (["--empty", "1", "--empty", "1"], "holds no seat"),
        (["--relax", "area", "0-1"], "FEATURE=VALUE MIN-MAX"),
        (["--relax", "area=north", "1-0"], "above the maximum"),
    ]:
        assert main([*base, *steps]) == 1, steps
        assert error in capsys.readouterr().err, steps


def _panel(path: Path, randomness: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["verify", str(path), "--randomness", randomness]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Panel ("))
    return line.split(": ", 1)[1]
