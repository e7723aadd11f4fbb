"""End-to-end encrypted rooms and direct chats, as Element makes them: the bot reads and answers
there, opens its own direct chats encrypted, and keeps its keys across a restart."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import asyncpg
from nio import AsyncClient, Event, LoginResponse

from bot.features.language import store as language_store
from bot.kernel.effects import SendPrivate
from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, command, count_line, joined
from tests.peers.synapse import (
    Credentials,
    MatrixUser,
    SynapseServer,
    UserFactory,
    create_room,
    invite,
    join,
    notice_from,
    open_direct_room,
    send_event,
    send_text,
)
from tests.peers.synapse.users import client_config


def readable(event: Event) -> bool:
    """Whether EVENT reached the client encrypted and was decrypted by it."""
    return bool(getattr(event, "decrypted", False))


def in_the_clear(user: MatrixUser, room_id: str) -> list[str]:
    """Messages of ROOM_ID that USER's client received unencrypted (there must be none)."""
    return [
        f"{e.source.get('type')} from {e.source.get('sender')}"
        for e in user.events(room_id)
        if e.source.get("type", "").startswith(("m.room.message", "m.poll", "org.matrix.msc3381")) and not readable(e)
    ]


async def encrypted_room(founder: MatrixUser, bot_id: str, *members: MatrixUser) -> str:
    """An encrypted room the founder makes, with MEMBERS and the bot in it."""
    room = await create_room(founder, name="Encrypted branch", encrypted=True)
    for who in members:
        await invite(founder, room, who)
    await invite(founder, room, bot_id)
    for who in members:
        await join(who, room)
    await founder.wait_for_event(room, joined(bot_id))
    for who in members:
        await who.wait_for_event(room, joined(bot_id))
    return room


async def test_a_secret_ballot_is_cast_in_an_encrypted_direct_chat(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder")
    ann = await matrix_users("ann", encrypted=True)
    room = await create_room(founder, name="Branch")
    await invite(founder, room, ann)
    await invite(founder, room, bot.user_id)
    await join(ann, room)
    await founder.wait_for_event(room, joined(bot.user_id))
    await command(founder, room, "/poll Strike? --secret", bot.user_id, "Poll 1")

    dm = await open_direct_room(ann, bot.user_id, encrypted=True)
    await ann.wait_for_event(dm, joined(bot.user_id))
    _, confirmed = await command(ann, dm, "/vote 1 yes", bot.user_id, "Your vote")
    assert readable(confirmed) and "Your vote in poll 1: Yes" in body(confirmed)
    assert in_the_clear(ann, dm) == []
    assert len(await bot.query("SELECT voter FROM secret_ballots WHERE poll_id = 1")) == 1

    _, result = await command(founder, room, "/close 1", bot.user_id, "Result")
    assert count_line("Yes", 1).search(body(result)) and "Votes cast: 1" in body(result), body(result)


async def test_an_encrypted_room_runs_a_poll_and_the_bot_opens_encrypted_direct_chats(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)

    _, ballot = await command(founder, room, "!poll Lunch? | Pizza | Soup", bot.user_id, "Poll 1")
    assert readable(ballot)
    _, confirmed = await command(ann, room, "!vote 1 Soup", bot.user_id, "Your vote")
    assert readable(confirmed) and "Soup" in body(confirmed)
    _, result = await command(founder, room, "!close 1", bot.user_id, "Result")
    assert count_line("Soup", 1).search(body(result)), body(result)
    assert in_the_clear(founder, room) == [] and in_the_clear(ann, room) == []

    # A direct chat the bot opens is encrypted from its first event, and listed in its m.direct.
    await bot.app.transports.send(SendPrivate(f"mx:{ann.user_id}", "A private note"))
    dm = await ann.wait_for_invite()
    await join(ann, dm)
    note = await ann.wait_for_event(dm, notice_from(bot.user_id, containing="A private note"))
    assert readable(note) and ann.client.rooms[dm].encrypted
    assert in_the_clear(ann, dm) == []
    listed = await account_data(bot.adapter.client, bot.user_id, "m.direct")
    assert dm in listed.get(ann.user_id, [])


async def account_data(client: Any, user_id: str, event_type: str) -> dict[str, Any]:
    path = f"/_matrix/client/v3/user/{user_id}/account_data/{event_type}"
    response = await client.send("GET", path, headers={"Authorization": f"Bearer {client.access_token}"})
    async with response:
        assert response.status == 200, await response.text()
        return dict(await response.json())


async def test_the_bot_reads_an_encrypted_room_after_a_restart(start_bot: StartBot, matrix_users: UserFactory) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)
    await command(founder, room, "!poll Lunch? | Pizza | Soup", bot.user_id, "Poll 1")
    device = bot.adapter.client.device_id
    await bot.stop()

    bot = await start_bot()
    assert bot.adapter.client.device_id == device  # the same device, with the same keys
    _, answer = await command(founder, room, "!vote 1 Pizza", bot.user_id, "Your vote")
    assert readable(answer) and "Pizza" in body(answer)
    assert in_the_clear(founder, room) == []


async def test_a_message_the_bot_cannot_decrypt_gets_one_request_to_send_it_again(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann")  # her client sends what it is given, unencrypted or not
    room = await encrypted_room(founder, bot.user_id, ann)
    mark = founder.mark(room)
    # Encrypted with a session whose key never reached the bot (as after a lost key share).
    lost = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": "Lost0key0000000000000000000000000000000000",
            "session_id": "lost-session", "device_id": "LOSTDEVICE", "ciphertext": "AwgAEhAAAAAA"}
    first = await send_event(ann, room, "m.room.encrypted", lost)
    await send_event(ann, room, "m.room.encrypted", lost)
    asked = await founder.wait_for_event(room, notice_from(bot.user_id, containing="send it again"), start=mark)
    assert readable(asked)
    assert asked.source["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == first

    await send_text(founder, room, "!polls")  # answered after both were handled
    await founder.wait_for_event(room, notice_from(bot.user_id, containing="No open polls"), start=mark)
    assert len(founder.find_events(room, notice_from(bot.user_id, containing="send it again"), start=mark)) == 1


async def test_messages_of_many_unknown_sessions_get_one_request_not_one_each(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Anyone's script can send ciphertexts of sessions nobody has, a new one each time: the
    bot asks its sender once, rather than post one request per ciphertext into the room."""
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann")
    room = await encrypted_room(founder, bot.user_id, ann)
    mark = founder.mark(room)
    for n in range(5):
        lost = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": f"Lost{n}key0000000000000000000000000000000000",
                "session_id": f"made-up-session-{n}", "device_id": "LOSTDEVICE", "ciphertext": "AwgAEhAAAAAA"}
        await send_event(ann, room, "m.room.encrypted", lost)
    await founder.wait_for_event(room, notice_from(bot.user_id, containing="send it again"), start=mark)
    await command(founder, room, "!polls", bot.user_id, "No open polls")  # answered after all five
    assert len(founder.find_events(room, notice_from(bot.user_id, containing="send it again"), start=mark)) == 1


async def test_the_request_to_send_again_is_in_the_members_own_language(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Ann chose Polish; the room reads the default (English): the request is written to her."""
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann")
    room = await encrypted_room(founder, bot.user_id, ann)

    async def polish(conn: Any) -> None:
        await language_store.choose(conn, f"mx:{ann.user_id}", "pl", "2026-01-01T00:00:00+00:00")

    await bot.app.writer.run(polish)
    mark = founder.mark(room)
    lost = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": "Lost1key0000000000000000000000000000000000",
            "session_id": "lost-session-2", "device_id": "LOSTDEVICE", "ciphertext": "AwgAEhAAAAAA"}
    await send_event(ann, room, "m.room.encrypted", lost)
    asked = await founder.wait_for_event(room, notice_from(bot.user_id, containing="Wyślij ją jeszcze raz"),
                                         start=mark)
    assert "Nie mogłem odszyfrować Twojej wiadomości" in body(asked)
    await send_text(founder, room, "!polls")  # the room itself still reads English
    await founder.wait_for_event(room, notice_from(bot.user_id, containing="No open polls"), start=mark)


async def test_logged_in_with_an_access_token_the_bot_uses_the_tokens_device_for_encryption(
    start_bot: StartBot, matrix_users: UserFactory, bot_account: Credentials
) -> None:
    bot = await start_bot(access_token=True)
    assert bot.adapter.client.device_id == bot_account.device_id  # asked of the homeserver
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)
    _, answer = await command(ann, room, "!polls", bot.user_id, "No open polls")
    assert readable(answer)


async def test_a_lost_key_store_means_a_new_device_that_members_encrypt_for(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)
    await command(ann, room, "!polls", bot.user_id, "No open polls")
    old_device, store = bot.adapter.client.device_id, bot.adapter.store
    await bot.stop()
    shutil.rmtree(store)
    url = bot.app.config.database_url
    if url is not None:
        # On PostgreSQL the process running the account keeps its store in the database too (so
        # that another process can take over): a process that lost its directory gets it back,
        # and goes on as the same device, reading what members encrypted for it.
        bot = await start_bot()
        assert bot.adapter.client.device_id == old_device
        await command(ann, room, "!polls", bot.user_id, "No open polls")
        await bot.stop()
        shutil.rmtree(store)
        db = await asyncpg.connect(url)  # lost there too
        try:
            await db.execute("DELETE FROM matrix_crypto_stores")
        finally:
            await db.close()

    bot = await start_bot()
    assert bot.adapter.client.device_id != old_device
    # Ann's client has not heard of the new device yet: its room key went to the old one only.
    # The bot cannot read her message and asks, once, for it again.
    mark = ann.mark(room)
    await send_text(ann, room, "!polls")
    asked = await ann.wait_for_event(room, notice_from(bot.user_id, containing="send it again"), start=mark)
    assert readable(asked)  # the bot's own messages reach her devices from the new device
    # Once her client has learnt of the new device it starts a new room key, which reaches it.
    await ann.sync()
    await send_text(ann, room, "!polls")
    answer = await ann.wait_for_event(room, notice_from(bot.user_id, containing="open polls"), start=mark)
    assert readable(answer)


async def test_a_members_new_device_reads_the_bots_next_message(
    synapse: SynapseServer, start_bot: StartBot, matrix_users: UserFactory, tmp_path: Path
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)
    await command(ann, room, "!polls", bot.user_id, "No open polls")  # a room key shared with her phone

    # Ann signs in on her laptop too: a second device, with keys of its own.
    (tmp_path / "laptop").mkdir()
    client = AsyncClient(synapse.base_url, ann.user_id, store_path=str(tmp_path / "laptop"),
                         config=client_config(encrypted=True))
    assert isinstance(await client.login(ann.credentials.password, device_name="laptop"), LoginResponse)
    laptop = MatrixUser(credentials=ann.credentials, client=client)
    try:
        await laptop.exchange_keys()
        await laptop.sync()
        mark = laptop.mark(room)
        # The bot hears of the new device with its next sync, before it answers, and starts a new
        # room key for its next message (nio does when a member's devices change).
        await send_text(ann, room, "!polls")
        answer = await laptop.wait_for_event(room, notice_from(bot.user_id, containing="No open polls"), start=mark)
        assert readable(answer)
    finally:
        await laptop.close()
