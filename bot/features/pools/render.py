"""How pools read: the registration questions, the freeze and the draw as announced, the notes to
volunteers, what organisers decide after the draw, and a pool's status."""

from __future__ import annotations

import shlex
from fractions import Fraction

from bot.engines.sortition.model import QuotaBound, Quotas
from bot.features.pools.model import EMPTY, RELAX, ROUND, Draft, Pool, Seats, Step
from bot.kernel.markup import Markup, b, code, lines, markup
from bot.kernel.wording import count_of


def ask(draft: Draft) -> Markup:
    """The next thing a registering volunteer is asked."""
    q = draft.next_question()
    if q is not None:
        opts = ", ".join(f"{n}. {o}" for n, o in enumerate(q["options"], 1))
        return markup("{}? Reply with one of: {}", b(q["name"].capitalize()), opts)
    if draft.name is None:
        return markup("Your name, as the organisers should know you if you are selected?")
    answers = "; ".join(f"{k}: {v}" for k, v in draft.answers.items())
    return markup("You gave: {}; name: {}. Do you consent to these answers being kept for this draw and to being "
                  "contacted here if you are selected? Reply yes to register, or cancel.", answers, draft.name)


def share(chance: Fraction) -> str:
    return f"{float(chance) * 100:.1f}%"


def ticket_note(pool: Pool, ticket: int, chance: Fraction | None) -> Markup:
    extra = f" Your chance of selection is {share(chance)}." if chance is not None else ""
    return markup("Pool {} ({}) is frozen. Your ticket is {}.{}", pool.id, pool.title, b(ticket), extra)


def frozen(pool: Pool, volunteers: int, panel_size: int, commitment: str, lowest: Fraction | None) -> Markup:
    fair = f" The lowest chance of selection is {share(lowest)}." if lowest is not None else ""
    return markup(
        "🎟 {}: {}, a panel of {}.{}\nCommitment (SHA-256): {}\n"
        "The published draw file: /pool {} document. The panel will be drawn with randomness announced "
        "in advance (for example numbers called out by witnesses): /pool {} draw RANDOMNESS. "
        "Anyone can check it with: quorum sortition verify FILE --randomness RANDOMNESS",
        b(f"Pool {pool.id} is frozen"), count_of(volunteers, "volunteer"), panel_size, fair, code(commitment),
        pool.id, pool.id,
    )


def selected_note(pool: Pool, ticket: int) -> Markup:
    return markup("🎉 You have been selected for {} (pool {}, ticket {}). If you cannot take part, reply "
                  "/pool {} decline.", b(pool.title), pool.id, ticket, pool.id)


def _tickets(tickets: list[int]) -> str:
    return ", ".join(map(str, tickets)) or "none"


def _filled(pool: Pool, seated: list[int]) -> str:
    return f"{_tickets(seated)} ({len(seated)} of {count_of(pool.panel_size or 0, 'seat')} filled)"


def check_command(pool: Pool, steps: list[Step]) -> str:
    """The command that re-derives the panel as it stands from the published file and steps."""
    parts = ["quorum sortition verify", f"pool-{pool.id}.json", "--randomness", shlex.quote(pool.randomness or "")]
    for step in steps:
        d = step.detail
        if step.kind == ROUND:
            parts += ["--round", ",".join(map(str, d["tickets"])), shlex.quote(d["randomness"])]
        elif step.kind == RELAX:
            parts += ["--relax", shlex.quote(f"{d['feature']}={d['value']}"), f"{d['min']}-{d['max']}"]
        elif step.kind == EMPTY:
            parts += ["--empty", str(d["ticket"])]
    return " ".join(parts)


def _check(pool: Pool, steps: list[Step]) -> Markup:
    return markup("Anyone can check it with the file from /pool {} document: {}", pool.id,
                  code(check_command(pool, steps)))


def drawn(pool: Pool, randomness: str, seated: list[int], steps: list[Step]) -> Markup:
    return lines(
        markup("🎲 {} with randomness {}.", b(f"Panel drawn — pool {pool.id}"), code(randomness)),
        f"Tickets selected: {_tickets(seated)}. The selected are told privately.",
        _check(pool, steps),
    )


def refilled(pool: Pool, round_number: int, randomness: str, replaced: list[tuple[int, int]], seated: list[int],
             steps: list[Step]) -> Markup:
    return lines(
        markup("🎲 {} with randomness {}.", b(f"Replacement round {round_number} — pool {pool.id}"), code(randomness)),
        *(f"Ticket {old}'s seat goes to ticket {new}." for old, new in replaced),
        f"Panel now: {_filled(pool, seated)}. Whoever is newly seated is told privately.",
        _check(pool, steps),
    )


def declined_in_room(pool: Pool, ticket: int) -> str:
    return (f"Ticket {ticket} declined a seat on panel {pool.id}. An organiser refills it with fresh announced "
            f"randomness: /pool {pool.id} replace RANDOMNESS")


def unfillable(pool: Pool, ticket: int, relax: tuple[QuotaBound, ...]) -> str:
    """Why a replacement round drew nothing, and the two ways the organisers can go on."""
    head = (f"Nothing was drawn: nobody left in pool {pool.id} can take ticket {ticket}'s seat without breaking a "
            "quota. The organisers decide:")
    empty = (f"leave the seat empty with /pool {pool.id} empty {ticket}; replacement rounds then go on without "
             "it")
    if not relax:
        return f"{head} nobody else is left to draw, so {empty}."
    commands = " and ".join(f"/pool {pool.id} relax {b.feature}={b.value} {b.min}-{b.max}" for b in relax)
    return (f"{head}\n• relax the quota for replacements, the smallest change that lets someone in: {commands}, "
            f"then /pool {pool.id} replace with fresh randomness;\n• or {empty}.")


def relaxed(pool: Pool, bound: QuotaBound, was: QuotaBound, steps: list[Step]) -> Markup:
    return lines(
        markup("⚖️ Pool {}: replacement rounds from now on keep {}={} at {}–{} panel members (it was {}–{}; the "
               "published draw is unchanged).", pool.id, bound.feature, bound.value, bound.min, bound.max, was.min,
               was.max),
        f"Refill the open seats with fresh announced randomness: /pool {pool.id} replace RANDOMNESS",
        _check(pool, steps),
    )


def left_empty(pool: Pool, ticket: int, seated: list[int], steps: list[Step]) -> Markup:
    return lines(
        f"Pool {pool.id}: the seat ticket {ticket} declined stays empty, as the organisers decided. "
        f"Panel now: {_filled(pool, seated)}.",
        _check(pool, steps),
    )


def status(pool: Pool, volunteers: int, quotas: list[tuple[str, str, int, int]], in_force: Quotas | None,
           state: Seats | None, steps: list[Step]) -> Markup:
    """A pool at a glance: the seated panel apart from the tickets that declined, and the quotas
    replacement rounds keep now beside the published ones."""
    out: list[object] = [f"Pool {pool.id}: {pool.title} — {pool.status}, {count_of(volunteers, 'volunteer')}, "
                         f"panel size {pool.panel_size or 'not set'}"]
    now = {(q.feature, q.value): q for q in (in_force.bounds if in_force else ())}
    for f, v, lo, hi in quotas:
        line = f"{f} = {v}: {lo}–{hi}"
        kept = now.get((f, v))
        if kept is not None and (kept.min, kept.max) != (lo, hi):
            line += f", relaxed to {kept.min}–{kept.max} for replacements"
        out.append(line)
    if pool.commitment:
        out.append(f"Commitment: {pool.commitment}")
    if state is not None:
        out.append(f"Panel: {_filled(pool, state.seated)}")
        gone = [f"ticket {t} (seat refilled)" for t in state.refilled]
        gone += [f"ticket {t} (seat left empty)" for t in state.empty] + [f"ticket {t} (seat open)" for t in state.open]
        if gone:
            out.append(f"Declined: {', '.join(gone)}")
        if state.open:
            out.append(f"Refill the open seats: /pool {pool.id} replace RANDOMNESS (or leave one empty: /pool "
                       f"{pool.id} empty TICKET)")
        out.append(_check(pool, steps))
    return lines(*out)
