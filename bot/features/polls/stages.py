"""A ranked count's stage table as members read it: in the language being written in.

The counting engine writes its own table (bot/engines/counting/render.py ``to_text``) for the
``quorum count`` command line and the auditor, in English; it stays pure and knows no catalogue.
An election's result message is built here instead, from the count's record (``to_dict``, kept
with the result): the same table, figure for figure, with its words (stage, quota, surplus,
exclusion, elected, tie…) and its decimal sign in the reader's language. In English it reads as
the engine's own (tests/unit/polls/test_stage_table.py holds the two together).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.kernel.language import _, current, ngettext, pgettext

_NOTE_FILLED = re.compile(r"^only (\d+) of (\d+) seats? could be filled$")
_NOTE_ITERATIONS = re.compile(r"^(\d+) iterations?$")
_TIE_STAGE = re.compile(r"^stage (\d+)$")


def _method(method: str) -> str:
    if method == "scottish":
        return _("Scottish STV (SSI 2007/42)")
    if method == "meek":
        return _("Meek STV (NZ rules)")
    if method == "irv":
        return _("Instant-runoff")
    return method


def _short(value: str | None) -> str:
    """A figure of the count (a decimal string) with trailing zeros dropped, and the decimal sign
    of the language being written in."""
    if value is None:
        return "-"
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text or "0"
    if "." in text:
        sign = current().number(Decimal("1.5"), 1).strip("15") or "."
        text = text.replace(".", sign)
    return text


def _stage(n: int) -> str:
    # TRANSLATORS: a stage of the count in the stage table (S1, S2…): a column heading, kept short.
    return _("S{n}").format(n=n)


def _action(stage: dict[str, Any]) -> str:
    action, who = stage["action"], stage["candidate"]
    if action == "first preferences":
        return pgettext("count", "first preferences")
    if action == "surplus" and who:
        return pgettext("count", "surplus of {candidate}").format(candidate=who)
    if action == "exclusion" and who:
        return pgettext("count", "exclusion of {candidate}").format(candidate=who)
    if action == "iteration":
        return pgettext("count", "iteration")
    return action + (f" of {who}" if who else "")


def _purpose(purpose: str) -> str:
    if purpose == "exclusion":
        return pgettext("tie", "exclusion")
    if purpose == "surplus order":
        return pgettext("tie", "surplus order")
    if purpose == "election order":
        return pgettext("tie", "election order")
    return purpose


def _broken_by(method: str) -> str:
    if method == "lot":
        return pgettext("tie", "lot")
    m = _TIE_STAGE.match(method)
    if m:
        return pgettext("tie", "stage {n}").format(n=m.group(1))
    return method


def _note(note: str) -> str:
    m = _NOTE_FILLED.match(note)
    if m:
        filled, seats = int(m.group(1)), int(m.group(2))
        return ngettext("only {filled} of {seats} seat could be filled",
                        "only {filled} of {seats} seats could be filled", seats).format(filled=filled, seats=seats)
    return note


def _iterations(note: str) -> str:
    m = _NOTE_ITERATIONS.match(note)
    if m:
        n = int(m.group(1))
        return ngettext("{n} iteration", "{n} iterations", n).format(n=n)
    return note


def stage_table(count: dict[str, Any]) -> str:
    """COUNT (the engine's ``to_dict``) as a table, candidates down and stages across, then one
    line per stage: what the engine's ``to_text`` says, without the title, in the reader's words."""
    stages: list[dict[str, Any]] = count["stages"]
    names = [c for c in count["candidates"] if c not in count["withdrawn"]]
    irv = count["method"] == "irv"
    lines = []
    thresholds = [s["threshold"] for s in stages]
    fixed = len({None if t is None else Decimal(t) for t in thresholds}) == 1 and thresholds[0] is not None
    seats = ngettext("{n} seat", "{n} seats", count["seats"]).format(n=count["seats"])
    if fixed and irv:
        heading = _("{method}: {seats}, valid {valid}, majority {threshold}")
    elif fixed:
        heading = _("{method}: {seats}, valid {valid}, quota {threshold}")
    else:
        heading = _("{method}: {seats}, valid {valid}")
    lines.append(heading.format(method=_method(count["method"]), seats=seats, valid=_short(count["valid"]),
                                threshold=_short(thresholds[0]) if fixed else ""))
    cells = [[_short(s["votes"][n]) for s in stages] for n in names]
    extra = {_("Non-transferable"): [_short(s["non_transferable"]) for s in stages]}
    if any(s["loss_by_truncation"] and Decimal(s["loss_by_truncation"]) for s in stages):
        # TRANSLATORS: a row of the stage table under "Non-transferable", indented by one space.
        extra[_(" of which truncation")] = [_short(s["loss_by_truncation"]) for s in stages]
    if not fixed:
        extra[_("Majority") if irv else _("Quota")] = [_short(t) for t in thresholds]
    width = min(max(len(n) for n in [*names, *extra]), 28)
    col = max([len(c) for row in cells + list(extra.values()) for c in row] + [3])
    header = " " * width + "".join(f" {_stage(s['stage']):>{col}}" for s in stages)
    lines.append(header)
    for name, row in [*zip(names, cells, strict=True), *extra.items()]:
        label = name if len(name) <= width else name[: width - 1] + "…"
        lines.append(f"{label:<{width}}" + "".join(f" {c:>{col}}" for c in row))
    for s in stages:
        parts = [f"{_stage(s['stage'])} {_action(s)}"]
        if s["transfer_values"]:
            parts.append(_("transfer value {values}").format(
                values=", ".join(_short(tv["transfer_value"]) for tv in s["transfer_values"])))
        later = [e["candidate"] for e in s["excluded"] if e["candidate"] != s["candidate"]]
        if later:
            parts.append(_("then excluded {names} without transfer (rule 52)").format(names=", ".join(later)))
        if s["elected"]:
            parts.append(_("elected {names}").format(names=", ".join(e["candidate"] for e in s["elected"])))
        for t in s["ties"]:
            parts.append(_("tie ({purpose}) {candidates}: {chosen} by {method}").format(
                purpose=_purpose(t["purpose"]), candidates=" / ".join(t["candidates"]), chosen=t["chosen"],
                method=_broken_by(t["broken_by"])))
        if s["note"] and count["method"] == "meek":
            parts.append(_iterations(s["note"].split(";")[0]))
        lines.append("; ".join(parts))
    elected = count["elected"]
    lines.append(_("Elected: {names}").format(names=", ".join(elected)) if elected else _("Elected: nobody"))
    lines += [_note(note) for note in count["notes"]]
    return "\n".join(lines)
