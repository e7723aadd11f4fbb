"""A sign-up form, and the draft a supporter fills in, one step at a time: name, area, an
optional contact, then consent (parse.answer reads each reply). Nothing personal is stored
before the supporter says yes."""

from __future__ import annotations

from dataclasses import dataclass

MAX_NAME = 100
MAX_AREA = 100
MAX_CONTACT = 200
SKIP = ("skip", "none", "no", "-")
YES = ("yes", "y", "i consent", "i agree", "agree")
NO = ("no", "n", "cancel")


@dataclass
class Form:
    id: int
    room: str
    title: str
    closed: bool


@dataclass(frozen=True)
class Draft:
    form_id: int
    title: str
    step: str = "name"  # name -> area -> contact -> consent
    name: str = ""
    area: str = ""
    contact: str | None = None


class Answer:
    """What the bot says next: ASK (a question), DONE (consented: store the draft), CANCELLED."""

    ASK = "ask"
    DONE = "done"
    CANCELLED = "cancelled"
