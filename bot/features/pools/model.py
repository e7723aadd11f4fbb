"""A sortition pool as the core holds it, and every rule of its status.

A pool is open while volunteers register and organisers set the panel size and quotas; the
freeze commits to the lottery (the pool is then "committed": its tickets and the published draw
file can no longer change); the draw with announced randomness makes it "drawn", after which a
declined seat is refilled by a replacement round. A registration is stored only once the
volunteer has consented; until then their answers live only in memory (a Draft).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OPEN, COMMITTED, DRAWN = "open", "committed", "drawn"

# action -> the statuses that allow it
POOL_ALLOWS: dict[str, frozenset[str]] = {
    "join": frozenset({OPEN}),
    "leave": frozenset({OPEN}),
    "configure": frozenset({OPEN}),  # panel size and quotas
    "freeze": frozenset({OPEN}),  # leads to COMMITTED
    "draw": frozenset({COMMITTED}),  # leads to DRAWN
    "decline": frozenset({DRAWN}),
    "replace": frozenset({DRAWN}),
    "panel": frozenset({DRAWN}),
}


def refuse_pool(pool_id: int, status: str, action: str) -> str | None:
    """Why pool POOL_ID, being STATUS, does not allow ACTION (None: it does)."""
    if status in POOL_ALLOWS[action]:
        return None
    match action:
        case "join":
            return f"Pool {pool_id} is frozen: registration has closed."
        case "leave":
            return (f"Pool {pool_id} is frozen and its draw published; if you are selected and cannot take "
                    f"part, send /pool {pool_id} decline.")
        case "configure" | "freeze":
            return f"Pool {pool_id} is frozen; its quotas can no longer change."
        case "draw" if status == OPEN:
            return f"Freeze pool {pool_id} first: /pool {pool_id} freeze (it publishes the commitment)."
        case "draw":
            return (f"Pool {pool_id} has been drawn already; declined seats are refilled with /pool {pool_id} "
                    "replace RANDOMNESS.")
    return f"Pool {pool_id} has not been drawn yet."


@dataclass
class Pool:
    id: int
    room: str
    title: str
    questions: list[dict[str, Any]]
    panel_size: int | None
    status: str
    document: dict[str, Any] | None
    commitment: str | None
    panel: list[int]
    rounds: int


@dataclass(frozen=True)
class Registration:
    """A volunteer as stored: only once they consented."""

    identity: str
    name: str
    answers: dict[str, str]
    ticket: int | None
    declined: bool


@dataclass
class Draft:
    """A registration being filled in (memory only, until consent)."""

    pool: Pool
    answers: dict[str, str] = field(default_factory=dict)
    name: str | None = None

    def next_question(self) -> dict[str, Any] | None:
        for q in self.pool.questions:
            if q["name"] not in self.answers:
                return q
        return None
