"""Real elections shipped in tests/data/elections, counted and checked against the results their
returning officers published (sources in tests/data/elections/README.md).

These files are part of the repository, so these tests never skip: a clone checks real counts
with nothing else present. The larger set beside the repository is in test_real_elections.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from bot.engines.counting.files import load_ballots
from bot.engines.counting.irv import count_irv
from bot.engines.counting.meek import count_meek
from bot.engines.counting.profile import Profile, exact
from bot.engines.counting.render import to_dict
from bot.engines.counting.scottish import count_scottish
from bot.engines.counting.stages import CountResult

DATA = Path(__file__).resolve().parents[2] / "data" / "elections"

SHIPPED = {
    "west_dunbartonshire_2017_ward3.blt",
    "north_lanarkshire_2012_ward3.blt",
    "aberdeenshire_2016_by_election_banff_and_district.blt",
    "aberdeenshire_2016_by_election_inverurie_and_district.blt",
    "dublin_west_2002.soi",
    "burlington_mayor_2009.toi",
}


def load(name: str) -> Profile:
    return load_ballots(DATA / name)


def surname(candidate: str) -> str:
    """The capitalised surname of a Scottish ballot name such as 'David MCBRIDE (Lab)'."""
    return next(word for word in candidate.split() if word.isupper() and len(word) > 1)


def to_cents(value: Decimal) -> Decimal:
    """Rounded as the published tables are: to two places, halves up."""
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def conserved(result: CountResult) -> None:
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.non_transferable == result.valid, stage.number


def test_the_shipped_elections_are_all_there_and_small() -> None:
    files = {p.name for p in DATA.iterdir() if p.name != "README.md"}
    assert files == SHIPPED
    assert sum((DATA / name).stat().st_size for name in SHIPPED) < 300_000
    notes = (DATA / "README.md").read_text(encoding="utf-8")
    for name in SHIPPED:
        assert f"`{name}`" in notes, f"{name} has no origin and licence note"


# Dumbarton 2017, all five stages as published (two places), by surname; then non-transferable.
DUMBARTON = {
    "RUINE": ["584", "910.17", "915.01", "937.18", "1103.63"],
    "CONAGHAN": ["1499", "1499", "1313", "1313", "1313"],
    "WALKER": ["957", "979.68", "980.55", "1009.31", "1147.13"],
    "BLACK": ["792", "821.05", "827.13", "888.30", "0"],
    "MCLAREN": ["809", "827.09", "989.76", "998.64", "1254.05"],
    "MUIR": ["159", "168.43", "170.91", "0", "0"],
    "MCBRIDE": ["1762", "1313", "1313", "1313", "1313"],
    "non-transferable": ["0", "43.58", "52.64", "102.58", "431.19"],
}

# Cumbernauld South 2012, all seven stages as published (two places).
CUMBERNAULD = {
    "MCARTHUR": ["225", "228.88", "232.13", "232.41", "235.75", "0", "0"],
    "GOLDIE": ["1779", "1204", "1204", "1204", "1204", "1204", "1204"],
    "MCVEY": ["140", "147.76", "152.34", "153.14", "0", "0", "0"],
    "GRAHAM": ["1413", "1413", "1204", "1204", "1204", "1204", "1204"],
    "HOMER": ["653", "783.58", "792.45", "792.87", "819.18", "832.46", "916.95"],
    "MASTERTON": ["344", "358.54", "363.13", "363.68", "392.87", "486.34", "0"],
    "MUIR": ["1017", "1044.47", "1210.43", "1204", "1204", "1204", "1204"],
    "HOGG": ["444", "810.20", "815.82", "816.32", "836.42", "857.55", "926.39"],
    "non-transferable": ["0", "24.57", "40.70", "44.58", "118.77", "226.65", "559.67"],
}


@pytest.mark.parametrize(
    ("name", "published", "elected"),
    [
        ("west_dunbartonshire_2017_ward3.blt", DUMBARTON, ["MCBRIDE", "CONAGHAN", "MCLAREN", "WALKER"]),
        ("north_lanarkshire_2012_ward3.blt", CUMBERNAULD, ["GOLDIE", "GRAHAM", "MUIR", "HOGG"]),
    ],
)
def test_scottish_wards_match_the_published_stage_tables(
    name: str, published: dict[str, list[str]], elected: list[str]
) -> None:
    result = count_scottish(load(name))
    stages = len(published["non-transferable"])
    assert len(result.stages) == stages
    for stage in result.stages:
        got = {surname(c): to_cents(v) for c, v in stage.votes.items()}
        got["non-transferable"] = to_cents(stage.non_transferable)
        expected = {who: Decimal(row[stage.number - 1]) for who, row in published.items()}
        assert got == expected, f"{name} stage {stage.number}"
    assert [surname(c) for c in result.elected] == elected
    conserved(result)


@pytest.mark.parametrize(
    ("name", "first", "winner", "stage"),
    [
        (
            "aberdeenshire_2016_by_election_banff_and_district.blt",
            {"Alistair Mason": 526, "Glen Reynolds": 962, "Iain Taylor": 1170},
            "Iain Taylor",
            2,
        ),
        (
            "aberdeenshire_2016_by_election_inverurie_and_district.blt",
            {"Alison Auld": 755, "Neil Baillie": 1164, "Colin Clark": 1302, "Sarah Flavell": 139},
            "Colin Clark",
            3,
        ),
    ],
)
def test_aberdeenshire_by_elections_match_the_published_results(
    name: str, first: dict[str, int], winner: str, stage: int
) -> None:
    result = count_scottish(load(name))
    assert result.stages[0].votes == {c: Decimal(v) for c, v in first.items()}
    assert result.elected == (winner,)
    assert [e.candidate for e in result.stages[stage - 1].elected] == [winner]
    assert len(result.stages) == stage
    conserved(result)


def test_dublin_west_2002_matches_the_published_result() -> None:
    profile = load("dublin_west_2002.soi")
    assert profile.papers == 29_988
    party = {"F.F.": "FF", "F.G.": "FG", "Lab": "Lab", "P.D.": "PD", "G.P.": "Green", "S.F.": "SF"}
    firsts: dict[str, Decimal] = {}
    result = count_scottish(profile, 3)
    for candidate, votes in result.stages[0].votes.items():
        label = next((p for suffix, p in party.items() if candidate.endswith(suffix)), "others")
        firsts[label] = firsts.get(label, Decimal(0)) + votes
    assert firsts == {
        "FF": 10_386,
        "FG": 3_694,
        "Lab": 3_810,
        "PD": 2_370,
        "Green": 748,
        "SF": 2_404,
        "others": 6_576,
    }
    declared = {"Brian Lenihan F.F.", "Joe Higgins S.P.", "Joan Burton Lab"}
    assert set(result.elected) == declared
    assert set(count_meek(profile, 3).elected) == declared
    conserved(result)


def test_burlington_2009_matches_the_published_rounds() -> None:
    result = count_irv(load("burlington_mayor_2009.toi"))
    first = result.stages[0].votes
    assert (first["Kurt Wright"], first["Bob Kiss"], first["Andy Montroll"], first["Dan Smith"]) == (
        2951,
        2585,
        2063,
        1306,
    )
    # The city excluded Simpson, Smith and the write-ins together; we exclude them one a stage.
    after_smith = next(s for s in result.stages if s.candidate == "Dan Smith")
    assert after_smith.votes["Andy Montroll"] == 2554
    final = result.stages[-1].votes
    assert final["Bob Kiss"] == 4313
    # Published: 4,061. One paper (Montroll, Smith, then Simpson = Wright) the city gave Wright;
    # this reader treats the equal ranking as an overvote (see tests/data/elections/README.md).
    assert final["Kurt Wright"] == 4061 - 1
    assert result.elected == ("Bob Kiss",)
    conserved(result)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_real_elections_count_alike_on_the_fast_and_the_exact_path(name: str) -> None:
    profile = load(name)
    seats = profile.seats or 3
    fast, slow = profile, exact(profile)
    if seats == 1:
        assert to_dict(count_irv(fast)) == to_dict(count_irv(slow))
    assert to_dict(count_scottish(fast, seats)) == to_dict(count_scottish(slow, seats))
    assert to_dict(count_meek(fast, seats)) == to_dict(count_meek(slow, seats))
