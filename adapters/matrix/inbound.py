"""Turning Matrix timeline events into the core's events.

Only what a person deliberately sends becomes a core event: text messages (commands, or
answers in a private chat), their edits (which the core reads again only where that is safe:
a vote) and poll responses. Notices (other bots), the bot's own events and anything else are
dropped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from adapters.matrix.content import answer_index, selections
from bot.kernel.events import Actor, Event, Message, NativePollAnswer, Room

PLATFORM = "mx"


def qualified(matrix_id: str) -> str:
    return f"{PLATFORM}:{matrix_id}"


def unqualified(qualified_id: str) -> str | None:
    prefix = f"{PLATFORM}:"
    return qualified_id[len(prefix):] if qualified_id.startswith(prefix) else None


def native_ref(room_id: str, start_event_id: str) -> str:
    """The core's handle on a native poll. It names the room too, so that a response sent
    in another room (relations are not checked across rooms by the homeserver) matches no poll."""
    return f"{room_id}|{start_event_id}"


def sent_at(source: dict[str, Any]) -> datetime | None:
    """When SOURCE was sent, as its sender's homeserver stamped it (``origin_server_ts``)."""
    ts = source.get("origin_server_ts")
    if not isinstance(ts, int) or isinstance(ts, bool) or ts <= 0:
        return None
    try:
        return datetime.fromtimestamp(ts / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def strip_reply_fallback(body: str) -> str:
    """A reply's body may begin with the quoted message (``> <@a:hs> text`` lines, then a
    blank line); the command is what follows. Only a reply's: in any other message, lines
    starting with ``>`` are a quotation the member wrote (clients no longer send the fallback
    since Matrix 1.13: a reply's own quotation, which names nobody, is kept too)."""
    if not body.startswith(("> <", "> * <")):  # the fallback names the sender: "> <@a:hs> text"
        return body
    lines = body.split("\n")
    n = 0
    while n < len(lines) and lines[n].startswith(">"):
        n += 1
    return "\n".join(lines[n:]).lstrip("\n")


def strip_mention(body: str, names: Iterable[str]) -> str:
    """``Quorum: /vote 1 yes`` (a client's mention pill) reads as ``/vote 1 yes``."""
    for name in names:
        if name and body.lower().startswith(name.lower()):
            rest = body[len(name):]
            if rest[:1] in (":", ","):
                return rest[1:].lstrip()
    return body


def _edit(content: dict[str, Any], relation: dict[str, Any], actor: Actor, room: Room, event_id: str,
          bot_names: Iterable[str]) -> Message | None:
    """An edit of a text message: its new text (``m.new_content``, never the "* " fallback
    around it), answered in reply to the message edited. Whether the sender may edit it (it is
    theirs, and a text message) is the adapter's to check: that needs the original."""
    new = content.get("m.new_content")
    original = relation.get("event_id")
    if not isinstance(new, dict) or not isinstance(original, str) or new.get("msgtype") != "m.text":
        return None
    body = new.get("body")
    if not isinstance(body, str):
        return None
    text = strip_mention(body.strip(), bot_names)
    return Message(actor, room, text, event_id=event_id, ref=original, edited=True, addressed=text != body.strip())


def thread_root(source: dict[str, Any]) -> str | None:
    """The root of the thread (``m.thread``) the event was sent in, if it was sent in one."""
    content = source.get("content")
    relation = content.get("m.relates_to") if isinstance(content, dict) else None
    if isinstance(relation, dict) and relation.get("rel_type") == "m.thread":
        root = relation.get("event_id")
        return root if isinstance(root, str) else None
    return None


def state_of(event: Any) -> dict[str, Any] | None:
    """EVENT's source if it is a state event, as the homeserver checked it (who may send it);
    None for anything else. A decrypted event never is one: state is never encrypted, so the
    homeserver checked a ciphertext as a message of its sender's, whatever type and state key
    its plaintext claims (any member could otherwise write "the room's creation" and be its
    creator, or "a tombstone" and move its polls to a room of theirs)."""
    source = getattr(event, "source", None)
    if not isinstance(source, dict) or not isinstance(source.get("state_key"), str):
        return None
    if getattr(event, "decrypted", False) or source.get("type") == "m.room.encrypted":
        return None
    return source


def after_own_join(events: list[Any], bot_user_id: str) -> list[Any]:
    """The events after the bot's latest join in this list: what came before was history."""
    for n in range(len(events) - 1, -1, -1):
        source = state_of(events[n]) or {}
        if (
            source.get("type") == "m.room.member"
            and source.get("state_key") == bot_user_id
            and (source.get("content") or {}).get("membership") == "join"
            and ((source.get("unsigned") or {}).get("prev_content") or {}).get("membership") != "join"
        ):
            return events[n + 1 :]
    return events


def membership_change(source: dict[str, Any], bot_user_id: str) -> tuple[str, datetime, bool] | None:
    """(member, when, True) if SOURCE, a state event (``state_of``), is someone's real join:
    membership "join" where it was not before (from an invite, a leave, or nothing); (member,
    when, False) if it is their leave: "leave" or "ban" where it was "join" (a refused invite,
    or a leave whose before the event does not say, is none: a leave says that they were in
    the room, and so may let them vote). A change of display name or avatar is a member event
    with "join" before and after: neither. The bot's own are none either: it is not a voter."""
    member, content = source.get("state_key"), source.get("content")
    if source.get("type") != "m.room.member" or not isinstance(member, str) or member == bot_user_id:
        return None
    if not isinstance(content, dict):
        return None
    unsigned = source.get("unsigned")
    before = unsigned.get("prev_content") if isinstance(unsigned, dict) else None
    before = before if before is not None else source.get("prev_content")  # where older servers put it
    was_in = isinstance(before, dict) and before.get("membership") == "join"
    now = content.get("membership")
    if now == "join" and not was_in:
        joined = True
    elif now in ("leave", "ban") and was_in:
        joined = False
    else:
        return None
    at = sent_at(source)
    return None if at is None else (member, at, joined)


def to_core_event(
    source: dict[str, Any],
    room_id: str,
    *,
    bot_user_id: str,
    bot_names: Iterable[str],
    private: bool,
    room_title: str,
    sender_name: str,
) -> Event | None:
    sender = source.get("sender")
    event_id = source.get("event_id")
    event_type = source.get("type")
    content = source.get("content")
    if not isinstance(sender, str) or sender == bot_user_id or not isinstance(event_id, str):
        return None
    if not isinstance(content, dict) or not isinstance(event_type, str):
        return None
    actor = Actor(qualified(sender), sender_name)
    relation = content.get("m.relates_to")
    relation = relation if isinstance(relation, dict) else {}
    if event_type == "m.room.message":
        room = Room(qualified(room_id), private=private, title=room_title)
        if relation.get("rel_type") == "m.replace":
            return _edit(content, relation, actor, room, event_id, bot_names)
        body = content.get("body")
        if content.get("msgtype") != "m.text" or not isinstance(body, str):
            return None
        if isinstance(relation.get("m.in_reply_to"), dict):  # only a reply has a fallback to strip
            body = strip_reply_fallback(body)
        text = strip_mention(body.strip(), bot_names)  # a mention names this bot: addressed to it
        return Message(actor, room, text, event_id=event_id, ref=event_id, addressed=text != body.strip())
    chosen = selections(event_type, content)
    if chosen is None:
        return None
    start = relation.get("event_id")
    if relation.get("rel_type") != "m.reference" or not isinstance(start, str):
        return None
    # Each answer once, in order. A response may name thousands (a member's client, or anyone's
    # script, sends what it likes): linear, so that none of them holds up the sync.
    options = tuple(dict.fromkeys(answer_index(answer) for answer in chosen))
    return NativePollAnswer(actor, native_ref(room_id, start), options, event_id=event_id, sent_at=sent_at(source))
