"""How pools read: the registration questions, the freeze and the draw as announced, the notes to
volunteers, what organisers decide after the draw, and a pool's status.

Every function renders in the language being written in (bot/kernel/language.py): the caller
sets the reader's — the room's for an announcement, each volunteer's for their own note. The
pool's title, its questions and their answers are the organisers' words and are never
translated."""

from __future__ import annotations

import shlex
from fractions import Fraction

from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError
from bot.engines.sortition.words import Words
from bot.features.pools.model import EMPTY, RELAX, ROUND, Draft, Kept, Pool, Seats, Step, document_file
from bot.kernel.language import _, ngettext, pgettext
from bot.kernel.markup import Markup, b, code, lines, markup
from bot.kernel.wording import number, percent


def engine_refusal(error: SortitionError) -> str:
    """What the sortition engine refused, in the reader's language: its sentences for organisers
    through the catalogue, an operator's English line (a damaged document) as it is."""
    return "\n".join(line.say(_, ngettext, number) if isinstance(line, Words) else line for line in error.lines)


def ask(draft: Draft) -> Markup:
    """The next thing a registering volunteer is asked."""
    q = draft.next_question()
    if q is not None:
        opts = ", ".join(f"{n}. {o}" for n, o in enumerate(q["options"], 1))
        return markup(_("{question}? Reply with one of: {options}"), question=b(q["name"].capitalize()),
                      options=opts)
    if draft.name is None:
        return markup(_("Your name, as the organisers should know you if you are selected?"))
    answers = "; ".join(f"{k}: {v}" for k, v in draft.answers.items())
    return markup(_("You gave: {answers}; name: {name}. Do you consent to these answers being kept for this draw "
                    "and to being contacted here if you are selected? Reply yes to register, or cancel."),
                  answers=answers, name=draft.name)


def registering(pool: Pool, draft: Draft) -> Markup:
    """The first message of a registration: which pool, the first question, how to stop."""
    return markup(_("Registering for {title} (pool {id}). {question}\nSend 'cancel' to stop; nothing is kept "
                    "until you consent at the end."), title=b(pool.title), id=pool.id, question=ask(draft))


def registered_once(pools: list[int]) -> str:
    """Told privately, once, as an account is linked: the member had registered in POOLS from
    another account too, and is registered once in each."""
    return ngettext("You had registered in pool {pools} from another account too: the later registration is "
                    "withdrawn, so you hold one ticket.",
                    "You had registered in pools {pools} from another account too: in each, the later registration "
                    "is withdrawn, so you hold one ticket.", len(pools)).format(
        pools=", ".join(map(str, pools)))


def share(chance: Fraction) -> str:
    """A chance of selection as a percentage, exact to one decimal (rounded half up)."""
    return percent(chance.numerator, chance.denominator)


def ticket_note(pool: Pool, ticket: int, chance: Fraction | None) -> Markup:
    note = markup(_("Pool {id} ({title}) is frozen. Your ticket is {ticket}."), id=pool.id, title=pool.title,
                  ticket=b(ticket))
    if chance is None:
        return note
    return markup("{} {}", note, _("Your chance of selection is {share}.").format(share=share(chance)))


def frozen(pool: Pool, volunteers: int, panel_size: int, commitment: str, lowest: Fraction | None) -> Markup:
    head = markup(ngettext("🎟 <b>Pool {id} is frozen</b>: {n} volunteer, a panel of {size}.",
                           "🎟 <b>Pool {id} is frozen</b>: {n} volunteers, a panel of {size}.", volunteers),
                  id=pool.id, n=number(volunteers), size=number(panel_size))
    if lowest is not None:
        head = markup("{} {}", head, _("The lowest chance of selection is {share}.").format(share=share(lowest)))
    return lines(
        head,
        markup(_("Commitment (SHA-256): {commitment}"), commitment=code(commitment)),
        markup(_("The published draw file: /pool {id} document. The panel will be drawn with randomness announced "
                 "in advance (for example numbers called out by witnesses): /pool {id} draw RANDOMNESS. Anyone can "
                 "check it with: quorum sortition verify FILE --randomness RANDOMNESS --commitment {commitment}"),
               id=pool.id, commitment=commitment),
    )


def selected_note(pool: Pool, ticket: int) -> Markup:
    return markup(_("🎉 You have been selected for {title} (pool {id}, ticket {ticket}). If you cannot take part, "
                    "reply /pool {id} decline."), title=b(pool.title), id=pool.id, ticket=ticket)


def tickets(numbers: list[int]) -> str:
    # TRANSLATORS: a list of ticket numbers that is empty, e.g. "Tickets selected: none."
    return ", ".join(map(str, numbers)) or pgettext("tickets", "none")


def _filled(pool: Pool, seated: list[int]) -> str:
    size = pool.panel_size or 0
    return ngettext("{tickets} ({filled} of {n} seat filled)", "{tickets} ({filled} of {n} seats filled)",
                    size).format(tickets=tickets(seated), filled=number(len(seated)), n=number(size))


def check_command(pool: Pool, steps: list[Step]) -> str:
    """The command that re-derives the panel as it stands from the published file and steps.

    It pins the commitment published at the freeze: a file altered and re-sealed is consistent
    with itself, and only the commitment announced before the randomness tells it apart."""
    parts = ["quorum sortition verify", document_file(pool.id), "--randomness", shlex.quote(pool.randomness or "")]
    for step in steps:
        d = step.detail
        if step.kind == ROUND:
            parts += ["--round", ",".join(map(str, d["tickets"])), shlex.quote(d["randomness"])]
        elif step.kind == RELAX:
            parts += ["--relax", shlex.quote(f"{d['feature']}={d['value']}"), f"{d['min']}-{d['max']}"]
        elif step.kind == EMPTY:
            parts += ["--empty", str(d["ticket"])]
    if pool.commitment:
        parts += ["--commitment", pool.commitment]
    return " ".join(parts)


def _check(pool: Pool, steps: list[Step]) -> Markup:
    return markup(_("Anyone can check it with the file from /pool {id} document: {command}"), id=pool.id,
                  command=code(check_command(pool, steps)))


def drawn(pool: Pool, randomness: str, seated: list[int], steps: list[Step], page: str | None = None) -> Markup:
    out = [
        markup(_("🎲 <b>Panel drawn — pool {id}</b> with randomness {randomness}."), id=pool.id,
               randomness=code(randomness)),
        _("Tickets selected: {tickets}. The selected are told privately.").format(tickets=tickets(seated)),
        _check(pool, steps),
    ]
    if page:
        out.append(_("The draw, its inputs and a check anyone can run: {page}").format(page=page))
    return lines(*out)


def refilled(pool: Pool, round_number: int, randomness: str, replaced: list[tuple[int, int]], seated: list[int],
             steps: list[Step]) -> Markup:
    return lines(
        markup(_("🎲 <b>Replacement round {round} — pool {id}</b> with randomness {randomness}."),
               round=round_number, id=pool.id, randomness=code(randomness)),
        *(_("Ticket {old}'s seat goes to ticket {new}.").format(old=old, new=new) for old, new in replaced),
        _("Panel now: {panel}. Whoever is newly seated is told privately.").format(panel=_filled(pool, seated)),
        _check(pool, steps),
    )


def declined_in_room(pool: Pool, ticket: int) -> str:
    return _("Ticket {ticket} declined a seat on panel {id}. An organiser refills it with fresh announced "
             "randomness: /pool {id} replace RANDOMNESS").format(ticket=ticket, id=pool.id)


def unfillable(pool: Pool, ticket: int, relax: tuple[QuotaBound, ...]) -> str:
    """Why a replacement round drew nothing, and the two ways the organisers can go on."""
    head = _("Nothing was drawn: nobody left in pool {id} can take ticket {ticket}'s seat without breaking a "
             "quota. The organisers decide:").format(id=pool.id, ticket=ticket)
    if not relax:
        return head + " " + _("nobody else is left to draw, so leave the seat empty with /pool {id} empty {ticket}; "
                              "replacement rounds then go on without it.").format(id=pool.id, ticket=ticket)
    # TRANSLATORS: joins the relax commands of two or more quota lines: "/pool 1 relax … and /pool 1 relax …"
    commands = _(" and ").join(f"/pool {pool.id} relax {b.feature}={b.value} {b.min}-{b.max}" for b in relax)
    return "\n".join([
        head,
        _("• relax the quota for replacements, the smallest change that lets someone in: {commands}, then /pool {id} "
          "replace with fresh randomness;").format(commands=commands, id=pool.id),
        _("• or leave the seat empty with /pool {id} empty {ticket}; replacement rounds then go on without "
          "it.").format(id=pool.id, ticket=ticket),
    ])


def relaxed(pool: Pool, bound: QuotaBound, was: QuotaBound, steps: list[Step]) -> Markup:
    return lines(
        markup(_("⚖️ Pool {id}: replacement rounds from now on keep {question}={answer} at {min}–{max} panel members "
                 "(it was {was_min}–{was_max}; the published draw is unchanged)."), id=pool.id,
               question=bound.feature, answer=bound.value, min=bound.min, max=bound.max, was_min=was.min,
               was_max=was.max),
        _("Refill the open seats with fresh announced randomness: /pool {id} replace RANDOMNESS").format(id=pool.id),
        _check(pool, steps),
    )


def left_empty(pool: Pool, ticket: int, seated: list[int], steps: list[Step]) -> Markup:
    return lines(
        _("Pool {id}: the seat ticket {ticket} declined stays empty, as the organisers decided. Panel now: "
          "{panel}.").format(id=pool.id, ticket=ticket, panel=_filled(pool, seated)),
        _check(pool, steps),
    )


def _status_word(status: str) -> str:
    """A pool's status as shown in /pool P status."""
    return {"open": pgettext("pool status", "open"), "committed": pgettext("pool status", "committed"),
            "drawn": pgettext("pool status", "drawn")}.get(status, status)


def status(pool: Pool, volunteers: int, quotas: list[tuple[str, str, int, int]], in_force: Quotas | None,
           state: Seats | None, steps: list[Step]) -> Markup:
    """A pool at a glance: the seated panel apart from the tickets that declined, and the quotas
    replacement rounds keep now beside the published ones."""
    size = number(pool.panel_size) if pool.panel_size else None
    head = (ngettext("Pool {id}: {title} — {status}, {n} volunteer, panel size {size}",
                     "Pool {id}: {title} — {status}, {n} volunteers, panel size {size}", volunteers) if size else
            ngettext("Pool {id}: {title} — {status}, {n} volunteer, panel size not set",
                     "Pool {id}: {title} — {status}, {n} volunteers, panel size not set", volunteers))
    out: list[object] = [head.format(id=pool.id, title=pool.title, status=_status_word(pool.status),
                                     n=number(volunteers), size=size)]
    now = {(q.feature, q.value): q for q in (in_force.bounds if in_force else ())}
    for f, v, lo, hi in quotas:
        kept = now.get((f, v))
        if kept is not None and (kept.min, kept.max) != (lo, hi):
            out.append(_("{question} = {answer}: {min}–{max}, relaxed to {now_min}–{now_max} for replacements").format(
                question=f, answer=v, min=lo, max=hi, now_min=kept.min, now_max=kept.max))
        else:
            out.append(f"{f} = {v}: {lo}–{hi}")
    if pool.commitment:
        out.append(_("Commitment: {commitment}").format(commitment=pool.commitment))
    if state is not None:
        out.append(_("Panel: {panel}").format(panel=_filled(pool, state.seated)))
        gone = [_("ticket {ticket} (seat refilled)").format(ticket=t) for t in state.refilled]
        gone += [_("ticket {ticket} (seat left empty)").format(ticket=t) for t in state.empty]
        gone += [_("ticket {ticket} (seat open)").format(ticket=t) for t in state.open]
        if gone:
            out.append(_("Declined: {tickets}").format(tickets=", ".join(gone)))
        if state.open:
            out.append(_("Refill the open seats: /pool {id} replace RANDOMNESS (or leave one empty: /pool {id} empty "
                         "TICKET)").format(id=pool.id))
        out.append(_check(pool, steps))
    return lines(*out)


def kept(k: Kept) -> str:
    """One registration as /mydata lists it, in the voice of the other entries (its day as ISO
    8601, read alike in every language)."""
    answers = "; ".join(f"{q}: {a}" for q, a in k.answers.items())
    if k.ticket is None:
        return _("• pool P{id} ({title}): name {name}; answers {answers}; since {day}").format(
            id=k.pool_id, title=k.title, name=k.name, answers=answers, day=k.since[:10])
    if k.declined:
        return _("• pool P{id} ({title}): name {name}; answers {answers}; ticket {ticket}, its seat declined; since "
                 "{day}").format(id=k.pool_id, title=k.title, name=k.name, answers=answers, ticket=k.ticket,
                                 day=k.since[:10])
    return _("• pool P{id} ({title}): name {name}; answers {answers}; ticket {ticket}; since {day}").format(
        id=k.pool_id, title=k.title, name=k.name, answers=answers, ticket=k.ticket, day=k.since[:10])


PanelRow = tuple[int, str | None, dict[str, str], bool, str]


def panel_sheet(pool: Pool, rows: list[PanelRow]) -> tuple[list[str], list[list[object]]]:
    """The organisers' panel export: (ticket, name, answers, declined, seat) rows as a header and
    rows (the seat: "seated", "open", "left empty" or "refilled"; no name: the volunteer erased
    their registration, shown as such)."""
    names = [q["name"] for q in pool.questions]
    seat = {"seated": pgettext("seat", "seated"), "open": pgettext("seat", "open"),
            "left empty": pgettext("seat", "left empty"), "refilled": pgettext("seat", "refilled")}
    header = [pgettext("csv column", "ticket"), pgettext("csv column", "name"), *names,
              pgettext("csv column", "declined"), pgettext("csv column", "seat")]
    yes = pgettext("csv cell", "yes")
    # TRANSLATORS: in the name column of a panel list: this volunteer erased their registration.
    erased = pgettext("csv cell", "(erased)")
    return header, [[ticket, erased if name is None else name, *(answers.get(n, "") for n in names),
                     yes if declined else "", seat[where]]
                    for ticket, name, answers, declined, where in rows]


def panel_label(pool: Pool) -> str:
    """The panel export's name (its file's name and caption)."""
    return _("Pool {id} panel").format(id=pool.id)


def the_panel_list() -> str:
    # TRANSLATORS: completes "I sent you … privately." and "I could not send you … privately".
    return _("the panel list")
