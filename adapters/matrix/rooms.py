"""What the bot knows about its rooms: who is an organiser, who is in them, which are private.

Room state comes from sync (nio keeps members up to date; after a restart the first sync asks
for the full state), so role and membership checks cost no request. nio keeps no state of a room
the bot was thrown out of while it was down; the sync that brings the leave carries it, and who
organised the room is learnt from that (``forget``).

Power levels are read here from each ``m.room.power_levels`` event as the specification says:
the event replaces the room's levels whole. nio merges each new event's users into the ones it
had, so someone left out of the new levels (their power taken away) would keep their old level
until the bot restarts; and it drops an event with a level written as a string of digits, which
rooms before version 10 allow. Reading them costs one dict per changed event, not per sync.

Since room version 12, creators outrank every power level and are not listed in
``m.room.power_levels`` at all (nio then reports them at the default level): they are taken
from the ``m.room.create`` event, its sender plus ``additional_creators``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, MatrixRoom

from bot.kernel.events import scrub


def creators_outrank_power_levels(room_version: str) -> bool:
    if room_version.startswith("org.matrix.hydra."):
        return True
    return room_version.isdigit() and int(room_version) >= 12


def creators_of(create_event: dict[str, Any]) -> set[str]:
    """The users with creator power in a room, from its m.room.create event ({} before v12)."""
    content = create_event.get("content") or {}
    version = str(content.get("room_version", "1"))
    if not creators_outrank_power_levels(version):
        return set()
    found = {str(create_event.get("sender", ""))}
    extra = content.get("additional_creators")
    if isinstance(extra, list):
        found |= {str(u) for u in extra if isinstance(u, str)}
    found.discard("")
    return found


def _level(value: object) -> int | None:
    """A power level as the specification allows it: an integer, or (before room version 10)
    a string of one; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and value.isascii():
        return int(value)
    return None


@dataclass(frozen=True, slots=True)
class Levels:
    """What the bot reads of a room's power levels: each listed user's level, everyone else's,
    the level that may redact others' events, and the levels that may send events (by type,
    and for any other type), the spec's defaults where the event has none."""

    users: dict[str, int] = field(default_factory=dict)
    users_default: int = 0
    redact: int = 50
    events: dict[str, int] = field(default_factory=dict)
    events_default: int = 0

    def of(self, user_id: str) -> int:
        return self.users.get(user_id, self.users_default)

    def to_send(self, event_type: str) -> int:
        """The level that may send an event of EVENT_TYPE."""
        return self.events.get(event_type, self.events_default)


def levels_of(content: object) -> Levels:
    """The Levels an ``m.room.power_levels`` event's CONTENT sets (entries that are no level are
    left out, as if absent)."""
    if not isinstance(content, dict):
        return Levels()
    users = content.get("users")
    listed = {u: level for u, v in users.items() if isinstance(u, str) and (level := _level(v)) is not None} \
        if isinstance(users, dict) else {}
    events = content.get("events")
    by_type = {t: level for t, v in events.items() if isinstance(t, str) and (level := _level(v)) is not None} \
        if isinstance(events, dict) else {}
    default, redact = _level(content.get("users_default")), _level(content.get("redact"))
    events_default = _level(content.get("events_default"))
    return Levels(listed, 0 if default is None else default, 50 if redact is None else redact, by_type,
                  0 if events_default is None else events_default)


CLOSED_JOIN_RULES = ("invite", "knock", "private")
"""Join rules under which nobody joins a room unless one of its members lets them in."""


class Rooms:
    def __init__(self, client: AsyncClient, bot_user_id: str, organiser_level: int) -> None:
        self.client = client
        self.bot_user_id = bot_user_id
        self.organiser_level = organiser_level
        self._creators: dict[str, set[str]] = {}
        self._levels: dict[str, Levels] = {}  # room -> its power levels, as its latest event set them
        self._left: dict[str, tuple[str, set[str]]] = {}  # room -> (title, organisers) when the bot left
        self._replacement: dict[str, str] = {}  # an upgraded room -> the room that replaces it (its tombstone)
        self._predecessor: dict[str, str] = {}  # a room made by an upgrade -> the room it replaces

    def note_event(self, room_id: str, source: dict[str, Any]) -> None:
        """Learn from a state event (``inbound.state_of``, never a message claiming to be one)
        what nio does not track (creators, upgrades), or does not track right (power levels)."""
        if source.get("state_key") != "":
            return
        event_type, body = source.get("type"), source.get("content") or {}
        if event_type == "m.room.power_levels":
            self._levels[room_id] = levels_of(body)
        elif event_type == "m.room.create":
            self._creators[room_id] = creators_of(source)
            predecessor = body.get("predecessor") if isinstance(body, dict) else None
            if isinstance(predecessor, dict) and isinstance(predecessor.get("room_id"), str):
                self._predecessor[room_id] = predecessor["room_id"]
        elif event_type == "m.room.tombstone" and isinstance(body, dict):
            replacement = body.get("replacement_room")
            if isinstance(replacement, str) and replacement and replacement != room_id:
                self._replacement[room_id] = replacement

    def upgrades(self) -> dict[str, str]:
        """The rooms the bot has seen upgraded: old room id -> replacement room id, as each old
        room's tombstone says (only its organisers may send one)."""
        return dict(self._replacement)

    def replaces(self, new: str, old: str) -> bool:
        """Whether room NEW says it was made to replace room OLD (its creation names OLD as its
        predecessor): the other half of OLD's tombstone, known once the bot is in NEW."""
        return self._predecessor.get(new) == old

    def predecessor(self, room_id: str) -> str | None:
        """The room ROOM_ID was made to replace (its creation names it), if any."""
        return self._predecessor.get(room_id)

    def is_replacement(self, room_id: str) -> bool:
        """Whether ROOM_ID is what an upgraded room the bot is in points to."""
        return room_id in self._replacement.values()

    def forget(self, room_id: str, events: list[dict[str, Any]]) -> None:
        """The bot has left ROOM_ID (or was kicked or banned): drop its state but keep its title
        and organisers, to tell them why what was meant for the room is not posted. EVENTS are
        the room's state and timeline in the sync that brought the leave: all the bot learns of
        a room it was thrown out of while it was down (nio never held that room)."""
        room = self.client.rooms.pop(room_id, None)
        if room is not None:
            self._left[room_id] = (room.display_name, self._organisers_of(room_id))
        elif room_id not in self._left:
            self._left[room_id] = self._as_left(room_id, events)
        self._levels.pop(room_id, None)

    def _as_left(self, room_id: str, events: list[dict[str, Any]]) -> tuple[str, set[str]]:
        """The title and organisers of ROOM_ID by its state EVENTS (the latest of each kind)."""
        state = {(e.get("type"), e.get("state_key")): e.get("content") or {} for e in events if "state_key" in e}
        levels = levels_of(state.get(("m.room.power_levels", "")))
        found = {u for u, level in levels.users.items() if level >= self.organiser_level}
        create = next((e for e in reversed(events) if e.get("type") == "m.room.create" and e.get("state_key") == ""),
                      None)
        found |= creators_of(create or {})
        name = state.get(("m.room.name", ""), {}).get("name")
        alias = state.get(("m.room.canonical_alias", ""), {}).get("alias")
        return next((t for t in (name, alias) if isinstance(t, str) and t), room_id), found

    def organisers(self, room_id: str) -> set[str]:
        """The organisers of ROOM_ID by power level and creation (as the bot last saw them)."""
        room = self.room(room_id)
        if room is None:
            return set(self._left.get(room_id, ("", set()))[1])
        return self._organisers_of(room_id)

    def _organisers_of(self, room_id: str) -> set[str]:
        """Those listed at the organisers' level or above, and the creators. (With a default at
        that level everyone is one, but nobody is named: this says whom to tell something.)"""
        levels = self._levels.get(room_id, Levels())
        found = {user for user, level in levels.users.items() if level >= self.organiser_level}
        return found | self._creators.get(room_id, set())

    def room(self, room_id: str) -> MatrixRoom | None:
        return self.client.rooms.get(room_id)

    def members(self, room_id: str) -> set[str] | None:
        """Joined and invited users (None if the bot is not in the room)."""
        room = self.room(room_id)
        return None if room is None else set(room.users)

    def is_joined(self, room_id: str, user_id: str) -> bool:
        room = self.room(room_id)
        if room is None:
            return False
        user = room.users.get(user_id)
        return user is not None and not user.invited

    def is_private(self, room_id: str, sender: str) -> bool:
        """A room is a private chat with SENDER when nobody else but the bot is in it or
        invited to it, and nobody else may join it or read it unasked: a secret ballot is cast
        there, so a third reader, or a room that holds it for whoever comes (public, open to a
        space's members, or readable by anyone), must make it public, whatever the room was
        flagged as when it was made."""
        members = self.members(room_id)
        return (members is not None and members <= {self.bot_user_id, sender} and sender in members
                and self.is_closed(room_id))

    def is_closed(self, room_id: str) -> bool:
        """Whether only those its members let in may join ROOM_ID and read its history."""
        room = self.room(room_id)
        return (room is not None and room.join_rule in CLOSED_JOIN_RULES
                and room.history_visibility != "world_readable")

    def is_organiser(self, room_id: str, user_id: str) -> bool:
        room = self.room(room_id)
        if room is None:
            return False
        if user_id in self._creators.get(room_id, set()):
            return True
        return self._levels.get(room_id, Levels()).of(user_id) >= self.organiser_level

    def may_redact_others(self, room_id: str, user_id: str) -> bool:
        """Whether USER_ID may redact other people's events in ROOM_ID: who may end someone
        else's poll (MSC3381); a creator outranks every level from room version 12 on."""
        room = self.room(room_id)
        if room is None:
            return False
        if user_id in self._creators.get(room_id, set()):
            return True
        levels = self._levels.get(room_id, Levels())
        return levels.of(user_id) >= levels.redact

    def may_post(self, room_id: str) -> bool:
        """Whether the bot's power level lets it post messages in ROOM_ID (encrypted ones, in
        an encrypted room), as the room's latest power levels say; a creator always may."""
        room = self.room(room_id)
        if room is None:
            return False
        if self.bot_user_id in self._creators.get(room_id, set()):
            return True
        levels = self._levels.get(room_id, Levels())
        sent_as = "m.room.encrypted" if room.encrypted else "m.room.message"
        return levels.of(self.bot_user_id) >= levels.to_send(sent_as)

    def title(self, room_id: str) -> str:
        """The room's name as members see it (its name, alias, or members), or where the bot
        left it, as it was; scrubbed as the core scrubs what people typed (``scrub``: a name
        is anyone's text, and its bidirectional controls would reorder the notice around it)."""
        room = self.room(room_id)
        return scrub(room.display_name if room is not None else self._left.get(room_id, ("", set()))[0])

    def alias(self, room_id: str) -> str | None:
        """The room's canonical alias (``#name:server``), if it has one: the address members share."""
        room = self.room(room_id)
        alias = room.canonical_alias if room is not None else None
        return alias if isinstance(alias, str) and alias.startswith("#") else None

    def name_of(self, room_id: str, user_id: str) -> str:
        room = self.room(room_id)
        name = room.user_name(user_id) if room is not None else None
        return name or ""
