"""How pools read: the registration questions, the freeze and the draw as announced, the notes to
volunteers, and a pool's status."""

from __future__ import annotations

from fractions import Fraction

from bot.features.pools.model import Draft, Pool
from bot.kernel.markup import Markup, b, code, markup


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
        "🎟 {}: {} volunteers, a panel of {}.{}\nCommitment (SHA-256): {}\n"
        "The published draw file: /pool {} document. The panel will be drawn with randomness announced "
        "in advance (for example numbers called out by witnesses): /pool {} draw RANDOMNESS. "
        "Anyone can check it with: quorum sortition verify FILE --randomness RANDOMNESS",
        b(f"Pool {pool.id} is frozen"), volunteers, panel_size, fair, code(commitment), pool.id, pool.id,
    )


def selected_note(pool: Pool, ticket: int) -> Markup:
    return markup("🎉 You have been selected for {} (pool {}, ticket {}). If you cannot take part, reply "
                  "/pool {} decline.", b(pool.title), pool.id, ticket, pool.id)


def seated(pool: Pool, randomness: str, new: list[int], panel: list[int], round_number: int) -> Markup:
    what = "Panel drawn" if round_number == 0 else f"Replacement round {round_number}"
    return markup(
        "🎲 {} with randomness {}.\n{}: {}\nPanel now: {}. The selected are told privately.",
        b(f"{what} — pool {pool.id}"), code(randomness), "Tickets selected" if round_number == 0 else "New members",
        ", ".join(map(str, new)), ", ".join(map(str, panel)),
    )


def status(pool: Pool, volunteers: int, quotas: list[tuple[str, str, int, int]]) -> str:
    out = [f"Pool {pool.id}: {pool.title} — {pool.status}, {volunteers} volunteers, "
           f"panel size {pool.panel_size or 'not set'}"]
    out += [f"{f} = {v}: {lo}–{hi}" for f, v, lo, hi in quotas]
    if pool.commitment:
        out.append(f"Commitment: {pool.commitment}")
    if pool.panel:
        out.append(f"Panel: {', '.join(map(str, pool.panel))}")
    return "\n".join(out)
