"""How polls and results read in a chat: one text for every platform (see bot.kernel.markup)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from bot.engines.charts import Bar, BarChart, StageChart, StageWords, figure
from bot.engines.counting.choice import Majority, proposal_roles
from bot.features.polls.model import Poll
from bot.features.roll.model import branch_name
from bot.kernel.effects import Button, Keyboard
from bot.kernel.language import Speech, _, current, ngettext, pgettext
from bot.kernel.markup import Markup, b, code, i, lines, markup, pre, to_plain
from bot.kernel.wording import number, percent, when, zoned

BAR = 10
ONE_MESSAGE = 4096
"""The longest text one message holds on every platform (Telegram's, the shortest), in UTF-16
code units. A ballot is edited in place, and an edit changes one message, so a ballot never
needs more (tests/unit/polls/test_ballot_fits.py)."""

# The name of a poll's majority rule, shown among its rules ("secret · two-thirds majority").
MAJORITY_NAMES: dict[Majority, Callable[[], str]] = {
    Majority.SIMPLE: lambda: _("simple majority"),
    Majority.ABSOLUTE: lambda: _("absolute majority"),
    Majority.TWO_THIRDS: lambda: _("two-thirds majority"),
    Majority.INDUSTRIAL: lambda: _("industrial majority"),
    Majority.INDUSTRIAL_40: lambda: _("industrial-40 majority"),
}


def describe_rules(p: Poll) -> str:
    bits = []
    if p.ranked:
        bits.append(ngettext("ranked, {n} seat", "ranked, {n} seats", p.seats).format(n=number(p.seats))
                    if p.seats > 1 else _("ranked"))
    if p.secret and not p.ranked:
        bits.append(_("secret"))
    if p.hidden:
        bits.append(_("results at close"))
    if p.max_choices > 1:
        bits.append(_("choose up to {n}").format(n=number(p.max_choices)))
    if p.card:
        bits.append(_("card vote"))
    if p.quorum:
        bits.append(_("quorum {quorum}").format(quorum=p.quorum))
    if p.majority:
        bits.append(MAJORITY_NAMES[p.majority]())
    if p.electorate_kind == "roll":
        bits.append(_("electorate: the roll ({n})").format(n=number(p.electorate_size or 0)))
    elif p.electorate_kind == "branch":
        bits.append(_("electorate: {branch} ({n})").format(branch=branch_name(p.branch or ""),
                                                          n=number(p.electorate_size or 0)))
    return " · ".join(bits)


def ballot_text(
    p: Poll, tz: ZoneInfo, tally: tuple[list[int], int] | None, *, now: datetime, listed: bool = True
) -> Markup:
    """The poll's message in the room, as of NOW. TALLY is (counts, ballots) when it may be
    shown; without LISTED, the options are left out (a ranking being built names them instead).
    The deadline is named with its day and zone, also when it is today: the ballot announces
    it, it stays on screen, and it may have been typed as a time alone (``--closes 6pm``),
    whose day a member should not guess; and with its year when it is not in NOW's."""
    out: list[str] = [markup(_("🗳 {poll}: {question}"), poll=b(_("Poll {id}").format(id=p.id)), question=p.question)]
    rules = describe_rules(p)
    if rules:
        out.append(i(rules))
    for n, option in enumerate(p.options if listed else (), 1):
        out.append(f"{n}. {option}" + (f" — {number(tally[0][n - 1])}" if tally is not None else ""))
    if tally is not None:
        out.append(_("{n} voted so far").format(n=number(tally[1])))
    if not p.is_open:
        out.append(b(_("Closed.")))
    else:
        if p.closes_at:
            out.append(_("Closes {when}.").format(when=zoned(when(p.closes_at, tz, now, lasting=True), tz)))
        if p.ranked:
            out.append(_("Rank privately: message me /rank {id} followed by option numbers in order.").format(id=p.id))
        elif p.secret:
            out.append(_("Secret ballot: vote privately — message me /vote {id} OPTION.").format(id=p.id))
        else:
            out.append(_("To vote: /vote {id} OPTION (number or name).").format(id=p.id))
    return lines(*out)


def ballot_buttons(p: Poll, private_chat: bool = False) -> Keyboard:
    if not p.is_open:
        return ()
    if p.private_voting and not private_chat:
        return ((Button(_("Vote privately"), start=f"vote-{p.id}"),),)
    if p.ranked:
        return tuple((Button(f"{n}. {o}", data=f"r:{p.id}:{n - 1}"),) for n, o in enumerate(p.options, 1))
    return tuple((Button(o, data=f"v:{p.id}:{n}"),) for n, o in enumerate(p.options))


def _bar(part: int, whole: int) -> str:
    if not whole:
        return "░" * BAR
    filled = (part * BAR * 2 + whole) // (whole * 2)  # rounded half up, exactly
    return "█" * filled + "░" * (BAR - filled)


# A poll's outcome as a chair announces it, in capitals.
OUTCOME_TEXT: dict[str, Callable[[], str]] = {
    "passed": lambda: _("CARRIED"),
    "failed": lambda: _("NOT CARRIED"),
    "tie": lambda: _("TIE"),
    "winner": lambda: _("WINNER"),
    "no majority": lambda: _("NO MAJORITY"),
    "not quorate": lambda: _("NOT QUORATE — no decision"),
    "no votes": lambda: _("NO VOTES CAST"),
}


def _listed(items: list[str]) -> str:
    """"Pizza", "Pizza and Soup", "Pizza, Soup and Salad"."""
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _votes(n: int) -> str:
    # TRANSLATORS: a number of votes, used inside other sentences ("Ann and Bob have 3 votes each").
    return ngettext("{n} vote", "{n} votes", n).format(n=number(n))


def turnout_line(p: Poll, r: dict[str, Any]) -> str:
    """Who took part: against the electorate when it is known. A card vote gives the head
    count and the weight the members carried, since its quorum counts the one and its
    majorities the other."""
    electorate = r.get("electorate")
    if p.card and electorate and r.get("members"):
        members = r["members"]
        return ngettext(
            "Turnout (card vote): {ballots} of {members} member voted ({share}), casting {weight} of {votes} "
            "({weight_share})",
            "Turnout (card vote): {ballots} of {members} members voted ({share}), casting {weight} of {votes} "
            "({weight_share})", members,
        ).format(ballots=number(r["ballots"]), members=number(members), share=percent(r["ballots"], members),
                 weight=number(r["weight"]), votes=_votes(electorate), weight_share=percent(r["weight"], electorate))
    if electorate:
        if p.card:
            return _("Turnout: {n} of {electorate} ({share}) (card vote, weighted)").format(
                n=number(r["weight"]), electorate=number(electorate), share=percent(r["weight"], electorate))
        return _("Turnout: {n} of {electorate} ({share})").format(
            n=number(r["weight"]), electorate=number(electorate), share=percent(r["weight"], electorate))
    return _("Votes cast: {n}").format(n=number(r["ballots"]))


def outcome_line(p: Poll, r: dict[str, Any]) -> Markup:
    """The decision as a chair announces it: what was decided, then why; a question that
    failed leads with the rule it failed, then the rules it met."""
    outcome = r["outcome"]
    label = OUTCOME_TEXT[outcome]()
    if outcome == "no votes" and r.get("ballots"):  # votes were cast, every one an abstention
        label = _("NO WINNER")
    reasons: list[str] = [in_words(reason) for reason in r["reasons"]]
    met: list[str] = [in_words(reason) for reason in r.get("met", [])]
    winners: list[int] = r["winners"]
    said = ""
    if outcome == "tie":
        roles = proposal_roles(p.options) if p.kind == "proposal" else None
        if roles is not None:
            said = _("{yes} for, {no} against: the question is not decided").format(
                yes=number(r["counts"][roles[0]]), no=number(r["counts"][roles[1]]))
        elif winners:
            said = _("{options} have {votes} each: no winner").format(
                options=_listed([p.options[w] for w in winners]), votes=_votes(r["counts"][winners[0]]))
    elif outcome == "winner" and winners:
        label = _("{outcome}: {option}").format(outcome=label, option=p.options[winners[0]])
    elif outcome == "no majority" and winners:
        said = _("{option} leads").format(option=p.options[winners[0]])
    text = "; ".join(part for part in (said, *reasons) if part)
    line = b(label) + (f" — {text}" if text else "")
    if met:
        line += _(". Met: {rules}").format(rules="; ".join(met))
    return line


def results_text(p: Poll, r: dict[str, Any], final: bool, names: dict[int, list[str]] | None = None) -> Markup:
    """Results of a choice poll or proposal from its result record (see model.result_of)."""
    head = _("Result — poll {id}") if final else _("Results so far — poll {id}")
    out: list[str] = [markup(_("📊 {head}: {question}"), head=b(head.format(id=p.id)), question=p.question)]
    counts: list[int] = r["counts"]
    counted: int = r["counted"]
    abst = r.get("abstain")
    width = max(len(o) for o in p.options)
    rows = []
    for n, option in enumerate(p.options):
        c = number(counts[n])
        if n == abst and p.max_choices == 1:
            rows.append(f"{option.ljust(width)}  {'':{BAR}}  {c:>5}")
        else:
            rows.append(f"{option.ljust(width)}  {_bar(counts[n], counted)}  {c:>5}  {percent(counts[n], counted)}")
    out.append(pre("\n".join(rows)))
    out.append(turnout_line(p, r) + _by_proxy(r))
    if final:
        out.append(outcome_line(p, r))
    if names:
        for n, option in enumerate(p.options):
            who = names.get(n)
            if who:
                out.append(f"{option}: {', '.join(sorted(who))}")
    return lines(*out)


def _by_proxy(r: dict[str, Any]) -> str:
    """How many of the ballots were cast by proxy, where the poll takes proxies."""
    n = r.get("proxy_votes")
    if n is None:
        return ""
    # TRANSLATORS: added after a poll's turnout ("Turnout: 5 of 9 (55.6%); 2 ballots cast by proxy").
    return ngettext("; {n} ballot cast by proxy", "; {n} ballots cast by proxy", n).format(n=number(n))


def _without_title(report: str, title: str) -> str:
    """The count's report opens with the election's title, which the message's heading has
    already given: said once is enough."""
    first, sep, rest = report.partition("\n")
    return rest if sep and first.strip() == title.strip() else report


def election_turnout(poll: Poll, r: dict[str, Any]) -> str:
    """Who took part in an election: ballots of the electorate, or, in a card vote, the members
    who voted of those entitled to and the weight they cast of the whole, as a card poll says it
    (its electorate is a weight, which a head count is never measured against)."""
    electorate = r.get("electorate")
    if poll.card and electorate and poll.electorate_size:
        return turnout_line(poll, {**r, "members": r.get("members") or poll.electorate_size})
    if electorate:
        return _("Ballots: {n} of {electorate}").format(n=number(r["ballots"]), electorate=number(electorate))
    return _("Ballots: {n}").format(n=number(r["ballots"]))


def election_text(poll: Poll, r: dict[str, Any], final: bool) -> Markup:
    head = _("Result — election {id}") if final else _("Count so far — election {id}")
    out: list[str] = [markup(_("📊 {head}: {question}"), head=b(head.format(id=poll.id)), question=poll.question)]
    out.append(election_turnout(poll, r) + _by_proxy(r))
    if r["outcome"] == "no votes":
        out.append(b(OUTCOME_TEXT["no votes"]()))
        return lines(*out)
    reasons = [in_words(reason) for reason in r.get("reasons", [])]
    if r["outcome"] == "not quorate":  # nothing was counted, so no stage table names a winner
        out.append(b(OUTCOME_TEXT["not quorate"]()) + "".join(f" — {reason}" for reason in reasons))
    else:
        out.append(pre(stage_table(r["count"]) if "count" in r else _without_title(r["text"], poll.question)))
        out += [reason[:1].upper() + reason[1:] for reason in reasons]  # the quorum, met
    if final:
        out.append(_("The ballots (no names) as a BLT file: /ballots {id}").format(id=poll.id))
    return lines(*out)


def result_text(p: Poll, r: dict[str, Any], final: bool, names: dict[int, list[str]] | None = None) -> Markup:
    """The result of any poll: an election's stage table, or a choice poll's bars."""
    if p.ranked:
        return election_text(p, r, final)
    return results_text(p, r, final, names)


def audit_note(url: str) -> str:
    """Said under a result when the auditor's pages are served: where anyone can check it."""
    return "\n" + _("The count, for anyone to check: {url}").format(url=url)


def late_note(p: Poll, tz: ZoneInfo, now: datetime) -> str:
    """Said under a result announced after a deadline the bot slept through."""
    assert p.closes_at is not None
    return "\n" + _(
        "(The deadline was {when}; the bot was offline then, so this result comes late. No vote after the "
        "deadline was accepted.)"
    ).format(when=zoned(when(p.closes_at, tz, now, lasting=True), tz))


def _ranking(p: Poll, chosen: tuple[int, ...] | list[int]) -> str:
    return ", ".join(f"{n}. {p.options[c]}" for n, c in enumerate(chosen, 1))


_CONFIRMATIONS: dict[tuple[int, tuple[int, ...], str, int], tuple[Poll, Speech, str]] = {}
_CONFIRMATIONS_KEPT = 4096


def confirmation(p: Poll, chosen: tuple[int, ...], until: str) -> str:
    """What a voter is told once their vote is committed (UNTIL: ``changeable_until``).

    In a burst most voters of a poll are told one of a few answers, so each is kept, for this
    very Poll (a changed poll is another object) in this very language, rather than rendered
    again for every vote; the few thousand kept are forgotten all at once."""
    speech = current()
    key = (id(p), chosen, until, id(speech))
    kept = _CONFIRMATIONS.get(key)
    if kept is not None and kept[0] is p and kept[1] is speech:
        return kept[2]
    if len(_CONFIRMATIONS) >= _CONFIRMATIONS_KEPT:
        _CONFIRMATIONS.clear()
    text = _confirmation(p, chosen, until)
    _CONFIRMATIONS[key] = (p, speech, text)  # P and SPEECH held: their ids name no other object meanwhile
    return text


def _confirmation(p: Poll, chosen: tuple[int, ...], until: str) -> str:
    if p.ranked:
        return _("Your ranking in poll {id}: {ranking}{until}.").format(id=p.id, ranking=_ranking(p, chosen),
                                                                      until=until)
    return _("Your vote in poll {id}: {choices}{until}.").format(
        id=p.id, choices=", ".join(p.options[c] for c in chosen), until=until)


def proxy_confirmation(p: Poll, chosen: tuple[int, ...], giver: str, until: str) -> str:
    """What a proxy holder is told once the vote they cast for GIVER is committed."""
    if p.ranked:
        return _("Your proxy ranking for {giver} in poll {id}: {ranking}{until}.").format(
            giver=giver, id=p.id, ranking=_ranking(p, chosen), until=until)
    return _("Your proxy vote for {giver} in poll {id}: {choices}{until}.").format(
        giver=giver, id=p.id, choices=", ".join(p.options[c] for c in chosen), until=until)


def proxy_given(p: Poll, giver: str) -> Markup:
    """What the holder of a new proxy is told (in the holder's language)."""
    how = f"/rank {p.id} FIRST SECOND … --for {giver}" if p.ranked else f"/vote {p.id} OPTION --for {giver}"
    if p.private_voting:
        template = _("{giver} gives you their proxy in poll {id} ({question}). Cast their vote privately, here, "
                     "with {how}; they can still vote themselves, which cancels it.")
    else:
        template = _("{giver} gives you their proxy in poll {id} ({question}). Cast their vote with {how}; they "
                     "can still vote themselves, which cancels it.")
    return markup(template, giver=giver, id=b(str(p.id)), question=p.question, how=code(how))


def proxy_revoked(p: Poll, giver: str) -> Markup:
    """What the holder of a proxy is told when its giver takes it back (in the holder's language)."""
    return markup(_("{giver} took back the proxy they gave you in poll {id} ({question}): you no longer vote for "
                    "them."), giver=giver, id=b(str(p.id)), question=p.question)


def proxy_cancelled(p: Poll, giver: str, cast: bool) -> Markup:
    """What the holder of a proxy is told when its giver votes themselves, which cancels it (and
    replaces the vote the holder CAST for them, if they had)."""
    if cast:
        template = _("{giver} voted in poll {id} ({question}) themselves: their vote replaces the one you cast for "
                     "them, and the proxy they gave you is cancelled.")
    else:
        template = _("{giver} voted in poll {id} ({question}) themselves, which cancels the proxy they gave you.")
    return markup(template, giver=giver, id=b(str(p.id)), question=p.question)


def withdrawn(p: Poll, had_vote: bool, tz: ZoneInfo, now: datetime) -> str:
    """The answer to ``/vote POLL withdraw``: whether there was a vote to take back."""
    if not had_vote:
        if p.ranked:
            return _("You have no ranking in poll {id} to withdraw; nothing changed.").format(id=p.id)
        return _("You have no vote in poll {id} to withdraw; nothing changed.").format(id=p.id)
    if p.closes_at:
        until = zoned(when(p.closes_at, tz, now), tz)
        if p.ranked:
            return _("Your ranking in poll {id} is withdrawn: it will not be counted. You can vote again until "
                     "{until}.").format(id=p.id, until=until)
        return _("Your vote in poll {id} is withdrawn: it will not be counted. You can vote again until "
                 "{until}.").format(id=p.id, until=until)
    if p.ranked:
        return _("Your ranking in poll {id} is withdrawn: it will not be counted. You can vote again until the "
                 "poll closes.").format(id=p.id)
    return _("Your vote in poll {id} is withdrawn: it will not be counted. You can vote again until the poll "
             "closes.").format(id=p.id)


def changeable_until(p: Poll, tz: ZoneInfo, now: Callable[[], datetime]) -> str:
    """Until when a vote in P can be changed, the clock (NOW) read only for a deadline: every
    vote's answer ends with it, and most polls have none."""
    # TRANSLATORS: added at the end of "Your vote in poll 3: Yes", before its full stop.
    if p.closes_at:
        return _(" — you can change it until {when}").format(when=zoned(when(p.closes_at, tz, now()), tz))
    return _(" — you can change it until the poll closes")


def private_ballot(
    p: Poll, tz: ZoneInfo, draft: list[int] | None = None, done: str | None = None, *, now: datetime
) -> tuple[Markup, Keyboard]:
    """The ballot in a voter's private chat: buttons to vote, or to rank one press at a time."""
    text = ballot_text(p, tz, None, now=now)
    if not p.ranked:
        return text, ballot_buttons(p, private_chat=True)
    draft = draft or []
    text = _ranked_private(p, text, draft, done)
    if _units(text) > ONE_MESSAGE:  # long names ranked: they are named once, in the ranking
        text = _ranked_private(p, ballot_text(p, tz, None, now=now, listed=False), draft, done)
    if done:
        return text, ()
    rows = [(Button(o, data=f"r:{p.id}:{n}"),) for n, o in enumerate(p.options) if n not in draft]
    rows.append((Button(_("Confirm"), data=f"r:{p.id}:ok"), Button(_("Start again"), data=f"r:{p.id}:reset")))
    return text, tuple(rows)


def _ranked_private(p: Poll, ballot: Markup, draft: list[int], done: str | None) -> Markup:
    if done:
        return lines(ballot, "", done)
    text = ballot
    if draft:
        text += "\n\n" + _("Your ranking so far: {ranking}").format(ranking=_ranking(p, draft))
    text += "\n" + _("Pick candidates in order of preference, then Confirm — or send /rank {id} followed by option "
                     "numbers in order.").format(id=p.id)
    return text


def _units(text: str) -> int:
    """TEXT's length as the shortest limit counts it: UTF-16 code units of what is shown."""
    return len(to_plain(text).encode("utf-16-le")) // 2


def listing_line(p: Poll, tz: ZoneInfo, now: datetime) -> Markup:
    """One open poll in /polls."""
    if p.closes_at:
        return markup(_("{id}: {question} — closes {when}"), id=b(p.id), question=p.question,
                      when=zoned(when(p.closes_at, tz, now), tz))
    return markup(_("{id}: {question}"), id=b(p.id), question=p.question)


# -- charts ------------------------------------------------------------------------------------

# A chart's threshold line: the share the rule that applied needs, and its label.
_LINES: dict[Majority, tuple[Fraction, Callable[[], str]]] = {
    Majority.SIMPLE: (Fraction(1, 2), lambda: _("half of the votes cast")),
    Majority.TWO_THIRDS: (Fraction(2, 3), lambda: _("two-thirds of the votes cast")),
    Majority.INDUSTRIAL: (Fraction(1, 2), lambda: _("half of the votes cast")),
    Majority.ABSOLUTE: (Fraction(1, 2), lambda: _("half of the electorate")),
    Majority.INDUSTRIAL_40: (Fraction(2, 5), lambda: _("40% of the electorate")),
}


def chart_of(p: Poll, r: dict[str, Any]) -> BarChart | StageChart | None:
    """The chart of a closed poll's result (None when nothing was cast), every word on it in the
    language being written in. Bars are shares of the votes counted, or of the electorate when
    the rule that applied is measured against it (an absolute majority, the 40% rule); the line
    is that rule's threshold. A secret ballot's chart shows totals only, as its text does: it
    never had names to show."""
    if r["outcome"] == "no votes":
        return None
    if p.ranked:
        return _stage_chart(p, r) if "count" in r else None  # an election not quorate is not counted
    rule = p.majority or (Majority.SIMPLE if p.kind == "proposal" else None)
    counted, electorate = r["counted"], r.get("electorate")
    against_electorate = rule in (Majority.ABSOLUTE, Majority.INDUSTRIAL_40) and bool(electorate)
    scale = Fraction(electorate if against_electorate else counted or 1)
    winners, abst = set(r["winners"]), r.get("abstain")
    bars = tuple(
        Bar(option, Fraction(c),
            number(c) if n == abst and p.max_choices == 1
            else _("{n} ({share})").format(n=number(c), share=percent(c, int(scale))),
            winner=n in winners, muted=n == abst and p.max_choices == 1)
        for n, (option, c) in enumerate(zip(p.options, r["counts"], strict=True))
    )
    threshold, label = (_LINES[rule][0], _LINES[rule][1]()) if rule is not None else (None, "")
    notes = [turnout_line(p, r)]
    if against_electorate:  # the text gives shares of the votes counted; say what the bars measure
        notes.append(_("Bars are shares of the whole electorate ({n}), as the rule measures them").format(
            n=number(electorate)))
    if p.quorum:
        if r.get("quorum_met"):
            notes.append(_("Quorum {quorum}: met").format(quorum=p.quorum))
        else:
            notes.append(_("Quorum {quorum}: not met").format(quorum=p.quorum))
    return BarChart(p.question, bars, scale, to_plain(outcome_line(p, r)), tuple(notes), threshold, label,
                    r["outcome"] == "tie")


def _stage_chart(p: Poll, r: dict[str, Any]) -> StageChart:
    count = r["count"]
    names = [c for c in count["candidates"] if c not in count["withdrawn"]]
    elected: dict[int, int] = {}
    excluded: dict[int, int] = {}
    for stage in count["stages"]:
        for e in stage["elected"]:
            elected.setdefault(names.index(e["candidate"]), stage["stage"])
        for e in stage["excluded"]:
            excluded.setdefault(names.index(e["candidate"]), stage["stage"])
    votes = []
    for k, name in enumerate(names):
        out_at = excluded.get(k)
        votes.append(tuple(
            None if (out_at is not None and stage["stage"] > out_at) or stage["votes"].get(name) is None
            else Fraction(Decimal(stage["votes"][name]))
            for stage in count["stages"]
        ))
    quota = Fraction(Decimal(count["quota"])) if count.get("quota") else None
    ballots = ngettext("{n} ballot", "{n} ballots", r["ballots"]).format(n=number(r["ballots"]))
    seats = ngettext("{n} seat", "{n} seats", p.seats).format(n=number(p.seats))
    method = _METHOD[count["method"]]() if count["method"] in _METHOD else count["method"]
    notes = (f"{ballots} · {seats} · {method}",)
    words = StageWords(
        elected=_("✓ elected, stage {stage}"), excluded=_("✗ excluded, stage {stage}"),
        quota=_("quota {quota}"), stages=_("stages, top to bottom"), figure=_figure_in_words)
    return StageChart(p.question, tuple(names), tuple(votes), quota, elected, excluded, notes, words)


def _figure_in_words(value: Fraction) -> str:
    """An exact figure of the count (a quota, a candidate's votes) as the language writes it."""
    if value.denominator == 1:
        return number(value.numerator)
    return current().number(Decimal(figure(value)), len(figure(value).partition(".")[2]))


_METHOD: dict[str, Callable[[], str]] = {"scottish": lambda: _("Scottish STV"), "meek": lambda: _("Meek STV"),
                                         "irv": lambda: _("instant-runoff")}


# -- why a poll was decided as it was -------------------------------------------------------------
# The counting engine (bot/engines/counting/choice.py) is pure and shared with the command line,
# so it states each rule it measured in English, with its figures ("more for than against (7 for,
# 3 against)"), and a closed poll's result keeps those sentences as they were at the close. A
# member reads them here: each of the engine's sentences is recognised with its figures and said
# again in the language being written in, the figures written as that language writes them. A
# sentence not known here is shown as the engine wrote it (tests/unit/polls checks that
# every sentence the engine can write is known).

_CARD = " (a quorum counts people, not card votes)"
_FIGURE = re.compile(r"[0-9][0-9.%]*")


def _said(english: str, translated: Callable[[], str]) -> tuple[str, Callable[[], str]]:
    """The engine's sentence ENGLISH (with its {fields}), and how it reads translated."""
    return english, translated


def _figures(english: str, text: str) -> dict[str, str] | None:
    """The figures TEXT gives for the {fields} of ENGLISH, if TEXT is that sentence."""
    parts = list(Formatter().parse(english))
    figures: dict[str, str] = {}
    at = 0
    for k, (literal, field, _spec, _conversion) in enumerate(parts):
        if not text.startswith(literal, at):
            return None
        at += len(literal)
        if field is None:
            continue
        after = parts[k + 1][0] if k + 1 < len(parts) else ""
        end = text.find(after, at) if after else len(text)
        if end <= at or not _FIGURE.fullmatch(text[at:end]):
            return None
        figures[field] = text[at:end]
        at = end
    return figures if at == len(text) else None


_SENTENCES = [
    _said("quorum {quorum} met: {ballots} of {heads} voted",
          lambda: _("quorum {quorum} met: {ballots} of {heads} voted")),
    _said("quorum {quorum} not met: {ballots} of {heads} voted, {need} needed",
          lambda: _("quorum {quorum} not met: {ballots} of {heads} voted, {need} needed")),
    _said("quorum {quorum} met: {ballots} voted", lambda: _("quorum {quorum} met: {ballots} voted")),
    _said("quorum {quorum} not met: {ballots} voted", lambda: _("quorum {quorum} not met: {ballots} voted")),
    _said("more for than against ({yes} for, {no} against)",
          lambda: _("more for than against ({yes} for, {no} against)")),
    _said("more against than for ({yes} for, {no} against)",
          lambda: _("more against than for ({yes} for, {no} against)")),
    _said("not more for than against ({yes} for, {no} against)",
          lambda: _("not more for than against ({yes} for, {no} against)")),
    _said("more than half of the electorate for ({yes} of {electorate})",
          lambda: _("more than half of the electorate for ({yes} of {electorate})")),
    _said("not more than half of the electorate for ({yes} of {electorate}, {need} needed)",
          lambda: _("not more than half of the electorate for ({yes} of {electorate}, {need} needed)")),
    _said("at least two-thirds of the votes cast for ({yes} of {counted})",
          lambda: _("at least two-thirds of the votes cast for ({yes} of {counted})")),
    _said("less than two-thirds of the votes cast for ({yes} of {counted}, {need} needed)",
          lambda: _("less than two-thirds of the votes cast for ({yes} of {counted}, {need} needed)")),
    _said("turnout at least 50% of the electorate ({ballots} of {electorate})",
          lambda: _("turnout at least 50% of the electorate ({ballots} of {electorate})")),
    _said("turnout below 50% of the electorate ({ballots} of {electorate}, {need} needed)",
          lambda: _("turnout below 50% of the electorate ({ballots} of {electorate}, {need} needed)")),
    _said("at least 40% of the electorate for ({yes} of {electorate})",
          lambda: _("at least 40% of the electorate for ({yes} of {electorate})")),
    _said("less than 40% of the electorate for ({yes} of {electorate}, {need} needed)",
          lambda: _("less than 40% of the electorate for ({yes} of {electorate}, {need} needed)")),
    _said("more than half of the votes cast ({top} of {counted})",
          lambda: _("more than half of the votes cast ({top} of {counted})")),
    _said("not more than half of the votes cast ({top} of {counted}, {need} needed)",
          lambda: _("not more than half of the votes cast ({top} of {counted}, {need} needed)")),
    _said("at least two-thirds of the votes cast ({top} of {counted})",
          lambda: _("at least two-thirds of the votes cast ({top} of {counted})")),
    _said("less than two-thirds of the votes cast ({top} of {counted}, {need} needed)",
          lambda: _("less than two-thirds of the votes cast ({top} of {counted}, {need} needed)")),
    _said("nobody voted for or against ({abstained} abstained)",
          lambda: _("nobody voted for or against ({abstained} abstained)")),
    _said("no votes for any option ({abstained} abstained)",
          lambda: _("no votes for any option ({abstained} abstained)")),
    _said("more than half of the electorate ({top} of {electorate})",
          lambda: _("more than half of the electorate ({top} of {electorate})")),
    _said("not more than half of the electorate ({top} of {electorate}, {need} needed)",
          lambda: _("not more than half of the electorate ({top} of {electorate}, {need} needed)")),
]


def known(reason: str) -> bool:
    """Whether REASON, as the engine wrote it, is one this module says again."""
    bare = reason.removesuffix(_CARD)
    return any(_figures(english, bare) is not None for english, _translated in _SENTENCES)


def in_words(reason: str) -> str:
    """REASON, one of the engine's sentences, in the language being written in."""
    card = reason.endswith(_CARD)
    bare = reason.removesuffix(_CARD)
    for english, translated in _SENTENCES:
        found = _figures(english, bare)
        if found is None:
            continue
        figures = {k: v if k == "quorum" or not v.isdigit() else number(int(v)) for k, v in found.items()}
        said = translated().format(**figures)
        if card:
            said += " " + _("(a quorum counts people, not card votes)")
        return said
    return reason


# -- an election's stage table --------------------------------------------------------------------
# The counting engine writes its own table (bot/engines/counting/render.py ``to_text``) for the
# ``quorum count`` command line and the auditor, in English; it stays pure and knows no catalogue.
# An election's result message is built here instead, from the count's record (``to_dict``, kept
# with the result): the same table, figure for figure, with its words (stage, quota, surplus,
# exclusion, elected, tie…) and its decimal sign in the reader's language. In English it reads as
# the engine's own (tests/unit/polls/test_stage_table.py holds the two together).

_NOTE_FILLED = re.compile(r"^only (\d+) of (\d+) seats? could be filled$")
_NOTE_ITERATIONS = re.compile(r"^(\d+) iterations?$")
_TIE_STAGE = re.compile(r"^stage (\d+)$")


def _method(method: str) -> str:
    if method == "scottish":
        return _("Scottish STV (SSI 2007/42)")
    if method == "meek":
        return _("Meek STV (NZ rules)")
    if method == "irv":
        return _("Instant-runoff")
    return method


def _short(value: str | None) -> str:
    """A figure of the count (a decimal string) with trailing zeros dropped, and the decimal sign
    of the language being written in."""
    if value is None:
        return "-"
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text or "0"
    if "." in text:
        sign = current().number(Decimal("1.5"), 1).strip("15") or "."
        text = text.replace(".", sign)
    return text


def _stage(n: int) -> str:
    # TRANSLATORS: a stage of the count in the stage table (S1, S2…): a column heading, kept short.
    return _("S{n}").format(n=n)


def _action(stage: dict[str, Any]) -> str:
    action, who = stage["action"], stage["candidate"]
    if action == "first preferences":
        return pgettext("count", "first preferences")
    if action == "surplus" and who:
        return pgettext("count", "surplus of {candidate}").format(candidate=who)
    if action == "exclusion" and who:
        return pgettext("count", "exclusion of {candidate}").format(candidate=who)
    if action == "iteration":
        return pgettext("count", "iteration")
    return action + (f" of {who}" if who else "")


def _purpose(purpose: str) -> str:
    if purpose == "exclusion":
        return pgettext("tie", "exclusion")
    if purpose == "surplus order":
        return pgettext("tie", "surplus order")
    if purpose == "election order":
        return pgettext("tie", "election order")
    return purpose


def _broken_by(method: str) -> str:
    if method == "lot":
        return pgettext("tie", "lot")
    m = _TIE_STAGE.match(method)
    if m:
        return pgettext("tie", "stage {n}").format(n=m.group(1))
    return method


def _note(note: str) -> str:
    m = _NOTE_FILLED.match(note)
    if m:
        filled, seats = int(m.group(1)), int(m.group(2))
        return ngettext("only {filled} of {seats} seat could be filled",
                        "only {filled} of {seats} seats could be filled", seats).format(filled=filled, seats=seats)
    return note


def _iterations(note: str) -> str:
    m = _NOTE_ITERATIONS.match(note)
    if m:
        n = int(m.group(1))
        return ngettext("{n} iteration", "{n} iterations", n).format(n=n)
    return note


def stage_table(count: dict[str, Any]) -> str:
    """COUNT (the engine's ``to_dict``) as a table, candidates down and stages across, then one
    line per stage: what the engine's ``to_text`` says, without the title, in the reader's words."""
    stages: list[dict[str, Any]] = count["stages"]
    names = [c for c in count["candidates"] if c not in count["withdrawn"]]
    irv = count["method"] == "irv"
    lines = []
    thresholds = [s["threshold"] for s in stages]
    fixed = len({None if t is None else Decimal(t) for t in thresholds}) == 1 and thresholds[0] is not None
    seats = ngettext("{n} seat", "{n} seats", count["seats"]).format(n=count["seats"])
    if fixed and irv:
        heading = _("{method}: {seats}, valid {valid}, majority {threshold}")
    elif fixed:
        heading = _("{method}: {seats}, valid {valid}, quota {threshold}")
    else:
        heading = _("{method}: {seats}, valid {valid}")
    lines.append(heading.format(method=_method(count["method"]), seats=seats, valid=_short(count["valid"]),
                                threshold=_short(thresholds[0]) if fixed else ""))
    cells = [[_short(s["votes"][n]) for s in stages] for n in names]
    extra = {_("Non-transferable"): [_short(s["non_transferable"]) for s in stages]}
    if any(s["loss_by_truncation"] and Decimal(s["loss_by_truncation"]) for s in stages):
        # TRANSLATORS: a row of the stage table under "Non-transferable", indented by one space.
        extra[_(" of which truncation")] = [_short(s["loss_by_truncation"]) for s in stages]
    if not fixed:
        extra[_("Majority") if irv else _("Quota")] = [_short(t) for t in thresholds]
    width = min(max(len(n) for n in [*names, *extra]), 28)
    col = max([len(c) for row in cells + list(extra.values()) for c in row] + [3])
    header = " " * width + "".join(f" {_stage(s['stage']):>{col}}" for s in stages)
    lines.append(header)
    for name, row in [*zip(names, cells, strict=True), *extra.items()]:
        label = name if len(name) <= width else name[: width - 1] + "…"
        lines.append(f"{label:<{width}}" + "".join(f" {c:>{col}}" for c in row))
    for s in stages:
        parts = [f"{_stage(s['stage'])} {_action(s)}"]
        if s["transfer_values"]:
            parts.append(_("transfer value {values}").format(
                values=", ".join(_short(tv["transfer_value"]) for tv in s["transfer_values"])))
        later = [e["candidate"] for e in s["excluded"] if e["candidate"] != s["candidate"]]
        if later:
            parts.append(_("then excluded {names} without transfer (rule 52)").format(names=", ".join(later)))
        if s["elected"]:
            parts.append(_("elected {names}").format(names=", ".join(e["candidate"] for e in s["elected"])))
        for t in s["ties"]:
            parts.append(_("tie ({purpose}) {candidates}: {chosen} by {method}").format(
                purpose=_purpose(t["purpose"]), candidates=" / ".join(t["candidates"]), chosen=t["chosen"],
                method=_broken_by(t["broken_by"])))
        if s["note"] and count["method"] == "meek":
            parts.append(_iterations(s["note"].split(";")[0]))
        lines.append("; ".join(parts))
    elected = count["elected"]
    lines.append(_("Elected: {names}").format(names=", ".join(elected)) if elected else _("Elected: nobody"))
    lines += [_note(note) for note in count["notes"]]
    return "\n".join(lines)


def too_few_for_secrecy(poll: Poll) -> str:
    """The warning, said once to whoever opened POLL (by /poll, a motion's or amendment's vote,
    or a trigger that fired), that its electorate is too small for its ballot to stay secret:
    not a refusal, since a committee of two may want the ballot's form all the same."""
    n = poll.electorate_size or 0
    return ngettext(
        "⚠️ Poll {id} is a secret ballot, but only {n} member may vote in it: its result will show everyone how "
        "they voted. It is open all the same; /close {id} ends it if that matters.",
        "⚠️ Poll {id} is a secret ballot, but only {n} members may vote in it: from its result each can tell how "
        "the other voted, and everyone can if they agree. It is open all the same; /close {id} ends it if that "
        "matters.", n).format(id=poll.id, n=number(n))
