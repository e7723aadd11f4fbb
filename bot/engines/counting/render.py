"""The stage table as text (for a chat message), JSON (for scripts) and CSV (for spreadsheets).

The JSON shape is an interface others script against: method, seats, quota, valid, elected (in
order of election) and stages, each with action, candidate, votes and non_transferable, values
as decimal strings and names exactly as in the ballot file. Further keys may be added, never
removed. `descriptions` gives, in the order of `candidates`, what the file said after each name
(a party), or "". `quota` is the final stage's where it changes from stage to stage (Meek's
recomputed quota, IRV's majority of continuing votes); each stage carries its own as
`threshold`, and the text table then shows it stage by stage. `non_transferable` is what official
stage tables show: votes with no candidate any more, cumulative - the value of papers with no
next available preference (`non_transferable_papers`) plus what truncating transfer values left
of surpluses (`loss_by_truncation`); so at every stage the candidates' votes plus
`non_transferable` equal `valid` exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.engines.counting.stages import CountResult, Stage, count_of

_METHOD_NAMES = {
    "scottish": "Scottish STV (SSI 2007/42)",
    "meek": "Meek STV (NZ rules)",
    "irv": "Instant-runoff",
}


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _stage_json(stage: Stage) -> dict[str, Any]:
    return {
        "stage": stage.number,
        "action": stage.action,
        "candidate": stage.candidate,
        "votes": {k: _s(v) for k, v in stage.votes.items()},
        "changes": {k: _s(v) for k, v in stage.changes.items()},
        "non_transferable": _s(stage.non_transferable),
        "non_transferable_this_stage": _s(stage.non_transferable_stage),
        "non_transferable_papers": _s(stage.non_transferable_papers),
        "loss_by_truncation": _s(stage.loss),
        "loss_by_truncation_this_stage": _s(stage.loss_stage),
        "threshold": _s(stage.threshold),
        "elected": [{"candidate": e.candidate, "reason": e.reason} for e in stage.elected],
        "excluded": [{"candidate": e.candidate, "reason": e.reason} for e in stage.excluded],
        "ties": [
            {
                "candidates": list(t.candidates),
                "purpose": t.purpose,
                "chosen": t.chosen,
                "broken_by": t.method,
                "rule": t.rule,
                "seed": t.seed,
            }
            for t in stage.ties
        ],
        "transfer_values": [
            {
                "value_received": _s(tv.value_received),
                "transfer_value": _s(tv.transfer_value),
                "papers": tv.papers,
            }
            for tv in stage.transfer_values
        ],
        "note": stage.note,
    }


def to_dict(result: CountResult) -> dict[str, Any]:
    return {
        "method": result.method,
        "title": result.title,
        "seats": result.seats,
        "quota": _s(result.quota),
        "valid": _s(result.valid),
        "candidates": list(result.candidates),
        "descriptions": [
            result.descriptions[k] if k < len(result.descriptions) else "" for k in range(len(result.candidates))
        ],
        "withdrawn": list(result.withdrawn),
        "elected": list(result.elected),
        "seed": result.seed,
        "decimal_places": result.places,
        "notes": list(result.notes),
        "stages": [_stage_json(s) for s in result.stages],
    }


def to_json(result: CountResult) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=1)


def to_csv(result: CountResult) -> str:
    """One row per stage: its action, every candidate's votes, then the non-candidate columns."""
    import csv  # here, not at the top: the text and JSON tables need no csv
    import io

    names = [c for c in result.candidates if c not in result.withdrawn]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "stage",
            "action",
            "candidate",
            *names,
            "non_transferable",
            "non_transferable_papers",
            "loss_by_truncation",
            "threshold",
            "elected",
            "excluded",
            "ties",
        ]
    )
    for s in result.stages:
        w.writerow(
            [
                s.number,
                s.action,
                s.candidate or "",
                *(_s(s.votes[n]) for n in names),
                _s(s.non_transferable),
                _s(s.non_transferable_papers),
                _s(s.loss),
                _s(s.threshold) or "",
                "; ".join(e.candidate for e in s.elected),
                "; ".join(e.candidate for e in s.excluded),
                "; ".join(f"{t.purpose}: {t.chosen} by {t.method}" for t in s.ties),
            ]
        )
    return buf.getvalue()


def _short(value: Decimal, places: int) -> str:
    """Trailing zeros of the fixed places dropped, to keep a chat message narrow."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def to_text(result: CountResult) -> str:
    """A compact table (candidates down, stages across) followed by one line per stage."""
    names = [c for c in result.candidates if c not in result.withdrawn]
    head = _METHOD_NAMES.get(result.method, result.method)
    lines = []
    if result.title:
        lines.append(result.title)
    # One threshold for the whole count (Scottish STV) goes in the heading; one that changes from
    # stage to stage (Meek's recomputed quota, IRV's majority of continuing votes) gets a row.
    label = "majority" if result.method == "irv" else "quota"
    thresholds = [s.threshold for s in result.stages]
    fixed = len(set(thresholds)) == 1 and thresholds[0] is not None
    heading = f"{head}: {count_of(result.seats, 'seat')}, valid {_short(result.valid, result.places)}"
    if fixed:
        heading += f", {label} {_short(thresholds[0], result.places)}"
    lines.append(heading)
    cells = [[_short(s.votes[n], result.places) for s in result.stages] for n in names]
    extra = {
        "Non-transferable": [_short(s.non_transferable, result.places) for s in result.stages],
    }
    if any(s.loss for s in result.stages):
        extra[" of which truncation"] = [_short(s.loss, result.places) for s in result.stages]
    if not fixed:
        extra[label.capitalize()] = ["-" if t is None else _short(t, result.places) for t in thresholds]
    width = min(max(len(n) for n in [*names, *extra]), 28)
    col = max([len(c) for row in cells + list(extra.values()) for c in row] + [3])
    header = " " * width + "".join(f" {('S' + str(s.number)):>{col}}" for s in result.stages)
    lines.append(header)
    rows = list(zip(names, cells, strict=True)) + list(extra.items())
    for name, row in rows:
        label = name if len(name) <= width else name[: width - 1] + "…"
        lines.append(f"{label:<{width}}" + "".join(f" {c:>{col}}" for c in row))
    for s in result.stages:
        what = s.action + (f" of {s.candidate}" if s.candidate else "")
        parts = [f"S{s.number} {what}"]
        if s.transfer_values:
            parts.append(
                "transfer value " + ", ".join(_short(tv.transfer_value, result.places) for tv in s.transfer_values)
            )
        later = [e.candidate for e in s.excluded if e.candidate != s.candidate]
        if later:
            parts.append("then excluded " + ", ".join(later) + " without transfer (rule 52)")
        if s.elected:
            parts.append("elected " + ", ".join(e.candidate for e in s.elected))
        for t in s.ties:
            parts.append(f"tie ({t.purpose}) {' / '.join(t.candidates)}: {t.chosen} by {t.method}")
        if s.note and result.method == "meek":
            parts.append(s.note.split(";")[0])
        lines.append("; ".join(parts))
    lines.append("Elected: " + (", ".join(result.elected) if result.elected else "nobody"))
    for note in result.notes:
        lines.append(note)
    return "\n".join(lines)
