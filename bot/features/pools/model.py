"""A sortition pool as the core holds it, and every rule of its status.

A pool is open while volunteers register and organisers set the panel size and quotas; the
freeze commits to the lottery (the pool is then "committed": its tickets and the published draw
file can no longer change); the draw with announced randomness makes it "drawn", after which a
declined seat is refilled by a replacement round. A registration is stored only once the
volunteer has consented; until then their answers live only in memory (a Draft).

Once drawn, every seat is in one of four states (``seats``): held by a volunteer who took it;
open (its holder declined and no round has refilled it); left empty (its holder declined and the
organisers decided not to refill it, usually because nobody left keeps the quotas); or refilled
(its holder declined and a round seated someone else). A replacement round refills every open
seat, or none: when one cannot be filled the organisers decide, with ``empty`` (leave it empty)
or ``relax`` (loosen a quota line for the rounds that follow), and the next round goes on
without it. Both are published steps (``Step``), replayed by ``quorum sortition verify``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.engines.sortition.model import QuotaBound, Quotas
from bot.kernel.language import _

OPEN, COMMITTED, DRAWN = "open", "committed", "drawn"

# action -> the statuses that allow it
POOL_ALLOWS: dict[str, frozenset[str]] = {
    "join": frozenset({OPEN}),
    "leave": frozenset({OPEN}),
    "size": frozenset({OPEN}),  # the panel's size
    "configure": frozenset({OPEN}),  # quotas
    "freeze": frozenset({OPEN}),  # leads to COMMITTED
    "draw": frozenset({COMMITTED}),  # leads to DRAWN
    "decline": frozenset({DRAWN}),
    "replace": frozenset({DRAWN}),  # refills every open seat
    "empty": frozenset({DRAWN}),  # an open seat stays empty
    "relax": frozenset({DRAWN}),  # a quota line is loosened for the rounds that follow
    "panel": frozenset({DRAWN}),
}


def refuse_pool(pool_id: int, status: str, action: str) -> str | None:
    """Why pool POOL_ID, being STATUS, does not allow ACTION (None: it does), in the language
    being written in."""
    if status in POOL_ALLOWS[action]:
        return None
    match action:
        case "join":
            return _("Pool {id} is frozen: registration has closed.").format(id=pool_id)
        case "leave":
            return _("Pool {id} is frozen and its draw published; if you are selected and cannot take part, send "
                     "/pool {id} decline.").format(id=pool_id)
        case "size":
            return _("Pool {id} is frozen; its panel size can no longer change.").format(id=pool_id)
        case "configure":
            return _("Pool {id} is frozen; its quotas can no longer change.").format(id=pool_id)
        case "freeze":
            return _("Pool {id} is frozen already; its commitment is published (/pool {id} document).").format(
                id=pool_id)
        case "draw" if status == OPEN:
            return _("Freeze pool {id} first: /pool {id} freeze (it publishes the commitment).").format(id=pool_id)
        case "draw":
            return _("Pool {id} has been drawn already; declined seats are refilled with /pool {id} replace "
                     "RANDOMNESS.").format(id=pool_id)
        case "relax" if status == OPEN:
            return _("Pool {id} is not frozen yet: set its quotas with /pool {id} quota QUESTION=ANSWER "
                     "MIN-MAX.").format(id=pool_id)
        case "relax":
            return _("Pool {id} has not been drawn yet; a quota is relaxed only to refill declined seats after the "
                     "draw.").format(id=pool_id)
    return _("Pool {id} has not been drawn yet.").format(id=pool_id)


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
    panel: list[int]  # every ticket holding a seat, declined ones whose seats are open or empty too
    rounds: int
    randomness: str | None = None  # the randomness the panel was drawn with


def document_file(pool_id: int) -> str:
    """The name of pool POOL_ID's published draw file, as /pool P document sends it, as the
    draw's web page offers it, and as the announced check command names it: one name, so that
    the command runs as it is on the file downloaded."""
    return f"pool-{pool_id}.json"


ROUND, RELAX, EMPTY = "round", "relax", "empty"

LEXIMIN, SIMPLE = "leximin", "simple"  # the draw's methods, as the sortition engine names them

FROZEN = "frozen"  # the freeze's message to the room, with the commitment: the draw waits until it is sent


def room_key(pool_id: int, what: str) -> str:
    """The outbox dedupe key of a message about pool POOL_ID to its room (WHAT: FROZEN, "drawn",
    "declined:TICKET", "round:N", "step:N"): each is queued once."""
    return f"pool:{pool_id}:{what}"


@dataclass(frozen=True)
class Step:
    """One thing the organisers did to a drawn panel, as published (see migrations' pool_steps)."""

    kind: str  # ROUND, RELAX or EMPTY
    detail: dict[str, Any]

    def bound(self) -> QuotaBound:
        d = self.detail
        return QuotaBound(d["feature"], d["value"], d["min"], d["max"])


@dataclass(frozen=True)
class Seats:
    """Where the seats of a drawn panel stand (tickets ascending in each list)."""

    seated: list[int]  # volunteers who hold their seat
    open: list[int]  # declined, waiting for a replacement round
    empty: list[int]  # declined, left empty by the organisers
    refilled: list[int]  # declined, someone else seated by a round


def seats(panel: list[int], declined: set[int], steps: list[Step]) -> Seats:
    """The state of every seat, from the tickets holding seats (POOL.panel), who declined, and the
    published steps."""
    empty = sorted(s.detail["ticket"] for s in steps if s.kind == EMPTY)
    return Seats(
        seated=[t for t in sorted(panel) if t not in declined],
        open=[t for t in sorted(panel) if t in declined and t not in empty],
        empty=empty,
        refilled=sorted(t for t in declined if t not in panel),
    )


def quotas_in_force(published: Quotas, steps: list[Step]) -> Quotas:
    """The quotas replacement rounds keep now: the published ones, with every relaxation since."""
    quotas = published
    for step in steps:
        if step.kind == RELAX:
            quotas = quotas.relaxed(step.bound())
    return quotas


@dataclass(frozen=True)
class Registration:
    """A volunteer as stored: only once they consented. An erased one (``erased``) kept for a
    frozen pool's record has no name or answers left and an identity that names nobody; its
    answers to the quota questions are the published document's, by ticket."""

    identity: str
    name: str | None
    answers: dict[str, str]
    ticket: int | None
    declined: bool
    erased: bool = False


@dataclass(frozen=True)
class Kept:
    """A registration as /mydata lists it to the volunteer."""

    pool_id: int
    title: str
    name: str
    answers: dict[str, str]
    ticket: int | None
    since: str
    declined: bool = False  # they declined the seat they were drawn for


def erased_identity(ticket: int | None) -> str:
    """The identity an erased volunteer's row keeps in a frozen pool: it names nobody, and the
    ticket keeps it apart from the others' (the pool and identity are the row's key)."""
    return f"erased:{ticket}"


@dataclass
class Draft:
    """A registration being filled in: kept as the volunteer's open conversation (bot/storage/dialogues.py)
    until they consent, and only then stored as a registration."""

    pool: Pool
    answers: dict[str, str] = field(default_factory=dict)
    name: str | None = None

    def next_question(self) -> dict[str, Any] | None:
        for q in self.pool.questions:
            if q["name"] not in self.answers:
                return q
        return None
