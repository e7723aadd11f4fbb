"""`quorum count` as a function, and the JSON / CSV / text renderings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from bot.engines.counting.cli import main

BLT = """3 2
4 1 2 0
2 2 0
3 3 1 0
1 3 0
0
"Ann ""Red"" SMITH"
"Bob"
"Cy"
"Small"
"""


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "e.blt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_has_the_documented_shape(tmp_path: Path) -> None:
    code, out, err = run([write(tmp_path, BLT), "--format", "json"])
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["method"] == "scottish" and data["seats"] == 2
    assert data["quota"] == "4.00000" and data["valid"] == "10.00000"
    assert set(data["elected"]) == {'Ann "Red" SMITH', "Cy"}
    first = data["stages"][0]
    # Both reach the quota at once with equal votes and no earlier stage: order by lot.
    assert first["ties"] == [
        {
            "candidates": ['Ann "Red" SMITH', "Cy"],
            "purpose": "election order",
            "chosen": data["elected"][0],
            "broken_by": "lot",
            "rule": "rule 47",
            "seed": 0,
        }
    ]
    assert first["action"] == "first preferences" and first["candidate"] is None
    assert first["votes"] == {'Ann "Red" SMITH': "4.00000", "Bob": "2.00000", "Cy": "4.00000"}
    assert first["non_transferable"] == "0.00000"
    for stage in data["stages"]:
        assert set(stage) >= {"action", "candidate", "votes", "non_transferable", "elected", "excluded", "ties"}


def test_csv_and_text(tmp_path: Path) -> None:
    path = write(tmp_path, BLT)
    code, out, _ = run([path, "--format", "csv"])
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][:4] == ["stage", "action", "candidate", 'Ann "Red" SMITH']
    code, out, _ = run([path])
    assert code == 0 and "quota 4" in out and "Elected:" in out and len(out) < 4096


def test_one_seat_defaults_to_irv_and_methods_can_be_chosen(tmp_path: Path) -> None:
    path = write(tmp_path, BLT)
    code, out, _ = run([path, "--seats", "1", "--format", "json"])
    assert code == 0 and json.loads(out)["method"] == "irv"
    code, out, _ = run([path, "--method", "meek", "--format", "json", "--seed", "7"])
    data = json.loads(out)
    assert code == 0 and data["method"] == "meek" and data["seed"] == 7


def test_bad_input_gets_one_clear_message(tmp_path: Path) -> None:
    code, out, err = run([write(tmp_path, "3 2\n1 1 9 0\n0\nA\nB\nC\n")])
    assert code == 1 and out == ""
    assert err.strip() == ("quorum count: error: e.blt: line 2: preference 9 is not a candidate 1..3")
    code, _, err = run([str(tmp_path / "missing.blt")])
    assert code == 1 and "cannot read" in err
    code, _, err = run([write(tmp_path, BLT), "--method", "irv"])
    assert code == 1 and "one seat" in err
    code, _, err = run([write(tmp_path, BLT), "--seats", "0"])
    assert code == 2
    code, _, err = run([write(tmp_path, BLT), "--method", "borda"])
    assert code == 2 and "invalid choice" in err


def test_json_keeps_each_candidates_description(tmp_path: Path) -> None:
    # A name line may carry a second quoted string, the candidate's party: it used to be read and
    # then dropped from the JSON.
    blt = '3 2\n4 1 2 0\n3 3 0\n2 2 0\n0\n"Ann SMITH" "Green Party"\n"Bob JONES"\n"Cy" "Labour"\n"T"\n'
    code, out, err = run([write(tmp_path, blt), "--format", "json"])
    assert code == 0, err
    data = json.loads(out)
    assert data["candidates"] == ["Ann SMITH", "Bob JONES", "Cy"]
    assert data["descriptions"] == ["Green Party", "", "Labour"]
    code, out, _ = run([write(tmp_path, BLT), "--format", "json"])
    assert json.loads(out)["descriptions"] == ["", "", ""]


def test_irv_text_shows_each_stages_majority(tmp_path: Path) -> None:
    # C's papers exhaust when C is excluded, so the majority of continuing votes falls from 5 of 9
    # to 4 of 7. The heading used to show the last stage's figure as "quota" for the whole count.
    blt = "3 1\n4 1 0\n3 2 0\n2 3 0\n0\nA\nB\nC\n"
    code, out, _ = run([write(tmp_path, blt)])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Instant-runoff: 1 seat, valid 9"
    assert lines[1].split() == ["S1", "S2"]
    assert "Majority           5   4" in lines
    assert "quota" not in out
    code, out, _ = run([write(tmp_path, blt), "--format", "json"])
    data = json.loads(out)
    assert [s["threshold"] for s in data["stages"]] == ["5", "4"]


def test_meek_text_shows_each_stages_quota(tmp_path: Path) -> None:
    # Meek recomputes the quota as A's surplus exhausts: 8.666666667 at first, then 7.629629631.
    blt = "3 2\n12 1 2 0\n6 1 0\n5 3 0\n3 2 0\n0\nA\nB\nC\n"
    code, out, _ = run([write(tmp_path, blt), "--method", "meek"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Meek STV (NZ rules): 2 seats, valid 26"
    assert lines[6].split() == ["Quota", "8.666666667", "7.629629631"]
