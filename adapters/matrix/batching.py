"""Handing a sync's events to the core in an order that keeps their meaning, and fast.

A vote is acknowledged only once committed, so handling votes one after another would cost a
commit each. Consecutive poll answers are therefore handed over together, one lane per voter
(a voter's own answers stay in order, so the latest counts), and the core's writer commits them
in one go. Anything else (a command may open or close a poll, and so does the end of a poll) is
a barrier handled on its own.
"""

from __future__ import annotations

from bot.kernel.events import Event, NativePollAnswer

Step = list[list[Event]]
"""Lanes handled at the same time; the events of one lane one after another."""


def steps(events: list[Event]) -> list[Step]:
    out: list[Step] = []
    lanes: dict[str, list[Event]] = {}
    for event in events:
        if isinstance(event, NativePollAnswer) and not event.ended:
            lanes.setdefault(event.actor.id, []).append(event)
            continue
        if lanes:
            out.append(list(lanes.values()))
            lanes = {}
        out.append([[event]])
    if lanes:
        out.append(list(lanes.values()))
    return out
