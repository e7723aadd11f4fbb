"""Making test users on the shared homeserver, and cleaning up their clients afterwards."""

from __future__ import annotations

from .registration import Credentials, register_user, unique_localpart
from .server import SynapseServer
from .users import MatrixUser


class UserFactory:
    """Registers accounts on the test homeserver and closes their clients after the test."""

    def __init__(self, server: SynapseServer) -> None:
        self.server = server
        self._users: list[MatrixUser] = []

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

    async def __call__(self, name: str = "user", *, admin: bool = False) -> MatrixUser:
        """Create an account and return it with a logged-in client."""
        credentials = await self.register(name, admin=admin)
        user = MatrixUser.from_credentials(self.server.base_url, credentials)
        self._users.append(user)
        return user

    async def close_all(self) -> None:
        for user in self._users:
            await user.close()
        self._users.clear()
