"""Benchmark: leximin selection against sortition-algorithms' maximin, in the same run.

Prints one JSON object per line:
{"pool": n, "panel": k, "questions": q, "impl": "quorum" | "sortition-algorithms", "cores": c,
 "seconds": ..., "peak_mb": ..., "min_probability": ..., "distinct_profiles": ...,
 "status": "ok" | "timeout" | "error" | "unavailable"} (the peer's line says "method": "maximin";
 Quorum's adds "relaxed_bound", the least chance no lottery can beat, and "below_bound", how far
 the published least chance is under it: within 1e-9 means the exact optimum)

Pools are synthetic but shaped like real recruitment: seven questions (gender, age, region,
education, ethnicity, housing tenure, attitude to the topic; --questions 4 keeps the first four,
the shape earlier figures used) with skewed population shares, and volunteering that is more
likely for older, more educated, more concerned people in some areas, so the pool does not
mirror the population. With seven questions almost every volunteer has a profile of their own.
Quotas are the population shares of the panel with a
slack of +/-15% (at least one seat). Everything is seeded. Each measurement runs in its own
process so peak memory (maximum resident set size) and time limits are per run; a peer that
exceeds --peer-timeout is reported as a timeout, not left out.

    python bench/sortition.py                      # 500/1000/2000 x 30/100, both impls
    python bench/sortition.py --pools 500 --panels 30 --peer-timeout 120   # a quick run
    python bench/sortition.py --pools 2000,5000 --panels 100,150 --peer-python PEER/bin/python
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

POPULATION: dict[str, dict[str, float]] = {
    "gender": {"female": 0.51, "male": 0.48, "non-binary": 0.01},
    "age": {"16-24": 0.13, "25-39": 0.25, "40-54": 0.25, "55-69": 0.22, "70+": 0.15},
    "region": {"north": 0.24, "midlands": 0.17, "east": 0.1, "london": 0.15, "south": 0.22, "wales": 0.12},
    "education": {"none": 0.18, "school": 0.5, "degree": 0.32},
    "ethnicity": {"white": 0.82, "asian": 0.09, "black": 0.04, "mixed": 0.03, "other": 0.02},
    "housing": {"owner": 0.63, "social rent": 0.17, "private rent": 0.2},
    "attitude": {"very concerned": 0.25, "fairly concerned": 0.4, "not very": 0.25, "not at all": 0.1},
}
PROPENSITY: dict[str, dict[str, float]] = {
    "gender": {"female": 1.0, "male": 1.1, "non-binary": 1.3},
    "age": {"16-24": 0.5, "25-39": 0.8, "40-54": 1.0, "55-69": 1.5, "70+": 1.2},
    "region": {"north": 0.8, "midlands": 0.9, "east": 1.0, "london": 1.4, "south": 1.2, "wales": 0.7},
    "education": {"none": 0.4, "school": 0.9, "degree": 2.0},
    "ethnicity": {"white": 1.0, "asian": 0.8, "black": 0.7, "mixed": 0.9, "other": 0.8},
    "housing": {"owner": 1.2, "social rent": 0.6, "private rent": 0.8},
    "attitude": {"very concerned": 1.8, "fairly concerned": 1.0, "not very": 0.6, "not at all": 0.3},
}
SLACK = 0.15


def make_pool(n: int, seed: int, questions: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed * 1_000_003 + n)
    asked = list(POPULATION)[:questions]
    top = math.prod(max(PROPENSITY[f].values()) for f in asked)
    pool: list[dict[str, str]] = []
    while len(pool) < n:
        person = {f: rng.choices(list(POPULATION[f]), weights=list(POPULATION[f].values()))[0] for f in asked}
        chance = math.prod(PROPENSITY[f][v] for f, v in person.items()) / top
        if rng.random() < chance:
            pool.append(person)
    return pool


def make_quotas(k: int, pool: list[dict[str, str]]) -> list[tuple[str, str, int, int]]:
    rows = []
    for feature in pool[0]:
        shares = POPULATION[feature]
        for value, share in shares.items():
            target = k * share
            low = max(0, math.floor(target * (1 - SLACK)))
            high = max(low + 1, math.ceil(target * (1 + SLACK)))
            available = sum(1 for p in pool if p[feature] == value)
            rows.append((feature, value, min(low, available), high))
    return rows


def run_quorum(pool: list[dict[str, str]], rows: list, k: int) -> float:
    """The whole commit phase as the bot runs it: quota check, lottery, exact published weights."""
    sys.path.insert(0, str(ROOT))
    from bot.engines.sortition import QuotaBound, Quotas, Volunteer, prepare

    volunteers = [Volunteer(f"p{i}", answers) for i, answers in enumerate(pool)]
    quotas = Quotas.of(k, [QuotaBound(*row) for row in rows])
    prepared = prepare(volunteers, quotas, "leximin")
    return float(min(prepared.chances.values()))


def relaxed_bound(pool: list[dict[str, str]], rows: list, k: int) -> float:
    """The least chance LEXIMIN would give if panels could be fractional: no lottery does better,
    so a published least chance within 1e-9 of it is the exact optimum (measured after the clock)."""
    from bot.engines.sortition import QuotaBound, Quotas, Volunteer
    from bot.engines.sortition.groups import group_pool
    from bot.engines.sortition.relaxation import relaxed_leximin

    volunteers = [Volunteer(f"p{i}", answers) for i, answers in enumerate(pool)]
    quotas = Quotas.of(k, [QuotaBound(*row) for row in rows])
    groups = group_pool(volunteers, quotas)
    seats = relaxed_leximin(groups, quotas)
    return float(min(seats[g] / group.size for g, group in enumerate(groups)))


def run_peer(pool: list[dict[str, str]], rows: list, k: int) -> float:
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import People

    head = ["feature", "value", "min", "max"]
    body = [{"feature": f, "value": v, "min": str(lo), "max": str(hi)} for f, v, lo, hi in rows]
    features, _, _ = read_in_features(head, body, k)
    people = People([])
    for i, answers in enumerate(pool):
        people.add(f"p{i}", dict(answers), features, i + 2)
    committees, probabilities, _ = find_distribution_maximin(features, people, k, [])
    chance = dict.fromkeys(people, 0.0)
    for committee, probability in zip(committees, probabilities, strict=True):
        for person in committee:
            chance[person] += probability
    return min(chance.values())


def worker(impl: str, n: int, k: int, seed: int, questions: int) -> None:
    pool = make_pool(n, seed, questions)
    rows = make_quotas(k, pool)
    start = time.perf_counter()
    low = run_quorum(pool, rows, k) if impl == "quorum" else run_peer(pool, rows, k)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    profiles = len({tuple(p.values()) for p in pool})
    record = {"seconds": seconds, "peak_mb": peak_mb, "min_probability": low, "distinct_profiles": profiles}
    if impl == "quorum":
        record["relaxed_bound"] = relaxed_bound(pool, rows, k)
        record["below_bound"] = record["relaxed_bound"] - low
    print(json.dumps(record))


def measure(impl: str, n: int, k: int, seed: int, timeout: float, questions: int, python: str) -> dict:
    record: dict = {"pool": n, "panel": k, "questions": questions, "impl": impl, "cores": os.cpu_count()}
    if impl != "quorum":
        record["method"] = "maximin"  # the peer's true LEXIMIN needs a commercial solver
    command = [python, __file__, "--worker", impl, str(n), str(k), str(seed), str(questions)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {
            **record,
            "seconds": None,
            "peak_mb": None,
            "min_probability": None,
            "status": "timeout",
            "timeout_seconds": timeout,
        }
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        status = "unavailable" if "ModuleNotFoundError" in done.stderr else "error"
        return {**record, "seconds": None, "peak_mb": None, "min_probability": None, "status": status, "detail": tail}
    return {**record, **json.loads(done.stdout.strip().splitlines()[-1]), "status": "ok"}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        worker(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pools", default="500,1000,2000")
    parser.add_argument("--panels", default="30,100")
    parser.add_argument("--impls", default="quorum,sortition-algorithms")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--questions", type=int, default=7, choices=range(1, 8),
                        help="quota questions asked of every volunteer (real assemblies ask six or seven)")
    parser.add_argument("--timeout", type=float, default=600, help="limit for quorum (s)")
    parser.add_argument("--peer-timeout", type=float, default=600, help="limit for the peer (s)")
    parser.add_argument("--peer-python", default=sys.executable,
                        help="interpreter that has sortition-algorithms installed (e.g. a throwaway venv's)")
    args = parser.parse_args(argv)
    for n in (int(x) for x in args.pools.split(",")):
        for k in (int(x) for x in args.panels.split(",")):
            for impl in args.impls.split(","):
                limit = args.timeout if impl == "quorum" else args.peer_timeout
                python = sys.executable if impl == "quorum" else args.peer_python
                print(json.dumps(measure(impl, n, k, args.seed, limit, args.questions, python)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
