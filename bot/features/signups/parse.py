"""Reading a supporter's replies to the sign-up form.

``answer`` is the whole conversation as a pure function: it takes the draft and the reply and
returns what happens next (ask again, store the consented draft, or cancel).

The form is asked in the supporter's own language, so its one-word replies (yes, no, skip,
cancel) are read in that language as well as in English: "tak"/"nie" in Polish, "ie"/"na" in
Welsh. The words are in the catalogue, beside the questions that ask for them. Pools read a
volunteer's consent the same way (``consents``, ``cancels``).
"""

from __future__ import annotations

from dataclasses import replace

from bot.features.signups.model import MAX_AREA, MAX_CONTACT, MAX_NAME, NO, SKIP, YES, Answer, Draft
from bot.features.signups.render import consent_question
from bot.kernel.language import _, pgettext

_CONSENT = frozenset({"yes", "y", "i agree", "agree", "i consent", "consent"})


def _clean(text: str) -> str:
    return " ".join(text.split())


def _said(text: str) -> str:
    """A one-word reply as it is compared: lower case, single spaces, no closing full stop."""
    return _clean(text).lower().rstrip(".!")


def _words(listed: str) -> frozenset[str]:
    return frozenset(_said(w) for w in listed.split(",") if w.strip())


def consents(text: str) -> bool:
    """Whether TEXT says yes to a consent question: in English, or in the reader's language."""
    # TRANSLATORS: the replies that mean "yes, I consent", comma-separated, lower case, e.g. what
    # "Reply yes" asks for in your language; the English ones are accepted as well.
    return _said(text) in _CONSENT | set(YES) | _words(pgettext("consent words",
                                                                "yes, y, i agree, agree, i consent, consent"))


def refuses(text: str) -> bool:
    """Whether TEXT says no to a consent question (nothing is kept), in English or in the reader's
    language."""
    # TRANSLATORS: the replies that mean "no, I do not consent", comma-separated, lower case; the
    # English ones are accepted as well.
    return _said(text) in set(NO) | _words(pgettext("refusal words", "no, n, cancel"))


def skips(text: str) -> bool:
    """Whether TEXT leaves the optional contact out, in English or in the reader's language."""
    # TRANSLATORS: the replies that leave an optional answer out (what "send skip" asks for),
    # comma-separated, lower case; the English ones are accepted as well.
    return _said(text) in set(SKIP) | _words(pgettext("skip words", "skip, none, no, -"))


def cancels(text: str) -> bool:
    """Whether TEXT stops a private form ("cancel"), in English or in the reader's language."""
    # TRANSLATORS: the replies that stop a private form (what "send 'cancel' to stop" asks for),
    # comma-separated, lower case; the English "cancel" is accepted as well.
    return _said(text) in {"cancel"} | _words(pgettext("cancel words", "cancel"))


def answer(draft: Draft, text: str) -> tuple[str, Draft, str]:
    """(Answer.*, the new draft, what to say), in the language being written in. The cancel
    words stop the form at any question: never taken for a name, an area or a contact."""
    reply = _clean(text)
    if cancels(reply):
        return Answer.CANCELLED, draft, _("Cancelled: nothing about you was kept.")
    if draft.step == "name":
        if not reply or len(reply) > MAX_NAME:
            return Answer.ASK, draft, _("Please send your name (up to {max} characters).").format(max=MAX_NAME)
        return Answer.ASK, replace(draft, name=reply, step="area"), _("Which area do you live in?")
    if draft.step == "area":
        if not reply or len(reply) > MAX_AREA:
            return Answer.ASK, draft, _("Please send your area (up to {max} characters).").format(max=MAX_AREA)
        return Answer.ASK, replace(draft, area=reply, step="contact"), _(
            "How can the organisers contact you? Send an email address or phone number, or send skip.")
    if draft.step == "contact":
        if not reply or len(reply) > MAX_CONTACT:
            return Answer.ASK, draft, _(
                "Send an email address or phone number (up to {max} characters), or skip.").format(max=MAX_CONTACT)
        contact = None if skips(reply) else reply
        new = replace(draft, contact=contact, step="consent")
        return Answer.ASK, new, consent_question(new)
    if consents(reply):
        return Answer.DONE, draft, ""
    if refuses(reply):
        return Answer.CANCELLED, draft, _("Cancelled: nothing about you was kept.")
    return Answer.ASK, draft, _("Please reply yes (you consent) or no (nothing is kept).")
