"""A motion's text and its standard layout: title, then numbered points under "notes",
"believes" and "resolves". Pure: the same layout serves the chat, Markdown and plain text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.kernel.markup import b, esc, i

SECTIONS = ("notes", "believes", "resolves")
MAX_POINT = 1500
MAX_TITLE = 200


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


def composite(title: str, texts: list[MotionText]) -> MotionText:
    """One draft from several motions: their points in order, section by section, with points
    that are word for word the same kept once. The drafters then edit it into one text."""
    sections: dict[str, list[str]] = {sec: [] for sec in SECTIONS}
    for t in texts:
        for sec in SECTIONS:
            for point in t.sections[sec]:
                if point not in sections[sec]:
                    sections[sec].append(point)
    return MotionText(title, texts[0].voice if texts else "This branch", sections)
