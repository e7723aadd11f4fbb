"""Which invites the bot accepts, and logging in with an access token instead of a password."""

from __future__ import annotations

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import joined, replies_to
from tests.peers.synapse import (
    Credentials,
    MatrixUser,
    SynapseServer,
    UserFactory,
    create_room,
    event_type,
    join,
    notice_from,
    open_direct_room,
    send_text,
)


def left(user_id: str):  # type: ignore[no-untyped-def]
    return lambda e: (
        event_type(e) == "m.room.member"
        and e.source.get("state_key") == user_id
        and e.source["content"].get("membership") == "leave"
    )


async def test_only_allowed_inviters_bring_the_bot_into_a_room(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    trusted = await matrix_users("trusted")
    stranger = await matrix_users("stranger")
    bot = await start_bot(access_token=True, allowed_inviters=(trusted.user_id, ":elsewhere.example"))
    assert await bot.query("SELECT count(*) FROM matrix_accounts WHERE device_id IS NOT NULL") == [(1,)]

    declined = await create_room(stranger, invite=[bot.user_id])
    await stranger.wait_for_event(declined, left(bot.user_id))
    accepted = await create_room(trusted, invite=[bot.user_id])
    await trusted.wait_for_event(accepted, joined(bot.user_id))
    assert not stranger.find_events(declined, joined(bot.user_id))


async def test_on_its_first_start_the_bot_does_not_act_on_history(
    synapse: SynapseServer, start_bot: StartBot, matrix_users: UserFactory, bot_account: Credentials
) -> None:
    founder = await matrix_users("founder")
    room = await create_room(founder, invite=[bot_account.user_id])
    # The account joined the room before the bot ever ran (say, by hand in a client).
    by_hand = MatrixUser.from_credentials(synapse.base_url, bot_account)
    try:
        await join(by_hand, room)
    finally:
        await by_hand.close()
    old = await send_text(founder, room, "!polls")

    bot = await start_bot()
    new = await send_text(founder, room, "!polls")
    await founder.wait_for_event(room, replies_to(bot.user_id, new))
    assert not founder.find_events(room, replies_to(bot.user_id, old))


async def test_someone_whose_direct_chat_is_declined_is_invited_to_one_the_bot_opens(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """A member from another homeserver may not bring the bot into rooms, but must still reach it
    privately: that is where secret ballots are cast ("message me privately with /start vote-1")."""
    member = await matrix_users("member", encrypted=True)
    stranger = await matrix_users("stranger")
    organiser = await matrix_users("organiser")
    bot = await start_bot(allowed_inviters=(organiser.user_id,))
    branch = await create_room(organiser, invite=[bot.user_id, member.user_id])
    await organiser.wait_for_event(branch, joined(bot.user_id))
    await join(member, branch)
    await organiser.wait_for_event(branch, joined(member.user_id))

    # A stranger who shares no room with the bot is declined, and nothing is opened for them.
    unknown = await open_direct_room(stranger, bot.user_id)
    await stranger.wait_for_event(unknown, left(bot.user_id))

    theirs = await open_direct_room(member, bot.user_id)
    await member.wait_for_event(theirs, left(bot.user_id))

    ours = await member.wait_for_invite()
    assert ours != theirs
    await join(member, ours)
    told = await member.wait_for_event(ours, notice_from(bot.user_id))
    assert "write to me here" in told.source["content"]["body"]
    asked = await send_text(member, ours, "/polls")
    await member.wait_for_event(ours, replies_to(bot.user_id, asked))
    assert not member.find_events(theirs, joined(bot.user_id))
    assert not stranger.find_events(unknown, joined(bot.user_id))
    await stranger.sync(0)
    assert not stranger.invited_rooms  # never invited anywhere: the bot opened nothing for them
