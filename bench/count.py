"""Benchmark: counting a million-paper ballot file as a user meets it, Quorum against peers, same run.

Every implementation is a whole process on the same file - start-up, imports, reading, folding,
counting and printing included - and they take turns (one run of each per round, --repeat
rounds), so a busy machine slows all of them alike; the figures are medians, with every run
listed. Peak memory is each process's maximum resident set (from wait4), median over the runs.

Implementations:
- quorum: `quorum count FILE --format json` (this checkout, this Python), its modules
  byte-compiled first as pip compiles an installed package's (the peers and numpy come
  compiled from pip; without this, a Python that writes no bytecode, PYTHONDONTWRITEBYTECODE,
  would compile Quorum's source again in every run and in no other implementation's);
- floor: bench/count_peers.py floor - start Python, import numpy, read the file, find every
  number with numpy, add up first preferences with np.bincount; no count at all, so nothing
  that counts can be faster (this Python);
- pyrcv, stvpoll, pyrankvote: bench/count_peers.py - the library installed from PyPI into a
  throwaway virtual environment made for this run (or --peer-python), reading the file in plain
  Python with the lines folded by collections.Counter first, then counting with the library.
  A peer whose run on a 100,000-paper sample scales past --peer-timeout is reported as
  "extrapolated" from the sample, never as measured.

Cases (seeded; one line per paper, weight 1, papers truncated the way real ones are: about a
third rank one candidate, few rank everyone):
  irv       1M papers, 10 candidates, 1 seat, BLT      stv3      the same papers, 3 seats
  irv-soi   the same papers as PrefLib .soi            stv3-50   1M papers, 50 candidates, 3 seats
  help      `quorum count --help` against `python -c "import numpy"`
  scale     quorum alone on 10x the papers (irv), as a multiple of the 1M time

Prints one JSON line per implementation and case, then a summary line per case with the ratios.

    python bench/count.py                                  # everything (about ten minutes)
    python bench/count.py --ballots 100000 --cases irv     # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PEERS_SCRIPT = Path(__file__).resolve().with_name("count_peers.py")
PEERS = ("pyrcv", "stvpoll", "pyrankvote")
LENGTHS = np.array([0.34, 0.18, 0.14, 0.09, 0.06, 0.05, 0.04, 0.03, 0.02, 0.05])
CASES = {
    # name: (candidates, seats, format)
    "irv": (10, 1, "blt"),
    "stv3": (10, 3, "blt"),
    "irv-soi": (10, 1, "soi"),
    "stv3-50": (50, 3, "blt"),
}


def make_ballots(n: int, n_cand: int, rng: np.random.Generator, support: np.ndarray) -> np.ndarray:
    """n papers as rows of 0-based candidate indices, -1 after the last preference: Plackett-Luce
    orders from Dirichlet support, lengths drawn from LENGTHS (the last bucket ranks everyone)."""
    keys = support[None, :] + rng.gumbel(size=(n, n_cand))
    orders = np.argsort(-keys, axis=1).astype(np.int16)
    lengths = rng.choice(np.arange(1, 11), size=n, p=LENGTHS / LENGTHS.sum())
    lengths[lengths == 10] = n_cand
    orders[np.arange(n_cand)[None, :] >= np.minimum(lengths, n_cand)[:, None]] = -1
    return orders


def write_file(path: Path, papers: int, n_cand: int, seats: int, fmt: str, seed: int) -> None:
    """The ballot file, one line per paper, written in chunks (distinct rows formatted once)."""
    rng = np.random.default_rng(seed)
    support = np.log(rng.dirichlet(np.full(n_cand, 1.5)))
    names = [f"Candidate {i + 1}" for i in range(n_cand)]
    with path.open("w", encoding="utf-8") as f:
        if fmt == "blt":
            f.write(f"{n_cand} {seats}\n")
        else:
            f.write(f"# FILE NAME: {path.name}\n# TITLE: bench\n# DATA TYPE: soi\n")
            f.write(f"# NUMBER ALTERNATIVES: {n_cand}\n")
            f.writelines(f"# ALTERNATIVE NAME {i + 1}: {name}\n" for i, name in enumerate(names))
            f.write(f"# NUMBER VOTERS: {papers}\n")
        chunk = 500_000
        for lo in range(0, papers, chunk):
            rows = make_ballots(min(chunk, papers - lo), n_cand, rng, support)
            distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
            if fmt == "blt":
                text = [" ".join(["1", *(str(c + 1) for c in r if c >= 0), "0"]) for r in distinct.tolist()]
            else:
                text = ["1: " + ",".join(str(c + 1) for c in r if c >= 0) for r in distinct.tolist()]
            f.write("\n".join(np.array(text, dtype=object)[inverse.ravel()].tolist()) + "\n")
        if fmt == "blt":
            f.write("0\n" + "".join(f'"{name}"\n' for name in names) + '"bench"\n')


_LAUNCHER = """
import json, os, sys, time
timeout, out, err, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
fo, fe = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
t0 = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, fo, 1), (os.POSIX_SPAWN_DUP2, fe, 2)])
import signal, threading
timer = threading.Timer(timeout, os.kill, (pid, signal.SIGKILL))
timer.start()
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
timer.cancel()
print(json.dumps({"seconds": seconds, "code": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}))
"""
"""Runs one command and reports its wall time and its own peak resident set. A small process of
its own, because a child forked from this (larger) one would count our pages in its peak."""


def run(cmd: list[str], timeout: float) -> dict[str, Any]:
    """One whole process: wall seconds, its peak resident set (MiB) and the JSON it printed."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        got = subprocess.run([sys.executable, "-c", _LAUNCHER, str(timeout), str(out), str(err), *cmd],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        report = json.loads(got.stdout)
        stdout, stderr = out.read_text(errors="replace"), err.read_text(errors="replace")
    if report["seconds"] >= timeout:
        return {"status": "timeout", "seconds": None, "note": f"over {timeout:.0f} s"}
    if report["code"] != 0:
        tail = (stderr.strip().splitlines() or ["?"])[-1]
        return {"status": "error", "seconds": None, "note": tail[:300]}
    lines = stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    if not result and stdout.strip().startswith("{"):
        result = json.loads(stdout)
    return {"status": "ok", "seconds": round(report["seconds"], 3),
            "peak_mb": round(report["maxrss_kb"] / 1024, 1), "result": result}


def peer_python(args: argparse.Namespace, workdir: Path) -> str | None:
    """The Python that has the peers: --peer-python, else a throwaway venv made here from PyPI."""
    if args.peer_python:
        return str(args.peer_python)
    venv = workdir / "peers"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    got = subprocess.run([py, "-m", "pip", "install", "-q", "numpy", *args.peers.split(",")],
                         capture_output=True, text=True, check=False)
    if got.returncode != 0:
        print(json.dumps({"peers": "unavailable", "note": got.stderr.strip()[-300:]}), flush=True)
        return None
    return py


def versions(py: str | None, peers: list[str]) -> dict[str, str]:
    if py is None:
        return {}
    code = ("import importlib.metadata as m, json, sys; "
            "print(json.dumps({p: m.version(p) for p in sys.argv[1:]}))")
    out = subprocess.run([py, "-c", code, *peers], capture_output=True, text=True, check=False)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def commands(case: str, path: Path, py: str | None, peers: list[str]) -> dict[str, list[str]]:
    n_cand, seats, _ = CASES[case]
    method = "irv" if seats == 1 else "scottish"
    cmds = {
        "quorum": [sys.executable, "-m", "bot.cli", "count", str(path), "--method", method,
                   "--seats", str(seats), "--format", "json"],
        "floor": [sys.executable, str(PEERS_SCRIPT), "floor", str(path), str(seats)],
    }
    if py is not None:
        for peer in peers:
            cmds[peer] = [py, str(PEERS_SCRIPT), peer, str(path), str(seats)]
    return cmds


def summarise(impl: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if r["status"] == "ok"]
    if not ok:
        return {"impl": impl, "status": runs[0]["status"], "note": runs[0].get("note")}
    peaks = [r["peak_mb"] for r in ok if r.get("peak_mb") is not None]
    return {
        "impl": impl,
        "status": "ok",
        "seconds": round(statistics.median(r["seconds"] for r in ok), 3),
        "runs_seconds": [r["seconds"] for r in ok],
        "peak_mb": round(statistics.median(peaks), 1) if peaks else None,
        "elected": ok[-1]["result"].get("elected"),
    }


def bench_case(case: str, workdir: Path, py: str | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    n_cand, seats, fmt = CASES[case]
    seed = args.seed + (50 if n_cand == 50 else 0)
    path = workdir / f"{case}.{fmt}"
    if not path.exists():
        write_file(path, args.ballots, n_cand, seats, fmt, seed)
    peers = [p for p in args.peers.split(",") if p]
    cmds = commands(case, path, py, peers)
    rows: dict[str, dict[str, Any]] = {}
    # Peers too slow for the full file are measured on a sample and scaled, and say so.
    sample = min(args.sample, args.ballots)
    if py is not None and sample < args.ballots:
        small = workdir / f"{case}-sample.{fmt}"
        if not small.exists():
            write_file(small, sample, n_cand, seats, fmt, seed)
        for peer in peers:
            probe = run(commands(case, small, py, [peer])[peer], args.peer_timeout)
            if probe["status"] != "ok":
                rows[peer] = {"impl": peer, "status": probe["status"], "note": f"on a sample of {sample}"}
                cmds.pop(peer)
                continue
            estimate = probe["seconds"] * args.ballots / sample
            if estimate > args.peer_timeout * 0.8:
                rows[peer] = {"impl": peer, "status": "extrapolated", "seconds": round(estimate, 1),
                              "sample": sample, "sample_seconds": probe["seconds"],
                              "sample_peak_mb": probe["peak_mb"], "elected": None}
                cmds.pop(peer)
    runs: dict[str, list[dict[str, Any]]] = {impl: [] for impl in cmds}
    for _ in range(args.repeat):
        for impl, cmd in cmds.items():
            runs[impl].append(run(cmd, args.peer_timeout))
    for impl in cmds:
        rows[impl] = summarise(impl, runs[impl])
    quorum = rows["quorum"]
    out = []
    for impl, row in rows.items():
        row = {"case": case, "ballots": args.ballots, "candidates": n_cand, "seats": seats, "format": fmt, **row}
        if impl not in ("quorum", "floor") and row.get("elected") and quorum.get("elected"):
            row["agrees_with_quorum"] = sorted(row["elected"]) == sorted(quorum["elected"])
        out.append(row)
    timed = {i: r["seconds"] for i, r in rows.items() if i not in ("quorum", "floor") and r.get("seconds")}
    summary: dict[str, Any] = {"case": case, "summary": True, "quorum_seconds": quorum.get("seconds"),
                               "quorum_peak_mb": quorum.get("peak_mb"), "floor_seconds": rows["floor"].get("seconds")}
    if quorum.get("seconds") and timed:
        fastest = min(timed, key=lambda i: timed[i])
        summary.update({
            "fastest_peer": fastest,
            "fastest_peer_seconds": timed[fastest],
            "fastest_peer_status": rows[fastest]["status"],
            "fastest_peer_peak_mb": rows[fastest].get("peak_mb"),
            "speedup_vs_fastest_peer": round(timed[fastest] / quorum["seconds"], 2),
            "lowest_peer_peak_mb": min((r["peak_mb"] for i, r in rows.items()
                                        if i in timed and r.get("peak_mb")), default=None),
        })
    if quorum.get("seconds") and rows["floor"].get("seconds"):
        summary["quorum_over_floor"] = round(quorum["seconds"] / rows["floor"]["seconds"], 2)
    out.append(summary)
    return out


def bench_help(args: argparse.Namespace) -> dict[str, Any]:
    cmds = {
        "quorum_count_help": [sys.executable, "-m", "bot.cli", "count", "--help"],
        "python_import_numpy": [sys.executable, "-c", "import numpy"],
    }
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in cmds}
    for _ in range(max(args.repeat, 5)):
        for k, cmd in cmds.items():
            runs[k].append(run(cmd, 60))
    row: dict[str, Any] = {"case": "help"}
    for k, rs in runs.items():
        row[f"{k}_seconds"] = round(statistics.median(r["seconds"] for r in rs if r["status"] == "ok"), 3)
        row[f"{k}_peak_mb"] = statistics.median(r["peak_mb"] for r in rs if r["status"] == "ok")
    return row


def bench_scale(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Quorum on the irv file and on one with --scale times the papers, alternating."""
    n_cand, seats, fmt = CASES["irv"]
    small, big = workdir / "irv.blt", workdir / "irv-scale.blt"
    if not small.exists():
        write_file(small, args.ballots, n_cand, seats, fmt, args.seed)
    write_file(big, args.ballots * args.scale, n_cand, seats, fmt, args.seed)
    cmd = [sys.executable, "-m", "bot.cli", "count", "--method", "irv", "--seats", "1", "--format", "json"]
    runs: dict[str, list[dict[str, Any]]] = {"small": [], "big": []}
    for _ in range(args.repeat):
        runs["small"].append(run([*cmd, str(small)], 600))
        runs["big"].append(run([*cmd, str(big)], 600))
    s, b = summarise("quorum", runs["small"]), summarise("quorum", runs["big"])
    big.unlink()
    return {"case": "scale", "ballots": args.ballots, "scaled_ballots": args.ballots * args.scale,
            "seconds": s.get("seconds"), "scaled_seconds": b.get("seconds"),
            "scaled_runs_seconds": b.get("runs_seconds"), "peak_mb": s.get("peak_mb"),
            "scaled_peak_mb": b.get("peak_mb"),
            "ratio": round(b["seconds"] / s["seconds"], 2) if s.get("seconds") and b.get("seconds") else None}


def byte_compile() -> bool:
    """Compile the checkout's modules to bytecode where Python keeps it, as installing does."""
    got = subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bot")],
                         capture_output=True, text=True, check=False)
    return got.returncode == 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=5, help="rounds; every implementation runs once per round")
    ap.add_argument("--cases", default="irv,stv3,irv-soi,stv3-50,help,scale")
    ap.add_argument("--scale", type=int, default=10, help="the scale case counts this many times the papers")
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--peer-python", type=Path, default=None,
                    help="a Python with the peers installed (default: a throwaway venv from PyPI)")
    ap.add_argument("--peer-timeout", type=float, default=300.0, help="longest one run may take (seconds)")
    ap.add_argument("--sample", type=int, default=100_000, help="papers in the sample that decides whether a "
                    "peer can run in full")
    args = ap.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    with tempfile.TemporaryDirectory(prefix="quorum-bench-") as tmp:
        workdir = Path(tmp)
        py = peer_python(args, workdir) if any(c in CASES for c in cases) and args.peers else None
        peers = [p for p in args.peers.split(",") if p]
        print(json.dumps({"bench": "count", "cores": os.cpu_count(), "python": sys.version.split()[0],
                          "numpy": np.__version__, "peer_versions": versions(py, peers),
                          "repeat": args.repeat, "quorum_byte_compiled": byte_compile()}), flush=True)
        for case in cases:
            if case == "help":
                print(json.dumps(bench_help(args)), flush=True)
            elif case == "scale":
                print(json.dumps(bench_scale(workdir, args)), flush=True)
            else:
                for row in bench_case(case, workdir, py, args):
                    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
