"""Reading ``/trigger open KIND OFFICE --signatures N | --electorate P% | --branches B%
--per-branch X --closes 14d …`` into a checked TriggerSpec. Pure: every mistake is found here."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.engines.counting.choice import exact
from bot.features.triggers.model import Ballot, Threshold, ThresholdError, TriggerSpec
from bot.kernel.durations import DeadlineError, Span, parse_deadline, parse_span
from bot.kernel.errors import ParseError
from bot.kernel.grammar import GrammarError, is_number, split_options, take_name
from bot.kernel.language import _
from bot.kernel.wording import quoted

USAGE = ("/trigger open open-selection|recall|no-confidence OFFICE (--signatures 50 | --electorate 20% | "
         "--branches 1/3 --per-branch 10%) --closes 14d [--branch NAME] [--ballot-closes 7d] [--roll-call]")
KINDS = ("open-selection", "recall", "no-confidence")
FLAGS = frozenset({"roll-call"})
VALUED = frozenset({"signatures", "electorate", "branches", "per-branch", "closes", "branch", "ballot-closes"})
MAX_OFFICE = 150
DEFAULT_BALLOT = Span(days=7)



class TriggerSpecError(ParseError):
    pass


def parse_share(text: str) -> Fraction:
    """'20%', '33.3%' or '1/3' -> a Fraction in (0, 1]. Only plain numbers of bounded length, as
    people type them: an exponent or a thousand digits would make a number whose reading, or
    rendering, takes the bot's time (1e9999999%) or fails (1e-9999%)."""
    t = text.strip()
    top, slash, bottom = t.partition("/")
    try:
        if t.endswith("%") and (percent := exact(t[:-1])) is not None:
            value = percent / 100
        elif slash and is_number(top.strip()) and is_number(bottom.strip()):
            value = Fraction(int(top), int(bottom))
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ThresholdError(_("{typed} is not a share: write a percentage such as 20% or a fraction such as 1/3")
                             .format(typed=quoted(t, 20))) from None
    if not 0 < value <= 1:
        raise ThresholdError(_("{typed} must be more than 0% and at most 100%").format(typed=t[:20]))
    return value


def parse_count(text: str, what: str) -> int:
    if not is_number(text) or not 0 < int(text) <= 10_000_000:
        raise ThresholdError(_("{option} takes a whole number of at least 1").format(option=what))
    return int(text)


def question_for(kind: str, office: str) -> str:
    """The question of the ballot the campaign opens when it fires, written when it opens in the
    language of the room that will vote on it."""
    if kind == "open-selection":
        return _("Hold an open selection for {office}?").format(office=office)
    if kind == "recall":
        return _("Recall {office}?").format(office=office)
    return _("No confidence in {office}: do you support the motion?").format(office=office)


def parse_trigger(args: str, now: datetime, tz: ZoneInfo) -> TriggerSpec:
    try:
        args, branch = take_name(args, "branch")
        text, opts = split_options(args, FLAGS, VALUED, USAGE)
    except GrammarError as e:
        raise TriggerSpecError(str(e)) from None
    kind, _sep, office = text.partition(" ")
    kind, office = kind.lower(), office.strip()
    if kind not in KINDS:
        raise TriggerSpecError(_("say which kind of trigger first: {kinds}. Usage: {usage}").format(
            kinds=", ".join(KINDS), usage=USAGE))
    if not office:
        raise TriggerSpecError(_("name the office, e.g. /trigger open {kind} the MP for Riverside --signatures 50 …")
                               .format(kind=kind))
    if len(office) > MAX_OFFICE:
        raise TriggerSpecError(_("the office is {n} characters; keep it under {limit}").format(
            n=len(office), limit=MAX_OFFICE))
    v = opts.values
    kinds = [k for k in ("signatures", "electorate", "branches") if k in v]
    if len(kinds) != 1:
        raise TriggerSpecError(_("give exactly one threshold: --signatures N, --electorate P% or --branches B% "
                                 "(with --per-branch)"))
    try:
        if "signatures" in v:
            threshold = Threshold("signatures", count=parse_count(v["signatures"], "--signatures"))
        elif "electorate" in v:
            threshold = Threshold("electorate", share=parse_share(v["electorate"]))
        else:
            per = v.get("per-branch")
            if per is None:
                raise TriggerSpecError(_("--branches needs --per-branch: when a branch counts, e.g. --per-branch 10 "
                                         "(signatures) or --per-branch 20% (of its members)"))
            share = parse_share(v["branches"])
            if per.endswith("%") or "/" in per:
                threshold = Threshold("branches", share=share, branch_share=parse_share(per))
            else:
                threshold = Threshold("branches", share=share, branch_count=parse_count(per, "--per-branch"))
        if "per-branch" in v and threshold.kind != "branches":
            raise TriggerSpecError(_("--per-branch goes with --branches"))
    except ThresholdError as e:
        raise TriggerSpecError(str(e)) from None
    if "closes" not in v:
        raise TriggerSpecError(_("a trigger campaign needs a deadline: add --closes 14d (or a date-time)"))
    try:
        closes_at = parse_deadline(v["closes"], now, tz)
    except DeadlineError as e:
        # TRANSLATORS: an option and what is wrong with its value ("--closes: the deadline … is in the past").
        raise TriggerSpecError(_("{option}: {error}").format(option="--closes", error=e)) from None
    length = DEFAULT_BALLOT
    if "ballot-closes" in v:
        # Read as --closes reads a length: 1d ends at the same time of day, across a clock change.
        span = parse_span(v["ballot-closes"])
        if span is None or not timedelta(minutes=1) <= span.length <= timedelta(days=90):
            raise TriggerSpecError(_("--ballot-closes takes how long the ballot stays open, from 1m to 90d, e.g. 7d"))
        length = span
    question = question_for(kind, office)
    return TriggerSpec(kind, office, threshold, closes_at, branch or v.get("branch"),
                       Ballot(question, "roll-call" not in opts.flags, length))
