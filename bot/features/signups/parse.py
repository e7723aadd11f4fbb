"""Reading a supporter's replies to the sign-up form.

``answer`` is the whole conversation as a pure function: it takes the draft and the reply and
returns what happens next (ask again, store the consented draft, or cancel).
"""

from __future__ import annotations

from dataclasses import replace

from bot.features.signups.model import MAX_AREA, MAX_CONTACT, MAX_NAME, NO, SKIP, YES, Answer, Draft
from bot.features.signups.render import consent_question


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
