"""How pools read: the registration questions, the freeze and the draw as announced, the notes to
volunteers, and a pool's status."""

from __future__ import annotations

from fractions import Fraction

from bot.features.pools.model import Draft, Pool
from bot.kernel.markup import b, code, esc


def ask(draft: Draft) -> str:
    """The next thing a registering volunteer is asked."""
    q = draft.next_question()
    if q is not None:
        opts = ", ".join(f"{n}. {esc(o)}" for n, o in enumerate(q["options"], 1))
        return f"{b(q['name'].capitalize())}? Reply with one of: {opts}"
    if draft.name is None:
        return "Your name, as the organisers should know you if you are selected?"
    answers = "; ".join(f"{k}: {esc(v)}" for k, v in draft.answers.items())
    return (f"You gave: {answers}; name: {esc(draft.name)}. Do you consent to these answers being kept for "
            f"this draw and to being contacted here if you are selected? Reply yes to register, or cancel.")


def share(chance: Fraction) -> str:
    return f"{float(chance) * 100:.1f}%"


def ticket_note(pool: Pool, ticket: int, chance: Fraction | None) -> str:
    extra = f" Your chance of selection is {share(chance)}." if chance is not None else ""
    return f"Pool {pool.id} ({esc(pool.title)}) is frozen. Your ticket is {b(ticket)}.{extra}"


def frozen(pool: Pool, volunteers: int, panel_size: int, commitment: str, lowest: Fraction | None) -> str:
    fair = f" The lowest chance of selection is {share(lowest)}." if lowest is not None else ""
    return (
        f"🎟 {b(f'Pool {pool.id} is frozen')}: {volunteers} volunteers, a panel of {panel_size}.{fair}\n"
        f"Commitment (SHA-256): {code(commitment)}\n"
        f"The published draw file: /pool {pool.id} document. The panel will be drawn with randomness announced "
        f"in advance (for example numbers called out by witnesses): /pool {pool.id} draw RANDOMNESS. "
        f"Anyone can check it with: quorum sortition verify FILE --randomness RANDOMNESS"
    )


def selected_note(pool: Pool, ticket: int) -> str:
    return (f"🎉 You have been selected for {b(esc(pool.title))} (pool {pool.id}, ticket "
            f"{ticket}). If you cannot take part, reply /pool {pool.id} decline.")


def seated(pool: Pool, randomness: str, new: list[int], panel: list[int], round_number: int) -> str:
    what = "Panel drawn" if round_number == 0 else f"Replacement round {round_number}"
    return (
        f"🎲 {b(f'{what} — pool {pool.id}')} with randomness {code(randomness)}.\n"
        f"{'Tickets selected' if round_number == 0 else 'New members'}: {', '.join(map(str, new))}\n"
        f"Panel now: {', '.join(map(str, panel))}. The selected are told privately."
    )


def status(pool: Pool, volunteers: int, quotas: list[tuple[str, str, int, int]]) -> str:
    lines = [f"Pool {pool.id}: {esc(pool.title)} — {pool.status}, {volunteers} volunteers, "
             f"panel size {pool.panel_size or 'not set'}"]
    lines += [f"{esc(f)} = {esc(v)}: {lo}–{hi}" for f, v, lo, hi in quotas]
    if pool.commitment:
        lines.append(f"Commitment: {pool.commitment}")
    if pool.panel:
        lines.append(f"Panel: {', '.join(map(str, pool.panel))}")
    return "\n".join(lines)
