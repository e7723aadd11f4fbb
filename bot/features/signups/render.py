"""How the sign-up form and /mydata read, in the language being written in (the supporter's:
the form is filled in privately). The form's title and the supporter's answers are their own
words and are never translated."""

from __future__ import annotations

from bot.features.motions.model import ERASED_NAME
from bot.features.signups.model import Draft
from bot.kernel.language import _, ngettext, pgettext
from bot.kernel.wording import number


def first_question(draft: Draft) -> str:
    return _("Sign-up S{id}: {title}.\nWhat name should we use for you? (Send /signup cancel to stop; nothing is "
             "kept until you consent at the end.)").format(id=draft.form_id, title=draft.title)


def _none() -> str:
    # TRANSLATORS: an optional contact the supporter left out: "contact (none)".
    return pgettext("contact", "(none)")


def consent_question(d: Draft) -> str:
    """What the supporter consents to: exactly what is kept, who keeps it, what for, and how to
    take it back."""
    return _("Please check: name {name}; area {area}; contact {contact}.\nDo you consent to the organisers of "
             "\"{title}\" keeping these details and contacting you about it? You can see, withdraw or erase them "
             "at any time with /mydata. Reply yes or no.").format(name=d.name, area=d.area,
                                                                   contact=d.contact or _none(), title=d.title)


def signed_up(d: Draft) -> str:
    return _("Thank you, {name}: you are signed up for S{id} ({title}). Send /mydata to see, withdraw or erase your "
             "details.").format(name=d.name, id=d.form_id, title=d.title)


def kept(form_id: int, title: str, name: str, area: str, contact: str | None, at: str) -> str:
    """One sign-up as /mydata lists it (its day as ISO 8601, 2026-01-05, read alike in every
    language)."""
    return _("• sign-up S{id} ({title}): name {name}; area {area}; contact {contact}; since {day}").format(
        id=form_id, title=title, name=name, area=area, contact=contact or _none(), day=at[:10])


def erased(what: str, n: int) -> str:
    """N records of the kind WHAT (as DataHolder.erase names it: "sign-up", "model-motion
    signature", "trigger signature", "pool registration", "branch report", "motion record") in
    the language being written in."""
    if what == "sign-up":
        return ngettext("{n} sign-up", "{n} sign-ups", n).format(n=number(n))
    if what == "model-motion signature":
        return ngettext("{n} model-motion signature", "{n} model-motion signatures", n).format(n=number(n))
    if what == "trigger signature":
        return ngettext("{n} trigger signature", "{n} trigger signatures", n).format(n=number(n))
    if what == "pool registration":
        return ngettext("{n} pool registration", "{n} pool registrations", n).format(n=number(n))
    if what == "motion record":
        return ngettext("your name on the record of {n} motion (it reads \"{erased}\" now; the motion stays)",
                        "your name on the records of {n} motions (they read \"{erased}\" now; the motions stay)",
                        n).format(n=number(n), erased=_(ERASED_NAME))
    if what == "branch report":
        return ngettext("your name on {n} branch report (the branch's vote stands)",
                        "your name on {n} branch reports (the branches' votes stand)", n).format(n=number(n))
    return f"{number(n)} × {what}"


def erased_all(accounts: list[str], gone: list[tuple[str, int]]) -> str:
    """The answer to /mydata erase: what went, and from which of the person's accounts."""
    listed = ", ".join(erased(what, n) for what, n in gone if n)
    said = _("Erased: {list}. Nothing of it remains in my records. (Signatures on trigger campaigns that already "
             "fired are kept: they are the record of why a ballot was held.)").format(list=listed)
    if any(what == "pool registration" and n for what, n in gone):
        said += " " + _("A pool already frozen keeps your ticket in its published draw, with no name or chat "
                        "account left on it, so that anyone can still check the draw; a seat you held is offered "
                        "to someone else.")
    return "\n".join([said, *covering(accounts)])


def covering(accounts: list[str]) -> list[str]:
    """For a member with several chat accounts linked to their membership: the line that says
    an answer of /mydata is about all of them (what each left is theirs); none for one account."""
    if len(accounts) < 2:
        return []
    return [_("This covers every account linked to your membership: {accounts}.").format(
        accounts=", ".join(accounts))]


def what_is_kept(accounts: list[str], lines: list[str]) -> str:
    """/mydata's answer: LINES, what is kept about the person whose chat accounts are ACCOUNTS
    (the asker's first)."""
    head = (_("What I keep about you ({id}):").format(id=accounts[0]) if len(accounts) < 2 else
            _("What I keep about you, from every account linked to your membership ({accounts}):").format(
                accounts=", ".join(accounts)))
    return "\n".join([head, *lines,
                      _("Withdraw one with /mydata withdraw S1 (or M12, T2, P1); erase everything with /mydata "
                        "erase.")])


def signups_sheet(rows: list[tuple[str, str, str | None, str, str]]) -> tuple[list[str], list[list[object]]]:
    """A form's sign-ups as the organisers' export: a header and (name, area, contact, signed at,
    consent) rows, the consent "yes" or "no" in the reader's language."""
    header = [pgettext("csv column", "name"), pgettext("csv column", "area"), pgettext("csv column", "contact"),
              pgettext("csv column", "signed_at"), pgettext("csv column", "consent")]
    said = {"yes": pgettext("csv cell", "yes"), "no": pgettext("csv cell", "no")}
    return header, [[name, area, contact, at, said.get(consent, consent)] for name, area, contact, at, consent in rows]
