"""Creating accounts through Synapse's shared-secret admin registration API.

Tests need users (and an admin) instantly and without captchas or e-mail, and the shared secret
is how an operator scripts account creation on a real deployment too.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
from dataclasses import dataclass

import aiohttp

_REGISTER_PATH = "/_synapse/admin/v1/register"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Credentials:
    """What a freshly registered account can log in with."""

    user_id: str
    password: str
    access_token: str
    device_id: str
    admin: bool


def unique_localpart(prefix: str = "user") -> str:
    """A localpart no other test in this session uses, so tests never collide on a shared server."""
    safe = "".join(c if c.isalnum() or c in "._=-/" else "-" for c in prefix.lower()) or "user"
    return f"{safe}-{next(_counter)}-{secrets.token_hex(3)}"


def registration_mac(shared_secret: str, nonce: str, username: str, password: str, *, admin: bool) -> str:
    """The HMAC-SHA1 Synapse expects over nonce, username, password and the admin flag."""
    flag = "admin" if admin else "notadmin"
    message = "\x00".join((nonce, username, password, flag)).encode()
    return hmac.new(shared_secret.encode(), message, hashlib.sha1).hexdigest()


async def register_user(
    base_url: str,
    shared_secret: str,
    localpart: str | None = None,
    *,
    password: str | None = None,
    admin: bool = False,
    displayname: str | None = None,
) -> Credentials:
    """Register an account and return its credentials; raise with Synapse's answer on refusal."""
    username = localpart or unique_localpart()
    password = password or secrets.token_urlsafe(12)
    url = base_url + _REGISTER_PATH
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            nonce_body = await response.json()
            if response.status != 200:
                raise AssertionError(f"registration nonce refused: {response.status} {nonce_body}")
        body = {
            "nonce": nonce_body["nonce"],
            "username": username,
            "password": password,
            "admin": admin,
            "mac": registration_mac(shared_secret, nonce_body["nonce"], username, password, admin=admin),
        }
        if displayname is not None:
            body["displayname"] = displayname
        async with session.post(url, json=body) as response:
            answer = await response.json()
            if response.status != 200:
                raise AssertionError(f"registration of {username!r} refused: {answer}")
    return Credentials(
        user_id=answer["user_id"],
        password=password,
        access_token=answer["access_token"],
        device_id=answer["device_id"],
        admin=admin,
    )
