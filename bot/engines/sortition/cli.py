"""`quorum sortition ...`: prepare a draw from CSV files, and verify a published one.

    quorum sortition check POOL.csv --quotas QUOTAS.csv --panel N
    quorum sortition draw POOL.csv --quotas QUOTAS.csv --panel N [--method leximin|simple]
                          [--title TEXT] [--output DRAW.json]
    quorum sortition verify DRAW.json --randomness TEXT [--commitment HEX]
                          [--round TICKETS TEXT] [--relax FEATURE=VALUE MIN-MAX] [--empty TICKETS] ...

`verify` needs nothing but the published file, the announced randomness and what the organisers
announced after the draw, in the order they announced it: `--round 17,23 "fresh randomness"`
replays one replacement round (tickets that declined, and the randomness announced for that
round), `--relax gender=female 1-3` loosens a quota line for the rounds after it, and `--empty 17`
records a declined seat the organisers left empty. Exit status: 0 on success, 1 when the file
fails verification or the quotas cannot be met, 2 for a usage error.

The word after --randomness (and the two after --round, and so on) is taken as the option's
value whatever it begins with, as getopt takes it: randomness is any text, "-3 17" or "-abc"
too, and would otherwise be read as an option. (--randomness=-abc says the same.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from bot.engines.sortition.csv_files import read_pool, read_quotas
from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, counted
from bot.engines.sortition.prepare import METHODS, prepare
from bot.engines.sortition.published import PublishedDraw, open_document
from bot.engines.sortition.randomness import normalise
from bot.engines.sortition.reveal import draw_panel, replace


def main(argv: list[str]) -> int:
    """Run one sortition command; a leading "sortition" word is accepted and skipped."""
    if argv[:1] == ["sortition"]:
        argv = argv[1:]
    parser = _parser()
    try:
        args = parser.parse_args(_as_given(argv))
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


_GIVEN = "\0"
"""Marks an option's value that begins with "-" on its way through argparse, which would read
it as an option; no word of a command line can hold this character."""

_TEXT_VALUES = {"--randomness": 1, "--commitment": 1, "--title": 1, "--round": 2, "--relax": 2, "--empty": 1}
"""The options whose values are text, and how many words each takes."""


def _as_given(argv: list[str]) -> list[str]:
    """ARGV with the words after each option of _TEXT_VALUES kept as its values, whatever they
    begin with (as getopt reads them), and so the value in --randomness=VALUE. After "--" every
    word is a file, as argparse has it."""

    def given(value: str) -> str:
        return _GIVEN + value if value.startswith("-") else value

    out: list[str] = []
    values = 0
    for at, word in enumerate(argv):
        option, equals, value = word.partition("=")
        if values:
            out.append(given(word))
            values -= 1
        elif word == "--":
            return out + argv[at:]
        elif equals and _TEXT_VALUES.get(option) == 1:
            out.append(f"{option}={given(value)}")
        else:
            out.append(word)
            values = _TEXT_VALUES.get(word, 0)
    return out


def _text(value: str) -> str:
    return value.removeprefix(_GIVEN)


def _randomness(value: str) -> str:
    text = _text(value)
    if not normalise(text):
        raise argparse.ArgumentTypeError("the randomness is empty")
    return text


HOW_TO_GIVE = ('Give the randomness announced as one word, quoted if it has spaces: --randomness "4 17 23 38 41" '
               "(any text, also one beginning with -: --randomness -abc, or --randomness=-abc); a replacement "
               'round as --round TICKETS "RANDOMNESS".')


class _Parser(argparse.ArgumentParser):
    """Says, under a mistake in the randomness, how to give it."""

    def error(self, message: str) -> NoReturn:
        if "--randomness" in message or "--round" in message:
            message = f"{message}. {HOW_TO_GIVE}"
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="quorum sortition", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="say whether the quotas can be met")
    _pool_arguments(check)
    check.set_defaults(run=_check)

    draw = commands.add_parser("draw", help="compute the lottery and write the sealed document")
    _pool_arguments(draw)
    draw.add_argument("--method", choices=METHODS, default="leximin")
    draw.add_argument("--title", type=_text, default="")
    draw.add_argument("--output", type=Path, help="where to write the document (default stdout)")
    draw.set_defaults(run=_draw)

    verify = commands.add_parser("verify", help="re-derive the panel from a published document")
    verify.add_argument("file", type=Path)
    verify.add_argument("--randomness", type=_randomness, required=True,
                        help="the announced public randomness (any text, also one beginning with -)")
    verify.add_argument("--commitment", type=_text, help="the commitment published before the draw")
    verify.add_argument(
        "--round",
        nargs=2,
        type=_text,
        action=_Step,
        metavar=("TICKETS", "RANDOMNESS"),
        help="a replacement round: comma-separated declined tickets and that round's randomness",
    )
    verify.add_argument(
        "--relax",
        nargs=2,
        type=_text,
        action=_Step,
        metavar=("FEATURE=VALUE", "MIN-MAX"),
        help="a quota line the organisers loosened for the rounds that follow",
    )
    verify.add_argument("--empty", type=_text, action=_Step, metavar="TICKETS",
                        help="declined seats the organisers left empty")
    verify.set_defaults(run=_verify, steps=[])
    return parser


class _Step(argparse.Action):
    """Keeps --round, --relax and --empty in the order given: each one changes what the next sees."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        namespace.steps = [*namespace.steps, (self.dest, values)]


def _pool_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pool", type=Path, help="CSV: id,<question>,... one row per volunteer")
    parser.add_argument("--quotas", type=Path, required=True, help="CSV: feature,value,min,max")
    parser.add_argument("--panel", type=int, required=True, help="panel size")


def _load(args: argparse.Namespace) -> tuple[list, Quotas]:
    pool = read_pool(_read(args.pool))
    bounds = read_quotas(_read(args.quotas))
    return pool, Quotas.of(args.panel, bounds)


def _read(path: Path) -> str:
    """PATH's text. A folder or a file in another encoding (a spreadsheet's export, say) is
    refused in one sentence naming it."""
    if path.is_dir():
        raise SortitionError(f"{path} is a folder: give the file itself.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SortitionError(f"{path} is not UTF-8 text: save it as UTF-8 and try again.") from None


def _check(args: argparse.Namespace) -> int:
    from bot.engines.sortition.feasibility import check

    pool, quotas = _load(args)
    groups = check(pool, quotas)
    print(f"The quotas can be met: {counted(len(pool), 'volunteer')} in {counted(len(groups), 'group')}.")
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
        document = json.loads(_read(args.file), object_pairs_hook=_once)
    except json.JSONDecodeError as error:
        raise SortitionError(f"{args.file} is not valid JSON ({error.msg}, line {error.lineno}).") from None
    draw = open_document(document, args.commitment)
    print(f"Commitment {draw.commitment} matches the file.")
    panel = draw_panel(draw, args.randomness)
    print(f"Panel ({counted(len(panel), 'seat')}, method {draw.method}): {_tickets(panel)}")
    quotas, declined, empty, rounds = draw.quotas, [], [], 0
    for kind, values in args.steps:
        if kind == "round":
            rounds += 1
            leaving = _parse_tickets(values[0])
            if set(leaving) & set(empty):
                raise SortitionError(f"Round {rounds} refills a seat left empty before it; an empty seat stays empty.")
            panel, made = replace(draw, panel, leaving, values[1], rounds, declined, quotas)
            declined += leaving
            for r in made:
                how = "same group" if r.same_group else "another group that keeps the quotas"
                print(f"Round {rounds}: ticket {r.declined} -> ticket {r.replacement} ({how}).")
            print(f"Panel after round {rounds}: {_tickets(_seated(panel, empty))}")
        elif kind == "relax":
            bound = _parse_bound(*values)
            quotas = quotas.relaxed(bound)
            print(f"Relaxed for the rounds after it: {bound.feature}={bound.value} {bound.min}-{bound.max}.")
        else:
            for ticket in _parse_tickets(values):
                if ticket not in panel or ticket in empty:
                    raise SortitionError(f"Ticket {ticket} holds no seat that could be left empty.")
                empty.append(ticket)
                declined.append(ticket)
                print(f"Ticket {ticket}'s seat is left empty.")
    seated = _seated(panel, empty)
    if empty:
        print(f"Panel ({len(seated)} of {counted(len(panel), 'seat')} filled): {_tickets(seated)}")
    _print_members(draw, seated)
    return 0


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys each appear once. Readers differ in which of two values under
    one key they keep, so a key written twice would let the file show one thing and verify as
    another; the bot never writes one."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise SortitionError(f"The file gives the key {key!r} twice in one object: it is not the document "
                                 "the bot wrote.")
        seen[key] = value
    return seen


def _seated(panel: Sequence[int], empty: Sequence[int]) -> list[int]:
    """The panel's members: a seat left empty still counts for the quotas, but seats nobody."""
    return [t for t in panel if t not in empty]


_BOUND = re.compile(r"^([^=]+)=(.+)$")  # the feature is all before "=", spaces and all ("age band=16-29")
_RANGE = re.compile(r"^(\d{1,6})-(\d{1,6})$")


def _parse_bound(line: str, bounds: str) -> QuotaBound:
    line_match, range_match = _BOUND.match(line.strip()), _RANGE.match(bounds.strip())
    if not line_match or not range_match:
        raise SortitionError(f"Write a relaxed quota as FEATURE=VALUE MIN-MAX, like gender=female 1-3 - not "
                             f"{line!r} {bounds!r}.")
    return QuotaBound(line_match.group(1), line_match.group(2), int(range_match.group(1)), int(range_match.group(2)))


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
