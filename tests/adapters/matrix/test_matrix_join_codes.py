"""A join code typed in a Matrix room: replaced at once (everyone there read it), and the
member's event showing it redacted where the bot's power level reaches the room's ``redact``
level; below it the homeserver refuses, and the member is asked to delete it."""

from __future__ import annotations

from typing import Any

from bot.features.roll.parse import parse_roll_csv
from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, branch_room, command
from tests.adapters.matrix.test_matrix_roles import put_power_levels
from tests.peers.synapse import UserFactory, event_type, get_power_levels


def redaction_of(event_id: str) -> Any:
    return lambda e: event_type(e) == "m.room.redaction" and event_id in (
        e.source.get("redacts"), e.source.get("content", {}).get("redacts"))


async def test_a_join_code_typed_in_a_room_is_redacted_where_the_bot_may(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    (ann, bob), room = branch.members, branch.room_id
    result = await bot.app.services.roll.import_entries(parse_roll_csv("number,name\n1,Ann Smith\n2,Bob Jones\n"))
    codes = {name: code for _number, name, _branch, code in result.rows}

    # At power level 0 the bot may not redact a member's event: the member is asked to.
    said, answer = await command(ann, room, f"!join {codes['Ann Smith']}", bot.user_id, "Welcome, Ann Smith")
    assert "please delete it yourself" in body(answer), body(answer)

    levels = await get_power_levels(branch.founder, room)
    levels["users"][bot.user_id] = 50  # the room's redact level (50 unless the room sets another)
    await put_power_levels(branch.founder, room, levels)
    start = bob.mark(room)
    said, answer = await command(bob, room, f"!join {codes['Bob Jones']}", bot.user_id, "Welcome, Bob Jones")
    assert "I deleted your message" in body(answer), body(answer)
    await bob.wait_for_event(room, redaction_of(said), start=start)
