"""What the auditor's pages show, read through the features' services: the web adapter's port.

An auditor (a returning officer, a scrutineer, a sceptical member) checks a ballot without
shell access. This module gathers, for a closed poll or a drawn panel, what its page shows as
plain values (text and numbers, no markup: the page escapes them as it renders), and nothing
more: a poll still open is not shown at all, and a secret ballot's page has totals and the
receipt codes, never a choice next to anything that could name a voter.

Links are keyed (bot/kernel/weblinks.py): a page opens only for a link the key made, so the
ids cannot be walked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.engines.sortition.model import SortitionError
from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel, replace
from bot.features.polls.model import Poll
from bot.features.polls.render import describe_rules, election_turnout, outcome_line, turnout_line
from bot.features.polls.service import PollService
from bot.features.pools.model import DRAWN, EMPTY, RELAX, ROUND, Pool, Step
from bot.features.pools.render import check_command
from bot.features.pools.service import PoolService
from bot.kernel.errors import UserError
from bot.kernel.markup import to_plain
from bot.kernel.weblinks import PageLinks
from bot.kernel.wording import percent, utc_offset


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: str  # "42.5%", or "" for an abstention (not part of the whole)
    width: int  # 0..100: the bar's length in percent of the whole


@dataclass(frozen=True)
class StageRow:
    number: int
    action: str
    votes: list[str]  # one per candidate, in the order of PollView.candidates
    non_transferable: str
    decided: str  # who was elected or excluded at this stage


@dataclass(frozen=True)
class PollView:
    id: int
    question: str
    kind: str  # "proposal", "choice" or "ranked"
    rules: str
    opened: str
    closed: str
    secret: bool
    turnout: str
    outcome: str
    bars: list[Bar] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    elected: list[str] = field(default_factory=list)
    method: str = ""
    quota: str = ""
    has_blt: bool = False
    ballots_withheld: bool = False  # a card vote's: each ballot would show its delegate's weight
    receipts: list[str] = field(default_factory=list)
    has_chart: bool = False  # the result's chart image (chart.png beside the page)


@dataclass(frozen=True)
class DrawView:
    id: int
    title: str
    commitment: str
    randomness: str
    document: str  # the sealed draw document, as published (JSON)
    steps: list[str]  # each step since the draw, in words
    panel: list[tuple[int, str]]  # (ticket, its answers to the quota questions)
    command: str  # the command line that re-derives the panel offline


@dataclass(frozen=True)
class Verification:
    matches: bool
    derived: list[int]
    published: list[int]
    lines: list[str]


def _bars(poll: Poll, r: dict[str, Any]) -> list[Bar]:
    counts: list[int] = r["counts"]
    counted: int = r["counted"]
    abstain = r.get("abstain")
    bars = []
    for n, option in enumerate(poll.options):
        c = counts[n]
        width = (c * 200 + counted) // (counted * 2) if counted else 0  # rounded half up, exactly
        aside = n == abstain and poll.max_choices == 1
        bars.append(Bar(option, c, "" if aside else percent(c, counted), 0 if aside else min(100, width)))
    return bars


def _stages(r: dict[str, Any]) -> tuple[list[str], list[StageRow]]:
    count = r.get("count") or {}
    withdrawn = set(count.get("withdrawn", []))
    candidates = [c for c in count.get("candidates", []) if c not in withdrawn]
    rows = []
    for s in count.get("stages", []):
        decided = [f"elected: {e['candidate']}" for e in s["elected"]]
        decided += [f"excluded: {e['candidate']}" for e in s["excluded"]]
        rows.append(StageRow(s["stage"], s["action"] + (f" ({s['candidate']})" if s.get("candidate") else ""),
                             [s["votes"].get(c, "") for c in candidates], s["non_transferable"], "; ".join(decided)))
    return candidates, rows


def on_page(t: datetime, tz: ZoneInfo) -> str:
    """A moment on an auditor's page, in English as the pages are: its day and year, the time on
    the organisation's clocks (TZ, whose deadlines the bot announced), and their offset from UTC
    then, which leaves no hour the clocks show twice in doubt: "Mon 01 Jun 2026 13:00
    (UTC+01:00, Europe/London)"."""
    local = t.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} (UTC{utc_offset(local)}, {tz.key})"


class Audit:
    def __init__(self, polls: PollService, pools: PoolService, links: PageLinks, tz: ZoneInfo) -> None:
        self._polls = polls
        self._pools = pools
        self.links = links
        self._tz = tz

    async def _closed_poll(self, token: str) -> Poll | None:
        poll_id = self.links.read("poll", token)
        if poll_id is None:
            return None
        try:
            poll = await self._polls.get(poll_id)
        except UserError:
            return None
        return None if poll.is_open or poll.result is None else poll

    async def poll(self, token: str) -> PollView | None:
        """The page of the closed poll TOKEN opens, or None (a wrong link, or a poll still open)."""
        poll = await self._closed_poll(token)
        if poll is None:
            return None
        r = poll.result
        assert r is not None and poll.closed_at is not None
        base = dict(id=poll.id, question=poll.question, kind=poll.kind, rules=describe_rules(poll),
                    opened=on_page(poll.opened_at, self._tz), closed=on_page(poll.closed_at, self._tz),
                    secret=poll.secret,
                    has_chart=r["outcome"] != "no votes" and (not poll.ranked or "count" in r))
        receipts = await self._polls.receipts(poll) if poll.secret else []
        if poll.ranked:
            turnout = election_turnout(poll, r)
            count = r.get("count") or {}
            candidates, stages = _stages(r)
            elected = list(r.get("elected", []))
            outcome = "No votes cast" if r["outcome"] == "no votes" else (
                "Not quorate, nobody elected: " + "; ".join(r.get("reasons", [])) if r["outcome"] == "not quorate"
                else "Elected: " + ", ".join(elected) if elected else "Nobody elected")
            return PollView(**base, turnout=turnout, outcome=outcome, candidates=candidates, stages=stages,
                            elected=elected, method=str(count.get("method", "")), quota=str(count.get("quota") or ""),
                            has_blt=bool(r.get("blt")), ballots_withheld=bool(r.get("ballots_withheld")),
                            receipts=receipts)
        return PollView(**base, turnout=turnout_line(poll, r), outcome=to_plain(outcome_line(poll, r)),
                        bars=_bars(poll, r), receipts=receipts)

    async def chart(self, token: str) -> bytes | None:
        """The chart of the closed poll TOKEN opens, as a PNG (None: no such page, or no chart),
        the same image the chat was sent at the close."""
        poll = await self._closed_poll(token)
        if poll is None:
            return None
        drawn = await self._polls.chart(poll)
        return drawn[1] if drawn is not None else None

    async def blt(self, token: str) -> tuple[int, str] | None:
        """A closed election's ballots (no names) as a BLT file: (poll id, the file)."""
        poll = await self._closed_poll(token)
        if poll is None or not poll.ranked or not (poll.result or {}).get("blt"):
            return None
        assert poll.result is not None
        return poll.id, str(poll.result["blt"])

    async def receipt(self, token: str, typed: str) -> bool | None:
        """Whether the receipt code TYPED is among those counted in the closed secret ballot
        TOKEN opens (None: no such page). Only that: a receipt never shows a choice."""
        poll = await self._closed_poll(token)
        if poll is None or not poll.secret:
            return None
        return receipt_form(typed) in set(await self._polls.receipts(poll))

    async def _drawn(self, token: str) -> Pool | None:
        pool_id = self.links.read("draw", token)
        if pool_id is None:
            return None
        try:
            pool = await self._pools.get(pool_id)
        except UserError:
            return None
        return pool if pool.status == DRAWN and pool.document is not None and pool.randomness else None

    async def draw(self, token: str) -> DrawView | None:
        """The page of the drawn panel TOKEN opens: tickets and quota answers, never names."""
        pool = await self._drawn(token)
        if pool is None:
            return None
        state, steps, _ = await self._pools.after_draw(pool)
        assert pool.document is not None and pool.commitment is not None and pool.randomness is not None
        published = open_document(pool.document, pool.commitment)
        features = published.quotas.features
        panel = []
        for ticket in state.seated:
            values = published.groups[published.group_of(ticket)].values
            panel.append((ticket, ", ".join(f"{f}={v}" for f, v in zip(features, values, strict=True))))
        return DrawView(pool.id, pool.title, pool.commitment, pool.randomness,
                        json.dumps(pool.document, ensure_ascii=False, indent=1), [_step_words(s) for s in steps],
                        panel, check_command(pool, steps))

    async def document(self, token: str) -> tuple[int, str] | None:
        pool = await self._drawn(token)
        if pool is None:
            return None
        return pool.id, json.dumps(pool.document, ensure_ascii=False, indent=1)

    async def verify(self, token: str) -> Verification | None:
        """The panel re-derived here from the published document, the announced randomness and
        the published steps, as ``quorum sortition verify`` does offline, against the panel
        the bot seated."""
        pool = await self._drawn(token)
        if pool is None:
            return None
        state, steps, _ = await self._pools.after_draw(pool)
        assert pool.document is not None and pool.randomness is not None
        out: list[str] = []
        try:
            draw = open_document(pool.document, pool.commitment)
            out.append(f"Commitment {draw.commitment} matches the document.")
            panel = draw_panel(draw, pool.randomness)
            out.append(f"Panel drawn with the announced randomness: {' '.join(map(str, panel))}")
            quotas, declined, empty, rounds = draw.quotas, [], [], 0
            for step in steps:
                d = step.detail
                if step.kind == ROUND:
                    rounds += 1
                    panel, made = replace(draw, panel, d["tickets"], d["randomness"], rounds, declined, quotas)
                    declined += d["tickets"]
                    out += [f"Round {rounds}: ticket {m.declined} -> ticket {m.replacement}" for m in made]
                elif step.kind == RELAX:
                    quotas = quotas.relaxed(step.bound())
                    out.append(f"Relaxed: {d['feature']}={d['value']} {d['min']}-{d['max']}")
                elif step.kind == EMPTY:
                    empty.append(d["ticket"])
                    declined.append(d["ticket"])
                    out.append(f"Ticket {d['ticket']}'s seat is left empty")
        except SortitionError as e:
            return Verification(False, [], state.seated, [*out, e.message])
        derived = sorted(t for t in panel if t not in empty and t not in state.open)
        return Verification(derived == state.seated, derived, state.seated, out)


def receipt_form(typed: str) -> str:
    """A receipt code as typed (any case, with or without dashes or spaces) as it is written:
    three groups of four, ``5538-EEE6-7CBB``."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4)) if len(raw) == 12 else raw


def _step_words(step: Step) -> str:
    d = step.detail
    if step.kind == ROUND:
        pairs = ", ".join(f"{a} -> {b}" for a, b in d["replaced"])
        return f"Replacement round with randomness {d['randomness']!r}: {pairs}"
    if step.kind == RELAX:
        return f"Quota relaxed: {d['feature']}={d['value']} {d['min']}-{d['max']}"
    return f"Seat of ticket {d['ticket']} left empty"
