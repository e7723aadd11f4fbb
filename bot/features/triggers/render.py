"""How trigger campaigns read: where they stand, and what is announced when they open, fire or
expire."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.roll.model import branch_name
from bot.features.triggers.model import CANCELLED, EXPIRED, FIRED, Standing, Trigger, TriggerSpec
from bot.kernel.markup import Markup, b, lines, markup
from bot.kernel.wording import a_or_an, count_of, days_left, when


def standing_text(t: Trigger, s: Standing) -> str:
    """How far a campaign has got, as a campaigner says it: "1 signature of the 3 needed"."""
    if t.threshold.kind == "branches":
        return f"{count_of(s.have, 'branch', 'branches')} of the {s.need} needed"
    return f"{count_of(s.have, 'signature')} of the {s.need} needed"


def opened(t: Trigger, s: Standing, spec: TriggerSpec, electorate: int, tz: ZoneInfo) -> Markup:
    where = branch_name(spec.branch) if spec.branch else "the membership roll"
    ballot = a_or_an("secret ballot" if spec.ballot.secret else "open (roll-call) ballot")
    return markup(
        "🗳 Trigger campaign {}: {}\n"
        "Threshold: {} — {}. Electorate: {} ({}). Closes {}.\n"
        "When it fires, {} opens here: {}\n"
        "Members sign privately: tap the button or send me sign {}.",
        b(t.ref), t.title, spec.threshold.describe(), standing_text(t, s), where, count_of(electorate, "member"),
        when(spec.closes_at, tz), ballot, spec.ballot.question, t.ref,
    )


def progress(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo) -> Markup:
    out: list[object] = [markup("🗳 {}: {}", b(t.ref), t.title), f"Threshold: {t.threshold.describe()}.",
                         f"{standing_text(t, s).capitalize()}."]
    if t.threshold.kind == "branches" and s.counted_branches:
        out.append("Branches that count: " + ", ".join(s.counted_branches) + ".")
    if t.status == FIRED:
        poll = f" Its ballot is poll {t.ballot_poll_id}." if t.ballot_poll_id else ""
        out.append(f"It fired at {when(t.fired_at or now, tz)}.{poll}")
    elif t.status == EXPIRED or now >= t.closes_at:
        out.append("It closed at its deadline without firing.")
    elif t.status == CANCELLED:
        out.append("It was cancelled.")
    else:
        left = days_left(t.closes_at, now, tz)
        out.append(f"Closes {when(t.closes_at, tz, now)} ({count_of(left, 'day')} left). "
                   f"Sign privately: send me sign {t.ref}")
    return lines(*out)


def describe_signing(t: Trigger, s: Standing, tz: ZoneInfo) -> Markup:
    return markup("You are signing trigger campaign {} ({}): {}; it closes {}.\n"
                  "We keep your membership, branch and the time you signed; the campaign's organisers see them. "
                  "You can withdraw until the trigger fires: /unsign {}.",
                  b(t.ref), t.title, standing_text(t, s), when(t.closes_at, tz), t.ref)


def fired_privately(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo) -> str:
    return (f"Trigger {t.ref} ({t.title}) fired at {when(now, tz)}: {standing_text(t, s)}. "
            "Its ballot opens in the room where the campaign was announced.")


def fired_in_room(t: Trigger, s: Standing) -> Markup:
    return markup("🔔 Trigger {} has fired: {} — {} ({}). The ballot opens now.",
                  b(t.ref), t.title, standing_text(t, s), t.threshold.describe())


def expired(t: Trigger, s: Standing) -> Markup:
    return markup("Trigger {} ({}) closed at its deadline without firing: {}.", b(t.ref), t.title, standing_text(t, s))


def listing_line(t: Trigger) -> Markup:
    return markup("{}: {} — {} ({})", b(t.ref), t.kind, t.office, t.status)
