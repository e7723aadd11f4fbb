"""Homeserver administration a test needs: tightening one user's message rate limit.

The suite's configuration relaxes every limit so that tests run fast, yet the adapter must
retry when the homeserver answers ``M_LIMIT_EXCEEDED``. Synapse's admin API can override the
limit for a single account, which provokes real rate limiting for the bot alone.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from .users import MatrixUser


def _path(user_id: str) -> str:
    return f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit"


async def limit_messages(admin: MatrixUser, user_id: str, *, per_second: int, burst_count: int) -> None:
    """Make ``user_id`` subject to this message rate (``admin`` must be a server admin).

    Synapse takes whole numbers only, and 0 means unlimited, so the strictest limit is one
    message a second after a burst of one.
    """
    body = {"messages_per_second": per_second, "burst_count": burst_count}
    await _request(admin, "POST", user_id, body)


async def unlimit_messages(admin: MatrixUser, user_id: str) -> None:
    """Return ``user_id`` to the suite's relaxed configuration."""
    await _request(admin, "DELETE", user_id, None)


async def _request(admin: MatrixUser, method: str, user_id: str, body: object) -> None:
    headers = {"Authorization": f"Bearer {admin.access_token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body)
    async with await admin.client.send(method, _path(user_id), data, headers=headers) as response:
        if response.status != 200:
            raise AssertionError(
                f"{admin.user_id} could not {method} the rate limit override of {user_id}: "
                f"{response.status} {await response.text()}"
            )
