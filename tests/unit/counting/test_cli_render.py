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
