"""`quorum sortition ...`: prepare a draw from CSV files, and verify a published one.

    quorum sortition check POOL.csv --quotas QUOTAS.csv --panel N
    quorum sortition draw POOL.csv --quotas QUOTAS.csv --panel N [--method leximin|simple]
                          [--title TEXT] [--output DRAW.json]
    quorum sortition verify DRAW.json --randomness TEXT [--commitment HEX]
                          [--round TICKETS TEXT ...]

`verify` needs nothing but the published file and the announced randomness; `--round 17,23
"fresh randomness"` replays one replacement round (tickets that declined, and the randomness
announced for that round), and may be repeated in order. Exit status: 0 on success, 1 when the
file fails verification or the quotas cannot be met, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.engines.sortition.csv_files import read_pool, read_quotas
from bot.engines.sortition.model import Quotas, SortitionError
from bot.engines.sortition.prepare import METHODS, prepare
from bot.engines.sortition.published import PublishedDraw, open_document
from bot.engines.sortition.reveal import draw_panel, replace


def main(argv: list[str]) -> int:
    """Run one sortition command; a leading "sortition" word is accepted and skipped."""
    if argv[:1] == ["sortition"]:
        argv = argv[1:]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return 0 if stop.code == 0 else 2
    try:
        return int(args.run(args))
    except SortitionError as error:
        print(error.message, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Cannot read or write {error.filename}: {error.strerror}.", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quorum sortition", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="say whether the quotas can be met")
    _pool_arguments(check)
    check.set_defaults(run=_check)

    draw = commands.add_parser("draw", help="compute the lottery and write the sealed document")
    _pool_arguments(draw)
    draw.add_argument("--method", choices=METHODS, default="leximin")
    draw.add_argument("--title", default="")
    draw.add_argument("--output", type=Path, help="where to write the document (default stdout)")
    draw.set_defaults(run=_draw)

    verify = commands.add_parser("verify", help="re-derive the panel from a published document")
    verify.add_argument("file", type=Path)
    verify.add_argument("--randomness", required=True, help="the announced public randomness")
    verify.add_argument("--commitment", help="the commitment published before the draw")
    verify.add_argument(
        "--round",
        nargs=2,
        action="append",
        default=[],
        metavar=("TICKETS", "RANDOMNESS"),
        help="a replacement round: comma-separated declined tickets and that round's randomness",
    )
    verify.set_defaults(run=_verify)
    return parser


def _pool_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pool", type=Path, help="CSV: id,<question>,... one row per volunteer")
    parser.add_argument("--quotas", type=Path, required=True, help="CSV: feature,value,min,max")
    parser.add_argument("--panel", type=int, required=True, help="panel size")


def _load(args: argparse.Namespace) -> tuple[list, Quotas]:
    pool = read_pool(args.pool.read_text(encoding="utf-8"))
    bounds = read_quotas(args.quotas.read_text(encoding="utf-8"))
    return pool, Quotas.of(args.panel, bounds)


def _check(args: argparse.Namespace) -> int:
    from bot.engines.sortition.feasibility import check

    pool, quotas = _load(args)
    groups = check(pool, quotas)
    print(f"The quotas can be met: {len(pool)} volunteers in {len(groups)} groups.")
    return 0


def _draw(args: argparse.Namespace) -> int:
    pool, quotas = _load(args)
    prepared = prepare(pool, quotas, args.method, args.title)
    text = json.dumps(prepared.document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    out = sys.stderr if not args.output else sys.stdout
    print(f"Commitment: {prepared.commitment}", file=out)
    if prepared.chances:
        low, high = min(prepared.chances.values()), max(prepared.chances.values())
        print(f"Selection chances range from {float(low):.6f} to {float(high):.6f}.", file=out)
    return 0


def _verify(args: argparse.Namespace) -> int:
    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SortitionError(f"{args.file} is not valid JSON ({error.msg}, line {error.lineno}).") from None
    draw = open_document(document, args.commitment)
    print(f"Commitment {draw.commitment} matches the file.")
    panel = draw_panel(draw, args.randomness)
    print(f"Panel ({len(panel)} seats, method {draw.method}): {_tickets(panel)}")
    declined: list[int] = []
    for number, (tickets, randomness) in enumerate(args.round, start=1):
        leaving = _parse_tickets(tickets)
        panel, made = replace(draw, panel, leaving, randomness, number, declined)
        declined += leaving
        for r in made:
            how = "same group" if r.same_group else "another group that keeps the quotas"
            print(f"Round {number}: ticket {r.declined} -> ticket {r.replacement} ({how}).")
        print(f"Panel after round {number}: {_tickets(panel)}")
    _print_members(draw, panel)
    return 0


def _parse_tickets(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SortitionError(f"Declined tickets must be comma-separated numbers, like 17,23 - not {text!r}.") from None


def _tickets(panel: list[int]) -> str:
    return " ".join(str(t) for t in panel)


def _print_members(draw: PublishedDraw, panel: list[int]) -> None:
    features = draw.quotas.features
    for ticket in panel:
        values = draw.groups[draw.group_of(ticket)].values
        answers = ", ".join(f"{f}={v}" for f, v in zip(features, values, strict=True))
        print(f"  ticket {ticket}: {answers}")
