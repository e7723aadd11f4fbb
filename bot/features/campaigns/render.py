"""How a campaign reads: its progress, its announcement, the goal reached — in the language of
whoever reads it (a room's for what is said in the group, a member's in a private chat), dates
and figures as that language writes them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.features.campaigns.model import Progress
from bot.kernel.language import _, ngettext, pgettext
from bot.kernel.markup import Markup, b, lines, markup
from bot.kernel.wording import day_of, days_left, number, when_in_full, zoned


def signatures_count(n: int) -> str:
    return ngettext("{n} signature", "{n} signatures", n).format(n=number(n))


def branches_count(n: int) -> str:
    return ngettext("{n} branch", "{n} branches", n).format(n=number(n))


def _signatures(p: Progress) -> str:
    if p.goal_signatures is None:
        return signatures_count(p.signatures)
    return ngettext("{n} signature of {goal}", "{n} signatures of {goal}", p.signatures).format(
        n=number(p.signatures), goal=number(p.goal_signatures))


def _branches(p: Progress) -> str:
    if p.goal_branches is None:
        return ngettext("{n} branch adopted", "{n} branches adopted", p.branches).format(n=number(p.branches))
    return ngettext("{n} branch adopted (goal {goal})", "{n} branches adopted (goal {goal})", p.branches).format(
        n=number(p.branches), goal=number(p.goal_branches))


def progress_text(p: Progress, now: datetime, tz: ZoneInfo) -> Markup:
    out: list[object] = [markup("📣 {ref}: {title}", ref=b(p.ref), title=p.title),
                         f"{_signatures(p)} · {_branches(p)}"]
    if p.goal_reached:
        out.append(_("🎉 The goal is reached."))
    if p.closed:
        out.append(_("The campaign is closed."))
    elif p.deadline is not None:
        left = days_left(p.deadline, now, tz)
        day = zoned(when_in_full(p.deadline, tz), tz)  # supporters read it far from the organisation
        if now >= p.deadline:
            out.append(_("The deadline ({day}) has passed.").format(day=day))
        elif left == 0:
            out.append(_("Deadline today, {day}.").format(day=day))
        else:
            out.append(ngettext("{n} day left (deadline {day}).", "{n} days left (deadline {day}).", left).format(
                n=number(left), day=day))
    if p.signing(now):
        out.append(_("Sign privately: send me sign {ref}").format(ref=p.ref))
    return lines(*out)


def goal_reached(ref: str, title: str, signatures: int, branches: int) -> Markup:
    return markup(_("🎉 The model motion {campaign} ({title}) has reached its goal: {signatures}, {branches}. "
                    "Send /campaign {ref} for the figures."), campaign=b(ref), title=title,
                  signatures=signatures_count(signatures), branches=branches_count(branches), ref=ref)


def signatures_merged(refs: list[str]) -> str:
    """Told privately, once, as an account is linked: the member had signed REFS from another
    account too, and counts once on each."""
    return ngettext("You had signed {refs} from another account too: the later signature was merged into the first, "
                    "so you count once.",
                    "You had signed {refs} from another account too: on each, the later signature was merged into "
                    "the first, so you count once.", len(refs)).format(refs=", ".join(refs))


def _goal(goal_branches: int | None, goal_signatures: int | None) -> str:
    if goal_branches and goal_signatures:
        # TRANSLATORS: a campaign's goal, e.g. "100 branches and 500 signatures".
        return _("{branches} and {signatures}").format(branches=branches_count(goal_branches),
                                                       signatures=signatures_count(goal_signatures))
    return branches_count(goal_branches) if goal_branches else signatures_count(goal_signatures or 0)


def opened(motion_id: int, goal_branches: int | None, goal_signatures: int | None, deadline: datetime | None,
           tz: ZoneInfo, motion_text: Markup) -> Markup:
    """The announcement of a new campaign, with the motion's text (MOTION_TEXT, markup)."""
    ref = f"M{motion_id}"
    fields = {"campaign": b(ref), "goal": _goal(goal_branches, goal_signatures), "motion": motion_text, "ref": ref}
    if deadline is None:
        return markup(_("📣 Model motion campaign {campaign} — goal: {goal}.\n{motion}\n"
                        "Sign privately: tap the button or send me sign {ref}. Branch secretaries: report a vote "
                        "with /campaign {ref} adopted BRANCH on DATE."), **fields)
    return markup(_("📣 Model motion campaign {campaign} — goal: {goal} by {deadline}.\n{motion}\n"
                    "Sign privately: tap the button or send me sign {ref}. Branch secretaries: report a vote "
                    "with /campaign {ref} adopted BRANCH on DATE."),
                  deadline=zoned(when_in_full(deadline, tz), tz), **fields)


def sign_button(ref: str) -> str:
    """The label of the button under an announcement that starts signing privately."""
    return _("Sign {ref}").format(ref=ref)


def recorded(branch: str, ref: str, day: date, branches: int) -> str:
    return ngettext("Recorded: {branch} passed {ref} on {day}. {n} branch so far.",
                    "Recorded: {branch} passed {ref} on {day}. {n} branches so far.", branches).format(
        branch=branch, ref=ref, day=day_of(day), n=number(branches))


def adoptions(ref: str, rows: list[tuple[str, str]]) -> str:
    """The branches that passed the motion, one a line with the day (as reported, ISO)."""
    if not rows:
        return _("No branch has reported passing {ref} yet.").format(ref=ref)
    head = _("Branches that passed {ref} ({n}):").format(ref=ref, n=number(len(rows)))
    return "\n".join([head, *(f"{br} — {on}" for br, on in rows)])


def export_header() -> tuple[str, ...]:
    """The columns of the signatures' export, in the language of the organiser who reads it."""
    return (pgettext("csv", "name"), pgettext("csv", "kind"), pgettext("csv", "branch"),
            pgettext("csv", "signed_at"), pgettext("csv", "consent"))


def export_row(row: tuple[str, str, str | None, str, str]) -> tuple[str, str, str | None, str, str]:
    """A signature as exported: whether the signer is a member or a supporter, and whether they
    consented, in words of the reader's language."""
    name, kind, branch, at, consent = row
    kinds = {"member": pgettext("signer", "member"), "supporter": pgettext("signer", "supporter")}
    answers = {"yes": pgettext("consent", "yes"), "no": pgettext("consent", "no")}
    return name, kinds.get(kind, kind), branch, at, answers.get(consent, consent)
