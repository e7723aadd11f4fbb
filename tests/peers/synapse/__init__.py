"""A real Synapse homeserver for end-to-end tests, and helpers to act as Matrix users.

The pytest fixtures live in :mod:`.fixtures` and are loaded as a plugin
(``pytest_plugins = ["tests.peers.synapse.fixtures"]``), not re-exported here: importing a fixture
into a module defines it a second time there, and a second session fixture is a second server.

Typical use in a test::

    async def test_vote(synapse, matrix_users):
        alice = await matrix_users("organiser")
        bob = await matrix_users("member")
        room_id = await create_room(alice, invite=[bob], power_levels={bob.user_id: 0})
        await join(bob, room_id)
        start_id = await send_poll_start(alice, room_id, "Adjourn?", [("y", "Yes"), ("n", "No")])
        await bob.wait_for_event(room_id, with_event_id(start_id))
        await send_poll_response(bob, room_id, start_id, ["y"])
        vote = await alice.wait_for_event(room_id, is_poll_response_to(start_id))

To take the homeserver down while the bot keeps running in the test's event loop, stop and
start it from a thread: ``await asyncio.to_thread(synapse.restart)``. To fail some of the bot's
requests only (a 502 from the reverse proxy, a 429), give it the ``faulty_proxy`` fixture's
``url`` as its homeserver and say which requests fail: ``faulty_proxy.fail("/relations/", 502)``.
"""

from .admin import limit_messages, unlimit_messages
from .factory import UserFactory
from .polls import (
    PollFormat,
    is_poll_end_of,
    is_poll_response_to,
    is_poll_start,
    poll_end_content,
    poll_response_content,
    poll_start_content,
    send_poll_end,
    send_poll_response,
    send_poll_start,
)
from .proxy import Fault, FaultyProxy
from .registration import Credentials, register_user, unique_localpart
from .rooms import (
    create_room,
    download,
    get_power_levels,
    invite,
    join,
    leave,
    open_direct_room,
    send_event,
    send_text,
    set_power_level,
    set_power_levels,
    upgrade_room,
)
from .server import SynapseServer, SynapseStartError
from .users import EventNotReceived, MatrixUser, event_type, notice_from, of_type, with_event_id

__all__ = [
    "Credentials",
    "EventNotReceived",
    "Fault",
    "FaultyProxy",
    "MatrixUser",
    "PollFormat",
    "SynapseServer",
    "SynapseStartError",
    "UserFactory",
    "create_room",
    "download",
    "event_type",
    "get_power_levels",
    "invite",
    "is_poll_end_of",
    "is_poll_response_to",
    "is_poll_start",
    "join",
    "leave",
    "limit_messages",
    "notice_from",
    "of_type",
    "open_direct_room",
    "poll_end_content",
    "poll_response_content",
    "poll_start_content",
    "register_user",
    "send_event",
    "send_poll_end",
    "send_poll_response",
    "send_poll_start",
    "send_text",
    "set_power_level",
    "set_power_levels",
    "unique_localpart",
    "unlimit_messages",
    "upgrade_room",
    "with_event_id",
]
