"""How trigger campaigns read: where they stand, and what is announced when they open, fire or
expire."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.triggers.model import CANCELLED, EXPIRED, FIRED, Standing, Trigger, TriggerSpec
from bot.kernel.markup import b, esc
from bot.kernel.wording import days_left, when


def standing_text(t: Trigger, s: Standing) -> str:
    if t.threshold.kind == "branches":
        return f"{s.have} of the {s.need} branches needed count"
    return f"{s.have} of {s.need} signatures needed"


def opened(t: Trigger, s: Standing, spec: TriggerSpec, electorate: int, tz: ZoneInfo) -> str:
    where = f"{spec.branch} branch" if spec.branch else "the membership roll"
    ballot = "secret" if spec.ballot.secret else "open (roll-call)"
    return (
        f"🗳 Trigger campaign {b(t.ref)}: {esc(t.title)}\n"
        f"Threshold: {esc(spec.threshold.describe())} — {standing_text(t, s)}. Electorate: {esc(where)} "
        f"({electorate} members). Closes {when(spec.closes_at, tz)}.\n"
        f"When it fires, a {ballot} ballot opens here: {esc(spec.ballot.question)}\n"
        f"Members sign privately: tap the button or send me sign {t.ref}."
    )


def progress(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo) -> str:
    lines = [f"🗳 {b(t.ref)}: {esc(t.title)}", f"Threshold: {esc(t.threshold.describe())}.",
             f"{standing_text(t, s).capitalize()}."]
    if t.threshold.kind == "branches" and s.counted_branches:
        lines.append("Branches that count: " + esc(", ".join(s.counted_branches)) + ".")
    if t.status == FIRED:
        poll = f" Its ballot is poll {t.ballot_poll_id}." if t.ballot_poll_id else ""
        lines.append(f"It fired at {when(t.fired_at or now, tz)}.{poll}")
    elif t.status == EXPIRED or now >= t.closes_at:
        lines.append("It closed at its deadline without firing.")
    elif t.status == CANCELLED:
        lines.append("It was cancelled.")
    else:
        left = days_left(t.closes_at, now, tz)
        lines.append(f"Closes {when(t.closes_at, tz, now)} ({left} day{'s' if left != 1 else ''} left). "
                     f"Sign privately: send me sign {t.ref}")
    return "\n".join(lines)


def describe_signing(t: Trigger, s: Standing, tz: ZoneInfo) -> str:
    return (f"You are signing trigger campaign {b(t.ref)} ({esc(t.title)}): {standing_text(t, s)}; "
            f"it closes {when(t.closes_at, tz)}.\n"
            "We keep your membership, branch and the time you signed; the campaign's organisers see them. "
            f"You can withdraw until the trigger fires: /unsign {t.ref}.")


def fired_privately(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo) -> str:
    return (f"Trigger {t.ref} ({esc(t.title)}) fired at {when(now, tz)}: {standing_text(t, s)}. "
            "Its ballot opens in the room where the campaign was announced.")


def fired_in_room(t: Trigger, s: Standing) -> str:
    return (f"🔔 Trigger {b(t.ref)} has fired: {esc(t.title)} — {standing_text(t, s)} "
            f"({esc(t.threshold.describe())}). The ballot opens now.")


def expired(t: Trigger, s: Standing) -> str:
    return f"Trigger {b(t.ref)} ({esc(t.title)}) closed at its deadline without firing: {standing_text(t, s)}."


def listing_line(t: Trigger) -> str:
    return f"{b(t.ref)}: {esc(t.kind)} — {esc(t.office)} ({t.status})"
