"""The bot's device signed out on the homeserver (Element's session list, an administrator, a
/logout): the server deleted the device and its keys. The bot must come back as a device
members' clients can encrypt for, or stop saying what to do; never run on, unable to read."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.matrix.adapter import LoginFailed
from adapters.matrix.crypto import store_file
from tests.adapters.matrix.running_bot import RunningBot, StartBot
from tests.adapters.matrix.scenes import body, command
from tests.adapters.matrix.test_matrix_encryption import encrypted_room, readable
from tests.peers.jssdk import run_send_check
from tests.peers.synapse import SynapseServer, UserFactory, invite, join, notice_from, send_text


async def log_out(bot: RunningBot) -> None:
    """Sign the bot's device out as a person does from another session: POST /logout with its
    token, which deletes the device and its keys on the homeserver."""
    client = bot.adapter.client
    headers = {"Authorization": f"Bearer {client.access_token}"}
    async with await client.send("POST", "/_matrix/client/v3/logout", "{}", headers=headers) as response:
        assert response.status == 200, await response.text()


async def new_login(bot: RunningBot, old_token: str, within: float = 60.0) -> None:
    async with asyncio.timeout(within):
        while True:
            client = bot.adapter.client
            if client.access_token not in ("", old_token) and client.olm is not None:
                return
            await asyncio.sleep(0.05)


async def test_a_bot_signed_out_comes_back_as_a_device_members_encrypt_for(
    synapse: SynapseServer, start_bot: StartBot, matrix_users: UserFactory, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    founder = await matrix_users("founder", encrypted=True)
    ann = await matrix_users("ann", encrypted=True)
    room = await encrypted_room(founder, bot.user_id, ann)
    await command(ann, room, "!polls", bot.user_id, "No open polls")
    old_device, old_token = bot.adapter.client.device_id, bot.adapter.client.access_token
    assert old_device is not None
    old_store = store_file(bot.adapter.store, bot.user_id, old_device)
    assert old_store.exists()

    caplog.set_level(logging.INFO, logger="adapters.matrix")
    await log_out(bot)
    await new_login(bot, old_token)
    assert bot.adapter.client.device_id != old_device
    await asyncio.sleep(1)  # its keys uploaded after the login
    await ann.sync()  # her client hears the bot's devices changed
    mark = ann.mark(room)
    await send_text(ann, room, "!polls")
    answer = await ann.wait_for_event(room, notice_from(bot.user_id, containing="open polls"), start=mark)
    assert readable(answer)
    assert not ann.find_events(room, notice_from(bot.user_id, containing="send it again"), start=mark)
    # The new device's store is in use: the old one, whose keys would read the past, is gone.
    assert store_file(bot.adapter.store, bot.user_id, bot.adapter.client.device_id).exists()
    assert not [p.name for p in bot.adapter.store.iterdir() if old_device in p.name]
    said = [r for r in caplog.records if "former device" in r.getMessage()]
    assert [r.levelno for r in said] == [logging.INFO] and old_device in said[0].getMessage()
    assert bot.adapter.client.access_token not in said[0].getMessage()
    if bot.adapter.state.shared:  # its sealed copy in the database too
        assert await bot.query("SELECT device_id FROM matrix_crypto_stores") == [(bot.adapter.client.device_id,)]

    # Element's own SDK, a client that never saw the old device, sends an encrypted command.
    element = await matrix_users("element")
    await invite(founder, room, element)
    await join(element, room)
    seen = await run_send_check({
        "homeserver": synapse.base_url, "userId": element.user_id, "accessToken": element.access_token,
        "deviceId": element.credentials.device_id, "roomId": room, "text": "!polls", "botId": bot.user_id,
    })
    assert seen["encrypted"] and "open polls" in seen["answer"], seen
    # The new device is the one remembered: a restart keeps it.
    device = bot.adapter.client.device_id
    await bot.stop()
    bot = await start_bot()
    assert bot.adapter.client.device_id == device
    _, again = await command(ann, room, "!polls", bot.user_id, "open polls")
    assert readable(again) and "open polls" in body(again)


async def test_a_bot_with_an_access_token_signed_out_stops_saying_what_to_do(
    start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot(access_token=True)
    await log_out(bot)
    async with asyncio.timeout(60):
        with pytest.raises(LoginFailed, match="get a token for a new device"):
            await asyncio.shield(bot.task)
    await bot.app.stop()
    bot.stopped = True


async def test_the_store_of_a_device_the_bot_no_longer_uses_is_removed_once_its_own_is_in_use(
    start_bot: StartBot,
) -> None:
    """A store left by an earlier device (replaced while the bot was stopping, or by an
    operator) is removed after the first sync as the device in use; the stores of the device
    in use, of a device whose id merely begins like it, and of other accounts stay."""
    bot = await start_bot()
    device, store = bot.adapter.client.device_id, bot.adapter.store
    assert device is not None
    await bot.stop()
    left = [f"{bot.user_id}_OLDDEVICE{suffix}" for suffix in (".db", ".db-wal", ".trusted_devices")]
    kept = [f"{bot.user_id}_{device}.EXTRA.db", "@someone:else_OLDDEVICE.db", "notes.txt"]
    for name in left + kept:
        (store / name).write_bytes(b"keys")

    bot = await start_bot()
    assert bot.adapter.client.device_id == device
    names = {p.name for p in store.iterdir()}
    assert not names & set(left), names
    assert set(kept) <= names and store_file(store, bot.user_id, device).name in names
