"""How motions read: in the chat, as Markdown and as plain text for submission, and the lines
that list amendments. One layout serves all three.

Everything the bot writes around a motion (headings, labels, statuses) is in the reader's
language; the motion's own words (title, points, names) are never translated. The section
keywords in references ("resolves 2") stay as the commands write them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.motions.model import (
    SECTIONS,
    AmendmentRow,
    Composite,
    Motion,
    MotionInfo,
    MotionText,
    amendment_status,
    motion_status,
    named,
)
from bot.kernel.language import _, ngettext
from bot.kernel.markup import Markup, b, i, lines, markup
from bot.kernel.times import parse_iso
from bot.kernel.wording import number, when, zoned


def heading(voice: str, section: str) -> str:
    """A section's heading ("This branch resolves:") in the reader's language, for the two
    voices the bot writes; any other voice as it stands, with the English verb."""
    match voice, section:
        case "This branch", "notes":
            return _("This branch notes:")
        case "This branch", "believes":
            return _("This branch believes:")
        case "This branch", "resolves":
            return _("This branch resolves:")
        case "Conference", "notes":
            return _("Conference notes:")
        case "Conference", "believes":
            return _("Conference believes:")
        case "Conference", "resolves":
            return _("Conference resolves:")
    return f"{voice} {section}:"


@dataclass(frozen=True)
class _Layout:
    """How a document for submission sets out a motion's parts."""

    title: Callable[[str], str]
    emergency: Callable[[], str]
    proposer: str  # with {name}, around the translated "Proposed by {name}"
    header: str  # with {header}
    header_gap: bool  # a blank line under each section's header
    point: str  # with {n} and {text}
    bullet: str  # before the mover and seconder


MARKDOWN = _Layout(lambda t: f"# {t}", lambda: "**" + _("Emergency motion") + "**", "*{proposed}*", "**{header}**",
                   True, "{n}. {text}", "- ")
PLAIN = _Layout(str.upper, lambda: _("Emergency motion").upper(), "{proposed}", "{header}", False, "  {n}. {text}", "")


_COMPOSITE_OF = re.compile(r"Composite of (M\d+(?:, M\d+)+)")
"""The proposer a composite is given when it is made (service.composite), kept in English."""


def _proposed(name: str) -> str:
    made = _COMPOSITE_OF.fullmatch(name)
    if made:
        return _("Proposed by Composite of {refs}").format(refs=made.group(1))
    return _("Proposed by {name}").format(name=named(name))


def document(text: MotionText, info: MotionInfo, layout: _Layout) -> str:
    """The motion as a document for submission (Markdown or plain text; not chat markup), its
    headings in the reader's language."""
    out = [layout.title(text.title), ""]
    if info.emergency:
        out += [layout.emergency(), ""]
    if info.proposer:
        out += [layout.proposer.format(proposed=_proposed(info.proposer)), ""]
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        out.append(layout.header.format(header=heading(text.voice, s)))
        if layout.header_gap:
            out.append("")
        out += [layout.point.format(n=n, text=p) for n, p in enumerate(points, 1)]
        out.append("")
    out += _people(info, layout.bullet)
    return "\n".join(out).rstrip() + "\n"


def markdown(text: MotionText, info: MotionInfo) -> str:
    return document(text, info, MARKDOWN)


def plain_text(text: MotionText, info: MotionInfo) -> str:
    return document(text, info, PLAIN)


def _people(info: MotionInfo, bullet: str) -> list[str]:
    out = []
    if info.mover:
        out.append(bullet + _("Mover: {name}").format(name=named(info.mover)))
    if info.seconder:
        out.append(bullet + _("Seconder: {name}").format(name=named(info.seconder)))
    return out


def chat(text: MotionText, info: MotionInfo) -> Markup:
    """The motion as a chat message (markup), with its id and status."""
    flags = [motion_status(info.status)]
    if info.emergency:
        flags.append(_("emergency"))
    out: list[str] = [markup("📜 {ref}: {title} ({flags})", ref=b(info.ref), title=b(text.title),
                             flags=", ".join(flags))]
    if info.proposer:
        out.append(i(_proposed(info.proposer)))
    empty = True
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        empty = False
        out.append(b(heading(text.voice, s)))
        out += [f"{n}. {p}" for n, p in enumerate(points, 1)]
    if empty:
        out.append(i(_("No text yet: add points with /motion {ref} notes|believes|resolves TEXT.").format(
            ref=info.ref)))
    people = _people(info, "")
    if people:
        out.append(" · ".join(people))
    return lines(*out)


def amendment_line(a: AmendmentRow) -> Markup:
    status = amendment_status(a.status)
    fields = {"ref": b(a.ref), "status": status, "poll": a.poll_id, "mover": named(a.mover_name),
              "seconder": named(a.seconder), "summary": a.amendment.summary}
    if a.poll_id and a.seconder:
        return markup(_("{ref} ({status}, poll {poll}) by {mover}, seconded by {seconder}: {summary}"), **fields)
    if a.poll_id:
        return markup(_("{ref} ({status}, poll {poll}) by {mover}: {summary}"), **fields)
    if a.seconder:
        return markup(_("{ref} ({status}) by {mover}, seconded by {seconder}: {summary}"), **fields)
    return markup(_("{ref} ({status}) by {mover}: {summary}"), **fields)


def composite_view(
    c: Composite, motion: Motion, current: str, titles: dict[int, str], now: datetime, tz: ZoneInfo
) -> Markup:
    """A composite as the committee and the original movers read it: its text as it stands,
    where each point came from when it was composited, and who has agreed to the present words
    (CURRENT, the fingerprint of the text), and when, in the organisation's zone TZ. TITLES are
    the originals' titles."""
    made_from = ", ".join(f"{o.ref} ({titles.get(o.motion_id, '')})" for o in c.originals)
    out: list[str] = [chat(motion.text, motion.info),
                      markup(_("{motion} is composite {composite}, made from {originals}."), motion=b(motion.ref),
                             composite=b(c.ref), originals=made_from)]
    out.append(b(_("Where its points came from, as composited:")))
    for s in SECTIONS:
        out += [f"{s} {n} ← {', '.join(sources)}" for n, sources in enumerate(c.origins.get(s, []), 1)]
    out.append(b(_("Agreement of the original movers to the present words:")))
    for o in c.originals:
        if o.agrees_to(current):
            at = parse_iso(o.agreed_at)
            out.append(_("{ref}: agreed by {name} on {at}").format(
                ref=o.ref, name=named(o.agreed_name), at=zoned(when(at, tz, now, lasting=True), tz) if at else "?"))
        elif o.wording is not None:
            out.append(_("{ref}: {name} agreed to earlier words; a drafter of {ref} agrees again with "
                         "/composite {composite} agree").format(ref=o.ref, name=named(o.agreed_name), composite=c.ref))
        else:
            out.append(_("{ref}: not yet; a drafter of {ref} sends /composite {composite} agree").format(
                ref=o.ref, composite=c.ref))
    return lines(*out)


# -- what a ballot decided, said in the motion's room ------------------------------------------


def amendment_lost(ref: str, motion: str, outcome: str, summary: str) -> Markup:
    """OUTCOME as model.why_lost gives it."""
    fields = {"ref": b(ref), "motion": b(motion), "summary": summary}
    match outcome:
        case "tie":
            return markup(_("Amendment {ref} to {motion} is lost on a tie: {summary}"), **fields)
        case "not quorate":
            return markup(_("Amendment {ref} to {motion} is lost on no quorum: {summary}"), **fields)
        case "no votes":
            return markup(_("Amendment {ref} to {motion} is lost on no votes: {summary}"), **fields)
    return markup(_("Amendment {ref} to {motion} is lost on the vote: {summary}"), **fields)


def amendment_void(ref: str, motion: str, error: object) -> Markup:
    return markup(_("Amendment {ref} to {motion} was carried but no longer fits the text ({error}); the text is "
                    "unchanged. Propose it again against the current text."), ref=b(ref), motion=b(motion), error=error)


def agreement_lapsed(composite: str, motion: str, refs: list[str]) -> str:
    """The words of COMPOSITE (MOTION) changed after the drafters of REFS agreed to them."""
    return _("The words of composite {ref} ({motion}) changed: the agreement for {refs} no longer counts. A drafter "
             "of each agrees again with /composite {ref} agree.").format(ref=composite, motion=motion,
                                                                         refs=", ".join(refs))


def agreement_asked_again(composite: str, motion: str, title: str, yours: list[str]) -> str:
    """To a drafter of original motions YOURS, whose agreement to the composite an edit undid."""
    return _("The words of composite {ref} ({motion}: {title}) changed after you agreed to them for {yours}, so "
             "that agreement no longer counts. Read it with /composite {ref}, and if you agree send /composite {ref} "
             "agree.").format(ref=composite, motion=motion, title=title, yours=", ".join(yours))


def amendment_too_late(ref: str, motion: str, status: str) -> Markup:
    """Amendment REF was carried after its motion became STATUS, whose text no longer changes."""
    return markup(_("Amendment {ref} to {motion} was carried, but {motion} is {status} and its text no longer "
                    "changes; the text is unchanged."), ref=b(ref), motion=b(motion), status=status)


def void_with_point(refs: list[str]) -> str:
    """What is said of the amendments REFS, void because the point they amended was deleted."""
    return ngettext("Amendment {refs} amended that point and is now void.",
                    "Amendments {refs} amended that point and are now void.", len(refs)).format(refs=", ".join(refs))


def amendment_carried(ref: str, motion: str, summary: str) -> Markup:
    return markup(_("Amendment {ref} to {motion} is carried and applied: {summary}\nSend /motion {motion_ref} show "
                    "for the text as amended."), ref=b(ref), motion=b(motion), summary=summary, motion_ref=motion)


def motion_carried(ref: str, title: str) -> Markup:
    return markup(_("Motion {ref} ({title}) is carried."), ref=b(ref), title=title)


def motion_lost(ref: str, title: str, outcome: str) -> Markup:
    fields = {"ref": b(ref), "title": title}
    match outcome:
        case "tie":
            return markup(_("Motion {ref} ({title}) is lost on a tie."), **fields)
        case "not quorate":
            return markup(_("Motion {ref} ({title}) is lost on no quorum."), **fields)
        case "no votes":
            return markup(_("Motion {ref} ({title}) is lost on no votes."), **fields)
    return markup(_("Motion {ref} ({title}) is lost on the vote."), **fields)


def agreement_asked(composite: str, motion: str, title: str, yours: list[str]) -> str:
    """To a drafter of original motions YOURS, once the committee composited them: the
    composite waits for their agreement."""
    return _("The organisers composited {yours} into composite {ref} ({motion}: {title}). It is submitted only once a "
             "drafter of each original agrees to its words: read it with /composite {ref}, and if you agree send "
             "/composite {ref} agree.").format(yours=", ".join(yours), ref=composite, motion=motion, title=title)


def records_kept(found: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """What the motions keep of a person (as ``store.records_of`` reads it), as /mydata lists it."""
    out = [_("• amendment {ref} to {motion}, proposed by you as {name}").format(
               ref=f"A{a}", motion=f"M{m}", name=named(name)) for a, m, name in found["moved"]]
    out += [_("• amendment {ref} to {motion}, seconded by you as {name}").format(
                ref=f"A{a}", motion=f"M{m}", name=named(name)) for a, m, name in found["seconded"]]
    out += [ngettext("• history of {motion}: {n} change under your name ({name})",
                     "• history of {motion}: {n} changes under your name ({name})", n).format(
                motion=f"M{m}", n=number(n), name=named(name)) for m, n, name in found["history"]]
    out += [_("• composite {ref}: you agreed to its words for {motion} as {name}").format(
                ref=f"C{c}", motion=f"M{m}", name=named(name)) for c, m, name in found["agreed"]]
    out += [_("• motion {motion}: you are one of its drafters").format(motion=f"M{m}") for (m,) in found["drafts"]]
    out += [_named_as(f"M{m}", field, name) for m, field, name in found["named"]]
    return out


def _named_as(motion: str, field: str, name: str) -> str:
    """A motion's proposer, mover or seconder, typed by a drafter as NAME, one of the person's
    names, as /mydata lists it."""
    match field:
        case "mover":
            return _("• motion {motion}: its mover is named as {name}").format(motion=motion, name=name)
        case "seconder":
            return _("• motion {motion}: its seconder is named as {name}").format(motion=motion, name=name)
    return _("• motion {motion}: its proposer is named as {name}").format(motion=motion, name=name)
