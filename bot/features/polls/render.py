"""How polls and results read in a chat: one text for every platform (see bot.kernel.markup)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from bot.engines.charts import Bar, BarChart, StageChart, StageWords, figure
from bot.engines.counting.choice import Majority, proposal_roles
from bot.features.polls.model import Poll
from bot.features.polls.reasons import in_words
from bot.features.polls.stages import stage_table
from bot.features.roll.model import branch_name
from bot.kernel.effects import Button, Keyboard
from bot.kernel.language import _, current, ngettext
from bot.kernel.markup import Markup, b, code, i, lines, markup, pre, to_plain
from bot.kernel.wording import number, percent, when

BAR = 10

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


def ballot_text(p: Poll, tz: ZoneInfo, now: datetime, tally: tuple[list[int], int] | None) -> Markup:
    """The poll's message in the room. TALLY is (counts, ballots) when it may be shown."""
    out: list[str] = [markup(_("🗳 {poll}: {question}"), poll=b(_("Poll {id}").format(id=p.id)), question=p.question)]
    rules = describe_rules(p)
    if rules:
        out.append(i(rules))
    for n, option in enumerate(p.options, 1):
        out.append(f"{n}. {option}" + (f" — {number(tally[0][n - 1])}" if tally is not None else ""))
    if tally is not None:
        out.append(_("{n} voted so far").format(n=number(tally[1])))
    if not p.is_open:
        out.append(b(_("Closed.")))
    else:
        if p.closes_at:
            out.append(_("Closes {when} ({zone}).").format(when=when(p.closes_at, tz, now), zone=tz.key))
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


def election_text(poll: Poll, r: dict[str, Any], final: bool) -> Markup:
    head = _("Result — election {id}") if final else _("Count so far — election {id}")
    out: list[str] = [markup(_("📊 {head}: {question}"), head=b(head.format(id=poll.id)), question=poll.question)]
    electorate = r.get("electorate")
    if electorate:
        turnout = _("Ballots: {n} of {electorate}").format(n=number(r["ballots"]), electorate=number(electorate))
    else:
        turnout = _("Ballots: {n}").format(n=number(r["ballots"]))
    out.append(turnout + _by_proxy(r))
    if r["outcome"] == "no votes":
        out.append(b(OUTCOME_TEXT["no votes"]()))
        return lines(*out)
    out.append(pre(stage_table(r["count"]) if "count" in r else _without_title(r["text"], poll.question)))
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


def late_note(p: Poll, tz: ZoneInfo) -> str:
    """Said under a result announced after a deadline the bot slept through."""
    assert p.closes_at is not None
    return "\n" + _(
        "(The deadline was {when}; the bot was offline then, so this result comes late. No vote after the "
        "deadline was accepted.)"
    ).format(when=when(p.closes_at, tz))


def _ranking(p: Poll, chosen: tuple[int, ...] | list[int]) -> str:
    return ", ".join(f"{n}. {p.options[c]}" for n, c in enumerate(chosen, 1))


def confirmation(p: Poll, chosen: tuple[int, ...], until: str) -> str:
    """What a voter is told once their vote is committed (UNTIL: ``changeable_until``)."""
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


def withdrawn(p: Poll, had_vote: bool, tz: ZoneInfo, now: datetime) -> str:
    """The answer to ``/vote POLL withdraw``: whether there was a vote to take back."""
    if not had_vote:
        if p.ranked:
            return _("You have no ranking in poll {id} to withdraw; nothing changed.").format(id=p.id)
        return _("You have no vote in poll {id} to withdraw; nothing changed.").format(id=p.id)
    if p.closes_at:
        until = when(p.closes_at, tz, now)
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


def changeable_until(p: Poll, tz: ZoneInfo, now: datetime) -> str:
    # TRANSLATORS: added at the end of "Your vote in poll 3: Yes", before its full stop.
    if p.closes_at:
        return _(" — you can change it until {when}").format(when=when(p.closes_at, tz, now))
    return _(" — you can change it until the poll closes")


def private_ballot(
    p: Poll, tz: ZoneInfo, now: datetime, draft: list[int] | None = None, done: str | None = None
) -> tuple[Markup, Keyboard]:
    """The ballot in a voter's private chat: buttons to vote, or to rank one press at a time."""
    text = ballot_text(p, tz, now, None)
    if not p.ranked:
        return text, ballot_buttons(p, private_chat=True)
    draft = draft or []
    if done:
        return lines(text, "", done), ()
    if draft:
        text += "\n\n" + _("Your ranking so far: {ranking}").format(ranking=_ranking(p, draft))
    text += "\n" + _("Pick candidates in order of preference, then Confirm — or send /rank {id} followed by option "
                     "numbers in order.").format(id=p.id)
    rows = [(Button(o, data=f"r:{p.id}:{n}"),) for n, o in enumerate(p.options) if n not in draft]
    rows.append((Button(_("Confirm"), data=f"r:{p.id}:ok"), Button(_("Start again"), data=f"r:{p.id}:reset")))
    return text, tuple(rows)


def listing_line(p: Poll, tz: ZoneInfo, now: datetime) -> Markup:
    """One open poll in /polls."""
    if p.closes_at:
        return markup(_("{id}: {question} — closes {when}"), id=b(p.id), question=p.question,
                      when=when(p.closes_at, tz, now))
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
        return _stage_chart(p, r)
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
