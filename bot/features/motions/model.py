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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from bot.kernel.errors import ParseError
from bot.kernel.language import N_, _, current, ngettext, pgettext
from bot.kernel.wording import number

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
    # invite a drafter, or join the drafters with a code: while drafters still have something to
    # do (the text while drafted, the mover and seconder until it is debated)
    "invite": frozenset({DRAFT, SUBMITTED}),
}


# Who may do what: anyone in the motion's room (proposing and seconding amendments), its drafters
# (whoever started it and the members they invited; the room's organisers count as drafters), or
# the room's organisers only (``organisers_only`` says so to anyone else).
DRAFTERS, ORGANISERS = "drafters", "organisers"
MOTION_WHO: dict[str, str] = {
    "edit": DRAFTERS,  # the text
    "name": DRAFTERS,  # mover, seconder, proposer
    "submit": DRAFTERS,
    "invite": DRAFTERS,
    "emergency": ORGANISERS,
    "deadline": ORGANISERS,
    "vote": ORGANISERS,
    "record": ORGANISERS,  # but its creator may withdraw it
    "composite": ORGANISERS,
    "vote on amendment": ORGANISERS,
    "withdraw amendment": ORGANISERS,  # its mover may
}


def organisers_only(action: str) -> str:
    """The refusal of an organisers' ACTION to anyone else."""
    match action:
        case "emergency":
            return _("Only an organiser of the room can mark a motion as an emergency motion.")
        case "deadline":
            return _("Only an organiser of the room can set a motion's deadline.")
        case "vote":
            return _("Only an organiser of the room can open the vote on a motion.")
        case "record":
            return _("Only an organiser of the room can record a motion's outcome.")
        case "composite":
            return _("Only an organiser of the room can composite motions.")
        case "vote on amendment":
            return _("Only an organiser of the room can put an amendment to the vote.")
    return _("Only an organiser of the room can withdraw someone else's amendment.")


def not_a_drafter(ref: str) -> str:
    return _("Only the drafters of {ref} (whoever started it, and whom they invited) or an organiser can do that. "
             "A drafter invites you with /motion {ref} invite.").format(ref=ref)


def motion_status(status: str) -> str:
    """A motion's status as the reader's language names it (the commands keep the English
    words: /motion M12 status carried)."""
    names = {
        DRAFT: pgettext("motion", "draft"), SUBMITTED: pgettext("motion", "submitted"),
        DEBATED: pgettext("motion", "debated"), CARRIED: pgettext("motion", "carried"),
        LOST: pgettext("motion", "lost"), REMITTED: pgettext("motion", "remitted"),
        WITHDRAWN: pgettext("motion", "withdrawn"), COMPOSITED: pgettext("motion", "composited"),
    }
    return names.get(status, status)


def refuse_motion(ref: str, status: str, action: str, *, what: str = "", vote_poll_id: int | None = None) -> str | None:
    """Why motion REF, being STATUS, may not undergo ACTION (None: it may). WHAT names the
    field for "name"; VOTE_POLL_ID is the ballot already open on it, for "vote"."""
    shown = motion_status(status)
    if action == "vote" and vote_poll_id is not None and status != DRAFT:
        if status == DEBATED:
            return _("Motion {ref} is already being voted on (poll {poll}).").format(ref=ref, poll=vote_poll_id)
        return _("Motion {ref} is {status}; it cannot be put to the vote now.").format(ref=ref, status=shown)
    if status in MOTION_ALLOWS[action]:
        return None
    match action:
        case "edit" if status in FINAL:
            return _("Motion {ref} is {status}; its text can no longer change.").format(ref=ref, status=shown)
        case "edit":
            return _("Motion {ref} is {status}: its text now changes only by amendment (/amend {ref} …).").format(
                ref=ref, status=shown)
        case "name" if what == "mover":
            return _("Motion {ref} is {status}; its mover can no longer change.").format(ref=ref, status=shown)
        case "name" if what == "seconder":
            return _("Motion {ref} is {status}; its seconder can no longer change.").format(ref=ref, status=shown)
        case "name":
            return _("Motion {ref} is {status}; its proposer can no longer change.").format(ref=ref, status=shown)
        case "mark" | "submit":
            return _("Motion {ref} is already {status}.").format(ref=ref, status=shown)
        case "amend":
            return _("Motion {ref} is {status}; it can no longer be amended.").format(ref=ref, status=shown)
        case "vote on amendment":
            return _("Motion {ref} is {status}; its amendments can no longer be voted on.").format(
                ref=ref, status=shown)
        case "composite":
            return _("Motion {ref} is {status}; only drafts and submitted motions can be composited.").format(
                ref=ref, status=shown)
        case "vote" if status == DRAFT:
            return _("Motion {ref} is still a draft: submit it first (/motion {ref} submit).").format(ref=ref)
        case "vote":
            return _("Motion {ref} is {status}; it cannot be put to the vote now.").format(ref=ref, status=shown)
        case "record":
            return _("Motion {ref} is already {status}; that is final.").format(ref=ref, status=shown)
        case "publish":
            return _("Motion {ref} is {status}; it cannot be published as a model motion.").format(
                ref=ref, status=shown)
        case "invite":
            return _("Motion {ref} is {status}; its drafting is over, so nobody can join its drafters.").format(
                ref=ref, status=shown)
    return _("Motion {ref} is {status}.").format(ref=ref, status=shown)


# -- the amendment's status machine ----------------------------------------------------------

PROPOSED, SECONDED, VOTING, VOID = "proposed", "seconded", "voting", "void"
PENDING = frozenset({PROPOSED, SECONDED, VOTING})
"""Amendments still to be decided: the motion itself waits for them."""

# "second" leads to seconded, "withdraw" to withdrawn, "vote" to voting, "settle" (the ballot)
# to carried, lost or void (carried but no longer fitting the text). Its ballot is opened in the
# same transaction as it is put to the vote, so a ballot that cannot be opened leaves it seconded.
AMENDMENT_ALLOWS: dict[str, frozenset[str]] = {
    "second": frozenset({PROPOSED}),
    "withdraw": frozenset({PROPOSED, SECONDED}),
    "vote": frozenset({SECONDED}),
    "settle": frozenset({VOTING}),
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
        return _("That amendment is {ref}, which was carried already: its words are in the text; "
                 "nothing changed.").format(ref=same.ref)
    if same.status == PROPOSED:
        return _("That amendment is proposed already as {ref} (by {mover}); nothing changed. "
                 "Support it by seconding it: /amendment {ref} second").format(ref=same.ref,
                                                                               mover=named(same.mover_name))
    return _("That amendment is proposed already as {ref} ({status}); nothing changed.").format(
        ref=same.ref, status=amendment_status(same.status))


def amendment_status(status: str) -> str:
    """An amendment's status as the reader's language names it."""
    names = {
        PROPOSED: pgettext("amendment", "proposed"), SECONDED: pgettext("amendment", "seconded"),
        VOTING: pgettext("amendment", "voting"), VOID: pgettext("amendment", "void"),
        CARRIED: pgettext("amendment", "carried"), LOST: pgettext("amendment", "lost"),
        WITHDRAWN: pgettext("amendment", "withdrawn"),
    }
    return names.get(status, status)


def refuse_amendment(ref: str, status: str, action: str) -> str | None:
    if status in AMENDMENT_ALLOWS[action]:
        return None
    shown = amendment_status(status)
    match action:
        case "second":
            return _("Amendment {ref} is {status}; only a proposed amendment can be seconded.").format(
                ref=ref, status=shown)
        case "withdraw":
            return _("Amendment {ref} is {status}; it can no longer be withdrawn.").format(ref=ref, status=shown)
        case "vote" if status == PROPOSED:
            return _("Amendment {ref} has no seconder yet: /amendment {ref} second").format(ref=ref)
        case "vote":
            return _("Amendment {ref} is {status}; it cannot be put to the vote now.").format(ref=ref, status=shown)
    return _("Amendment {ref} is {status}.").format(ref=ref, status=shown)


# -- a motion's history, read in each reader's language ----------------------------------------

Entry = dict[str, object]
"""A sentence kept to be read later: {"m": its English (marked with N_ where it is written),
"c": its pgettext context if any, "f": its fields, each a value or an Entry itself}."""


def entry(message: str, context: str | None = None, /, **fields: object) -> Entry:
    found: Entry = {"m": message, "f": fields}
    if context:
        found["c"] = context
    return found


SECONDED_ENTRY = N_("seconded amendment {ref}")
"""The history entry of an amendment seconded: the amendment keeps the seconder's name only, and
this entry (under the seconder's account) says whose it is, for /mydata."""

ERASED_NAME = N_("an erased member")
"""The name kept in a motion's records (its history, an amendment's mover or seconder, an
agreement to a composite) in place of someone who erased their data with /mydata erase: what
they did stays, as the organisation's record; who they were goes. Stored in English, read in the
reader's language (``named``)."""


NAMING = {"proposer": N_("proposer: {name}"), "mover": N_("mover: {name}"), "seconder": N_("seconder: {name}")}
"""The history entry of a motion's proposer, mover or seconder named (as a drafter typed it)."""


def name_key(name: str) -> str:
    """NAME as two spellings of one name compare: its words, in any case."""
    return " ".join(name.split()).casefold()


def named(name: str | None) -> str | None:
    """A name as a motion's records keep it, in the language being written in: the person's
    own, or ERASED_NAME for one erased."""
    return _(ERASED_NAME) if name == ERASED_NAME else name


def motion_status_entry(status: str) -> Entry:
    """A motion's status, to be named in the reader's language when the entry is read."""
    return entry(status, "motion")


def stored(e: Entry) -> str:
    """ENTRY as a history row keeps it."""
    return json.dumps(e, ensure_ascii=False)


MOMENTS = frozenset({"deadline: {at}"})
"""The entries whose ``at`` is a moment, kept as UTC ISO 8601 text: read, it is shown as the
history's other times are, in the organisation's zone (``read_entry``'s LOCAL)."""


def read_entry(e: object, local: Callable[[str], str] | None = None) -> str:
    """An Entry (or a history row: an entry as stored, or plain text written before entries
    were kept) in the language being written in; the moment of an entry in MOMENTS as LOCAL
    writes it, if given."""
    if isinstance(e, str):
        if not e.startswith('{"m"'):
            return e
        try:
            e = json.loads(e)
        except ValueError:
            return e
    if not isinstance(e, dict):
        return str(e)
    speech = current()
    message = str(e["m"])
    said = speech.pgettext(str(e["c"]), message) if e.get("c") else speech.gettext(message)
    fields = {k: read_entry(v, local) if isinstance(v, dict) else v for k, v in dict(e.get("f") or {}).items()}
    if local is not None and message in MOMENTS and isinstance(fields.get("at"), str):
        fields["at"] = local(fields["at"])
    return said.format(**fields)


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
    gone: bool = False  # its point was deleted after it was proposed: it no longer applies anywhere

    def to_json(self) -> str:
        found = asdict(self)
        if not self.gone:
            del found["gone"]
        return json.dumps(found)

    @classmethod
    def from_json(cls, raw: str) -> Amendment:
        return cls(**json.loads(raw))

    @property
    def summary(self) -> str:
        """What the amendment does, in the language being written in (the section's name and
        the point's number as the commands write them: "resolves 2")."""
        return read_entry(self.summary_entry)

    @property
    def summary_entry(self) -> Entry:
        """The summary as a message and its fields, to be read in each reader's language."""
        at = {"section": self.section, "n": self.point}
        match self.op:
            case "replace":
                return entry(N_('{section} {n}: replace "{old}" with "{new}"'), **at, old=self.old, new=self.new)
            case "insert" if self.where == "start":
                return entry(N_('{section} {n}: insert "{new}" at the start'), **at, new=self.new)
            case "insert" if self.where == "end":
                return entry(N_('{section} {n}: insert "{new}" at the end'), **at, new=self.new)
            case "insert" if self.where == "after":
                return entry(N_('{section} {n}: insert "{new}" after "{anchor}"'), **at, new=self.new,
                             anchor=self.anchor)
            case "insert":
                return entry(N_('{section} {n}: insert "{new}" before "{anchor}"'), **at, new=self.new,
                             anchor=self.anchor)
            case "delete":
                return entry(N_('{section} {n}: delete "{old}"'), **at, old=self.old)
            case "delete_point":
                return entry(N_("{section} {n}: delete the whole point"), **at)
            case _:
                return entry(N_('add to {section}: "{new}"'), section=self.section, new=self.new)


def after_deletion(a: Amendment, section: str, n: int) -> Amendment:
    """A once point N of SECTION is deleted. An amendment names its point by number, and the
    room votes on that point: a later point keeps its amendment under its new number, and an
    amendment to the deleted point itself is ``gone`` (it is never applied to whatever point
    takes the number next)."""
    if a.op == "add" or a.section != section or a.point is None or a.gone or a.point < n:
        return a
    if a.point > n:
        return replace(a, point=a.point - 1)
    return replace(a, gone=True)


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


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _as_words(point_text: str, words: str) -> list[int]:
    """Where WORDS stand in POINT_TEXT as words of their own: where they begin or end with a
    letter or digit, not run on from or into a longer word ("art" is not in "cartoon"; ", and"
    is in "cats, and dogs"). Occurrences do not overlap, as ``str.count`` counts them."""
    found: list[int] = []
    at = point_text.find(words)
    while at != -1:
        end = at + len(words)
        runs_on = (_word_char(words[0]) and at > 0 and _word_char(point_text[at - 1])) or (
            _word_char(words[-1]) and end < len(point_text) and _word_char(point_text[end]))
        if not runs_on:
            found.append(at)
        at = point_text.find(words, end if not runs_on else at + 1)
    return found


def _find_once(point_text: str, words: str, label: str) -> int:
    """Where WORDS stand in POINT_TEXT, once and as whole words: an amendment changes the words
    the room read in its summary, never letters inside another word."""
    found = _as_words(point_text, words)
    if not found and words in point_text:
        raise AmendmentError(_('{point} has "{words}" only inside longer words; quote whole words').format(
            point=label, words=words))
    if not found:
        raise AmendmentError(_('{point} does not contain "{words}" (the match is exact, capitals included)').format(
            point=label, words=words))
    if len(found) > 1:
        raise AmendmentError(ngettext('"{words}" occurs {n} time in {point}; quote more words so it is unique',
                                      '"{words}" occurs {n} times in {point}; quote more words so it is unique',
                                      len(found)).format(words=words, n=number(len(found)), point=label))
    return found[0]


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text).strip()
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


_FINAL = re.compile(r"[.!?;…]+$")
"""What ends a point's last sentence (or clause, in a list of points): a full stop, a question
or exclamation mark, a semicolon, an ellipsis. Not a colon: what follows one comes after it."""


ABBREVIATIONS = frozenset({"etc.", "al.", "cf.", "viz.", "vs.", "approx.", "incl.", "ltd.", "inc.", "co.", "bros.",
                           "plc.", "itd.", "itp.", "ayyb."})
"""Words whose full stop is an abbreviation's, written last in a point ("and so on, etc.", "et
al."), in the languages the bot speaks; with initials ("U.K.", "e.g."), which any run of single
letters each with a stop is. Left out: "No." and "St.", which end sentences ("To vote No.")."""
_INITIALS = re.compile(r"(?:[^\W\d_]\.){2,}")
_OPENING = "([{\"'“‘„«"


def ends_abbreviated(text: str) -> bool:
    """Whether TEXT ends with an abbreviation and its full stop ("… the U.K.", "… sports, etc.")."""
    words = text.split()
    last = words[-1].lstrip(_OPENING) if words else ""
    return last.casefold() in ABBREVIATIONS or bool(_INITIALS.fullmatch(last))


def _at_end(point: str, words: str) -> str:
    """POINT with WORDS at its end, as a drafter means "at end": inside its last sentence,
    before its full stop ("the union and its members.", not "the union. and its members"),
    unless WORDS end a sentence themselves ("the union. It reports in June."). A last word
    that is an abbreviation keeps its stop, which also ended the sentence: "in the U.K. and
    Ireland.", not "in the U.K and Ireland."."""
    stem = point.rstrip()
    final = _FINAL.search(stem)
    if final is None or _FINAL.search(words.rstrip()) or not stem[:final.start()].strip():
        return f"{point} {words}"
    cut, ending = final.start(), final.group()
    if ending[:2] != ".." and ending[0] == "." and ends_abbreviated(stem[:cut + 1]):
        cut, ending = cut + 1, ending[1:] or "."
    return f"{stem[:cut]} {words.rstrip()}{ending}"


def apply(sections: dict[str, list[str]], a: Amendment) -> dict[str, list[str]]:
    """SECTIONS with A applied (a new dict); AmendmentError if A does not fit them."""
    out = {s: list(points) for s, points in sections.items()}
    points = out[a.section]
    if a.op == "add":
        points.append(a.new or "")
        return out
    assert a.point is not None
    label = f"{a.section} {a.point}"
    if a.gone:
        raise AmendmentError(_("the point it amended, {point}, has been deleted").format(point=label))
    if not 1 <= a.point <= len(points):
        if not points:
            raise AmendmentError(_("there is no point {point}: it has no points yet").format(point=label))
        raise AmendmentError(ngettext("there is no point {point}: it has {n} point",
                                      "there is no point {point}: it has {n} points", len(points)).format(
            point=label, n=number(len(points))))
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
                raise AmendmentError(_("deleting those words leaves {point} empty; delete the whole point "
                                       "instead").format(point=label))
        case _:  # insert
            if a.where == "start":
                new = f"{a.new} {current}"
            elif a.where == "end":
                new = _at_end(current, a.new or "")
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
    return _("Composite {ref} ({motion}) is submitted once the drafters of every original motion agree to its "
             "words; still waiting for {refs}. A drafter of each sends /composite {ref} agree.").format(
        ref=c.ref, motion=motion_ref, refs=refs)


def carried(result: dict | None) -> bool:
    """Whether a ballot's result carries the question put."""
    return bool(result) and result.get("outcome") == "passed"  # type: ignore[union-attr]


def why_lost(result: dict | None) -> str:
    """Why a ballot did not carry, as its result names it: "tie", "not quorate", "no votes", or
    "" (it was voted down); the renderer says it in a whole sentence."""
    outcome = (result or {}).get("outcome", "")
    return outcome if outcome in ("tie", "not quorate", "no votes") else ""


def why_lost_entry(result: dict | None) -> Entry:
    """Why a ballot did not carry, for a history entry ("amendment A1 lost (a tie)")."""
    match why_lost(result):
        case "tie":
            # TRANSLATORS: why an amendment was lost, in a motion's history: "amendment A1 lost (a tie)".
            return entry(N_("a tie"))
        case "not quorate":
            # TRANSLATORS: why an amendment was lost, in a motion's history: "amendment A1 lost (no quorum)".
            return entry(N_("no quorum"))
        case "no votes":
            # TRANSLATORS: why an amendment was lost, in a motion's history: "amendment A1 lost (no votes)".
            return entry(N_("no votes"))
    # TRANSLATORS: why an amendment was lost, in a motion's history: "amendment A1 lost (the vote)".
    return entry(N_("the vote"))
