"""Making test users on the shared homeserver, and cleaning up their clients afterwards."""

from __future__ import annotations

import shutil
import tempfile

from .registration import Credentials, register_user, unique_localpart
from .server import SynapseServer
from .users import MatrixUser


class UserFactory:
    """Registers accounts on the test homeserver and closes their clients after the test."""

    def __init__(self, server: SynapseServer) -> None:
        self.server = server
        self._users: list[MatrixUser] = []
        self._stores: list[str] = []

    async def register(
        self,
        name: str = "user",
        *,
        localpart: str | None = None,
        password: str | None = None,
        admin: bool = False,
    ) -> Credentials:
        """Only create the account, e.g. for the bot, which logs in by itself.

        ``name`` becomes the display name and the start of a unique localpart, because the
        homeserver outlives the test; pass ``localpart`` to insist on an exact one.
        """
        return await register_user(
            self.server.base_url,
            self.server.registration_shared_secret,
            localpart or unique_localpart(name),
            password=password,
            admin=admin,
            displayname=name,
        )

    async def __call__(self, name: str = "user", *, admin: bool = False, encrypted: bool = False) -> MatrixUser:
        """Create an account and return it with a logged-in client (with end-to-end encryption
        on if ENCRYPTED, its keys uploaded, as Element's client is)."""
        credentials = await self.register(name, admin=admin)
        store = None
        if encrypted:
            store = tempfile.mkdtemp(prefix="e2e-keys-")
            self._stores.append(store)
        user = MatrixUser.from_credentials(self.server.base_url, credentials, store)
        await user.exchange_keys()
        self._users.append(user)
        return user

    async def close_all(self) -> None:
        for user in self._users:
            await user.close()
        self._users.clear()
        for store in self._stores:
            shutil.rmtree(store, ignore_errors=True)
        self._stores.clear()
