"""Native Matrix poll events (MSC3381) as clients send them, in both namespaces.

Element sends the unstable ``org.matrix.msc3381.*`` events with ``org.matrix.msc1767.text``
fallbacks; the stable ``m.poll.*`` events of the proposal use the ``m.poll`` block, ``m.id``
answer ids and ``m.selections``. The adapter must read both, so tests must be able to send both.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

from nio import Event

from .rooms import send_event
from .users import EventPredicate, MatrixUser, event_type


class PollFormat(enum.Enum):
    UNSTABLE = "org.matrix.msc3381"
    STABLE = "m"


START_TYPES = {
    PollFormat.UNSTABLE: "org.matrix.msc3381.poll.start",
    PollFormat.STABLE: "m.poll.start",
}
RESPONSE_TYPES = {
    PollFormat.UNSTABLE: "org.matrix.msc3381.poll.response",
    PollFormat.STABLE: "m.poll.response",
}
END_TYPES = {
    PollFormat.UNSTABLE: "org.matrix.msc3381.poll.end",
    PollFormat.STABLE: "m.poll.end",
}
_UNSTABLE_TEXT = "org.matrix.msc1767.text"


def fallback_text(question: str, answers: Sequence[tuple[str, str]]) -> str:
    """The plain text clients without poll support show instead of the poll."""
    lines = [question, *(f"{n}. {text}" for n, (_, text) in enumerate(answers, start=1))]
    return "\n".join(lines)


def poll_start_content(
    question: str,
    answers: Sequence[tuple[str, str]],
    *,
    poll_format: PollFormat = PollFormat.UNSTABLE,
    max_selections: int = 1,
    disclosed: bool = True,
) -> dict[str, Any]:
    """Content of a poll start event; ``answers`` are ``(answer_id, text)`` pairs."""
    fallback = fallback_text(question, answers)
    if poll_format is PollFormat.UNSTABLE:
        kind = "poll.disclosed" if disclosed else "poll.undisclosed"
        return {
            START_TYPES[poll_format]: {
                "question": {_UNSTABLE_TEXT: question},
                "kind": f"org.matrix.msc3381.{kind}",
                "max_selections": max_selections,
                "answers": [{"id": aid, _UNSTABLE_TEXT: text} for aid, text in answers],
            },
            _UNSTABLE_TEXT: fallback,
        }
    return {
        "m.poll": {
            "question": {"m.text": [{"body": question}]},
            "kind": "m.disclosed" if disclosed else "m.undisclosed",
            "max_selections": max_selections,
            "answers": [{"m.id": aid, "m.text": [{"body": text}]} for aid, text in answers],
        },
        "m.text": [{"body": fallback}],
    }


def poll_response_content(
    start_event_id: str,
    answer_ids: Sequence[str],
    *,
    poll_format: PollFormat = PollFormat.UNSTABLE,
) -> dict[str, Any]:
    """Content of a vote: the chosen answer ids, referring to the poll's start event."""
    relation = {"m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id}}
    if poll_format is PollFormat.UNSTABLE:
        return {RESPONSE_TYPES[poll_format]: {"answers": list(answer_ids)}, **relation}
    return {"m.selections": list(answer_ids), **relation}


def poll_end_content(
    start_event_id: str,
    text: str,
    *,
    poll_format: PollFormat = PollFormat.UNSTABLE,
    results: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Content of a poll end event carrying the result as text (and, if stable, as counts)."""
    relation = {"m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id}}
    if poll_format is PollFormat.UNSTABLE:
        return {END_TYPES[poll_format]: {}, _UNSTABLE_TEXT: text, **relation}
    content: dict[str, Any] = {"m.text": [{"body": text}], **relation}
    if results is not None:
        content["m.poll.results"] = dict(results)
    return content


async def send_poll_start(
    user: MatrixUser,
    room_id: str,
    question: str,
    answers: Sequence[tuple[str, str]],
    *,
    poll_format: PollFormat = PollFormat.UNSTABLE,
    max_selections: int = 1,
    disclosed: bool = True,
) -> str:
    """Start a native poll as ``user``; return the start event id (the poll's identity)."""
    content = poll_start_content(
        question,
        answers,
        poll_format=poll_format,
        max_selections=max_selections,
        disclosed=disclosed,
    )
    return await send_event(user, room_id, START_TYPES[poll_format], content)


async def send_poll_response(
    user: MatrixUser,
    room_id: str,
    start_event_id: str,
    answer_ids: Sequence[str],
    *,
    poll_format: PollFormat = PollFormat.UNSTABLE,
) -> str:
    """Vote as ``user`` (as Element does when an answer is clicked); return the event id."""
    content = poll_response_content(start_event_id, answer_ids, poll_format=poll_format)
    return await send_event(user, room_id, RESPONSE_TYPES[poll_format], content)


async def send_poll_end(
    user: MatrixUser,
    room_id: str,
    start_event_id: str,
    text: str,
    *,
    poll_format: PollFormat = PollFormat.UNSTABLE,
    results: Mapping[str, int] | None = None,
) -> str:
    """End the poll as ``user``; return the end event id."""
    content = poll_end_content(start_event_id, text, poll_format=poll_format, results=results)
    return await send_event(user, room_id, END_TYPES[poll_format], content)


def is_poll_start(event: Event) -> bool:
    return event_type(event) in START_TYPES.values()


def relates_to(event: Event, start_event_id: str) -> bool:
    """Whether a response or end event refers to the given poll."""
    relation = event.source.get("content", {}).get("m.relates_to", {})
    return bool(relation.get("event_id") == start_event_id)


def is_poll_response_to(start_event_id: str) -> EventPredicate:
    """A predicate for ``wait_for_event``: a vote in the given poll, in either namespace."""

    def matches(event: Event) -> bool:
        return event_type(event) in RESPONSE_TYPES.values() and relates_to(event, start_event_id)

    return matches


def is_poll_end_of(start_event_id: str) -> EventPredicate:
    """A predicate for ``wait_for_event``: the end of the given poll, in either namespace."""

    def matches(event: Event) -> bool:
        return event_type(event) in END_TYPES.values() and relates_to(event, start_event_id)

    return matches
