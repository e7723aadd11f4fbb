"""Which response to a native poll counts, as MSC3381 (and Element's SDK) decide it.

A member may respond many times; the response that counts is their latest by
``origin_server_ts``, not the one that happened to arrive last. What a response chooses is read
as Element reads it (``as_element_counts``): more answers than the poll allows are cut to the
first ones it allows, and a response naming an answer the poll does not have is spoiled, so the
member has no vote while it is their latest. A redacted response no longer
counts, and the member's response before it (if any) counts again. The core keeps one choice
per member, so the adapter keeps every member's responses to each poll and tells the core
only when the response that counts changes.

After a restart the history of a poll is read again from the homeserver (the relations of its
start event, which the homeserver no longer lists once redacted) the first time a response or
redaction concerns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class Response:
    ts: int
    event_id: str
    options: tuple[int, ...] = field(compare=False)


Change = tuple[str, str, tuple[int, ...]]
"""(native ref, member, the options that count now: empty if none)."""


def as_element_counts(options: tuple[int, ...], answers: int, most: int) -> tuple[int, ...]:
    """The options a response choosing OPTIONS (indexes, -1 for an id the poll does not have)
    counts for in a poll of ANSWERS answers allowing MOST of them: what Element shows, which
    every member of the room sees."""
    if any(not 0 <= o < answers for o in options):
        return ()
    return options[:most]


class PollResponses:
    def __init__(self, limit: int = 200_000) -> None:
        self._polls: dict[str, dict[str, list[Response]]] = {}
        self._shapes: dict[str, tuple[int, int]] = {}  # native ref -> (answers, most allowed)
        self._events: dict[str, tuple[str, str]] = {}  # response event id -> (native ref, member)
        self.limit = limit  # responses kept in all; past it, the oldest polls are read again when needed

    def known(self, ref: str) -> bool:
        return ref in self._polls

    def start(self, ref: str) -> None:
        """A poll with no responses yet (the bot just posted it, or its history is loaded)."""
        self._polls.setdefault(ref, {})

    def shape(self, ref: str, answers: int, most: int) -> None:
        """The bot's poll REF has ANSWERS answers, of which a response may choose MOST."""
        self._shapes[ref] = (answers, most)

    def read(self, ref: str, options: tuple[int, ...]) -> tuple[int, ...]:
        """OPTIONS as they count in poll REF (as given, for a poll whose shape is unknown)."""
        shape = self._shapes.get(ref)
        return options if shape is None else as_element_counts(options, *shape)

    def seen(self, event_id: str) -> bool:
        return event_id in self._events

    def poll_of(self, event_id: str) -> str | None:
        """The poll the response EVENT_ID answered, if it is known."""
        found = self._events.get(event_id)
        return found[0] if found else None

    def counting(self, ref: str, member: str) -> tuple[int, ...]:
        responses = self._polls.get(ref, {}).get(member)
        return responses[-1].options if responses else ()

    def add(self, ref: str, member: str, response: Response) -> Change | None:
        """Record RESPONSE; the change if it is the one that counts, None if a later one does."""
        if response.event_id in self._events:  # seen before (read with the poll's history, or again)
            known = self._polls.get(ref, {}).get(member)
            counts = bool(known) and known[-1].event_id == response.event_id
            return (ref, member, known[-1].options) if counts and known else None
        self._make_room()
        responses = self._polls.setdefault(ref, {}).setdefault(member, [])
        responses.append(response)
        responses.sort()
        self._events[response.event_id] = (ref, member)
        if responses[-1] is not response:
            return None
        return ref, member, response.options

    def redact(self, event_id: str) -> Change | None:
        """Forget the redacted response EVENT_ID; the change if it was the one that counted."""
        found = self._events.pop(event_id, None)
        if found is None:
            return None
        ref, member = found
        responses = self._polls.get(ref, {}).get(member, [])
        counted = responses[-1].event_id == event_id if responses else False
        responses[:] = [r for r in responses if r.event_id != event_id]
        if not counted:
            return None
        return ref, member, responses[-1].options if responses else ()

    def _make_room(self) -> None:
        if len(self._events) < self.limit:
            return
        oldest = next(iter(self._polls))  # polls are kept in the order they were first seen
        self._shapes.pop(oldest, None)
        for responses in self._polls.pop(oldest).values():
            for r in responses:
                self._events.pop(r.event_id, None)
