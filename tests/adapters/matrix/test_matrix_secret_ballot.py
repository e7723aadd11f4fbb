"""A secret ballot on Matrix: announced in the room, cast in direct rooms, totals only."""

from __future__ import annotations

import io

from nio import RoomPreset

from bot.kernel.effects import SendPrivate
from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, branch_room, command, count_line, joined
from tests.peers.synapse import (
    MatrixUser,
    UserFactory,
    create_room,
    join,
    notice_from,
    open_direct_room,
    send_event,
)


async def direct_room(user: MatrixUser, bot_id: str) -> str:
    """USER opens a direct chat with the bot as Element does; returns once the bot is in it."""
    room_id = await open_direct_room(user, bot_id)
    await user.wait_for_event(room_id, joined(bot_id))
    return room_id


async def test_a_secret_ballot_is_cast_in_direct_rooms_and_shows_totals_only(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    secretary, (ann, ben) = branch.secretary, branch.members
    room = branch.room_id
    outsider = await matrix_users("outsider", encrypted=True)
    mark = secretary.mark(room)

    _, ballot = await command(secretary, room, "/poll Strike? --secret", bot.user_id, "Poll 1")
    assert "Secret ballot" in body(ballot)
    assert f"message me privately ({bot.user_id}) with /start vote-1" in body(ballot)

    _, refused = await command(ann, room, "/vote 1 yes", bot.user_id, "secret ballot")
    assert "not counted here" in body(refused)

    ann_dm = await direct_room(ann, bot.user_id)
    _, confirmed = await command(ann, ann_dm, "/vote 1 yes", bot.user_id, "Your vote")
    assert "Your vote in poll 1: Yes" in body(confirmed)

    ben_dm = await direct_room(ben, bot.user_id)
    _, private_ballot = await command(ben, ben_dm, "/start vote-1", bot.user_id, "Poll 1")
    assert "Strike?" in body(private_ballot)
    await command(ben, ben_dm, "!vote 1 no", bot.user_id, "Your vote in poll 1: No")

    outsider_dm = await direct_room(outsider, bot.user_id)
    _, not_member = await command(outsider, outsider_dm, "/vote 1 yes", bot.user_id, "Only people in the room")
    assert "poll 1" in body(not_member)

    _, result = await command(secretary, room, "/close 1", bot.user_id, "Result")
    text = body(result)
    assert count_line("Yes", 1).search(text) and count_line("No", 1).search(text), text
    assert "Votes cast: 2" in text

    # Nothing the bot said in the room links anyone to a choice, and neither does the database.
    notices = secretary.find_events(room, notice_from(bot.user_id), start=mark)
    for person in (ann, ben):
        name = person.user_id[1:].split("-")[0]
        assert all(person.user_id not in body(n) and name not in body(n) for n in notices)
    voters = await bot.query("SELECT voter FROM secret_ballots WHERE poll_id = 1")
    assert len(voters) == 2 and not any(v.startswith("mx:") for (v,) in voters)
    # The direct rooms are remembered for later private messages.
    assert sorted(await bot.query("SELECT user_id, room_id FROM matrix_direct_rooms")) == sorted(
        [(ann.user_id, ann_dm), (ben.user_id, ben_dm), (outsider.user_id, outsider_dm)]
    )


async def test_a_member_who_left_their_direct_room_is_invited_to_a_new_one(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,) = branch.members
    old_dm = await direct_room(ann, bot.user_id)
    await bot.app.transports.send(SendPrivate(f"mx:{ann.user_id}", "First note"))
    await ann.wait_for_event(old_dm, notice_from(bot.user_id, containing="First note"))

    await ann.client.room_leave(old_dm)
    # Anything the bot answers after the leave was synced after it, so it knows she left.
    await command(ann, branch.room_id, "!polls", bot.user_id, "No open polls")
    await bot.app.transports.send(SendPrivate(f"mx:{ann.user_id}", "Second note"))

    new_dm = await ann.wait_for_invite()
    assert new_dm != old_dm
    await join(ann, new_dm)
    await ann.wait_for_event(new_dm, notice_from(bot.user_id, containing="Second note"))
    assert await bot.query("SELECT room_id FROM matrix_direct_rooms WHERE user_id = ?", ann.user_id) == [(new_dm,)]


async def test_a_room_anyone_may_join_is_no_private_chat_even_with_only_the_member_and_the_bot(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """A public room holds what is said in it for whoever joins later: a secret vote cast there,
    and the bot's confirmation of it, would tell them how the member voted."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,) = branch.members
    await command(branch.secretary, branch.room_id, "/poll Strike? --secret", bot.user_id, "Poll 1")
    public = await create_room(ann, name="Ann and Quorum", preset=RoomPreset.public_chat, invite=[bot.user_id])
    await ann.wait_for_event(public, joined(bot.user_id))

    _, refused = await command(ann, public, "/vote 1 yes", bot.user_id, "secret ballot")
    assert "not counted here" in body(refused)
    assert await bot.query("SELECT count(*) FROM secret_ballots WHERE poll_id = 1") == [(0,)]


async def test_a_message_the_bot_cannot_read_leaves_its_text_out_of_the_log(
    start_bot: StartBot, matrix_users: UserFactory, debug_log: io.StringIO
) -> None:
    """A client may send, encrypted (so the homeserver cannot check it), a message the Matrix
    library will not read: here a text with no body. The library logs that it failed to, as a
    warning, which the log keeps; but not the part of the event it failed on, which would be the
    member's text, a secret vote ("/vote 1 Quince"). At debug level, as ``quorum -v`` runs."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=1)
    (ann,) = branch.members
    await command(branch.secretary, branch.room_id, "/poll Pudding? | Quince tart | Rhubarb crumble --secret",
                  bot.user_id, "Poll 1")
    ann_dm = await open_direct_room(ann, bot.user_id, encrypted=True)
    await ann.wait_for_event(ann_dm, joined(bot.user_id))
    await send_event(ann, ann_dm, "m.room.message", {"msgtype": "m.text", "formatted_body": "/vote 1 Quince tart"})
    await command(ann, ann_dm, "/vote 1 Rhubarb", bot.user_id, "Your vote in poll 1")
    log = debug_log.getvalue()
    assert "Error validating event" in log  # the operator still learns of it
    assert "Quince" not in log and "Rhubarb" not in log, log
    # Nor who sent it: the encryption store's statements (peewee, below matrix-nio) name the
    # devices and their people, and are held back with the other libraries' details.
    assert ann.user_id not in log, log
