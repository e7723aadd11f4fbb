"""How polls and results read in a chat: one text for every platform (see bot.kernel.markup)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.kernel.effects import Button, Keyboard
from bot.kernel.markup import b, esc, i, pre
from bot.poll import Poll

BAR = 10


def percent(part: int, whole: int) -> str:
    if not whole:
        return "–"
    value = Decimal(part * 100) / Decimal(whole)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def when(t: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    local = t.astimezone(tz)
    if now is not None and local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


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
        bits.append(f"electorate: {p.branch} branch ({p.electorate_size})")
    return " · ".join(bits)


def ballot_text(p: Poll, tz: ZoneInfo, now: datetime, tally: tuple[list[int], int] | None) -> str:
    """The poll's message in the room. TALLY is (counts, ballots) when it may be shown."""
    lines = [f"🗳 {b(f'Poll {p.id}')}: {esc(p.question)}"]
    rules = describe_rules(p)
    if rules:
        lines.append(i(rules))
    for n, option in enumerate(p.options, 1):
        count = f" — {tally[0][n - 1]}" if tally is not None else ""
        lines.append(f"{n}. {esc(option)}{count}")
    if tally is not None or p.private_voting or p.hidden:
        if tally is not None:
            lines.append(f"{tally[1]} voted so far")
    if not p.is_open:
        lines.append(b("Closed."))
    else:
        if p.closes_at:
            lines.append(f"Closes {when(p.closes_at, tz, now)} ({tz.key}).")
        if p.ranked:
            lines.append(f"Rank privately: message me /rank {p.id} followed by option numbers in order.")
        elif p.secret:
            lines.append(f"Secret ballot: vote privately — message me /vote {p.id} OPTION.")
        else:
            lines.append(f"To vote: /vote {p.id} OPTION (number or name).")
    return "\n".join(lines)


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
    "tie": "TIE — not decided",
    "winner": "WINNER",
    "no majority": "NO MAJORITY",
    "not quorate": "NOT QUORATE — no decision",
    "no votes": "NO VOTES CAST",
}


def results_text(p: Poll, r: dict[str, Any], final: bool, names: dict[int, list[str]] | None = None) -> str:
    """Results of a choice poll or proposal from its result record (see Core.compute_result)."""
    head = "Result" if final else "Results so far"
    lines = [f"📊 {b(f'{head} — poll {p.id}')}: {esc(p.question)}"]
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
    lines.append(pre("\n".join(rows)))
    unit = " (card vote, weighted)" if p.card else ""
    electorate = r.get("electorate")
    if electorate:
        lines.append(f"Turnout: {r['weight']} of {electorate} ({percent(r['weight'], electorate)}){unit}")
    else:
        lines.append(f"Votes cast: {r['ballots']}{unit}")
    if final or r["outcome"] == "not quorate":
        outcome = OUTCOME_TEXT[r["outcome"]]
        if r["outcome"] in ("winner", "no majority") and r["winners"]:
            outcome += f": {esc(p.options[r['winners'][0]])}"
        if r["outcome"] == "tie" and r["winners"]:
            outcome += " between " + ", ".join(esc(p.options[w]) for w in r["winners"])
        if final:
            lines.append(f"{b(outcome)}" + (f" — {esc('; '.join(r['reasons']))}" if r["reasons"] else ""))
    if names:
        for n, option in enumerate(p.options):
            who = names.get(n)
            if who:
                lines.append(f"{esc(option)}: {esc(', '.join(sorted(who)))}")
    return "\n".join(lines)
