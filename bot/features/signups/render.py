"""How the sign-up form reads."""

from __future__ import annotations

from bot.features.signups.model import Draft


def first_question(draft: Draft) -> str:
    return (f"Sign-up S{draft.form_id}: {draft.title}.\nWhat name should we use for you? "
            "(Send /signup cancel to stop; nothing is kept until you consent at the end.)")


def consent_question(d: Draft) -> str:
    contact = d.contact or "(none)"
    return (f"Please check: name {d.name}; area {d.area}; contact {contact}.\n"
            f"Do you consent to the organisers of \"{d.title}\" keeping these details and contacting you about it? "
            "You can see, withdraw or erase them at any time with /mydata. Reply yes or no.")
