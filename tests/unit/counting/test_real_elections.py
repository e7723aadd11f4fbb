"""Every real election in the shared data loads and counts; the damaged file fails clearly.

Winners of the Irish and Burlington counts are checked against the declared results (a fractional
count need not match Ireland's random whole-vote transfers stage by stage, but it elects the same
people). The Scottish stage tables are compared with the official ones elsewhere; here every ward
must count with votes conserved exactly at every stage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.files import load_ballots
from bot.engines.counting.irv import count_irv
from bot.engines.counting.meek import count_meek
from bot.engines.counting.scottish import count_scottish

MALFORMED = {"perth_kinross_2016_by_election_ward9.blt"}


def test_every_scottish_ward_counts(elections: Path) -> None:
    files = sorted((elections / "scotland").glob("*.blt"))
    assert len(files) == 1100
    counted = 0
    for path in files:
        if path.name in MALFORMED:
            continue
        profile = load_ballots(path)
        result = count_scottish(profile)
        assert len(result.elected) == profile.seats, path.name
        assert len(set(result.elected)) == len(result.elected)
        for stage in result.stages:
            total = sum(stage.votes.values()) + stage.non_transferable
            assert total == result.valid, (path.name, stage.number)
            assert stage.non_transferable == stage.non_transferable_papers + stage.loss
            assert stage.loss >= 0 and stage.non_transferable_papers >= 0
        counted += 1
    assert counted == 1100 - len(MALFORMED)


def test_malformed_scottish_file_names_line_and_fault(elections: Path) -> None:
    for name in MALFORMED:
        with pytest.raises(BallotFileError) as err:
            load_ballots(elections / "scotland" / name)
        assert err.value.line == 1
        assert "'1,' is not a whole number" in str(err.value)
        assert "comma" in str(err.value)


IRISH = {
    "dublin_north_2002.soi": (4, {"Trevor Sargent G.P.", "Jim Glennon F.F.", "Sean Ryan Lab", "G.V. Wright F.F."}),
    "dublin_west_2002.soi": (3, {"Brian Lenihan F.F.", "Joe Higgins S.P.", "Joan Burton Lab"}),
    "meath_2002.soi": (
        5,
        {"Johnny Brady F.F.", "John Bruton F.G.", "Noel Dempsey F.F.", "Damien English F.G.", "Mary Wallace F.F."},
    ),
}


@pytest.mark.parametrize("name", sorted(IRISH))
def test_irish_constituencies_elect_the_declared_members(elections: Path, name: str) -> None:
    seats, declared = IRISH[name]
    profile = load_ballots(elections / "other" / name)
    assert set(count_scottish(profile, seats).elected) == declared
    assert set(count_meek(profile, seats).elected) == declared


def test_glasgow_govan_soi_counts(elections: Path) -> None:
    profile = load_ballots(elections / "other" / "glasgow_govan_2007.soi")
    result = count_scottish(profile, 4)
    assert len(result.elected) == 4


def test_burlington_irv_elects_kiss(elections: Path) -> None:
    profile = load_ballots(elections / "other" / "burlington_mayor_2009.toi")
    result = count_irv(profile)
    assert result.elected == ("Bob Kiss",)
    final = result.stages[-1]
    assert final.votes["Bob Kiss"] > final.votes["Kurt Wright"] > 0
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.non_transferable == result.valid


@pytest.mark.parametrize(
    ("name", "elected"),
    [
        ("dumbarton_2017.txt", {"David_MCBRIDE_Lab", "Karen_CONAGHAN_SNP", "Iain_MCLAREN_SNP", "Brian_WALKER_Con"}),
        ("cumbernauld_south_2012.txt", None),
    ],
)
def test_vote_count_files(elections: Path, name: str, elected: set[str] | None) -> None:
    profile = load_ballots(elections / "other" / name)
    assert profile.seats == 4
    result = count_scottish(profile)
    assert len(result.elected) == 4
    if elected is not None:
        assert set(result.elected) == elected


def test_blt_writer_round_trips_real_wards(elections: Path) -> None:
    from bot.engines.counting.blt import read_blt, write_blt
    from bot.engines.counting.render import to_dict

    files = sorted((elections / "scotland").glob("*.blt"))[::40]
    for path in files:
        if path.name in MALFORMED:
            continue
        profile = load_ballots(path)
        again = read_blt(write_blt(profile))
        assert again.candidates == profile.candidates, path.name
        assert dict(again.ballots()) == dict(profile.ballots())
        assert to_dict(count_scottish(again)) == to_dict(count_scottish(profile))


# Dumbarton 2017, stages 1-5 as published (to two places), candidates in ballot-file order:
# RUINE, CONAGHAN, WALKER, BLACK, MCLAREN, MUIR, MCBRIDE, then non-transferable.
DUMBARTON = [
    ["584", "1499", "957", "792", "809", "159", "1762", "0"],
    ["910.17", "1499", "979.68", "821.05", "827.09", "168.43", "1313", "43.58"],
    ["915.01", "1313", "980.55", "827.13", "989.76", "170.91", "1313", "52.64"],
    ["937.18", "1313", "1009.31", "888.30", "998.64", "0", "1313", "102.58"],
    ["1103.63", "1313", "1147.13", "0", "1254.05", "0", "1313", "431.19"],
]


def test_dumbarton_matches_the_published_stages(elections: Path) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    result = count_scottish(load_ballots(elections / "other" / "dumbarton_2017.txt"))
    cent = Decimal("0.01")
    for stage, expected in zip(result.stages, DUMBARTON, strict=False):
        got = [*stage.votes.values(), stage.non_transferable]
        assert [v.quantize(cent, ROUND_HALF_UP) for v in got] == [Decimal(x).quantize(cent) for x in expected], (
            stage.number
        )
    # Excluding RUINE leaves two continuing for two seats: rule 52, no transfer, no sixth stage.
    assert [s.action for s in result.stages] == [
        "first preferences",
        "surplus",
        "surplus",
        "exclusion",
        "exclusion",
    ]
    assert [e.candidate for e in result.stages[-1].excluded] == ["George_BLACK_WDCP", "Elizabeth_RUINE_Lab"]
    assert result.elected[2:] == ("Iain_MCLAREN_SNP", "Brian_WALKER_Con")


# Cumbernauld South 2012, all seven published stages (two places), ballot-file order:
# MCARTHUR, GOLDIE, MCVEY, GRAHAM, HOMER, MASTERTON, MUIR, HOGG, then non-transferable.
CUMBERNAULD = [
    ["225", "1779", "140", "1413", "653", "344", "1017", "444", "0"],
    ["228.88", "1204", "147.76", "1413", "783.58", "358.54", "1044.47", "810.20", "24.57"],
    ["232.13", "1204", "152.34", "1204", "792.45", "363.13", "1210.43", "815.82", "40.70"],
    ["232.41", "1204", "153.14", "1204", "792.87", "363.68", "1204", "816.32", "44.58"],
    ["235.75", "1204", "0", "1204", "819.18", "392.87", "1204", "836.42", "118.77"],
    ["0", "1204", "0", "1204", "832.46", "486.34", "1204", "857.55", "226.65"],
    ["0", "1204", "0", "1204", "916.95", "0", "1204", "926.39", "559.67"],
]


def test_cumbernauld_south_matches_the_published_stages(elections: Path) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    result = count_scottish(load_ballots(elections / "other" / "cumbernauld_south_2012.txt"))
    assert len(result.stages) == len(CUMBERNAULD)
    cent = Decimal("0.01")
    for stage, expected in zip(result.stages, CUMBERNAULD, strict=True):
        got = [*stage.votes.values(), stage.non_transferable]
        assert [v.quantize(cent, ROUND_HALF_UP) for v in got] == [Decimal(x).quantize(cent) for x in expected]
    assert result.elected == ("William_GOLDIE_SNP", "Allan_GRAHAM_Lab", "Stephanie_MUIR_Lab", "Paddy_HOGG_SNP")


def test_the_shipped_elections_are_the_published_files_unchanged(elections: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "data" / "elections"
    for copy in sorted(shipped.iterdir()):
        if copy.name == "README.md":
            continue
        folder = "scotland" if copy.suffix == ".blt" else "other"
        assert copy.read_bytes() == (elections / folder / copy.name).read_bytes(), copy.name
