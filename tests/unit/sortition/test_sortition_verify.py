"""The commit-reveal protocol: verify reproduces the panel, tampering is caught."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sortition_helpers import meets, random_pool

from bot.engines.sortition import (
    QuotaBound,
    Quotas,
    SortitionError,
    TamperedDocument,
    Volunteer,
    prepare,
)
from bot.engines.sortition.cli import main
from bot.engines.sortition.document import DIGITS
from bot.engines.sortition.published import open_document
from bot.engines.sortition.randomness import RandomStream, normalise
from bot.engines.sortition.reveal import draw_panel, replace
from bot.engines.sortition.rounding import as_decimal, round_to_total

ROOT = Path(__file__).resolve().parents[3]
FEATURES = {"gender": ["f", "m", "x"], "age": ["16-29", "30-59", "60+"], "area": ["n", "s"]}
QUOTAS = Quotas.of(
    8,
    [
        QuotaBound("gender", "f", 3, 5),
        QuotaBound("gender", "m", 3, 5),
        QuotaBound("gender", "x", 0, 1),
        QuotaBound("age", "16-29", 2, 3),
        QuotaBound("age", "60+", 2, 3),
        QuotaBound("area", "n", 3, 5),
    ],
)
POOL = random_pool(random.Random(7), 60, FEATURES)
PINNED = [756, 59, 127, 892, 767]


@pytest.fixture(scope="module")
def published() -> dict:
    return prepare(POOL, QUOTAS, "leximin", "Test assembly").document


def _write_pool_csv(path: Path) -> None:
    lines = ["id,gender,age,area,email"]
    lines += [f"{v.id},{v.features['gender']},{v.features['age']},{v.features['area']},x@y" for v in POOL]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_quotas_csv(path: Path) -> None:
    lines = ["feature,value,min,max"] + [f"{b.feature},{b.value},{b.min},{b.max}" for b in QUOTAS.bounds]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_draw_then_verify_from_csv_reproduces_the_panel(tmp_path: Path, capsys) -> None:
    _write_pool_csv(tmp_path / "pool.csv")
    _write_quotas_csv(tmp_path / "quotas.csv")
    out = tmp_path / "draw.json"
    code = main(
        [
            "sortition",
            "draw",
            str(tmp_path / "pool.csv"),
            "--quotas",
            str(tmp_path / "quotas.csv"),
            "--panel",
            "8",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert "email" not in out.read_text(encoding="utf-8")  # unused columns never published
    expected = draw_panel(open_document(document), "4 17 23 38 41")
    capsys.readouterr()
    code = main(["verify", str(out), "--randomness", "4 17 23 38 41", "--commitment", document["commitment"]])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"Commitment {document['commitment']} matches the file." in printed
    assert f"Panel (8 seats, method leximin): {' '.join(map(str, expected))}" in printed
    assert meets([POOL[t - 1].features for t in expected], QUOTAS)


def test_the_same_randomness_gives_the_same_panel_and_other_randomness_varies(published) -> None:
    draw = open_document(published)
    first = draw_panel(draw, "witnesses called 3, 19, 44")
    assert draw_panel(draw, "  witnesses called   3, 19, 44 ") == first  # spacing is folded
    panels = {tuple(draw_panel(draw, f"beacon {i}")) for i in range(20)}
    assert len(panels) > 10


def _tamper_cases(document: dict) -> list[tuple[str, dict]]:
    cases = []
    changed = json.loads(json.dumps(document))
    changed["groups"][0]["tickets"][0], changed["groups"][1]["tickets"][0] = (
        changed["groups"][1]["tickets"][0],
        changed["groups"][0]["tickets"][0],
    )
    cases.append(("swapped tickets", changed))
    changed = json.loads(json.dumps(document))
    changed["lottery"]["panels"][0]["weight"] += 1
    cases.append(("weight", changed))
    changed = json.loads(json.dumps(document))
    changed["quotas"][0]["min"] -= 1
    cases.append(("quota", changed))
    return cases


def test_tampering_is_detected_with_a_clear_message(published, tmp_path: Path, capsys) -> None:
    for label, changed in _tamper_cases(published):
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(changed), encoding="utf-8")
        assert main(["verify", str(path), "--randomness", "1 2 3"]) == 1, label
        assert "changed after it was sealed" in capsys.readouterr().err
        # Re-sealing the altered body hides nothing from someone holding the published hash.
        resealed = {k: v for k, v in changed.items() if k != "commitment"}
        from bot.engines.sortition.document import seal

        path.write_text(json.dumps(seal(resealed)), encoding="utf-8")
        code = main(["verify", str(path), "--randomness", "1 2 3", "--commitment", published["commitment"]])
        assert code == 1, label
        assert "not the document that was committed" in capsys.readouterr().err


def test_a_key_written_twice_is_refused(published, tmp_path: Path, capsys) -> None:
    """A JSON reader keeps one of two values under the same key, and readers differ in which:
    a group's tickets written twice would show one list to a member reading the file and verify
    with the other. The bot never writes a key twice, so such a file was altered."""
    text = json.dumps(published, indent=1)
    doubled = text.replace('"group": 1,', '"group": 1, "tickets": [999],', 1)  # the real list follows
    assert doubled.count('"tickets"') == text.count('"tickets"') + 1
    path = tmp_path / "doubled.json"
    path.write_text(doubled, encoding="utf-8")
    assert json.loads(doubled) == published  # the last value wins here, so the hash agrees
    assert main(["verify", str(path), "--randomness", "1 2 3", "--commitment", published["commitment"]]) == 1
    said = capsys.readouterr()
    assert "tickets" in said.err and "twice" in said.err and said.out == "", said


def test_a_resealed_document_with_an_invalid_lottery_is_refused(published) -> None:
    from bot.engines.sortition.document import seal

    body = {k: v for k, v in published.items() if k != "commitment"}
    body = json.loads(json.dumps(body))
    body["lottery"]["panels"][0]["weight"] += 1
    body["lottery"]["panels"][0]["probability"] = as_decimal(body["lottery"]["panels"][0]["weight"], DIGITS)
    with pytest.raises(TamperedDocument, match="add up to"):
        open_document(seal(body))
    body = {k: v for k, v in published.items() if k != "commitment"}
    body = json.loads(json.dumps(body))
    body["lottery"]["panels"][0]["members"][0][1] += 1
    with pytest.raises(TamperedDocument, match="seats|quota|more from"):
        open_document(seal(body))


def test_verify_refuses_garbage_and_bad_arguments(tmp_path: Path, capsys) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    assert main(["verify", str(path), "--randomness", "1"]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    path.write_text("[1, 2]", encoding="utf-8")
    assert main(["verify", str(path), "--randomness", "1"]) == 1
    assert main(["verify", str(tmp_path / "missing.json"), "--randomness", "1"]) == 1
    assert "Cannot read" in capsys.readouterr().err
    assert main(["verify", str(path)]) == 2


def test_randomness_beginning_with_a_dash_is_taken_as_given(published, tmp_path: Path, capsys) -> None:
    """Randomness is any text: "-abc" or "-3 17" is the draw's randomness, not an option, after
    --randomness and as a round's randomness after --round, and --randomness=-abc says the same.
    A missing or empty one is refused with how to give it."""
    path = tmp_path / "d.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    draw = open_document(published)
    for randomness in ("-abc", "-3 17", "--", "-"):
        panel = " ".join(map(str, draw_panel(draw, randomness)))
        for given in (["--randomness", randomness], [f"--randomness={randomness}"]):
            assert main(["verify", str(path), *given]) == 0, (given, capsys.readouterr().err)
            assert f": {panel}\n" in capsys.readouterr().out, given
    panel = draw_panel(draw, "-abc")
    spare = [t for g in published["groups"] if set(g["tickets"]) - set(panel) for t in g["tickets"] if t in panel]
    declined = spare[:1]
    after, _made = replace(draw, panel, declined, "-5 9", 1)
    assert main(["verify", str(path), "--randomness", "-abc", "--round", str(declined[0]), "-5 9",
                 "--commitment", published["commitment"]]) == 0, capsys.readouterr().err
    assert f"Panel after round 1: {' '.join(map(str, after))}" in capsys.readouterr().out
    wrongs = (["--randomness"], ["--randomness", ""], ["--randomness", "  "], ["--randomness", "r", "--round", "1"])
    for wrong in wrongs:
        assert main(["verify", str(path), *wrong]) == 2, wrong
        said = capsys.readouterr().err
        assert '--randomness "4 17 23 38 41"' in said and "--randomness=-abc" in said, (wrong, said)


def test_weights_are_exact_and_sum_to_the_total(published) -> None:
    lottery = published["lottery"]
    assert sum(p["weight"] for p in lottery["panels"]) == lottery["total_weight"] == 10**DIGITS
    assert round_to_total([0.5, 0.25, 0.25], 1) == [5, 3, 2]  # ties go to the earlier entry
    assert round_to_total([1 / 3] * 3, 2) == [34, 33, 33]
    assert as_decimal(1234, 6) == "0.001234" and as_decimal(10**6, 6) == "1.000000"


def test_the_random_stream_is_pinned_and_unbiased() -> None:
    # Known answers: changing the derivation would silently change every published draw.
    stream = RandomStream("ab" * 32, "panel", "1 2 3")
    assert stream.seed.hex()[:16] == RandomStream("ab" * 32, "panel", " 1  2 3").seed.hex()[:16]
    values = [stream.below(1000) for _ in range(5)]
    assert values == PINNED
    assert normalise("a\u0301  b\n") == "\u00e1 b"
    counts = [0] * 3
    stream = RandomStream("00", "test", "x")
    for _ in range(3000):
        counts[stream.below(3)] += 1
    assert all(900 < c < 1100 for c in counts)
    assert sorted(RandomStream("00", "t", "y").shuffle(list(range(10)))) == list(range(10))
    with pytest.raises(ValueError):
        stream.below(0)


def test_replacement_comes_from_the_same_group_and_keeps_quotas(published) -> None:
    draw = open_document(published)
    panel = draw_panel(draw, "7 7 7")
    leaving = next(t for t in panel if set(draw.groups[draw.group_of(t)].tickets) - set(panel))
    new_panel, made = replace(draw, panel, [leaving], "round one numbers", 1)
    assert len(new_panel) == len(panel) and leaving not in new_panel
    assert made[0].same_group
    assert draw.group_of(made[0].replacement) == draw.group_of(leaving)
    assert meets([POOL[t - 1].features for t in new_panel], QUOTAS)
    again, _ = replace(draw, panel, [leaving], "round one numbers", 1)
    assert again == new_panel
    with pytest.raises(SortitionError, match="not on the panel"):
        replace(draw, panel, [max(set(range(1, 61)) - set(panel))], "x", 1)


def test_replacement_falls_back_to_a_quota_keeping_group_when_the_group_is_empty() -> None:
    rows = [{"g": "a", "h": "p"}, {"g": "b", "h": "p"}, {"g": "b", "h": "q"}, {"g": "b", "h": "q"}]
    pool = [Volunteer(f"v{i}", r) for i, r in enumerate(rows)]
    quotas = Quotas.of(2, [QuotaBound("g", "a", 0, 1), QuotaBound("g", "b", 1, 2)])
    draw = open_document(prepare(pool, quotas).document)
    # Ticket 1 is alone in its group, so its seat must go to another group that fits.
    new_panel, made = replace(draw, [1, 2], [1], "fresh", 1)
    assert not made[0].same_group and made[0].replacement in (3, 4)
    assert new_panel == sorted([2, made[0].replacement])
    with pytest.raises(SortitionError, match="Nobody left"):
        replace(draw, new_panel, new_panel, "more", 2, declined_before=[1])


def test_verify_replays_replacement_rounds(published, tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    draw = open_document(published)
    panel = draw_panel(draw, "r")
    # Two panel members whose group has someone left to take their seat.
    spare = [t for g in published["groups"] if set(g["tickets"]) - set(panel) for t in g["tickets"] if t in panel]
    declined = sorted(spare[:2])
    assert len(declined) == 2
    after, made = replace(draw, panel, declined, "second", 1)
    assert main(["verify", str(path), "--randomness", "r", "--round", f"{declined[0]},{declined[1]}", "second"]) == 0
    printed = capsys.readouterr().out
    assert f"Panel after round 1: {' '.join(map(str, after))}" in printed
    assert main(["verify", str(path), "--randomness", "r", "--round", "x,y", "z"]) == 1


SCRIPT = """
import json, random, sys
from bot.engines.sortition import Quotas, QuotaBound, Volunteer, prepare, open_document, draw_panel
rng = random.Random(11)
feats = {"gender": ["f", "m", "x"], "age": ["a", "b", "c"], "area": ["n", "s"]}
pool = []
for i in range(40):
    answers = [(f, rng.choice(v)) for f, v in feats.items()]
    rng.shuffle(answers)  # dictionary insertion order differs between volunteers
    pool.append(Volunteer(f"id-{i}", dict(answers)))
bounds = {QuotaBound("gender", "f", 2, 4), QuotaBound("gender", "m", 2, 4),
          QuotaBound("age", "a", 1, 3), QuotaBound("area", "n", 2, 4)}  # a set: hash order
prepared = prepare(pool, Quotas.of(7, bounds), sys.argv[1])
panel = draw_panel(open_document(prepared.document), "announced 5 12 33")
print(json.dumps([prepared.commitment, panel]))
"""


@pytest.mark.parametrize("method", ["leximin", "simple"])
def test_the_draw_does_not_depend_on_hash_seeds_or_dict_order(method: str) -> None:
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, method],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs.add(result.stdout.strip())
    assert len(outputs) == 1


def test_drawn_frequencies_follow_the_published_chances() -> None:
    rows = [{"g": "a"}] * 2 + [{"g": "b"}] * 6
    pool = [Volunteer(f"v{i}", r) for i, r in enumerate(rows)]
    quotas = Quotas.of(3, [QuotaBound("g", "a", 1, 1), QuotaBound("g", "b", 2, 2)])
    prepared = prepare(pool, quotas)
    draw = open_document(prepared.document)
    counts = [0] * len(pool)
    trials = 3000
    for i in range(trials):
        for ticket in draw_panel(draw, f"trial {i}"):
            counts[ticket - 1] += 1
    for volunteer, count in zip(pool, counts, strict=True):
        expected = float(prepared.chances[volunteer.id])  # 1/2 for a, 1/3 for b
        assert abs(count / trials - expected) < 0.05
