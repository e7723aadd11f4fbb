"""The entry point: a local Telegram Bot API that the real python-telegram-bot talks to."""

from __future__ import annotations

from types import TracebackType

from .actions import Actions
from .clock import Clock, SystemClock
from .directory import Directory
from .flood import FloodControl
from .limits import Limits
from .models import User
from .observing import Observing
from .server import PeerServer
from .world import World

DEFAULT_TOKEN = "123456789:AAH-test-token-for-the-local-peer_xyz"


class TelegramPeer(Directory, Actions, Observing):
    """A faithful local Telegram: Bot API over HTTP on loopback, plus levers for tests.

    Point PTB at it with ``ApplicationBuilder().token(peer.token).base_url(peer.base_url)
    .base_file_url(peer.base_file_url)``. Then act as users (:meth:`send_message`,
    :meth:`press_button`, :meth:`answer_poll`, :meth:`open_deep_link`) and observe the bot
    (:meth:`bot_messages`, :meth:`calls`, :meth:`wait_for_bot_message`).

    Args:
        limits: the limits to enforce; Telegram's by default (see :mod:`.limits`).
        time_scale: multiply every flood-control period by this, e.g. 0.01 so that a
            group's 20-per-minute budget refills in 0.6 s. Applied on top of ``limits``.
        clock: where time comes from; :class:`~.clock.ManualClock` lets a test step it.
        privacy_mode: BotFather's default (on): in groups the bot sees only commands,
            replies to its messages and mentions, unless it is an administrator.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "QuorumTestBot",
        bot_name: str = "Quorum",
        limits: Limits | None = None,
        time_scale: float | None = None,
        clock: Clock | None = None,
        privacy_mode: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        chosen = limits or Limits()
        if time_scale is not None:
            chosen = chosen.scaled(time_scale)
        bot = User(id=int(token.split(":", 1)[0]), first_name=bot_name, username=bot_username, is_bot=True)
        self.world = World(
            bot=bot,
            token=token,
            limits=chosen,
            clock=clock or SystemClock(),
            privacy_mode=privacy_mode,
        )
        self.server = PeerServer(self.world, host, port)

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def bot(self) -> User:
        """The bot's own account, as ``getMe`` returns it."""
        return self.world.bot

    @property
    def limits(self) -> Limits:
        return self.world.limits

    def set_limits(self, limits: Limits) -> None:
        """Enforce other limits from now on, with fresh flood-control budgets."""
        self.world.limits = limits
        self.world.flood = FloodControl(limits, self.world.clock)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``: PTB appends the token and the method."""
        return f"http://{self.server.host}:{self.server.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``; file downloads answer 404."""
        return f"http://{self.server.host}:{self.server.port}/file/bot"

    @property
    def running(self) -> bool:
        return self.server.running

    async def start(self) -> TelegramPeer:
        """Listen (again) on the port; state from before a :meth:`stop` is kept."""
        await self.server.start()
        return self

    async def stop(self) -> None:
        """Close the port and cut open long polls, as if Telegram's servers went away."""
        await self.server.stop()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def __aenter__(self) -> TelegramPeer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
