"""Ranked elections in the bot: a closed poll's ballots counted by the counting engine.

The seed for any tie that only lot can break is derived from the ballots themselves (a hash of
the BLT file), so it is fixed before anyone could know it matters, nobody can choose it, and
anyone holding the published BLT can re-run the count and get the same result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.engines.counting.blt import write_blt
from bot.engines.counting.methods import count
from bot.engines.counting.profile import build_profile
from bot.engines.counting.render import to_dict, to_text
from bot.kernel.markup import b, esc, pre

if TYPE_CHECKING:
    from bot.poll import Poll


def count_ranked(poll: Poll, ballots: Sequence[tuple[tuple[int, ...], int]], electorate: int | None) -> dict[str, Any]:
    weight = sum(w for _, w in ballots)
    base: dict[str, Any] = {
        "kind": "ranked",
        "ballots": len(ballots),
        "weight": weight,
        "electorate": electorate,
        "seats": poll.seats,
    }
    if not ballots:
        return {**base, "outcome": "no votes", "elected": [], "text": "", "blt": ""}
    profile = build_profile(
        poll.options, [list(r) for r, _ in ballots], [w for _, w in ballots], seats=poll.seats, title=poll.question
    )
    blt = write_blt(profile, poll.seats)
    seed = int.from_bytes(hashlib.sha256(blt.encode()).digest()[:8], "big")
    result = count(profile, None, poll.seats, seed=seed)
    return {
        **base,
        "outcome": "elected",
        "elected": list(result.elected),
        "count": to_dict(result),
        "text": to_text(result),
        "blt": blt,
    }


def election_text(poll: Poll, r: dict[str, Any], final: bool) -> str:
    head = "Result" if final else "Count so far"
    lines = [f"📊 {b(f'{head} — election {poll.id}')}: {esc(poll.question)}"]
    electorate = r.get("electorate")
    turnout = f"Ballots: {r['ballots']}"
    if electorate:
        turnout += f" of {electorate}"
    lines.append(turnout)
    if r["outcome"] == "no votes":
        lines.append(b("NO VOTES CAST"))
        return "\n".join(lines)
    lines.append(pre(r["text"]))
    if final:
        lines.append(f"The ballots (no names) as a BLT file: /ballots {poll.id}")
    return "\n".join(lines)
