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
    QuorumError,
    QuorumRule,
    abstain_index,
    exact,
    proposal_roles,
)
from bot.features.polls.model import PollSpec
from bot.kernel.durations import DeadlineError, parse_deadline, reads_as_time
from bot.kernel.errors import ParseError, UserError
from bot.kernel.grammar import GrammarError, is_number, split_options, take_name
from bot.kernel.language import _, ngettext, pgettext
from bot.kernel.wording import clipped, number, quoted

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
        args, branch = take_name(args, "branch")
        text, opts = split_options(args, FLAGS, VALUED, USAGE)
    except GrammarError as e:
        raise SpecError(str(e)) from None
    parts = [p.strip() for p in text.split("|")]
    question = parts[0]
    if not question:
        raise SpecError(_("the poll needs a question. Usage: {usage}").format(usage=USAGE))
    if len(question) > MAX_QUESTION:
        raise SpecError(_("the question is {n} characters; keep it to {most}").format(n=number(len(question)),
                                                                                     most=number(MAX_QUESTION)))
    options = parts[1:]
    if any(not o for o in options):
        raise SpecError(_("an option is empty: write options between | signs, e.g. {example}").format(
            example="/poll Lunch? | Pizza | Soup"))
    ranked = "ranked" in opts.flags
    if not options:
        if ranked:
            raise SpecError(_("a ranked election needs candidates: {example}").format(
                example="/poll Chair? | Ann | Bob | Cat --ranked"))
        options = ["Yes", "No", "Abstain"]
    if len(options) == 1:
        raise SpecError(_("a poll needs at least two options (or none, for a Yes / No / Abstain proposal)"))
    if len(options) > MAX_OPTIONS:
        raise SpecError(_("a poll can have at most {most} options; this one has {n}").format(most=MAX_OPTIONS,
                                                                                            n=len(options)))
    for o in options:
        if len(o) > MAX_OPTION:
            raise SpecError(_("option {option} is {n} characters; keep options to {most}").format(
                option=quoted(o, 20), n=number(len(o)), most=MAX_OPTION))
        if is_number(o):
            raise SpecError(_("option {option} is a bare number, which /vote reads as a position; add a word, e.g. "
                              "“{number} days”").format(option=quoted(o), number=o))
        if "," in o:
            raise SpecError(_("option {option} contains a comma, which /vote uses to separate choices").format(
                option=quoted(o)))
    folded = [o.casefold() for o in options]
    if len(set(folded)) != len(folded):
        raise SpecError(_("two options have the same name; each option must be different"))

    roles = proposal_roles(options)
    kind = "ranked" if ranked else ("proposal" if roles is not None else "choice")

    for option in ("multi", "seats", "proxies"):
        _not_a_time(option, opts.values.get(option))

    max_choices = 1
    if "multi" in opts.values:
        raw = opts.values["multi"]
        if not is_number(raw) or int(raw) < 2:
            if exact(raw) is not None and not is_number(raw):
                raise SpecError(_("--multi takes a whole number of at least 2 (the most options a member may "
                                  "choose), not {typed}").format(typed=quoted(raw, 20)))
            raise SpecError(_("--multi takes a number of at least 2 (the most options a member may choose), "
                              "not {typed}").format(typed=quoted(raw, 20)))
        max_choices = int(raw)
        if kind != "choice":
            raise SpecError(_("--multi is for polls with options, not for proposals or ranked elections"))
        choosable = len(options) - (1 if abstain_index(options) is not None else 0)
        if max_choices > choosable:
            raise SpecError(ngettext("--multi {n} is more than the {options} option to choose from",
                                     "--multi {n} is more than the {options} options to choose from", choosable)
                            .format(n=max_choices, options=choosable))

    seats = 1
    if "seats" in opts.values:
        raw = opts.values["seats"]
        if not ranked:
            raise SpecError(_("--seats is for ranked elections: add --ranked"))
        if not is_number(raw) or int(raw) < 1:
            raise SpecError(_("--seats takes a whole number of at least 1, not {typed}").format(typed=quoted(raw, 20)))
        seats = int(raw)
        if seats >= len(options):
            raise SpecError(ngettext("{n} seat needs more than {n} candidate; there are {candidates}",
                                     "{n} seats need more than {n} candidates; there are {candidates}", seats)
                            .format(n=seats, candidates=len(options)))

    electorate = default_electorate
    branch = branch or opts.values.get("branch")
    if "roll" in opts.flags:
        electorate = "roll"
    if branch is not None:
        electorate = "branch"
    card = "card" in opts.flags
    if card and electorate == "room":
        raise SpecError(_("a card vote weighs each member by the roll: add --roll (or --branch NAME)"))

    quorum = None
    if "quorum" in opts.values:
        try:
            quorum = QuorumRule.parse(opts.values["quorum"])
        except QuorumError as e:
            raise SpecError(_quorum_fault(e)) from None
        if quorum.percent and electorate == "room":
            raise SpecError(_("a quorum in % needs a known electorate: add --roll, or give a head count (--quorum 25)"))

    majority = None
    if "majority" in opts.values:
        raw = opts.values["majority"].lower()
        try:
            majority = Majority(raw)
        except ValueError:
            names = ", ".join(m.value for m in Majority)
            raise SpecError(_("--majority {rule} is unknown; choose one of {names}").format(
                rule=clipped(raw, 20), names=names)) from None
        if kind == "ranked" or max_choices > 1:
            raise SpecError(_("--majority applies to proposals and single-choice polls"))
        if majority in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40) and kind != "proposal":
            raise SpecError(_("the industrial-action rule applies to Yes / No proposals"))
        if majority.needs_electorate and electorate == "room":
            raise SpecError(NEEDS_ELECTORATE[majority]())
        if card and majority in (Majority.INDUSTRIAL, Majority.INDUSTRIAL_40):
            raise SpecError(_("the industrial-action thresholds count members one by one: drop --card, or choose "
                              "another --majority"))

    proxies = None
    if "proxies" in opts.values:
        raw = opts.values["proxies"]
        if not is_number(raw) or int(raw) < 1:
            raise SpecError(_("--proxies takes a whole number of at least 1: the most proxies one member may hold"))
        if electorate == "room":
            raise SpecError(_("proxies are given between members of a fixed electorate: add --roll (or --branch "
                              "NAME)"))
        proxies = int(raw)

    closes_at = _closes(opts.values.get("closes"), now, tz)

    secret = "secret" in opts.flags
    native = "native" in opts.flags
    if native:
        if secret or ranked:
            raise SpecError(_("native polls show voters to the group: they cannot be secret or ranked"))
        if len(options) > NATIVE_MAX_OPTIONS:
            raise SpecError(_("a native poll has at most {most} options").format(most=NATIVE_MAX_OPTIONS))
        if card:
            raise SpecError(_("a native poll cannot weigh votes: drop --native for a card vote"))
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


def _not_a_time(option: str, raw: str | None) -> None:
    """Refuse RAW, the value of OPTION, which takes a number, if it is written as a deadline:
    ``--multi 2 pm`` is 2 pm (the grammar reads ``6 pm`` as one value, as it does after
    --closes), and "takes a number" would puzzle someone who typed one."""
    if raw is not None and reads_as_time(raw):
        raise SpecError(_("{option} takes a whole number, such as {option} 2, but {value} reads as a time; to set when "
                          "the poll closes, write --closes {time}").format(option="--" + option, value=quoted(raw),
                                                                          time=raw))


NEEDS_ELECTORATE = {
    Majority.ABSOLUTE: lambda: _("an absolute majority needs a known electorate: add --roll"),
    Majority.INDUSTRIAL: lambda: _("an industrial majority needs a known electorate: add --roll"),
    Majority.INDUSTRIAL_40: lambda: _("an industrial-40 majority needs a known electorate: add --roll"),
}


def _quorum_fault(e: QuorumError) -> str:
    """What is wrong with a --quorum, in the reader's language (the counting engine says it in
    English only)."""
    typed = quoted(e.text, 20)
    if e.reason == "percent":
        return _("--quorum {typed}: a percentage is between 1% and 100%").format(typed=typed)
    if e.reason == "whole":
        return _("--quorum {typed}: a head count is a whole number of people; for a share of the electorate "
                 "write e.g. 40%").format(typed=typed)
    if e.reason == "least":
        return _("--quorum {typed}: a head count is at least 1").format(typed=typed)
    if e.reason == "digits":
        return _("--quorum {typed}: a quorum has at most 9 digits before the decimal point and 6 after it; "
                 "write e.g. 33.3%").format(typed=typed)
    return _("--quorum {typed} is not a number; write e.g. 40%, 33.3% or 25").format(typed=typed)


def _closes(text: str | None, now: datetime, tz: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_deadline(text, now, tz)
    except DeadlineError as e:
        raise SpecError(f"--closes: {e}") from None  # the deadline reader's own words


BALLOT = ("Yes", "No", "Abstain")


def parse_ballot(args: str, usage: str, question: str, now: datetime, tz: ZoneInfo) -> PollSpec:
    """The Yes / No / Abstain ballot another feature puts QUESTION to (a motion, an amendment),
    with the options such a ballot takes: --closes, --secret, --roll."""
    try:
        rest, opts = split_options(args, frozenset({"secret", "roll"}), frozenset({"closes"}), usage)
    except GrammarError as e:
        raise SpecError(str(e)) from None
    if rest:
        raise UserError(_("Unexpected {text}. Usage: {usage}").format(text=quoted(rest, 30), usage=usage))
    if len(question) > MAX_QUESTION:
        question = question[: MAX_QUESTION - 3] + "…"
    return PollSpec(question=question, options=BALLOT, kind="proposal",
                    closes_at=_closes(opts.values.get("closes"), now, tz), secret="secret" in opts.flags,
                    electorate="roll" if "roll" in opts.flags else "room")


class ChoiceError(ParseError):
    pass


def said_yes() -> frozenset[str]:
    """The words for yes in the language being written in (the room's in a group, the voter's privately)."""
    # TRANSLATORS: the words a member may type to answer a Yes / No / Abstain question, in your language,
    # lower case, separated by commas (the English words are always accepted too). Several words per
    # answer are welcome, also without diacritics (e.g. "wstrzymuję się, wstrzymuje sie").
    return _words(pgettext("vote words", "yes, for, aye, agree"))


def said_no() -> frozenset[str]:
    return _words(pgettext("vote words", "no, against, nay, disagree"))


def said_abstain() -> frozenset[str]:
    return _words(pgettext("vote words", "abstain, abstention"))


def _is_an_answer(text: str) -> bool:
    """Whether TEXT is a yes, no or abstain in the language being written in."""
    return " ".join(text.casefold().split()) in said_yes() | said_no() | said_abstain()


def _words(listed: str) -> frozenset[str]:
    return frozenset(" ".join(w.casefold().split()) for w in listed.split(",") if w.strip())


def _listing(options: Sequence[str]) -> str:
    return ", ".join(f"{i} {o}" for i, o in enumerate(options, 1))


def _one(token: str, options: Sequence[str]) -> int:
    t = token.strip().casefold()
    if is_number(t):
        n = int(t)
        if 1 <= n <= len(options):
            return n - 1
        raise ChoiceError(_("there is no option {n}; options are {options}").format(n=n, options=_listing(options)))
    folded = [o.casefold() for o in options]
    if t in folded:
        return folded.index(t)
    roles = proposal_roles(options)
    if roles is not None:
        yes, no, abst = roles
        if t in YES_WORDS or t in said_yes():
            return yes
        if t in NO_WORDS or t in said_no():
            return no
        if (t in ABSTAIN_WORDS or t in said_abstain()) and abst is not None:
            return abst
    if len(t) >= 3:
        matches = [i for i, o in enumerate(folded) if o.startswith(t)]
        if len(matches) == 1:
            return matches[0]
    raise ChoiceError(_("no option is called {text}; options are {options}").format(text=quoted(token.strip()),
                                                                                   options=_listing(options)))


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
    elif proposal_roles(options) is not None and _is_an_answer(t):
        chosen = [_one(" ".join(t.split()), options)]  # "o blaid", "wstrzymuję się": one answer in two words
    elif "," in t:
        chosen = [_one(p, options) for p in t.split(",") if p.strip()]
    else:
        chosen = [_one(p, options) for p in t.split()]
    if not chosen:
        listing = _listing(options)
        if ranked:
            how = _("say which option: in order of preference, e.g. 2 1 3; options are {options}")
        else:
            how = _("say which option: e.g. 1, or the option's name; options are {options}")
        if t:
            raise ChoiceError(_("{text} names no option; {how}").format(text=quoted(t),
                                                                       how=how.format(options=listing)))
        raise ChoiceError(how.format(options=listing))
    if len(set(chosen)) != len(chosen):
        raise ChoiceError(_("the same option is named twice; name each option once"))
    limit = len(options) if ranked else max_choices
    if len(chosen) > limit:
        if limit == 1:
            raise ChoiceError(_("choose one option only"))
        raise ChoiceError(ngettext("choose at most {n} option", "choose at most {n} options", limit).format(n=limit))
    roles = proposal_roles(options)
    if not ranked and len(chosen) > 1 and roles is None:
        abst = [i for i in chosen if folded[i] in ABSTAIN_WORDS]
        if abst:
            raise ChoiceError(_("Abstain cannot be combined with other options"))
    return tuple(chosen)


def parse_poll_id(text: str, usage: str) -> tuple[int, str]:
    """Split 'POLL rest' into the poll number and the rest."""
    head, _sep, rest = text.strip().partition(" ")
    digits = head.lstrip("#")
    if not digits:
        raise UserError(_("Say which poll. Usage: {usage}").format(usage=usage))
    if not is_number(digits):
        raise UserError(_("{text} is not a poll number. Usage: {usage}").format(text=quoted(head), usage=usage))
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
        raise UserError(_("Say whose proxy you cast after --for, e.g. --for Ann. Usage: {usage}").format(usage=usage))
    return text[:m.start()].strip(), name
