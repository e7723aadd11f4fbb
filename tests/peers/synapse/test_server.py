"""The Synapse test peer itself: it starts, hosts users and rooms, carries polls, restarts.

Later end-to-end tests of the Matrix adapter rely on every one of these abilities, so a broken
harness shows up here first, with its own message, rather than as a mysterious adapter failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from nio import AsyncClient, LoginResponse, RoomMessageText, RoomSendError, UnknownEvent

from tests.peers.synapse import (
    EventNotReceived,
    FaultyProxy,
    MatrixUser,
    PollFormat,
    SynapseServer,
    SynapseStartError,
    UserFactory,
    create_room,
    download,
    event_type,
    get_power_levels,
    invite,
    is_poll_end_of,
    is_poll_response_to,
    join,
    limit_messages,
    notice_from,
    of_type,
    open_direct_room,
    poll_response_content,
    poll_start_content,
    send_event,
    send_poll_end,
    send_poll_response,
    send_poll_start,
    send_text,
    set_power_level,
    unique_localpart,
    unlimit_messages,
    upgrade_room,
    with_event_id,
)
from tests.peers.synapse.registration import registration_mac
from tests.peers.synapse.users import EventPredicate, client_config

pytest_plugins = ["tests.peers.synapse.fixtures"]

ANSWERS = [("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")]


async def shared_room(matrix_users: UserFactory) -> tuple[MatrixUser, MatrixUser, str]:
    """Alice creates a room, invites Bob, and Bob joins."""
    alice = await matrix_users("alice")
    bob = await matrix_users("bob")
    room_id = await create_room(alice, name="Branch meeting")
    await invite(alice, room_id, bob)
    await join(bob, room_id)
    return alice, bob, room_id


def is_member_join(user_id: str) -> EventPredicate:
    return lambda event: (
        event_type(event) == "m.room.member"
        and event.source.get("state_key") == user_id
        and event.source["content"].get("membership") == "join"
    )


# --- pure helpers ---------------------------------------------------------------------------


def test_registration_mac_covers_every_field_and_the_admin_flag() -> None:
    expected = hmac.new(b"s3cret", b"n\x00u\x00p\x00admin", hashlib.sha1).hexdigest()
    assert registration_mac("s3cret", "n", "u", "p", admin=True) == expected
    assert registration_mac("s3cret", "n", "u", "p", admin=False) != expected


def test_unstable_poll_start_has_element_keys_and_answer_ids() -> None:
    content = poll_start_content("Back the motion?", ANSWERS)
    poll = content["org.matrix.msc3381.poll.start"]
    assert poll["question"] == {"org.matrix.msc1767.text": "Back the motion?"}
    assert poll["kind"] == "org.matrix.msc3381.poll.disclosed"
    assert [answer["id"] for answer in poll["answers"]] == ["yes", "no", "abstain"]
    assert content["org.matrix.msc1767.text"].startswith("Back the motion?\n1. Yes")


def test_stable_poll_events_use_the_m_poll_block_and_selections() -> None:
    start = poll_start_content("Q?", ANSWERS, poll_format=PollFormat.STABLE, disclosed=False)
    assert start["m.poll"]["kind"] == "m.undisclosed"
    assert start["m.poll"]["answers"][0] == {"m.id": "yes", "m.text": [{"body": "Yes"}]}
    response = poll_response_content("$start", ["no"], poll_format=PollFormat.STABLE)
    assert response == {
        "m.selections": ["no"],
        "m.relates_to": {"rel_type": "m.reference", "event_id": "$start"},
    }


def test_generated_config_is_loopback_only_and_unthrottled(tmp_path: Path) -> None:
    server = SynapseServer(tmp_path)
    config = json.loads(server.config_path.read_text())
    (listener,) = config["listeners"]
    assert listener["bind_addresses"] == ["127.0.0.1"] and listener["port"] == server.port
    assert all("federation" not in res["names"] for res in listener["resources"])
    assert config["federation_domain_whitelist"] == []
    assert config["database"]["name"] == "sqlite3"
    assert config["rc_message"]["per_second"] >= 1000
    assert config["rc_login"]["failed_attempts"]["burst_count"] >= 1000
    assert (tmp_path / "signing.key").read_text().startswith("ed25519 a_test ")


def test_a_server_that_cannot_start_fails_with_its_log(tmp_path: Path) -> None:
    server = SynapseServer(tmp_path)
    config = json.loads(server.config_path.read_text())
    config["database"] = {"name": "no-such-database-engine", "args": {}}
    server.config_path.write_text(json.dumps(config))
    with pytest.raises(SynapseStartError, match="no-such-database-engine"):
        server.start(timeout=60)
    assert not server.running


# --- against the running homeserver -----------------------------------------------------------


async def test_server_answers_the_client_versions_endpoint(synapse: SynapseServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{synapse.base_url}/_matrix/client/versions") as response:
            body = await response.json()
    assert response.status == 200
    assert "v1.1" in body["versions"]


async def test_two_users_register_and_meet_in_a_room(matrix_users: UserFactory) -> None:
    alice, bob, room_id = await shared_room(matrix_users)
    assert alice.user_id != bob.user_id
    joined = await alice.wait_for_event(room_id, is_member_join(bob.user_id))
    assert joined.source["sender"] == bob.user_id


async def test_registered_admin_and_password_login(synapse: SynapseServer, matrix_users: UserFactory) -> None:
    localpart = unique_localpart("returning-officer")
    credentials = await matrix_users.register(localpart=localpart, admin=True)
    assert credentials.admin and credentials.user_id == synapse.user_id(localpart)
    client = AsyncClient(synapse.base_url, credentials.user_id, config=client_config())
    try:
        response = await client.login(credentials.password, device_name="bot")
        assert isinstance(response, LoginResponse)
    finally:
        await client.close()


@pytest.mark.parametrize("poll_format", list(PollFormat))
async def test_poll_events_arrive_as_unknown_events(matrix_users: UserFactory, poll_format: PollFormat) -> None:
    alice, bob, room_id = await shared_room(matrix_users)
    start_id = await send_poll_start(alice, room_id, "Back the motion?", ANSWERS, poll_format=poll_format)

    start = await bob.wait_for_event(room_id, with_event_id(start_id))
    assert isinstance(start, UnknownEvent)
    assert start.type == ("m.poll.start" if poll_format is PollFormat.STABLE else "org.matrix.msc3381.poll.start")
    assert start.source["content"] == poll_start_content("Back the motion?", ANSWERS, poll_format=poll_format)

    await send_poll_response(bob, room_id, start_id, ["no"], poll_format=poll_format)
    await send_poll_response(bob, room_id, start_id, ["yes"], poll_format=poll_format)
    votes = await alice.wait_for_events(room_id, is_poll_response_to(start_id), 2)
    assert all(isinstance(vote, UnknownEvent) for vote in votes)
    assert [vote.source["content"] for vote in votes] == [
        poll_response_content(start_id, [choice], poll_format=poll_format) for choice in ("no", "yes")
    ]
    assert {vote.source["sender"] for vote in votes} == {bob.user_id}

    await send_poll_end(alice, room_id, start_id, "Yes: 1, No: 0", poll_format=poll_format)
    end = await bob.wait_for_event(room_id, is_poll_end_of(start_id))
    assert isinstance(end, UnknownEvent) and end.source["sender"] == alice.user_id


async def test_power_levels_are_readable_and_settable(matrix_users: UserFactory) -> None:
    alice = await matrix_users("chair")
    bob = await matrix_users("secretary")
    carol = await matrix_users("member")
    room_id = await create_room(alice, invite=[bob, carol], power_levels={bob.user_id: 50}, room_version="10")
    await join(bob, room_id)
    await join(carol, room_id)
    await set_power_level(alice, room_id, carol, 25)

    levels = await get_power_levels(bob, room_id)
    assert levels["users"] == {alice.user_id: 100, bob.user_id: 50, carol.user_id: 25}
    assert levels.get("users_default", 0) == 0


async def test_room_version_12_creators_are_not_in_the_power_levels(
    matrix_users: UserFactory,
) -> None:
    # Synapse's default room version makes creators outrank any level, so the adapter cannot
    # take organisers from the users map alone: this pins the fact its tests rely on.
    alice = await matrix_users("founder")
    bob = await matrix_users("officer")
    room_id = await create_room(alice, invite=[bob], power_levels={bob.user_id: 50})
    await join(bob, room_id)
    levels = await get_power_levels(bob, room_id)
    assert levels["users"] == {bob.user_id: 50}
    create = await bob.wait_for_event(room_id, of_type("m.room.create"))
    assert create.source["sender"] == alice.user_id
    assert create.source["content"]["room_version"] == "12"


async def test_an_upgraded_room_points_to_its_replacement_which_names_it(matrix_users: UserFactory) -> None:
    # What the adapter follows on an upgrade: the old room's tombstone, the new room's creation
    # naming its predecessor, the power levels carried over, and nobody moved or invited.
    alice = await matrix_users("founder")
    bob = await matrix_users("officer")
    old = await create_room(alice, invite=[bob], power_levels={bob.user_id: 50})
    await join(bob, old)
    new = await upgrade_room(alice, old)
    tombstone = await bob.wait_for_event(old, of_type("m.room.tombstone"))
    assert tombstone.source["content"]["replacement_room"] == new
    assert new not in bob.invited_rooms
    await invite(alice, new, bob)
    await join(bob, new)
    create = await bob.wait_for_event(new, of_type("m.room.create"))
    assert create.source["content"]["predecessor"]["room_id"] == old
    assert (await get_power_levels(bob, new))["users"][bob.user_id] == 50


async def test_an_upload_is_downloaded_with_the_same_bytes(matrix_users: UserFactory) -> None:
    alice = await matrix_users("uploader")
    data = bytes(range(256)) * 3
    response, _ = await alice.client.upload(lambda *_: io.BytesIO(data), content_type="application/octet-stream",
                                            filename="bytes.bin", filesize=len(data))
    assert await download(alice, response.content_uri) == data


async def test_direct_room_reaches_the_other_user(matrix_users: UserFactory) -> None:
    alice = await matrix_users("voter")
    bot = await matrix_users("bot")
    room_id = await open_direct_room(alice, bot)
    await join(bot, room_id)
    invited = await bot.wait_for_event(
        room_id,
        lambda e: (
            event_type(e) == "m.room.member"
            and e.source.get("state_key") == bot.user_id
            and e.source["content"].get("membership") == "invite"
        ),
    )
    assert invited.source["content"].get("is_direct") is True
    direct = await alice.client.list_direct_rooms()
    assert room_id in direct.rooms[bot.user_id]

    await send_text(alice, room_id, "rank B C A")
    message = await bot.wait_for_event(room_id, of_type("m.room.message"))
    assert isinstance(message, RoomMessageText) and message.body == "rank B C A"


async def test_one_user_can_be_rate_limited_for_real(matrix_users: UserFactory) -> None:
    admin = await matrix_users("admin", admin=True)
    bot = await matrix_users("bot")
    room_id = await create_room(bot)
    await limit_messages(admin, bot.user_id, per_second=1, burst_count=1)

    # One message a second is the strictest limit; a few quick sends must overrun it.
    refusals = []
    for attempt in range(10):
        notice = {"msgtype": "m.notice", "body": f"attempt {attempt}"}
        answer = await bot.client.room_send(room_id, "m.room.message", notice)
        if isinstance(answer, RoomSendError):
            refusals.append(answer)
            break
    assert refusals, "ten quick messages never met the rate limit"
    assert refusals[0].status_code == "M_LIMIT_EXCEEDED" and refusals[0].retry_after_ms

    await unlimit_messages(admin, bot.user_id)
    for _ in range(3):
        await send_event(bot, room_id, "m.room.message", {"msgtype": "m.notice", "body": "unlimited again"})
    notices = await bot.wait_for_events(room_id, notice_from(bot.user_id, containing="unlimited"), 3)
    assert len(notices) == 3


async def test_the_faulty_proxy_passes_everything_on_but_the_requests_it_is_told_to_fail(
    matrix_users: UserFactory, faulty_proxy: FaultyProxy
) -> None:
    alice, bob, room_id = await shared_room(matrix_users)
    text_id = await send_text(alice, room_id, "Agenda: the strike ballot")
    # Bob's client reaches the homeserver through the proxy: syncs (long-polled too) and sends pass.
    through = MatrixUser.from_credentials(faulty_proxy.url, bob.credentials)
    try:
        await through.wait_for_event(room_id, with_event_id(text_id))
        reply_id = await send_text(through, room_id, "Seen")
        await alice.wait_for_event(room_id, with_event_id(reply_id))
        path = f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/event/{quote(text_id, safe='')}"
        headers = {"Authorization": f"Bearer {bob.access_token}"}

        async def status_of(client: AsyncClient) -> tuple[int, dict[str, object]]:
            async with await client.send("GET", path, headers=headers) as response:
                body = await response.json(content_type=None) if response.status != 502 else {}
                return response.status, body

        gateway = faulty_proxy.fail("/event/", 502, times=1)
        limited = faulty_proxy.fail("/event/", 429, retry_after_ms=1500)
        assert (await status_of(through.client))[0] == 502  # as a reverse proxy answers while Synapse restarts
        status, body = await status_of(through.client)
        assert status == 429 and body == {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests",
                                          "retry_after_ms": 1500}
        assert (await status_of(bob.client))[0] == 200  # straight to Synapse: never failed
        limited.heal()
        status, body = await status_of(through.client)
        assert status == 200 and body["event_id"] == text_id
        assert len(gateway.failed) == 1 and len(limited.failed) == 1
    finally:
        await through.close()


async def test_waiting_for_an_event_that_never_comes_fails_with_what_was_seen(
    matrix_users: UserFactory,
) -> None:
    alice = await matrix_users("patient")
    room_id = await create_room(alice)
    await alice.sync()
    with pytest.raises(EventNotReceived, match="m.room.create"):
        await alice.wait_for_event(room_id, of_type("m.poll.start"), within=0.2)


async def test_restart_keeps_users_and_rooms_and_clients_sync_again(
    synapse: SynapseServer, matrix_users: UserFactory
) -> None:
    alice, bob, room_id = await shared_room(matrix_users)
    start_id = await send_poll_start(alice, room_id, "Adjourn?", ANSWERS)
    await bob.wait_for_event(room_id, with_event_id(start_id))

    # In a thread, so that clients in this event loop live through the outage as a bot would.
    await asyncio.to_thread(synapse.restart)

    vote_id = await send_poll_response(bob, room_id, start_id, ["yes"])
    vote = await alice.wait_for_event(room_id, with_event_id(vote_id))
    assert isinstance(vote, UnknownEvent)
    # Syncing on from the token held before the restart neither loses nor replays events.
    assert len(alice.find_events(room_id, with_event_id(start_id))) == 1

    # The accounts survived too: a new login works with the old password.
    client = AsyncClient(synapse.base_url, bob.user_id, config=client_config())
    try:
        assert isinstance(await client.login(bob.credentials.password), LoginResponse)
        assert room_id in (await client.joined_rooms()).rooms
    finally:
        await client.close()
