"""Inbound events: what adapters turn platform updates into.

Every identity is platform-qualified (``tg:123``, ``mx:@ann:example.org``, ``console:ann``)
so that one core can serve several platforms at once without ids colliding.
``event_id`` is the platform's own unique id for the update; the core records it with the
change it causes, so a redelivered update is recognised and never counts twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime


def platform_of(qualified_id: str) -> str:
    """The platform prefix of a qualified id (``tg`` for ``tg:123``)."""
    return qualified_id.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone who wrote to the bot. ``language``: the language their app reports (Telegram's
    ``language_code``, e.g. "pl" or "en-GB"), "" where the platform says none."""

    id: str
    name: str = ""
    language: str = ""

    @property
    def platform(self) -> str:
        return platform_of(self.id)

    @property
    def label(self) -> str:
        return self.name or self.id.split(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class Room:
    """A place messages are exchanged: a group, a Matrix room or a private chat with the bot."""

    id: str
    private: bool = False
    title: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """A message; ``edited``: the new text of a message edited after it was sent (its
    ``event_id`` names that version, so the edit is applied once and the original still stands
    as applied). ``addressed``: its sender named this bot (Telegram's ``/vote@OurBot``, a
    Matrix mention ``Quorum: /vote``), so in a group shared with other bots it is surely meant
    for this one; the adapter says so, the core decides what follows (bot/app/core.py).
    ``caption``: the text is the caption of a photo or file (Telegram), not a message of its
    own: a command there goes with media the bot has no use for, so it is not acted on, and
    its sender is told to send it as a text message."""

    actor: Actor
    room: Room
    text: str
    event_id: str | None = None
    ref: str | None = None
    edited: bool = False
    addressed: bool = False
    caption: bool = False


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A press on a button the bot attached; ``data`` is what the core put on the button."""

    actor: Actor
    room: Room
    data: str
    event_id: str | None = None
    message_ref: str | None = None
    press_id: str | None = None


@dataclass(frozen=True, slots=True)
class NativePollAnswer:
    """An answer to a poll rendered natively by the platform (Telegram poll, MSC3381 poll).

    ``native_ref`` is the platform's id of the poll; an empty ``options`` retracts the vote.
    ``ended``: instead of answering, ACTOR ended the poll on the platform, and the adapter checked
    that they may (Matrix: the poll's sender, or someone who may redact others' events).
    ``sent_at``: when the member answered, as their platform stamped it (None if it does not
    say): an answer sent before its poll closed may still reach the bot after (it was held back
    by the platform), and its sender is then told so plainly.
    """

    actor: Actor
    native_ref: str
    options: tuple[int, ...]
    event_id: str | None = None
    ended: bool = False
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Joined:
    """ACTOR joined ROOM (a whole group, not one of its topics) at AT, as the platform stamped
    it: a Telegram service message or member update, a Matrix membership event. The bot cannot
    list a group's members, but it sees them come: someone who came after a poll open to its
    room opened is not in that poll's electorate (bot/features/polls). Not an ``Event``: nobody
    is answered, and a join costs its member nothing of their allowance of messages."""

    actor: Actor
    room: Room
    at: datetime


@dataclass(frozen=True, slots=True)
class Left:
    """ACTOR left ROOM (a whole group), or was removed from it, at AT, as the platform stamped
    it. Someone who was in the room when a poll opened, left and came back is still in that
    poll's electorate: the first change the bot saw of them after the opening was this one."""

    actor: Actor
    room: Room
    at: datetime


Event = Message | ButtonPress | NativePollAnswer


_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Embeddings, overrides and isolates (LRE … RLO, LRI … PDI): invisible characters that reorder
the text around them. In an option or a title they can make a ballot line read otherwise than it
counts ("Yes" shown where "No" stands, a later line reversed), so they are dropped; letters keep
their own direction (Arabic and Hebrew read right to left without them), and the marks LRM, RLM
and ALM, which reorder nothing beyond their neighbours, stay."""


def scrub(text: str) -> str:
    """TEXT with any lone UTF-16 surrogate (which a platform's JSON may carry, and no UTF-8
    database or API can take) and any NUL character (which PostgreSQL's text cannot hold)
    replaced by U+FFFD, the character for "unreadable", and the controls that reorder text (see
    _BIDI_CONTROL) dropped."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if text.isascii():
        return text
    return _BIDI_CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def scrubbed(event: Event) -> Event:
    """EVENT with every piece of text people typed (message, name, room title) scrubbed."""
    actor = event.actor
    clean_actor = actor if scrub(actor.name) == actor.name else replace(actor, name=scrub(actor.name))
    match event:
        case Message(room=room, text=text):
            clean_room = room if scrub(room.title) == room.title else replace(room, title=scrub(room.title))
            if clean_actor is actor and clean_room is room and scrub(text) == text:
                return event
            return replace(event, actor=clean_actor, room=clean_room, text=scrub(text))
        case ButtonPress(data=data):
            if clean_actor is actor and scrub(data) == data:
                return event
            return replace(event, actor=clean_actor, data=scrub(data))
    return event if clean_actor is actor else replace(event, actor=clean_actor)
