"""How motions read: in the chat, as Markdown and as plain text for submission, and the lines
that list amendments. One layout serves all three."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.features.motions.model import SECTIONS, AmendmentRow, Composite, Motion, MotionInfo, MotionText
from bot.kernel.markup import Markup, b, i, lines, markup


def _header(voice: str, section: str) -> str:
    return f"{voice} {section}:"


@dataclass(frozen=True)
class _Layout:
    """How a document for submission sets out a motion's parts."""

    title: Callable[[str], str]
    emergency: str
    proposer: str  # with {name}
    header: str  # with {header}
    header_gap: bool  # a blank line under each section's header
    point: str  # with {n} and {text}
    bullet: str  # before the mover and seconder


MARKDOWN = _Layout(lambda t: f"# {t}", "**Emergency motion**", "*Proposed by {name}*", "**{header}**", True,
                   "{n}. {text}", "- ")
PLAIN = _Layout(str.upper, "EMERGENCY MOTION", "Proposed by {name}", "{header}", False, "  {n}. {text}", "")


def document(text: MotionText, info: MotionInfo, layout: _Layout) -> str:
    """The motion as a document for submission (Markdown or plain text; not chat markup)."""
    out = [layout.title(text.title), ""]
    if info.emergency:
        out += [layout.emergency, ""]
    if info.proposer:
        out += [layout.proposer.format(name=info.proposer), ""]
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        out.append(layout.header.format(header=_header(text.voice, s)))
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
        out.append(f"{bullet}Mover: {info.mover}")
    if info.seconder:
        out.append(f"{bullet}Seconder: {info.seconder}")
    return out


def chat(text: MotionText, info: MotionInfo) -> Markup:
    """The motion as a chat message (markup), with its id and status."""
    flags = [info.status]
    if info.emergency:
        flags.append("emergency")
    out: list[str] = [markup("📜 {}: {} ({})", b(info.ref), b(text.title), ", ".join(flags))]
    if info.proposer:
        out.append(i(f"Proposed by {info.proposer}"))
    empty = True
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        empty = False
        out.append(b(_header(text.voice, s)))
        out += [f"{n}. {p}" for n, p in enumerate(points, 1)]
    if empty:
        out.append(i(f"No text yet: add points with /motion {info.ref} notes|believes|resolves TEXT."))
    people = _people(info, "")
    if people:
        out.append(" · ".join(people))
    return lines(*out)


def amendment_line(a: AmendmentRow) -> Markup:
    poll = f", poll {a.poll_id}" if a.poll_id else ""
    second = f", seconded by {a.seconder}" if a.seconder else ""
    return markup("{} ({}{}) by {}{}: {}", b(a.ref), a.status, poll, a.mover_name, second, a.amendment.summary)


def composite_view(c: Composite, motion: Motion, current: str, titles: dict[int, str]) -> Markup:
    """A composite as the committee and the original movers read it: its text as it stands,
    where each point came from when it was composited, and who has agreed to the present words
    (CURRENT, the fingerprint of the text). TITLES are the originals' titles."""
    out: list[str] = [chat(motion.text, motion.info),
                      markup("{} is composite {}, made from {}.", b(motion.ref), b(c.ref),
                             ", ".join(f"{o.ref} ({titles.get(o.motion_id, '')})" for o in c.originals))]
    out.append(b("Where its points came from, as composited:"))
    for s in SECTIONS:
        out += [f"{s} {n} ← {', '.join(sources)}" for n, sources in enumerate(c.origins.get(s, []), 1)]
    out.append(b("Agreement of the original movers to the present words:"))
    for o in c.originals:
        if o.agrees_to(current):
            out.append(f"{o.ref}: agreed by {o.agreed_name} ({(o.agreed_at or '').replace('T', ' ')[:16]})")
        elif o.wording is not None:
            out.append(f"{o.ref}: {o.agreed_name} agreed to earlier words; a drafter of {o.ref} agrees again with "
                       f"/composite {c.ref} agree")
        else:
            out.append(f"{o.ref}: not yet; a drafter of {o.ref} sends /composite {c.ref} agree")
    return lines(*out)
