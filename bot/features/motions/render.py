"""How motions read: in the chat, as Markdown and as plain text for submission, and the lines
that list amendments. One layout serves all three."""

from __future__ import annotations

from bot.features.motions.model import SECTIONS, AmendmentRow, MotionInfo, MotionText
from bot.kernel.markup import b, esc, i


def _header(voice: str, section: str) -> str:
    return f"{voice} {section}:"


def markdown(text: MotionText, info: MotionInfo) -> str:
    lines = [f"# {text.title}", ""]
    if info.emergency:
        lines += ["**Emergency motion**", ""]
    if info.proposer:
        lines += [f"*Proposed by {info.proposer}*", ""]
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        lines += [f"**{_header(text.voice, s)}**", ""]
        lines += [f"{n}. {p}" for n, p in enumerate(points, 1)]
        lines.append("")
    lines += _people(info, "- ")
    return "\n".join(lines).rstrip() + "\n"


def plain_text(text: MotionText, info: MotionInfo) -> str:
    lines = [text.title.upper(), ""]
    if info.emergency:
        lines += ["EMERGENCY MOTION", ""]
    if info.proposer:
        lines += [f"Proposed by {info.proposer}", ""]
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        lines.append(_header(text.voice, s))
        lines += [f"  {n}. {p}" for n, p in enumerate(points, 1)]
        lines.append("")
    lines += _people(info, "")
    return "\n".join(lines).rstrip() + "\n"


def _people(info: MotionInfo, bullet: str) -> list[str]:
    out = []
    if info.mover:
        out.append(f"{bullet}Mover: {info.mover}")
    if info.seconder:
        out.append(f"{bullet}Seconder: {info.seconder}")
    return out


def chat(text: MotionText, info: MotionInfo) -> str:
    """The motion as a chat message (markup), with its id and status."""
    flags = [info.status]
    if info.emergency:
        flags.append("emergency")
    lines = [f"📜 {b(info.ref)}: {b(text.title)} ({esc(', '.join(flags))})"]
    if info.proposer:
        lines.append(i(f"Proposed by {info.proposer}"))
    empty = True
    for s in SECTIONS:
        points = text.sections[s]
        if not points:
            continue
        empty = False
        lines.append(b(_header(text.voice, s)))
        lines += [f"{n}. {esc(p)}" for n, p in enumerate(points, 1)]
    if empty:
        lines.append(i(f"No text yet: add points with /motion {info.ref} notes|believes|resolves TEXT."))
    people = _people(info, "")
    if people:
        lines.append(esc(" · ".join(people)))
    return "\n".join(lines)


def amendment_line(a: AmendmentRow) -> str:
    poll = f", poll {a.poll_id}" if a.poll_id else ""
    second = f", seconded by {esc(a.seconder)}" if a.seconder else ""
    return f"{b(a.ref)} ({a.status}{poll}) by {esc(a.mover_name)}{second}: {esc(a.amendment.summary)}"
