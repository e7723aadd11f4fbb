"""How trigger campaigns read: where they stand, and what is announced when they open, fire or
expire — in the language of whoever reads it (the room's for announcements, each organiser's for
what they are told privately), figures and times as that language writes them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.roll.model import branch_name
from bot.features.triggers.model import CANCELLED, EXPIRED, FIRED, Standing, Trigger, TriggerSpec, status_label
from bot.kernel.language import _, ngettext
from bot.kernel.markup import Markup, b, lines, markup
from bot.kernel.wording import days_left, number, when, zoned


def standing_text(t: Trigger, s: Standing) -> str:
    """How far a campaign has got, as a campaigner says it: "1 signature of the 3 needed"."""
    if t.threshold.kind == "branches":
        return ngettext("{n} branch of the {need} needed", "{n} branches of the {need} needed", s.have).format(
            n=number(s.have), need=number(s.need))
    return ngettext("{n} signature of the {need} needed", "{n} signatures of the {need} needed", s.have).format(
        n=number(s.have), need=number(s.need))


def _standing_sentence(t: Trigger, s: Standing) -> str:
    """standing_text as a sentence of its own: "1 signature of the 3 needed."."""
    text = standing_text(t, s)
    return f"{text[:1].upper()}{text[1:]}."


def opened(t: Trigger, s: Standing, spec: TriggerSpec, electorate: int, now: datetime, tz: ZoneInfo) -> Markup:
    """The campaign's announcement in the room, as of NOW: it stays there to be read for as long
    as members may sign, so its deadline has its day, and its year when not in NOW's."""
    if t.branch:  # as the roll spells it
        where = ngettext("{branch} ({n} member)", "{branch} ({n} members)", electorate).format(
            branch=branch_name(t.branch), n=number(electorate))
    else:
        where = ngettext("the membership roll ({n} member)", "the membership roll ({n} members)", electorate).format(
            n=number(electorate))
    closes = zoned(when(spec.closes_at, tz, now, lasting=True), tz)
    fields = {"campaign": b(t.ref), "title": t.title, "threshold": spec.threshold.describe(),
              "standing": standing_text(t, s), "electorate": where, "closes": closes,
              "question": spec.ballot.question, "ref": t.ref}
    if spec.ballot.secret:
        return markup(_("🗳 Trigger campaign {campaign}: {title}\n"
                        "Threshold: {threshold} — {standing}. Electorate: {electorate}. Closes {closes}.\n"
                        "When it fires, a secret ballot opens here: {question}\n"
                        "Members sign privately: tap the button or send me sign {ref}."), **fields)
    return markup(_("🗳 Trigger campaign {campaign}: {title}\n"
                    "Threshold: {threshold} — {standing}. Electorate: {electorate}. Closes {closes}.\n"
                    "When it fires, an open (roll-call) ballot opens here: {question}\n"
                    "Members sign privately: tap the button or send me sign {ref}."), **fields)


def sign_button(t: Trigger) -> str:
    """The label of the button under the announcement that starts signing privately."""
    return _("Sign {ref}").format(ref=t.ref)


def progress(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo) -> Markup:
    out: list[object] = [markup("🗳 {ref}: {title}", ref=b(t.ref), title=t.title),
                         _("Threshold: {threshold}.").format(threshold=t.threshold.describe()),
                         _standing_sentence(t, s)]
    if t.threshold.kind == "branches" and s.counted_branches:
        out.append(_("Branches that count: {branches}.").format(branches=", ".join(s.counted_branches)))
    if t.status == FIRED:
        fired = zoned(when(t.fired_at or now, tz, now, lasting=True), tz)
        if t.ballot_poll_id:
            out.append(_("It fired at {time}. Its ballot is poll {poll}.").format(time=fired, poll=t.ballot_poll_id))
        else:
            out.append(_("It fired at {time}.").format(time=fired))
    elif t.status == EXPIRED or now >= t.closes_at:
        out.append(_("It closed at its deadline without firing."))
    elif t.status == CANCELLED:
        out.append(_("It was cancelled."))
    else:
        left = days_left(t.closes_at, now, tz)
        out.append(ngettext("Closes {time}; {n} day left. Sign privately: send me sign {ref}",
                            "Closes {time}; {n} days left. Sign privately: send me sign {ref}", left).format(
            time=zoned(when(t.closes_at, tz, now), tz), n=number(left), ref=t.ref))
    return lines(*out)


def describe_signing(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo, branch: str | None) -> Markup:
    """What signing means and what is kept, as of NOW: the consent the signature is given with
    (kept in the chat, so the deadline keeps its day and, when not in NOW's, its year). BRANCH is
    the signer's on the roll when the campaign opened: the one their signature counts for (a
    branch typed after yes is not used, see ``branch_note``)."""
    return lines(
        markup(_("You are signing trigger campaign {campaign} ({title}): {standing}; it closes {closes}."),
               campaign=b(t.ref), title=t.title, standing=standing_text(t, s),
               closes=zoned(when(t.closes_at, tz, now, lasting=True), tz)),
        _("We keep your membership, branch and the time you signed; the campaign's organisers see them. You can "
          "withdraw until the trigger fires: {unsign}.").format(unsign=f"/unsign {t.ref}"),
        _("Your signature counts for your branch on the roll when the campaign opened ({branch}), whatever branch "
          "you type after yes.").format(branch=branch) if branch is not None
        else _("The roll gives you no branch, so your signature counts for none, whatever branch you type after yes."),
    )


def branch_note(branch: str | None) -> str:
    """Said with the thanks to a signer who typed a branch after yes: a trigger campaign does not
    take it (its electorate, branches included, was fixed from the roll when it opened)."""
    if branch is None:
        return _("The roll gives you no branch: a branch typed after yes is not used for trigger campaigns.")
    return _("Your signature counts for {branch}, your branch on the roll: a branch typed after yes is not used "
             "for trigger campaigns.").format(branch=branch)


def fired_privately(t: Trigger, s: Standing, now: datetime, tz: ZoneInfo) -> str:
    return _("Trigger {ref} ({title}) fired at {time}: {standing}. Its ballot opens in the room where the campaign "
             "was announced.").format(ref=t.ref, title=t.title, time=zoned(when(now, tz, now, lasting=True), tz),
                                      standing=standing_text(t, s))


def fired_in_room(t: Trigger, s: Standing) -> Markup:
    return markup(_("🔔 Trigger {campaign} has fired: {title} — {standing} ({threshold}). The ballot opens now."),
                  campaign=b(t.ref), title=t.title, standing=standing_text(t, s), threshold=t.threshold.describe())


def ballot_failed(t: Trigger, reason: str) -> Markup:
    return markup(_("The ballot of {ref} could not be opened: {reason} Open it by hand with /poll."),
                  ref=t.ref, reason=reason)


def expired(t: Trigger, s: Standing) -> Markup:
    return markup(_("Trigger {campaign} ({title}) closed at its deadline without firing: {standing}."),
                  campaign=b(t.ref), title=t.title, standing=standing_text(t, s))


def listing_line(t: Trigger) -> Markup:
    # TRANSLATORS: a line of /trigger list: "T2: recall — Cllr Smith (open)".
    return markup(_("{campaign}: {kind} — {office} ({status})"), campaign=b(t.ref), kind=t.kind, office=t.office,
                  status=status_label(t.status))


def listing(listed: list[Markup]) -> str:
    """/trigger list: the campaigns' lines (oldest first), or that there are none."""
    if not listed:
        return _("No trigger campaigns here.")
    return lines(_("Trigger campaigns:"), *listed)


def thanks(t: Trigger, s: Standing, fired: bool) -> str:
    if fired:
        return _("Thank you: you signed {ref}, and your signature crossed the threshold: it has fired.").format(
            ref=t.ref)
    return _("Thank you: you signed {ref}. {standing}").format(ref=t.ref, standing=_standing_sentence(t, s))
