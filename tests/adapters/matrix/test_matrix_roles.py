"""Who may do what in a room: its organisers are who its power levels say now (an
``m.room.power_levels`` event replaces the whole of the room's levels: a user left out of it is
back at the default, as clients and homeservers read it), and only what the homeserver checked
counts as the room's state or as a redaction, never a member's encrypted message claiming to be
one."""

from __future__ import annotations

import asyncio
from typing import Any

from nio import RoomCreateResponse, RoomPutStateResponse, RoomRedactResponse

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, bot_poll_start, branch_room, command
from tests.adapters.matrix.test_matrix_encryption import encrypted_room
from tests.peers.synapse import (
    MatrixUser,
    UserFactory,
    get_power_levels,
    send_event,
    send_poll_response,
    send_text,
)


async def put_power_levels(user: MatrixUser, room_id: str, content: dict[str, Any]) -> str:
    response = await user.client.room_put_state(room_id, "m.room.power_levels", content)
    assert isinstance(response, RoomPutStateResponse), response
    return str(response.event_id)


async def test_an_organiser_left_out_of_new_power_levels_is_one_no_more(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    founder, secretary, (ann,), room = branch.founder, branch.secretary, branch.members, branch.room_id
    await command(secretary, room, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")

    # The founder takes the secretary's power away as a client may: new power levels that do
    # not name her (everyone not named is at users_default, 0).
    levels = await get_power_levels(founder, room)
    levels["users"] = {u: level for u, level in levels["users"].items() if u != secretary.user_id}
    changed = await put_power_levels(founder, room, levels)
    await secretary.wait_for_event(room, lambda e: e.source.get("event_id") == changed)
    _, refusal = await command(secretary, room, "!poll Another strike? | Yes | No", bot.user_id, "organisers")
    assert "Only organisers" in body(refusal), body(refusal)
    assert await bot.query("SELECT count(*) FROM polls") == [(1,)]

    # A default raised to 50 makes every member an organiser, until it is lowered again.
    levels["users_default"] = 50
    await put_power_levels(founder, room, levels)
    await command(ann, room, "!poll Lunch? | Pizza | Soup", bot.user_id, "Poll 2")
    levels["users_default"] = 0
    await put_power_levels(founder, room, levels)
    await command(ann, room, "!poll Dinner? | Pizza | Soup", bot.user_id, "Only organisers")


async def test_room_state_forged_inside_encrypted_messages_changes_nothing(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """State events are never encrypted, so a homeserver checks who may send them; an encrypted
    message is checked as a message only, whatever type its ciphertext claims. A member who
    encrypts "the room's creation" (room version 12: she would be a creator), "power levels" or
    "a tombstone" sends a message: no organiser's power, and the room stays where it is."""
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)
    # Her own room, made to look like the branch's replacement (its creation names the branch).
    decoy = await ann.client.room_create(name="Branch (new)", invite=[bot.user_id],
                                         predecessor={"room_id": room, "event_id": "$unknown"})
    assert isinstance(decoy, RoomCreateResponse), decoy
    await send_event(ann, room, "m.room.create", {"room_version": "12", "creator": ann.user_id})
    await send_event(ann, room, "m.room.power_levels", {"users": {ann.user_id: 100}})
    await send_event(ann, room, "m.room.tombstone", {"body": "Moved", "replacement_room": decoy.room_id})

    _, refusal = await command(ann, room, "!poll Strike? | Yes | No", bot.user_id, "organiser")
    assert "Only organisers" in body(refusal), body(refusal)
    await command(founder, room, "!poll Strike? | Yes | No", bot.user_id, "Poll 1")
    # The bot accepted her invite (anyone may invite it here) and read her room's creation,
    # which names the branch; one more sync, and the branch would have moved there.
    async with asyncio.timeout(30):
        while True:
            if bot.adapter.rooms.replaces(decoy.room_id, room):
                break
            await asyncio.sleep(0.05)
    await command(founder, room, "!polls", bot.user_id, "Open polls")
    assert await bot.query("SELECT room FROM polls") == [(f"mx:{room}",)]
    assert await bot.query("SELECT count(*) FROM room_moves") == [(0,)]


async def test_a_redaction_forged_inside_an_encrypted_message_withdraws_no_vote(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """A redaction is never encrypted (the homeserver must read what it redacts, and checks who
    may): an encrypted "redaction" of someone else's answer is a message, and her vote stands."""
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    ben = await matrix_users("ben", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann, ben)
    await send_text(founder, room, "!poll Lunch? | Pizza | Soup --native")
    start = await ben.wait_for_event(room, bot_poll_start(bot.user_id))
    soup = start.source["content"]["org.matrix.msc3381.poll.start"]["answers"][1]["id"]
    answer = await send_poll_response(ben, room, start.source["event_id"], [soup])
    await bot.wait_until("SELECT choice FROM votes WHERE poll_id = 1", "1")

    await send_event(ann, room, "m.room.redaction", {"redacts": answer, "reason": "not yours to redact"})
    await command(founder, room, "!polls", bot.user_id, "Open polls")  # handled after her "redaction"
    assert await bot.query("SELECT voter, choice FROM votes WHERE poll_id = 1") == [(f"mx:{ben.user_id}", "1")]

    # His own redaction, as every client sends one (in the clear), withdraws it.
    redacted = await ben.client.room_redact(room, answer, reason="changed my mind")
    assert isinstance(redacted, RoomRedactResponse), redacted
    await bot.wait_until("SELECT count(*) FROM votes WHERE poll_id = 1", 0)
