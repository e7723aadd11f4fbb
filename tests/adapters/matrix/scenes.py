"""Setting the scene for a Matrix test: a branch room with the bot, an organiser and members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nio import Event

from tests.peers.synapse import (
    MatrixUser,
    UserFactory,
    create_room,
    event_type,
    invite,
    is_poll_start,
    join,
    notice_from,
    send_text,
)


@dataclass
class Branch:
    room_id: str
    founder: MatrixUser  # created the room: a creator (room version 12)
    secretary: MatrixUser  # power level 50: an organiser by power level
    members: list[MatrixUser]
    bot_id: str


def joined(user_id: str) -> Any:
    return lambda e: (
        event_type(e) == "m.room.member"
        and e.source.get("state_key") == user_id
        and e.source["content"].get("membership") == "join"
    )


async def branch_room(matrix_users: UserFactory, bot_id: str, members: int = 3) -> Branch:
    """A room whose founder invites the bot, a secretary (power 50) and MEMBERS members (power 0),
    who all join; returns once the founder has seen the bot join (it accepted the invite)."""
    # Every person's client has encryption on, as Element's has: the direct chats the bot opens
    # are encrypted.
    founder = await matrix_users("founder", encrypted=True)
    secretary = await matrix_users("secretary", encrypted=True)
    people = [await matrix_users(f"member{n}", encrypted=True) for n in range(1, members + 1)]
    room_id = await create_room(founder, name="Branch", power_levels={secretary.user_id: 50})
    for who in [secretary, *people]:
        await invite(founder, room_id, who)
    await invite(founder, room_id, bot_id)
    for who in [secretary, *people]:
        await join(who, room_id)
    await founder.wait_for_event(room_id, joined(bot_id))
    return Branch(room_id, founder, secretary, people, bot_id)


async def command(user: MatrixUser, room_id: str, text: str, bot_id: str, answer: str) -> tuple[str, Event]:
    """Send TEXT and wait for the bot's notice containing ANSWER; return (command id, notice)."""
    start = user.mark(room_id)
    event_id = await send_text(user, room_id, text)
    notice = await user.wait_for_event(room_id, notice_from(bot_id, containing=answer), start=start)
    return event_id, notice


def replies_to(bot_id: str, event_id: str) -> Any:
    """A predicate: the bot's notice in reply to the event EVENT_ID."""

    def matches(event: Event) -> bool:
        relation = event.source.get("content", {}).get("m.relates_to", {})
        return notice_from(bot_id)(event) and relation.get("m.in_reply_to", {}).get("event_id") == event_id

    return matches


def bot_poll_start(bot_id: str) -> Any:
    return lambda e: is_poll_start(e) and e.source.get("sender") == bot_id


async def native_poll(branch: Branch, bot_id: str) -> tuple[str, str, str]:
    """The secretary opens the lunch poll as a native (Element) poll; its start event's id and the
    answer ids of Pizza and Soup."""
    await send_text(branch.secretary, branch.room_id, "!poll Lunch? | Pizza | Soup --native")
    start = await branch.secretary.wait_for_event(branch.room_id, bot_poll_start(bot_id))
    pizza, soup = (a["id"] for a in start.source["content"]["org.matrix.msc3381.poll.start"]["answers"])
    return start.source["event_id"], pizza, soup


def body(event: Event) -> str:
    return str(event.source["content"].get("body", ""))


def count_line(option: str, count: int) -> re.Pattern[str]:
    """The line of a result that gives OPTION its COUNT (after the bar)."""
    return re.compile(rf"^{re.escape(option)}\s+[█░]*\s+{count}\b", re.M)
