"""The sign-up form as a conversation: one question at a time, checked as it is answered.

Pure: ``answer`` takes the draft and the reply and returns the next question (or an error
that asks again). Nothing is stored until the supporter consents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MAX_NAME = 100
MAX_AREA = 100
MAX_CONTACT = 200
SKIP = ("skip", "none", "no", "-")
YES = ("yes", "y", "i consent", "i agree", "agree")
NO = ("no", "n", "cancel")


@dataclass(frozen=True)
class Draft:
    form_id: int
    title: str
    step: str = "name"  # name | area | contact | consent
    name: str = ""
    area: str = ""
    contact: str | None = None


class Answer:
    """What the bot says next: ASK (a question), DONE (consented: store the draft), CANCELLED."""

    ASK = "ask"
    DONE = "done"
    CANCELLED = "cancelled"


def first_question(draft: Draft) -> str:
    return (f"Sign-up S{draft.form_id}: {draft.title}.\nWhat name should we use for you? "
            "(Send /signup cancel to stop; nothing is kept until you consent at the end.)")


def _clean(text: str) -> str:
    return " ".join(text.split())


def answer(draft: Draft, text: str) -> tuple[str, Draft, str]:
    """(Answer.*, the new draft, what to say)."""
    reply = _clean(text)
    if draft.step == "name":
        if not reply or len(reply) > MAX_NAME:
            return Answer.ASK, draft, f"Please send your name (up to {MAX_NAME} characters)."
        return Answer.ASK, replace(draft, name=reply, step="area"), "Which area do you live in?"
    if draft.step == "area":
        if not reply or len(reply) > MAX_AREA:
            return Answer.ASK, draft, f"Please send your area (up to {MAX_AREA} characters)."
        return Answer.ASK, replace(draft, area=reply, step="contact"), (
            "How can the organisers contact you? Send an email address or phone number, or send skip.")
    if draft.step == "contact":
        if not reply or len(reply) > MAX_CONTACT:
            return Answer.ASK, draft, (
                f"Send an email address or phone number (up to {MAX_CONTACT} characters), or skip.")
        contact = None if reply.lower() in SKIP else reply
        new = replace(draft, contact=contact, step="consent")
        return Answer.ASK, new, consent_question(new)
    low = reply.lower().rstrip(".!")
    if low in YES:
        return Answer.DONE, draft, ""
    if low in NO:
        return Answer.CANCELLED, draft, "Cancelled: nothing about you was kept."
    return Answer.ASK, draft, "Please reply yes (you consent) or no (nothing is kept)."


def consent_question(d: Draft) -> str:
    contact = d.contact or "(none)"
    return (f"Please check: name {d.name}; area {d.area}; contact {contact}.\n"
            f"Do you consent to the organisers of \"{d.title}\" keeping these details and contacting you about it? "
            "You can see, withdraw or erase them at any time with /mydata. Reply yes or no.")
