"""`quorum count FILE`: count a ballot file and print the stage table.

A plain function of its arguments so the console script and the tests call the same thing.
Exit status: 0 counted, 1 the file could not be read or counted, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TextIO

from bot.engines.counting.errors import BallotFileError
from bot.engines.counting.files import load_ballots
from bot.engines.counting.methods import METHODS, count
from bot.engines.counting.render import to_csv, to_json, to_text

_RENDER = {"text": to_text, "json": to_json, "csv": to_csv}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="quorum count",
        description="Count a ranked ballot file (BLT, PrefLib .soi/.toi or Vote::Count text) and "
        "print every stage of the count.",
    )
    p.add_argument("file", metavar="FILE", help="the ballot file")
    p.add_argument(
        "--method",
        choices=METHODS,
        default=None,
        help="counting rules (default: irv for one seat, scottish otherwise)",
    )
    p.add_argument("--seats", type=int, default=None, help="seats to fill (default: as the file says, else 1)")
    p.add_argument("--format", choices=tuple(_RENDER), default="text", help="output format")
    p.add_argument("--seed", type=int, default=0, help="seed for any tie settled by lot (announce it before the count)")
    return p


def main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdout = out if out is not None else sys.stdout
    stderr = err if err is not None else sys.stderr
    parser = _parser()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.seats is not None and args.seats < 1:
        print("quorum count: error: --seats must be at least 1", file=stderr)
        return 2
    try:
        profile = load_ballots(args.file)
        result = count(profile, args.method, args.seats, args.seed)
    except BallotFileError as exc:
        print(f"quorum count: error: {exc}", file=stderr)
        return 1
    except OSError as exc:
        print(f"quorum count: error: cannot read {args.file}: {exc.strerror}", file=stderr)
        return 1
    except ValueError as exc:
        print(f"quorum count: error: {exc}", file=stderr)
        return 1
    print(_RENDER[args.format](result), file=stdout)
    return 0
