"""Reading what people type to polls: ``/poll QUESTION | OPTION | OPTION … [options]`` into a
checked PollSpec, what follows ``/vote POLL`` (or ``/rank POLL``) into option indexes, and the
poll number at the head of a command.

Pure functions: every mistake is found here, before anything is stored, and explained in one
sentence that shows how to write it right.

Choices accepted: positions (``2``, ``1 3``), labels (``Pizza``, ``pizza, soup``) and, for
proposals, the usual words (yes / for / aye, no / against, abstain). A label is matched whole and
case-insensitively; a unique prefix of at least three letters also matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.engines.counting.choice import (
    ABSTAIN_WORDS,
    NO_WORDS,
    YES_WORDS,
    Majority,
    QuorumRule,
    abstain_index,
    exact,
    proposal_roles,
)
from bot.features.polls.model import PollSpec
from bot.kernel.durations import DeadlineError, parse_deadline
from bot.kernel.errors import ParseError, UserError
from bot.kernel.grammar import GrammarError, is_number, split_options
from bot.kernel.wording import a_or_an, count_of, quoted

USAGE = "/poll QUESTION | OPTION | OPTION … [--closes 30m] [--secret] [--multi N] [--hidden]"
FLAGS = frozenset({"secret", "hidden", "card", "native", "roll", "ranked"})
VALUED = frozenset({"closes", "multi", "quorum", "majority", "branch", "seats", "proxies"})
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_OPTIONS = 20
NATIVE_MAX_OPTIONS = 12


class SpecError(ParseError):
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
            raise SpecError(f"option {quoted(o, 20)} is {len(o)} characters; keep options to {MAX_OPTION}")
        if is_number(o):
            raise SpecError(
                f"option {quoted(o)} is a bare number, which /vote reads as a position; add a word, e.g. “{o} days”"
            )
        if "," in o:
            raise SpecError(f"option {quoted(o)} contains a comma, which /vote uses to separate choices")
    folded = [o.casefold() for o in options]
    if len(set(folded)) != len(folded):
        raise SpecError("two options have the same name; each option must be different")

    roles = proposal_roles(options)
    kind = "ranked" if ranked else ("proposal" if roles is not None else "choice")

    max_choices = 1
    if "multi" in opts.values:
        raw = opts.values["multi"]
        if not is_number(raw) or int(raw) < 2:
            what = "a whole number" if exact(raw) is not None and not is_number(raw) else "a number"
            raise SpecError(f"--multi takes {what} of at least 2: the most options a member may choose")
        max_choices = int(raw)
        if kind != "choice":
            raise SpecError("--multi is for polls with options, not for proposals or ranked elections")
        choosable = len(options) - (1 if abstain_index(options) is not None else 0)
        if max_choices > choosable:
            raise SpecError(f"--multi {max_choices} is more than the {count_of(choosable, 'option')} to choose from")

    seats = 1
    if "seats" in opts.values:
        raw = opts.values["seats"]
        if not ranked:
            raise SpecError("--seats is for ranked elections: add --ranked")
        if not is_number(raw) or int(raw) < 1:
            raise SpecError("--seats takes a whole number of at least 1")
        seats = int(raw)
        if seats >= len(options):
            raise SpecError(f"{count_of(seats, 'seat')} need more than {count_of(seats, 'candidate')}; "
                            f"there are {len(options)}")

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
            raise SpecError(f"{a_or_an(majority.value + ' majority')} needs a known electorate: add --roll")
        if card and majority in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40):
            raise SpecError("the industrial-action thresholds count members one by one: "
                            "drop --card, or choose another --majority")

    proxies = None
    if "proxies" in opts.values:
        raw = opts.values["proxies"]
        if not is_number(raw) or int(raw) < 1:
            raise SpecError("--proxies takes a whole number of at least 1: the most proxies one member may hold")
        if electorate == "room":
            raise SpecError("proxies are given between members of a fixed electorate: add --roll (or --branch NAME)")
        proxies = int(raw)

    closes_at = _closes(opts.values.get("closes"), now, tz)

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
        proxies=proxies,
    )


def _closes(text: str | None, now: datetime, tz: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_deadline(text, now, tz)
    except DeadlineError as e:
        raise SpecError(f"--closes: {e}") from None


BALLOT = ("Yes", "No", "Abstain")


def parse_ballot(args: str, usage: str, question: str, now: datetime, tz: ZoneInfo) -> PollSpec:
    """The Yes / No / Abstain ballot another feature puts QUESTION to (a motion, an amendment),
    with the options such a ballot takes: --closes, --secret, --roll."""
    try:
        rest, opts = split_options(args, frozenset({"secret", "roll"}), frozenset({"closes"}), usage)
    except GrammarError as e:
        raise SpecError(str(e)) from None
    if rest:
        raise UserError(f"Unexpected {quoted(rest, 30)}. Usage: {usage}")
    if len(question) > MAX_QUESTION:
        question = question[: MAX_QUESTION - 3] + "…"
    return PollSpec(question=question, options=BALLOT, kind="proposal",
                    closes_at=_closes(opts.values.get("closes"), now, tz), secret="secret" in opts.flags,
                    electorate="roll" if "roll" in opts.flags else "room")


class ChoiceError(ParseError):
    pass


def _listing(options: Sequence[str]) -> str:
    return ", ".join(f"{i} {o}" for i, o in enumerate(options, 1))


def _one(token: str, options: Sequence[str]) -> int:
    t = token.strip().casefold()
    if is_number(t):
        n = int(t)
        if 1 <= n <= len(options):
            return n - 1
        raise ChoiceError(f"there is no option {n}; options are {_listing(options)}")
    folded = [o.casefold() for o in options]
    if t in folded:
        return folded.index(t)
    roles = proposal_roles(options)
    if roles is not None:
        yes, no, abst = roles
        if t in YES_WORDS:
            return yes
        if t in NO_WORDS:
            return no
        if t in ABSTAIN_WORDS and abst is not None:
            return abst
    if len(t) >= 3:
        matches = [i for i, o in enumerate(folded) if o.startswith(t)]
        if len(matches) == 1:
            return matches[0]
    raise ChoiceError(f"no option is called {quoted(token.strip())}; options are {_listing(options)}")


WITHDRAW = "withdraw"
"""``/vote POLL withdraw`` takes a vote back (unless an option of the poll is called that)."""


def is_withdrawal(text: str, options: Sequence[str]) -> bool:
    """Whether TEXT asks to take a vote back: the word ``withdraw``, when it names no option
    (an option called "Withdraw the motion" is voted for, as its name says)."""
    if text.strip().casefold() != WITHDRAW:
        return False
    try:
        _one(text, options)
    except ChoiceError:
        return True
    return False


def parse_choice(text: str, options: Sequence[str], max_choices: int, ranked: bool = False) -> tuple[int, ...]:
    """Option indexes chosen by TEXT, in the order given (the order matters when ranked).

    Text that names no option (nothing, or only separators such as ``,``) is refused: a vote is
    taken back only by asking for it in words (see ``is_withdrawal``), never by a stray comma."""
    t = text.strip()
    folded = [o.casefold() for o in options]
    if t and t.casefold() in folded:
        chosen: list[int] = [folded.index(t.casefold())]
    elif "," in t:
        chosen = [_one(p, options) for p in t.split(",") if p.strip()]
    else:
        chosen = [_one(p, options) for p in t.split()]
    if not chosen:
        how = "in order of preference, e.g. 2 1 3" if ranked else "e.g. 1, or the option's name"
        said = f"{quoted(t)} names no option; " if t else ""
        raise ChoiceError(f"{said}say which option: {how}; options are {_listing(options)}")
    if len(set(chosen)) != len(chosen):
        raise ChoiceError("the same option is named twice; name each option once")
    limit = len(options) if ranked else max_choices
    if len(chosen) > limit:
        if limit == 1:
            raise ChoiceError("choose one option only")
        raise ChoiceError(f"choose at most {limit} options")
    roles = proposal_roles(options)
    if not ranked and len(chosen) > 1 and roles is None:
        abst = [i for i in chosen if folded[i] in ABSTAIN_WORDS]
        if abst:
            raise ChoiceError("Abstain cannot be combined with other options")
    return tuple(chosen)


def parse_poll_id(text: str, usage: str) -> tuple[int, str]:
    """Split 'POLL rest' into the poll number and the rest."""
    head, _, rest = text.strip().partition(" ")
    digits = head.lstrip("#")
    if not digits:
        raise UserError(f"Say which poll. Usage: {usage}")
    if not is_number(digits):
        raise UserError(f"{quoted(head)} is not a poll number. Usage: {usage}")
    return int(digits), rest.strip()


_FOR = re.compile(r"(?:^|\s)(?:--|[\u2013\u2014])for(?:\s+(.*))?$", re.S | re.I)


def split_for(text: str, usage: str) -> tuple[str, str | None]:
    """'yes --for Ann Smith' -> ('yes', 'Ann Smith'): the vote, and whose proxy casts it (the
    rest of the line, so a name may have several words)."""
    m = _FOR.search(text)
    if m is None:
        return text, None
    name = (m.group(1) or "").strip()
    if not name:
        raise UserError(f"Say whose proxy you cast after --for, e.g. --for Ann. Usage: {usage}")
    return text[:m.start()].strip(), name
