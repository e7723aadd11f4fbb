"""Benchmark: counting a million ranked ballots, quorum against peer libraries, in the same run.

Prints one JSON object per line:
{"method": "irv" | "stv3", "impl": "quorum" | peer, "seconds": ..., "peak_mb": ...,
 "elected": [...], "ballots": n, "status": "ok" | "extrapolated" | "timeout" | "error" |
 "unavailable", ...}

The ballots: 1,000,000 papers over 10 candidates, seeded. Candidates have unequal support
(Plackett-Luce orders from Dirichlet weights) and papers are truncated the way real ones are:
about a third rank one candidate, most rank three or fewer, few rank all ten. Every
implementation is handed the same ballots as one row per paper (the form a cast-vote record has)
and is timed from that to the winners - its own loading (folding, object building) included,
importing the library excluded:
- quorum: build_profile (numpy folding) + count (IRV; Scottish STV for 3 seats);
  "quorum-blt" also writes the folded ballots as BLT text and times reading that back + counting;
- pyrankvote: one Ballot object per paper (its API has no counts);
- pyrcv: folded with collections.Counter into distinct orders + counts (its compact form);
- stvpoll: folded with collections.Counter into {order: count} (its compact form).
Our own figures are the median of --repeat runs (default 3, all listed in runs_seconds); each
peer is run once. Each measurement runs in its own process, so peak_mb is that process's maximum resident set
(interpreter, libraries and the 20 MB of generated ballots included; baseline_mb is the resident
set just before timing, so peak_mb - baseline_mb is what loading and counting added). A peer that
would take too long is first run on a sample; if the sample's time scaled linearly to the full run
exceeds --peer-timeout, the extrapolated figure is reported with status
"extrapolated" and the sample size, never presented as measured.

    python bench/count.py                    # everything (a few minutes)
    python bench/count.py --ballots 100000   # a quick run
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N_CANDIDATES = 10
NAMES = [f"Candidate {chr(65 + i)}" for i in range(N_CANDIDATES)]
LENGTHS = np.array([0.34, 0.18, 0.14, 0.09, 0.06, 0.05, 0.04, 0.03, 0.02, 0.05])
PEERS = ("pyrcv", "stvpoll", "pyrankvote")


def make_ballots(n: int, seed: int) -> np.ndarray:
    """n papers as rows of 0-based candidate indices, -1 after the last preference.

    Made in chunks so that generating them does not set the process's peak memory.
    """
    rng = np.random.default_rng(seed)
    support = np.log(rng.dirichlet(np.full(N_CANDIDATES, 1.5)))
    out = np.empty((n, N_CANDIDATES), dtype=np.int16)
    chunk = 50_000
    for lo in range(0, n, chunk):
        m = min(chunk, n - lo)
        keys = support[None, :] + rng.gumbel(size=(m, N_CANDIDATES))
        orders = np.argsort(-keys, axis=1).astype(np.int16)
        lengths = rng.choice(np.arange(1, N_CANDIDATES + 1), size=m, p=LENGTHS / LENGTHS.sum())
        orders[np.arange(N_CANDIDATES)[None, :] >= lengths[:, None]] = -1
        out[lo : lo + m] = orders
    return out


def _rows(ballots: np.ndarray) -> list[tuple[int, ...]]:
    return [tuple(c for c in row if c >= 0) for row in ballots.tolist()]


def run_quorum(ballots: np.ndarray, seats: int) -> list[str]:
    from bot.engines.counting.irv import count_irv
    from bot.engines.counting.profile import build_profile
    from bot.engines.counting.scottish import count_scottish

    profile = build_profile(NAMES, ballots)
    result = count_irv(profile) if seats == 1 else count_scottish(profile, seats)
    return list(result.elected)


def prepare_quorum_blt(ballots: np.ndarray, seats: int) -> str:
    from bot.engines.counting.blt import write_blt
    from bot.engines.counting.profile import build_profile

    return write_blt(build_profile(NAMES, ballots), seats)


def run_quorum_blt(text: str, seats: int) -> list[str]:
    from bot.engines.counting.blt import read_blt
    from bot.engines.counting.irv import count_irv
    from bot.engines.counting.scottish import count_scottish

    profile = read_blt(text)
    result = count_irv(profile) if seats == 1 else count_scottish(profile, seats)
    return list(result.elected)


def run_pyrankvote(ballots: np.ndarray, seats: int) -> list[str]:
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    cands = [Candidate(n) for n in NAMES]
    papers = [Ballot(ranked_candidates=[cands[c] for c in row]) for row in _rows(ballots)]
    if seats == 1:
        result = pyrankvote.instant_runoff_voting(cands, papers)
    else:
        result = pyrankvote.single_transferable_vote(cands, papers, number_of_seats=seats)
    return [c.name for c in result.get_winners()]


def run_pyrcv(ballots: np.ndarray, seats: int) -> list[str]:
    import pyrcv

    folded = Counter(_rows(ballots))
    orders = [[c + 1 for c in order] for order in folded]
    data = pyrcv.RaceData(pyrcv.RaceMetadata("bench", seats, list(NAMES)), orders, list(folded.values()))
    result = pyrcv.run_rcv(data)
    return [NAMES[i - 1] for rnd in result.rounds for i in rnd.elected]


def run_stvpoll(ballots: np.ndarray, seats: int) -> list[str]:
    from stvpoll.irv import calculate_irv
    from stvpoll.scottish_stv import calculate_scottish_stv

    folded = Counter(tuple(NAMES[c] for c in order) for order in _rows(ballots))
    if seats == 1:
        result = calculate_irv(NAMES, folded)
    else:
        result = calculate_scottish_stv(NAMES, folded, seats)
    return list(result.elected_as_tuple())


RUNNERS = {
    "quorum": run_quorum,
    "pyrankvote": run_pyrankvote,
    "pyrcv": run_pyrcv,
    "stvpoll": run_stvpoll,
}


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return None


MODULES = {
    "quorum": ["bot.engines.counting.profile", "bot.engines.counting.irv", "bot.engines.counting.scottish"],
    "quorum-blt": ["bot.engines.counting.blt", "bot.engines.counting.irv", "bot.engines.counting.scottish"],
    "pyrankvote": ["pyrankvote"],
    "pyrcv": ["pyrcv"],
    "stvpoll": ["stvpoll.irv", "stvpoll.scottish_stv"],
}


def child(impl: str, seats: int, n: int, seed: int) -> dict[str, Any]:
    """One timed measurement (runs in its own process); importing libraries is not timed."""
    for module in MODULES[impl]:
        importlib.import_module(module)
    ballots = make_ballots(n, seed)
    if impl == "quorum-blt":
        text = prepare_quorum_blt(ballots, seats)
        del ballots
        base = _rss_mb()
        t0 = time.perf_counter()
        elected = run_quorum_blt(text, seats)
    else:
        base = _rss_mb()
        t0 = time.perf_counter()
        elected = RUNNERS[impl](ballots, seats)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": round(seconds, 4),
        "peak_mb": round(peak, 1),
        "baseline_mb": None if base is None else round(base, 1),
        "elected": elected,
    }


def measure(impl: str, seats: int, n: int, seed: int, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", impl, "--seats", str(seats), "--ballots", str(n), "--seed", str(seed)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": None, "note": f"over {timeout:.0f} s"}
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        if "ModuleNotFoundError" in out.stderr:
            return {"status": "unavailable", "seconds": None, "note": f"not installed: {tail}"}
        return {"status": "error", "seconds": None, "note": tail[:300]}
    return {"status": "ok", **json.loads(out.stdout.strip().splitlines()[-1])}


def repeated(impl: str, seats: int, args: argparse.Namespace) -> dict[str, Any]:
    """Our own measurements are short, so take the median of several runs (each in a fresh
    process) to keep a busy machine from deciding the figure; every run is listed."""
    runs = [measure(impl, seats, args.ballots, args.seed, args.peer_timeout) for _ in range(args.repeat)]
    ok = sorted((r for r in runs if r["status"] == "ok"), key=lambda r: r["seconds"])
    if not ok:
        return runs[0]
    median = dict(ok[len(ok) // 2])
    median["runs_seconds"] = [r["seconds"] for r in runs if r["status"] == "ok"]
    return median


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument(
        "--peer-timeout", type=float, default=300.0, help="longest a peer may run on the full ballots (seconds)"
    )
    ap.add_argument(
        "--sample", type=int, default=100_000, help="sample size used to decide whether a slow peer can run in full"
    )
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--repeat", type=int, default=3, help="runs of our own implementation (median)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--seats", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.seats, args.ballots, args.seed)))
        return 0
    peers = [p for p in args.peers.split(",") if p]
    lines: list[dict[str, Any]] = []
    for method, seats in (("irv", 1), ("stv3", 3)):
        ours = repeated("quorum", seats, args)
        rows = [{"method": method, "impl": "quorum", "ballots": args.ballots, **ours}]
        blt = repeated("quorum-blt", seats, args)
        rows.append({"method": method, "impl": "quorum-blt", "ballots": args.ballots, **blt})
        for peer in peers:
            row: dict[str, Any] = {"method": method, "impl": peer, "ballots": args.ballots}
            sample = min(args.sample, args.ballots)
            probe = measure(peer, seats, sample, args.seed, args.peer_timeout)
            if probe["status"] != "ok" or sample == args.ballots:
                row.update(probe)
                if probe["status"] != "ok":
                    row["note"] = f"on a sample of {sample}: {probe.get('note', '')}"
            else:
                estimate = probe["seconds"] * args.ballots / sample
                if estimate <= args.peer_timeout * 0.8:
                    row.update(measure(peer, seats, args.ballots, args.seed, args.peer_timeout))
                else:
                    row.update(
                        {
                            "status": "extrapolated",
                            "seconds": round(estimate, 1),
                            "peak_mb": None,
                            "elected": None,
                            "sample": sample,
                            "sample_seconds": probe["seconds"],
                            "sample_peak_mb": probe["peak_mb"],
                            "sample_elected": probe["elected"],
                            "note": f"run on {sample} ballots; time scaled linearly to {args.ballots}",
                        }
                    )
            if row.get("elected") is not None and ours.get("elected") is not None:
                row["agrees_with_quorum"] = sorted(row["elected"]) == sorted(ours["elected"])
            rows.append(row)
        timed = [r["seconds"] for r in rows[2:] if r.get("seconds")]
        if ours.get("seconds") and timed:
            rows[0]["speedup_vs_fastest_peer"] = round(min(timed) / ours["seconds"], 1)
        for r in rows:
            print(json.dumps(r), flush=True)
        lines.extend(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
