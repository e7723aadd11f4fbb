"""How polls and results read in a chat: one text for every platform (see bot.kernel.markup)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from bot.engines.charts import Bar, BarChart, StageChart
from bot.engines.counting.choice import Majority, proposal_roles
from bot.features.polls.model import Poll
from bot.features.roll.model import branch_name
from bot.kernel.effects import Button, Keyboard
from bot.kernel.markup import Markup, b, code, i, lines, markup, pre, to_plain
from bot.kernel.wording import count_of, percent, when

BAR = 10


def describe_rules(p: Poll) -> str:
    bits = []
    if p.ranked:
        bits.append("ranked" + (f", {p.seats} seats" if p.seats > 1 else ""))
    if p.secret and not p.ranked:
        bits.append("secret")
    if p.hidden:
        bits.append("results at close")
    if p.max_choices > 1:
        bits.append(f"choose up to {p.max_choices}")
    if p.card:
        bits.append("card vote")
    if p.quorum:
        bits.append(f"quorum {p.quorum}")
    if p.majority:
        bits.append(f"{p.majority.value} majority")
    if p.electorate_kind == "roll":
        bits.append(f"electorate: the roll ({p.electorate_size})")
    elif p.electorate_kind == "branch":
        bits.append(f"electorate: {branch_name(p.branch or '')} ({p.electorate_size})")
    return " · ".join(bits)


def ballot_text(p: Poll, tz: ZoneInfo, now: datetime, tally: tuple[list[int], int] | None) -> Markup:
    """The poll's message in the room. TALLY is (counts, ballots) when it may be shown."""
    out: list[str] = [markup("🗳 {}: {}", b(f"Poll {p.id}"), p.question)]
    rules = describe_rules(p)
    if rules:
        out.append(i(rules))
    for n, option in enumerate(p.options, 1):
        out.append(f"{n}. {option}" + (f" — {tally[0][n - 1]}" if tally is not None else ""))
    if tally is not None:
        out.append(f"{tally[1]} voted so far")
    if not p.is_open:
        out.append(b("Closed."))
    else:
        if p.closes_at:
            out.append(f"Closes {when(p.closes_at, tz, now)} ({tz.key}).")
        if p.ranked:
            out.append(f"Rank privately: message me /rank {p.id} followed by option numbers in order.")
        elif p.secret:
            out.append(f"Secret ballot: vote privately — message me /vote {p.id} OPTION.")
        else:
            out.append(f"To vote: /vote {p.id} OPTION (number or name).")
    return lines(*out)


def ballot_buttons(p: Poll, private_chat: bool = False) -> Keyboard:
    if not p.is_open:
        return ()
    if p.private_voting and not private_chat:
        return ((Button("Vote privately", start=f"vote-{p.id}"),),)
    if p.ranked:
        return tuple((Button(f"{n}. {o}", data=f"r:{p.id}:{n - 1}"),) for n, o in enumerate(p.options, 1))
    return tuple((Button(o, data=f"v:{p.id}:{n}"),) for n, o in enumerate(p.options))


def _bar(part: int, whole: int) -> str:
    if not whole:
        return "░" * BAR
    filled = (part * BAR * 2 + whole) // (whole * 2)  # rounded half up, exactly
    return "█" * filled + "░" * (BAR - filled)


OUTCOME_TEXT = {
    "passed": "CARRIED",
    "failed": "NOT CARRIED",
    "tie": "TIE",
    "winner": "WINNER",
    "no majority": "NO MAJORITY",
    "not quorate": "NOT QUORATE — no decision",
    "no votes": "NO VOTES CAST",
}


def _listed(items: list[str]) -> str:
    """"Pizza", "Pizza and Soup", "Pizza, Soup and Salad"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def turnout_line(p: Poll, r: dict[str, Any]) -> str:
    """Who took part: against the electorate when it is known. A card vote gives the head
    count and the weight the members carried, since its quorum counts the one and its
    majorities the other."""
    electorate = r.get("electorate")
    if p.card and electorate and r.get("members"):
        members = r["members"]
        return (f"Turnout (card vote): {r['ballots']} of {count_of(members, 'member')} voted "
                f"({percent(r['ballots'], members)}), casting {r['weight']} of {count_of(electorate, 'vote')} "
                f"({percent(r['weight'], electorate)})")
    if electorate:
        unit = " (card vote, weighted)" if p.card else ""
        return f"Turnout: {r['weight']} of {electorate} ({percent(r['weight'], electorate)}){unit}"
    return f"Votes cast: {r['ballots']}"


def outcome_line(p: Poll, r: dict[str, Any]) -> Markup:
    """The decision as a chair announces it: what was decided, then why; a question that
    failed leads with the rule it failed, then the rules it met."""
    outcome = r["outcome"]
    label = OUTCOME_TEXT[outcome]
    reasons: list[str] = list(r["reasons"])
    met: list[str] = list(r.get("met", []))
    winners: list[int] = r["winners"]
    said = ""
    if outcome == "tie":
        roles = proposal_roles(p.options) if p.kind == "proposal" else None
        if roles is not None:
            said = f"{r['counts'][roles[0]]} for, {r['counts'][roles[1]]} against: the question is not decided"
        elif winners:
            votes = count_of(r["counts"][winners[0]], "vote")
            said = f"{_listed([p.options[w] for w in winners])} have {votes} each: no winner"
    elif outcome == "winner" and winners:
        label += f": {p.options[winners[0]]}"
    elif outcome == "no majority" and winners:
        said = f"{p.options[winners[0]]} leads"
    text = "; ".join(part for part in (said, *reasons) if part)
    line = b(label) + (f" — {text}" if text else "")
    if met:
        line += f". Met: {'; '.join(met)}"
    return line


def results_text(p: Poll, r: dict[str, Any], final: bool, names: dict[int, list[str]] | None = None) -> Markup:
    """Results of a choice poll or proposal from its result record (see model.result_of)."""
    head = "Result" if final else "Results so far"
    out: list[str] = [markup("📊 {}: {}", b(f"{head} — poll {p.id}"), p.question)]
    counts: list[int] = r["counts"]
    counted: int = r["counted"]
    abst = r.get("abstain")
    width = max(len(o) for o in p.options)
    rows = []
    for n, option in enumerate(p.options):
        c = counts[n]
        if n == abst and p.max_choices == 1:
            rows.append(f"{option.ljust(width)}  {'':{BAR}}  {c:>5}")
        else:
            rows.append(f"{option.ljust(width)}  {_bar(c, counted)}  {c:>5}  {percent(c, counted)}")
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
    return "" if n is None else f"; {count_of(n, 'ballot')} cast by proxy"


def _without_title(report: str, title: str) -> str:
    """The count's report opens with the election's title, which the message's heading has
    already given: said once is enough."""
    first, sep, rest = report.partition("\n")
    return rest if sep and first.strip() == title.strip() else report


def election_text(poll: Poll, r: dict[str, Any], final: bool) -> Markup:
    head = "Result" if final else "Count so far"
    out: list[str] = [markup("📊 {}: {}", b(f"{head} — election {poll.id}"), poll.question)]
    electorate = r.get("electorate")
    turnout = f"Ballots: {r['ballots']}"
    if electorate:
        turnout += f" of {electorate}"
    out.append(turnout + _by_proxy(r))
    if r["outcome"] == "no votes":
        out.append(b("NO VOTES CAST"))
        return lines(*out)
    out.append(pre(_without_title(r["text"], poll.question)))
    if final:
        out.append(f"The ballots (no names) as a BLT file: /ballots {poll.id}")
    return lines(*out)


def result_text(p: Poll, r: dict[str, Any], final: bool, names: dict[int, list[str]] | None = None) -> Markup:
    """The result of any poll: an election's stage table, or a choice poll's bars."""
    if p.ranked:
        return election_text(p, r, final)
    return results_text(p, r, final, names)


def audit_note(url: str) -> str:
    """Said under a result when the auditor's pages are served: where anyone can check it."""
    return f"\nThe count, for anyone to check: {url}"


def late_note(p: Poll, tz: ZoneInfo) -> str:
    """Said under a result announced after a deadline the bot slept through."""
    assert p.closes_at is not None
    return (
        f"\n(The deadline was {when(p.closes_at, tz)}; the bot was offline then, "
        "so this result comes late. No vote after the deadline was accepted.)"
    )


def confirmation(p: Poll, chosen: tuple[int, ...], until: str) -> str:
    """What a voter is told once their vote is committed."""
    if p.ranked:
        ranking = ", ".join(f"{n}. {p.options[c]}" for n, c in enumerate(chosen, 1))
        return f"Your ranking in poll {p.id}: {ranking}{until}."
    return f"Your vote in poll {p.id}: {', '.join(p.options[c] for c in chosen)}{until}."


def proxy_confirmation(p: Poll, chosen: tuple[int, ...], giver: str, until: str) -> str:
    """What a proxy holder is told once the vote they cast for GIVER is committed."""
    if p.ranked:
        ranking = ", ".join(f"{n}. {p.options[c]}" for n, c in enumerate(chosen, 1))
        return f"Your proxy ranking for {giver} in poll {p.id}: {ranking}{until}."
    return f"Your proxy vote for {giver} in poll {p.id}: {', '.join(p.options[c] for c in chosen)}{until}."


def proxy_given(p: Poll, giver: str) -> Markup:
    """What the holder of a new proxy is told."""
    how = f"/rank {p.id} FIRST SECOND … --for {giver}" if p.ranked else f"/vote {p.id} OPTION --for {giver}"
    where = " privately, here" if p.private_voting else ""
    return markup("{} gives you their proxy in poll {} ({}). Cast their vote{} with {}; they can still vote "
                  "themselves, which cancels it.", giver, b(str(p.id)), p.question, where, code(how))


def withdrawn(p: Poll, had_vote: bool, tz: ZoneInfo, now: datetime) -> str:
    """The answer to ``/vote POLL withdraw``: whether there was a vote to take back."""
    what = "ranking" if p.ranked else "vote"
    if not had_vote:
        return f"You have no {what} in poll {p.id} to withdraw; nothing changed."
    until = when(p.closes_at, tz, now) if p.closes_at else "the poll closes"
    return f"Your {what} in poll {p.id} is withdrawn: it will not be counted. You can vote again until {until}."


def changeable_until(p: Poll, tz: ZoneInfo, now: datetime) -> str:
    if p.closes_at:
        return f" — you can change it until {when(p.closes_at, tz, now)}"
    return " — you can change it until the poll closes"


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
        text += "\n\nYour ranking so far: " + ", ".join(f"{n}. {p.options[c]}" for n, c in enumerate(draft, 1))
    text += (f"\nPick candidates in order of preference, then Confirm — or send /rank {p.id} "
             "followed by option numbers in order.")
    rows = [(Button(o, data=f"r:{p.id}:{n}"),) for n, o in enumerate(p.options) if n not in draft]
    rows.append((Button("Confirm", data=f"r:{p.id}:ok"), Button("Start again", data=f"r:{p.id}:reset")))
    return text, tuple(rows)


def listing_line(p: Poll, tz: ZoneInfo, now: datetime) -> Markup:
    """One open poll in /polls."""
    closes = f" — closes {when(p.closes_at, tz, now)}" if p.closes_at else ""
    return markup("{}: {}{}", b(p.id), p.question, closes)


# -- charts ------------------------------------------------------------------------------------

_LINES = {Majority.SIMPLE: (Fraction(1, 2), "half of the votes cast"),
          Majority.TWO_THIRDS: (Fraction(2, 3), "two-thirds of the votes cast"),
          Majority.INDUSTRIAL: (Fraction(1, 2), "half of the votes cast"),
          Majority.ABSOLUTE: (Fraction(1, 2), "half of the electorate"),
          Majority.INDUSTRIAL_40: (Fraction(2, 5), "40% of the electorate")}


def chart_of(p: Poll, r: dict[str, Any]) -> BarChart | StageChart | None:
    """The chart of a closed poll's result (None when nothing was cast). Bars are shares of the
    votes counted, or of the electorate when the rule that applied is measured against it
    (an absolute majority, the 40% rule); the line is that rule's threshold. A secret ballot's
    chart shows totals only, as its text does: it never had names to show."""
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
        Bar(option, Fraction(c), f"{c}" if n == abst and p.max_choices == 1 else f"{c} ({percent(c, int(scale))})",
            winner=n in winners, muted=n == abst and p.max_choices == 1)
        for n, (option, c) in enumerate(zip(p.options, r["counts"], strict=True))
    )
    threshold, label = _LINES[rule] if rule is not None else (None, "")
    notes = [turnout_line(p, r)]
    if against_electorate:  # the text gives shares of the votes counted; say what the bars measure
        notes.append(f"Bars are shares of the whole electorate ({electorate}), as the rule measures them")
    if p.quorum:
        notes.append(f"Quorum {p.quorum}: {'met' if r.get('quorum_met') else 'not met'}")
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
    seats = count_of(p.seats, "seat")
    notes = (f"{r['ballots']} ballots · {seats} · {_METHOD.get(count['method'], count['method'])}",)
    return StageChart(p.question, tuple(names), tuple(votes), quota, elected, excluded, notes)


_METHOD = {"scottish": "Scottish STV", "meek": "Meek STV", "irv": "instant-runoff"}
