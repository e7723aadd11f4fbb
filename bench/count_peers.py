"""One whole-process count of a ballot file by a peer library, or the floor; run by bench/count.py.

    python bench/count_peers.py IMPL FILE SEATS

IMPL is pyrcv, stvpoll or pyrankvote (imported from the Python running this script, which
bench/count.py installs from PyPI into a throwaway environment), or `floor`. Prints one JSON
line: {"elected": [...]} (the floor prints the first-preference totals instead).

Nothing here imports Quorum. Each peer reads the file the way a careful user of that library
would: lines are folded with collections.Counter on their text first (the trick that makes
one-line-per-paper files cheap in plain Python), then only the distinct lines are parsed and
handed to the library in its most compact form. The floor is what any count must at least do:
start Python, import numpy, read the file, find every number with numpy and add up the first
preferences with np.bincount.
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def read_ballots(path: str) -> tuple[list[str], dict[tuple[int, ...], int]]:
    """Candidate names and {ranking (1-based): votes} from a BLT or PrefLib .soi file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    ballots: dict[tuple[int, ...], int] = {}
    if path.endswith(".soi"):
        names: dict[int, str] = {}
        body_at = 0
        for k, line in enumerate(lines):
            if not line.startswith("#"):
                body_at = k
                break
            if line.startswith("# ALTERNATIVE NAME"):
                head, _, name = line.partition(":")
                names[int(head.split()[-1])] = name.strip()
        for line, k in Counter(lines[body_at:]).items():
            if not line.strip():
                continue
            count, _, order = line.partition(":")
            ranking = tuple(int(c) for c in order.split(","))
            ballots[ranking] = ballots.get(ranking, 0) + int(count) * k
        return [names[i] for i in sorted(names)], ballots
    n = int(lines[0].split()[0])
    end = lines.index("0", 1)
    for line, k in Counter(lines[1:end]).items():
        fields = line.split()
        ranking = tuple(int(c) for c in fields[1:-1])
        ballots[ranking] = ballots.get(ranking, 0) + int(fields[0]) * k
    names_ = [line.strip().strip('"') for line in lines[end + 1 : end + 1 + n]]
    return names_, ballots


def run_pyrcv(names: list[str], ballots: dict[tuple[int, ...], int], seats: int) -> list[str]:
    import pyrcv

    orders = [list(r) for r in ballots]
    data = pyrcv.RaceData(pyrcv.RaceMetadata("bench", seats, list(names)), orders, list(ballots.values()))
    result = pyrcv.run_rcv(data)
    return [names[i - 1] for rnd in result.rounds for i in rnd.elected]


def run_stvpoll(names: list[str], ballots: dict[tuple[int, ...], int], seats: int) -> list[str]:
    from stvpoll.irv import calculate_irv
    from stvpoll.scottish_stv import calculate_scottish_stv

    folded = {tuple(names[c - 1] for c in r): v for r, v in ballots.items()}
    result = calculate_irv(names, folded) if seats == 1 else calculate_scottish_stv(names, folded, seats)
    return list(result.elected_as_tuple())


def run_pyrankvote(names: list[str], ballots: dict[tuple[int, ...], int], seats: int) -> list[str]:
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    cands = [Candidate(n) for n in names]
    papers = []
    for r, v in ballots.items():
        papers.extend([Ballot(ranked_candidates=[cands[c - 1] for c in r])] * v)  # its API has no weights
    if seats == 1:
        result = pyrankvote.instant_runoff_voting(cands, papers)
    else:
        result = pyrankvote.single_transferable_vote(cands, papers, number_of_seats=seats)
    return [c.name for c in result.get_winners()]


def floor(path: str) -> dict[str, list[int]]:
    import numpy as np

    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".soi"):
        start = data.index(b"\n", data.rindex(b"\n#")) + 1
        end = len(data)
    else:
        start = data.index(b"\n") + 1
        end = data.index(b"\n0\n", start - 1) + 1
    b = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    d = b - np.uint8(48)
    edges = np.diff((d < 10).view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    values = d[starts].astype(np.int64)
    lengths = ends - starts
    long = np.flatnonzero(lengths > 1)
    if long.size:
        s, n, v = starts[long], lengths[long], values[long]
        for j in range(1, int(n.max())):
            v = np.where(n > j, v * 10 + d[np.minimum(s + j, b.size - 1)], v)
        values[long] = v
    if path.endswith(".soi"):
        first = np.searchsorted(starts, np.concatenate([[0], np.flatnonzero(b == 10)[:-1] + 1]))
    else:
        first = np.concatenate([[0], np.flatnonzero(values == 0)[:-1] + 1])
    firsts = values[first + 1]
    totals = np.bincount(firsts, weights=values[first])
    return {"first_preferences": totals.astype(np.int64).tolist()}


def main() -> None:
    impl, path, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if impl == "floor":
        print(json.dumps(floor(path)))
        return
    names, ballots = read_ballots(path)
    runner = {"pyrcv": run_pyrcv, "stvpoll": run_stvpoll, "pyrankvote": run_pyrankvote}[impl]
    print(json.dumps({"elected": runner(names, ballots, seats)}))


if __name__ == "__main__":
    main()
