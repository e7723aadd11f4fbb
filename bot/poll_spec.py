"""Reading ``/poll QUESTION | OPTION | OPTION … [options]`` into a checked PollSpec.

A pure function: every mistake is found here, before anything is stored, and explained in
one sentence that shows how to write it right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engines.counting.choice import Majority, QuorumRule, abstain_index, proposal_roles
from bot.kernel.durations import DeadlineError, parse_deadline
from bot.kernel.grammar import GrammarError, is_number, split_options

USAGE = "/poll QUESTION | OPTION | OPTION … [--closes 30m] [--secret] [--multi N] [--hidden]"
FLAGS = frozenset({"secret", "hidden", "card", "native", "roll", "ranked"})
VALUED = frozenset({"closes", "multi", "quorum", "majority", "branch", "seats"})
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_OPTIONS = 20
NATIVE_MAX_OPTIONS = 12


@dataclass(frozen=True)
class PollSpec:
    question: str
    options: tuple[str, ...]
    kind: str  # proposal | choice | ranked
    max_choices: int = 1
    seats: int = 1
    secret: bool = False
    hidden: bool = False
    card: bool = False
    native: bool = False
    quorum: QuorumRule | None = None
    majority: Majority | None = None
    closes_at: datetime | None = None
    electorate: str = "room"  # room | roll | branch
    branch: str | None = None


class SpecError(ValueError):
    pass


def parse_poll(args: str, now: datetime, tz: ZoneInfo, default_electorate: str = "room") -> PollSpec:
    try:
        text, opts = split_options(args, FLAGS, VALUED, USAGE)
    except GrammarError as e:
        raise SpecError(str(e)) from None
    parts = [p.strip() for p in text.split("|")]
    question = parts[0]
    if not question:
        raise SpecError(f"the poll needs a question. Usage: {USAGE}")
    if len(question) > MAX_QUESTION:
        raise SpecError(f"the question is {len(question)} characters; keep it to {MAX_QUESTION}")
    options = parts[1:]
    if any(not o for o in options):
        raise SpecError("an option is empty: write options between | signs, e.g. /poll Lunch? | Pizza | Soup")
    ranked = "ranked" in opts.flags
    if not options:
        if ranked:
            raise SpecError("a ranked election needs candidates: /poll Chair? | Ann | Bob | Cat --ranked")
        options = ["Yes", "No", "Abstain"]
    if len(options) == 1:
        raise SpecError("a poll needs at least two options (or none, for a Yes / No / Abstain proposal)")
    if len(options) > MAX_OPTIONS:
        raise SpecError(f"a poll can have at most {MAX_OPTIONS} options; this one has {len(options)}")
    for o in options:
        if len(o) > MAX_OPTION:
            raise SpecError(f"option {o[:20]!r}… is {len(o)} characters; keep options to {MAX_OPTION}")
        if is_number(o):
            raise SpecError(
                f"option {o!r} is a bare number, which /vote reads as a position; add a word, e.g. '{o} days'"
            )
        if "," in o:
            raise SpecError(f"option {o!r} contains a comma, which /vote uses to separate choices")
    folded = [o.casefold() for o in options]
    if len(set(folded)) != len(folded):
        raise SpecError("two options have the same name; each option must be different")

    roles = proposal_roles(options)
    kind = "ranked" if ranked else ("proposal" if roles is not None else "choice")

    max_choices = 1
    if "multi" in opts.values:
        raw = opts.values["multi"]
        if not is_number(raw) or int(raw) < 2:
            raise SpecError("--multi takes a number of at least 2: the most options a member may choose")
        max_choices = int(raw)
        if kind != "choice":
            raise SpecError("--multi is for polls with options, not for proposals or ranked elections")
        choosable = len(options) - (1 if abstain_index(options) is not None else 0)
        if max_choices > choosable:
            raise SpecError(f"--multi {max_choices} is more than the {choosable} options to choose from")

    seats = 1
    if "seats" in opts.values:
        raw = opts.values["seats"]
        if not ranked:
            raise SpecError("--seats is for ranked elections: add --ranked")
        if not is_number(raw) or int(raw) < 1:
            raise SpecError("--seats takes a whole number of at least 1")
        seats = int(raw)
        if seats >= len(options):
            raise SpecError(f"{seats} seats need more than {seats} candidates; there are {len(options)}")

    electorate = default_electorate
    branch = opts.values.get("branch")
    if "roll" in opts.flags:
        electorate = "roll"
    if branch is not None:
        electorate = "branch"
    card = "card" in opts.flags
    if card and electorate == "room":
        raise SpecError("a card vote weighs each member by the roll: add --roll (or --branch NAME)")

    quorum = None
    if "quorum" in opts.values:
        try:
            quorum = QuorumRule.parse(opts.values["quorum"])
        except ValueError as e:
            raise SpecError(f"--quorum: {e}") from None
        if quorum.percent and electorate == "room":
            raise SpecError(
                "a quorum in % needs a known electorate: add --roll, or give a head count (--quorum 25)"
            )

    majority = None
    if "majority" in opts.values:
        raw = opts.values["majority"].lower()
        try:
            majority = Majority(raw)
        except ValueError:
            names = ", ".join(m.value for m in Majority)
            raise SpecError(f"--majority {raw} is unknown; choose one of {names}") from None
        if kind == "ranked" or max_choices > 1:
            raise SpecError("--majority applies to proposals and single-choice polls")
        if majority in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40) and kind != "proposal":
            raise SpecError("the industrial-action rule applies to Yes / No proposals")
        if majority.needs_electorate and electorate == "room":
            raise SpecError(f"a {majority.value} majority needs a known electorate: add --roll")

    closes_at = None
    if "closes" in opts.values:
        try:
            closes_at = parse_deadline(opts.values["closes"], now, tz)
        except DeadlineError as e:
            raise SpecError(f"--closes: {e}") from None

    secret = "secret" in opts.flags
    native = "native" in opts.flags
    if native:
        if secret or ranked:
            raise SpecError("native polls show voters to the group: they cannot be secret or ranked")
        if len(options) > NATIVE_MAX_OPTIONS:
            raise SpecError(f"a native poll has at most {NATIVE_MAX_OPTIONS} options")
        if card:
            raise SpecError("a native poll cannot weigh votes: drop --native for a card vote")
    return PollSpec(
        question=question,
        options=tuple(options),
        kind=kind,
        max_choices=max_choices,
        seats=seats,
        secret=secret or ranked,
        hidden="hidden" in opts.flags,
        card=card,
        native=native,
        quorum=quorum,
        majority=majority,
        closes_at=closes_at,
        electorate=electorate,
        branch=branch,
    )
