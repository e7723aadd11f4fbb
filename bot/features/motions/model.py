"""Motions and amendments as the core holds them, and every rule of their status.

Like h11's ``_state.py``, this file is the one place the status rules live: which action each
status allows, what status it leads to, and what a member is told when it is refused. The
commands and the service ask ``refuse_motion`` / ``refuse_amendment`` before they change
anything, inside the writer's transaction, so a rule is checked against the status as committed.

A motion's text has the movement's fixed shape: a title, then numbered points under "notes",
"believes" and "resolves". Amendments insert, delete or replace quoted words in one point, or
add a point; ``apply`` returns the amended text or says why it no longer fits.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.kernel.errors import ParseError
from bot.kernel.wording import count_of

SECTIONS = ("notes", "believes", "resolves")
MAX_POINT = 1500
MAX_TITLE = 200
MAX_NAME = 100

# -- the motion's status machine -------------------------------------------------------------

DRAFT, SUBMITTED, DEBATED = "draft", "submitted", "debated"
CARRIED, LOST, REMITTED, WITHDRAWN, COMPOSITED = "carried", "lost", "remitted", "withdrawn", "composited"
FINAL = frozenset({CARRIED, LOST, REMITTED, WITHDRAWN, COMPOSITED})
RECORDABLE = (DEBATED, CARRIED, LOST, REMITTED, WITHDRAWN)
"""The outcomes an organiser may record by hand (/motion M12 status …)."""

# action -> the statuses that allow it. Each action's result: "submit" leads to submitted,
# "vote" to debated, "settle" (the ballot) to carried or lost, "record" to the outcome given,
# "composite" to composited; the others leave the status as it is.
#
# Amendments are proposed (and voted on) while a motion is drafted as well as once it is
# submitted, on purpose: members draft together, and those who are not its drafters change a
# draft the way the movement does, by amendment put to the room, before the final text is
# exported for submission; after submission the text changes only by amendment. An amendment
# whose words a drafter's later edit removes no longer fits: it is refused when put to the vote
# (or void if carried), never applied to words that are not there.
MOTION_ALLOWS: dict[str, frozenset[str]] = {
    "edit": frozenset({DRAFT}),  # the text: add, edit, remove points, retitle
    "name": frozenset({DRAFT, SUBMITTED}),  # mover, seconder, proposer
    "mark": frozenset({DRAFT}),  # emergency, deadline
    "submit": frozenset({DRAFT}),
    "amend": frozenset({DRAFT, SUBMITTED}),  # propose an amendment (to a draft too: see above)
    "vote on amendment": frozenset({DRAFT, SUBMITTED}),
    "composite": frozenset({DRAFT, SUBMITTED}),
    "vote": frozenset({SUBMITTED, DEBATED}),  # DEBATED only while no ballot is open on it
    "settle": frozenset({DEBATED}),
    "record": frozenset({DRAFT, SUBMITTED, DEBATED}),
    "publish": frozenset({DRAFT, SUBMITTED, DEBATED, CARRIED, REMITTED, COMPOSITED}),  # as a model motion
}


# Who may do what: anyone in the motion's room (proposing and seconding amendments), its drafters
# (whoever started it and the members they invited; the room's organisers count as drafters), or
# the room's organisers only, and how a refusal names the action.
DRAFTERS, ORGANISERS = "drafters", "organisers"
MOTION_WHO: dict[str, tuple[str, str]] = {
    "edit": (DRAFTERS, "change its text"),
    "name": (DRAFTERS, "name its mover, seconder or proposer"),
    "submit": (DRAFTERS, "submit it"),
    "invite": (DRAFTERS, "invite drafters"),
    "emergency": (ORGANISERS, "mark a motion as an emergency motion"),
    "deadline": (ORGANISERS, "set a motion's deadline"),
    "vote": (ORGANISERS, "open the vote on a motion"),
    "record": (ORGANISERS, "record a motion's outcome"),  # but its creator may withdraw it
    "composite": (ORGANISERS, "composite motions"),
    "vote on amendment": (ORGANISERS, "put an amendment to the vote"),
    "withdraw amendment": (ORGANISERS, "withdraw someone else's amendment"),  # its mover may
}


def not_a_drafter(ref: str) -> str:
    return (f"Only the drafters of {ref} (whoever started it, and whom they invited) or an organiser can do that. "
            f"A drafter invites you with /motion {ref} invite.")


def refuse_motion(ref: str, status: str, action: str, *, what: str = "", vote_poll_id: int | None = None) -> str | None:
    """Why motion REF, being STATUS, may not undergo ACTION (None: it may). WHAT names the
    field for "name"; VOTE_POLL_ID is the ballot already open on it, for "vote"."""
    if action == "vote" and vote_poll_id is not None and status != DRAFT:
        if status == DEBATED:
            return f"Motion {ref} is already being voted on (poll {vote_poll_id})."
        return f"Motion {ref} is {status}; it cannot be put to the vote now."
    if status in MOTION_ALLOWS[action]:
        return None
    match action:
        case "edit" if status in FINAL:
            return f"Motion {ref} is {status}; its text can no longer change."
        case "edit":
            return f"Motion {ref} is {status}: its text now changes only by amendment (/amend {ref} …)."
        case "name":
            return f"Motion {ref} is {status}; its {what} can no longer change."
        case "mark" | "submit":
            return f"Motion {ref} is already {status}."
        case "amend":
            return f"Motion {ref} is {status}; it can no longer be amended."
        case "vote on amendment":
            return f"Motion {ref} is {status}; its amendments can no longer be voted on."
        case "composite":
            return f"Motion {ref} is {status}; only drafts and submitted motions can be composited."
        case "vote" if status == DRAFT:
            return f"Motion {ref} is still a draft: submit it first (/motion {ref} submit)."
        case "vote":
            return f"Motion {ref} is {status}; it cannot be put to the vote now."
        case "record":
            return f"Motion {ref} is already {status}; that is final."
        case "publish":
            return f"Motion {ref} is {status}; it cannot be published as a model motion."
    return f"Motion {ref} is {status}."


# -- the amendment's status machine ----------------------------------------------------------

PROPOSED, SECONDED, VOTING, VOID = "proposed", "seconded", "voting", "void"
PENDING = frozenset({PROPOSED, SECONDED, VOTING})
"""Amendments still to be decided: the motion itself waits for them."""

# "second" leads to seconded, "withdraw" to withdrawn, "vote" to voting, "settle" (the ballot)
# to carried, lost or void (carried but no longer fitting the text), "reopen" back to seconded
# (its ballot could not be opened).
AMENDMENT_ALLOWS: dict[str, frozenset[str]] = {
    "second": frozenset({PROPOSED}),
    "withdraw": frozenset({PROPOSED, SECONDED}),
    "vote": frozenset({SECONDED}),
    "settle": frozenset({VOTING}),
    "reopen": frozenset({VOTING}),
}


DUPLICATE_OF = PENDING | {CARRIED}
"""An amendment word for word the same as one of these on the same motion is refused: a pending
one is seconded and voted where it stands, a carried one is in the text already. One that was
lost, withdrawn or void may be proposed again."""


def refuse_duplicate(amendment: Amendment, existing: list[AmendmentRow]) -> str | None:
    """Why AMENDMENT may not be proposed beside the motion's EXISTING amendments (None: it may)."""
    same = next((a for a in existing if a.amendment == amendment and a.status in DUPLICATE_OF), None)
    if same is None:
        return None
    if same.status == CARRIED:
        return f"That amendment is {same.ref}, which was carried already: its words are in the text; nothing changed."
    if same.status == PROPOSED:
        return (f"That amendment is proposed already as {same.ref} (by {same.mover_name}); nothing changed. "
                f"Support it by seconding it: /amendment {same.ref} second")
    return f"That amendment is proposed already as {same.ref} ({same.status}); nothing changed."


def refuse_amendment(ref: str, status: str, action: str) -> str | None:
    if status in AMENDMENT_ALLOWS[action]:
        return None
    match action:
        case "second":
            return f"Amendment {ref} is {status}; only a proposed amendment can be seconded."
        case "withdraw":
            return f"Amendment {ref} is {status}; it can no longer be withdrawn."
        case "vote" if status == PROPOSED:
            return f"Amendment {ref} has no seconder yet: /amendment {ref} second"
        case "vote":
            return f"Amendment {ref} is {status}; it cannot be put to the vote now."
    return f"Amendment {ref} is {status}."


# -- what a motion is ------------------------------------------------------------------------


@dataclass
class MotionText:
    title: str
    voice: str = "This branch"
    sections: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})

    def to_json(self) -> str:
        return json.dumps({s: self.sections.get(s, []) for s in SECTIONS})

    @staticmethod
    def sections_from_json(raw: str) -> dict[str, list[str]]:
        data = json.loads(raw)
        return {s: list(data.get(s, [])) for s in SECTIONS}


@dataclass
class MotionInfo:
    """What the layout shows besides the text."""

    ref: str
    proposer: str | None
    mover: str | None
    seconder: str | None
    status: str
    emergency: bool


@dataclass
class Motion:
    id: int
    room: str
    text: MotionText
    proposer: str | None
    mover: str | None
    seconder: str | None
    status: str
    emergency: bool
    deadline: datetime | None
    vote_poll_id: int | None
    created_by: str
    submitted_at: str | None = None

    @property
    def ref(self) -> str:
        return f"M{self.id}"

    @property
    def info(self) -> MotionInfo:
        return MotionInfo(self.ref, self.proposer, self.mover, self.seconder, self.status, self.emergency)


class AmendmentError(ParseError):
    pass


@dataclass(frozen=True)
class Amendment:
    op: str  # replace | insert | delete | delete_point | add
    section: str
    point: int | None = None  # 1-based
    old: str | None = None  # the words replaced or deleted
    new: str | None = None  # the words inserted or the new point
    anchor: str | None = None
    where: str | None = None  # after | before | start | end

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> Amendment:
        return cls(**json.loads(raw))

    @property
    def summary(self) -> str:
        at = f"{self.section} {self.point}"
        match self.op:
            case "replace":
                return f'{at}: replace "{self.old}" with "{self.new}"'
            case "insert":
                if self.where in ("start", "end"):
                    return f'{at}: insert "{self.new}" at the {self.where}'
                return f'{at}: insert "{self.new}" {self.where} "{self.anchor}"'
            case "delete":
                return f'{at}: delete "{self.old}"'
            case "delete_point":
                return f"{at}: delete the whole point"
            case _:
                return f'add to {self.section}: "{self.new}"'


@dataclass
class AmendmentRow:
    """An amendment as proposed to a motion, with who moved it and where it stands."""

    id: int
    motion_id: int
    amendment: Amendment
    mover: str
    mover_name: str
    seconder: str | None
    status: str
    poll_id: int | None
    note: str | None

    @property
    def ref(self) -> str:
        return f"A{self.id}"


def _find_once(point_text: str, words: str, label: str) -> int:
    count = point_text.count(words)
    if count == 0:
        raise AmendmentError(f'{label} does not contain "{words}" (the match is exact, capitals included)')
    if count > 1:
        raise AmendmentError(f'"{words}" occurs {count} times in {label}; quote more words so it is unique')
    return point_text.index(words)


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text).strip()
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


def apply(sections: dict[str, list[str]], a: Amendment) -> dict[str, list[str]]:
    """SECTIONS with A applied (a new dict); AmendmentError if A does not fit them."""
    out = {s: list(points) for s, points in sections.items()}
    points = out[a.section]
    if a.op == "add":
        points.append(a.new or "")
        return out
    assert a.point is not None
    label = f"{a.section} {a.point}"
    if not 1 <= a.point <= len(points):
        have = f"it has {count_of(len(points), 'point')}" if points else "it has no points yet"
        raise AmendmentError(f"there is no point {label}: {have}")
    current = points[a.point - 1]
    idx = a.point - 1
    match a.op:
        case "delete_point":
            del points[idx]
            return out
        case "replace":
            at = _find_once(current, a.old or "", label)
            new = current[:at] + (a.new or "") + current[at + len(a.old or ""):]
        case "delete":
            at = _find_once(current, a.old or "", label)
            new = current[:at] + current[at + len(a.old or ""):]
            if not _tidy(new):
                raise AmendmentError(f"deleting those words leaves {label} empty; delete the whole point instead")
        case _:  # insert
            if a.where == "start":
                new = f"{a.new} {current}"
            elif a.where == "end":
                new = f"{current} {a.new}"
            else:
                at = _find_once(current, a.anchor or "", label)
                if a.where == "after":
                    end = at + len(a.anchor or "")
                    new = f"{current[:end]} {a.new} {current[end:]}"
                else:
                    new = f"{current[:at]} {a.new} {current[at:]}"
    points[idx] = _tidy(new)
    return out


# -- composites -------------------------------------------------------------------------------

Origins = dict[str, list[list[str]]]
"""Where each point of a composite came from: per section, per point, the points of the original
motions it was made of ("M3 resolves 2"); one entry for a point, several where the same words
stood in several motions."""


def composite(title: str, originals: list[tuple[str, MotionText]]) -> tuple[MotionText, Origins]:
    """One draft from several motions (REF, TEXT): their points in order, section by section,
    with points that are word for word the same kept once, and where each point came from. The
    committee then edits it into one text and each original's drafters agree to its words."""
    sections: dict[str, list[str]] = {sec: [] for sec in SECTIONS}
    origins: Origins = {sec: [] for sec in SECTIONS}
    for ref, t in originals:
        for sec in SECTIONS:
            for n, point in enumerate(t.sections[sec], 1):
                source = f"{ref} {sec} {n}"
                if point in sections[sec]:
                    origins[sec][sections[sec].index(point)].append(source)
                else:
                    sections[sec].append(point)
                    origins[sec].append([source])
    voice = originals[0][1].voice if originals else "This branch"
    return MotionText(title, voice, sections), origins


def wording(text: MotionText) -> str:
    """A fingerprint of a motion's words (title and points): what a mover agrees to. Any edit
    changes it, so an agreement given before an edit no longer counts."""
    body = json.dumps([text.title, text.voice, text.to_json()], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


@dataclass
class Original:
    """One motion a composite was made from, and its drafters' agreement to the composite."""

    motion_id: int
    created_by: str
    agreed_by: str | None = None
    agreed_name: str | None = None
    agreed_at: str | None = None
    wording: str | None = None

    @property
    def ref(self) -> str:
        return f"M{self.motion_id}"

    def agrees_to(self, current: str) -> bool:
        return self.wording == current


@dataclass
class Composite:
    id: int
    motion_id: int
    origins: Origins
    originals: list[Original]

    @property
    def ref(self) -> str:
        return f"C{self.id}"

    def waiting(self, current: str) -> list[Original]:
        """The originals whose drafters have not agreed to the CURRENT wording."""
        return [o for o in self.originals if not o.agrees_to(current)]


def refuse_unagreed(c: Composite, motion_ref: str, current: str) -> str | None:
    """Why the composite's motion may not be submitted yet (None: every original mover agreed
    to its present words, as conference standing orders require of a composite)."""
    waiting = c.waiting(current)
    if not waiting:
        return None
    refs = ", ".join(o.ref for o in waiting)
    return (f"Composite {c.ref} ({motion_ref}) is submitted once the drafters of every original motion agree to "
            f"its words; still waiting for {refs}. A drafter of each sends /composite {c.ref} agree.")


def carried(result: dict | None) -> bool:
    """Whether a ballot's result carries the question put."""
    return bool(result) and result.get("outcome") == "passed"  # type: ignore[union-attr]


def why_lost(result: dict | None) -> str:
    outcome = (result or {}).get("outcome", "")
    return {"tie": "a tie", "not quorate": "no quorum", "no votes": "no votes"}.get(outcome, "the vote")
