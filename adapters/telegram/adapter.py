"""Running the bot on Telegram: python-telegram-bot's Application wired to the core.

Updates arrive by long polling, or by webhook when ``webhook_url`` is configured, and are
handled concurrently (one person's in order, see ``ordering``) so that many votes share one
commit. Everything sent goes through one rate limiter (see ``limiter``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Chat,
    ChatMember,
    ChatMemberRestricted,
    Update,
    User,
)
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from adapters.telegram.ids import qualified
from adapters.telegram.inbound import actor_of, channel_sender, event_of, forwarded_command
from adapters.telegram.limiter import SendLimiter
from adapters.telegram.menu import menu
from adapters.telegram.ordering import PerSenderOrder
from adapters.telegram.tolerant_bot import TolerantBot
from adapters.telegram.transport import TelegramTransport
from adapters.telegram.webhook import WebhookServer
from bot.app import notices
from bot.kernel.config import TelegramConfig
from bot.kernel.effects import Send, SendPrivate
from bot.kernel.errors import StartError
from bot.kernel.events import Joined, Left, Room
from bot.kernel.ports import Core

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER,
                   Update.MY_CHAT_MEMBER, Update.CHAT_MEMBER]
"""``chat_member`` reaches the bot only where it is an administrator; elsewhere a demotion is
seen when the cached list of administrators expires (see ``roles``)."""
LEFT = frozenset({ChatMember.LEFT, ChatMember.BANNED})


def out_of_chat(member: ChatMember) -> bool:
    """Whether MEMBER, a status in a chat (the bot's, or a member's), means being out of it: left or
    banned, or restricted and no member (``ChatMemberRestricted.is_member``: Telegram keeps a
    restricted user's restrictions after they are out of the chat, so ``restricted`` alone says
    nothing of whether the bot is in it)."""
    return member.status in LEFT or (isinstance(member, ChatMemberRestricted) and not member.is_member)


def may_not_post(member: ChatMember) -> bool:
    """Whether MEMBER, the bot's status in a group it is in, takes its right to send messages
    (restricted by an administrator: ``restrictChatMember``)."""
    return isinstance(member, ChatMemberRestricted) and not member.can_send_messages


CONCURRENT_UPDATES = 32
CONNECTIONS = 8


def _file_url(base_url: str) -> str:
    """The file URL beside a Bot API base URL (``…/bot`` → ``…/file/bot``)."""
    root = base_url.rstrip("/")
    return root[: -len("/bot")] + "/file/bot" if root.endswith("/bot") else root + "/file/bot"


def webhook_secret(token: str) -> str:
    """The secret Telegram sends with each webhook call, derived from the token so that only
    Telegram (which knows the token) can post updates to the bot's endpoint."""
    return hashlib.sha256(f"quorum-webhook:{token}".encode()).hexdigest()


class TelegramAdapter:
    """``TelegramAdapter(config, core)``: add ``.transport`` to the core, then await ``run()``.

    ``time_scale`` shrinks every flood-control period and the edit interval alike, for a test
    Bot API server whose clock runs fast; ``poll_timeout`` is the long-polling wait.
    """

    def __init__(
        self,
        config: TelegramConfig,
        core: Core,
        *,
        time_scale: float = 1.0,
        poll_timeout: float = 10.0,
    ) -> None:
        self.config = config
        self.core = core
        self.poll_timeout = poll_timeout
        base_url = config.base_url or "https://api.telegram.org/bot"
        bot = TolerantBot(
            config.token,
            base_url=base_url,
            base_file_url=_file_url(base_url),
            request=HTTPXRequest(
                connection_pool_size=CONNECTIONS,
                connect_timeout=5.0,
                read_timeout=15.0,
                write_timeout=15.0,
                pool_timeout=30.0,
            ),
            get_updates_request=HTTPXRequest(connection_pool_size=2, connect_timeout=5.0, pool_timeout=5.0),
            rate_limiter=SendLimiter(time_scale=time_scale),
        )
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .bot(bot)
            .concurrent_updates(PerSenderOrder(CONCURRENT_UPDATES))
            .job_queue(None)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.transport = TelegramTransport(bot, time_scale=time_scale)
        self.transport.on_moved = self._moved
        self.transport.speaking_to = core.speaking_to

    async def _moved(self, old: int, new: int) -> None:
        """A group became a supergroup: the core moves everything of the room to the new id."""
        try:
            await self.core.move_room(qualified(old), qualified(new))
        except Exception:
            log.exception("moving room %s to %s failed", old, new)

    async def _member_changed(self, user: User, chat: Chat, at: datetime, *, joined: bool) -> None:
        """USER joined CHAT at AT, or left it (not JOINED): the core keeps it while an open poll
        there needs it. The bot sees joins and leaves only from when it is in the group: whoever
        was there before counts as there, and one who was there when a poll opened, left and
        came back, may vote in it. A group become a supergroup keeps its members: nobody joins
        the supergroup by the move, and whoever does later joined it anew."""
        if user.is_bot:
            return  # no voter
        room = Room(qualified(chat.id), title=chat.title or "")
        try:
            if joined:
                await self.core.joined(Joined(actor_of(user), room, at))
            else:
                await self.core.left(Left(actor_of(user), room, at))
        except Exception:
            log.exception("noting a member of %s coming or going failed", chat.id)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._on_platform_news(update):
            return
        event = event_of(update, self.transport.bot_username)
        press = update.callback_query.id if update.callback_query is not None else None
        if press is not None:
            self.transport.press_received(press)
        try:
            if event is None:
                log.debug("update %s ignored", update.update_id)
            else:
                await self.core.handle(event)
        finally:
            if press is not None:
                await self.transport.settle_press(press)

    async def _on_platform_news(self, update: Update) -> bool:
        """What Telegram tells about chats rather than what people ask of the bot: a group
        upgraded, the bot removed or added, an administrator promoted or demoted, a member
        gone (no longer counted as one, whatever was cached), a topic
        reopened, a command sent as a channel or forwarded. True if UPDATE was that."""
        transport = self.transport
        message = update.message
        if message is not None:
            moved = None
            if message.migrate_to_chat_id is not None:
                moved = message.chat.id, message.migrate_to_chat_id
            elif message.migrate_from_chat_id is not None:
                moved = message.migrate_from_chat_id, message.chat.id
            if moved is not None:
                if transport.note_moved(*moved):  # the first of the two notices moves the room
                    await self._moved(*moved)
                return True
            if message.new_chat_members:  # seen by every bot, privacy mode included
                for user in message.new_chat_members:
                    await self._member_changed(user, message.chat, message.date, joined=True)
                return True
            if message.left_chat_member is not None:  # seen by every bot, unlike chat_member
                transport.roles.forget_member(message.chat.id, message.left_chat_member.id)
                await self._member_changed(message.left_chat_member, message.chat, message.date, joined=False)
                return True
            if message.forum_topic_reopened is not None and message.message_thread_id is not None:
                transport.topic_reopened(message.chat.id, message.message_thread_id)
                return True
        if (forwarded := forwarded_command(update)) is not None:
            if forwarded.chat.type == forwarded.chat.PRIVATE:  # in a group: nothing (see forwarded_command)
                room = qualified(forwarded.chat.id)
                with await self.core.speaking_to(room):
                    text = notices.forwarded_command()
                await self.core_send(Send(room, text, reply_to=str(forwarded.message_id)))
            return True
        if (as_channel := channel_sender(update, transport.bot_username)) is not None:
            room = qualified(as_channel.chat.id)
            with await self.core.speaking_to(room):
                text = notices.sent_as_channel()
            await self.core_send(Send(room, text, reply_to=str(as_channel.message_id)))
            return True
        if (mine := update.my_chat_member) is not None:
            chat = mine.chat
            if out_of_chat(mine.new_chat_member):
                transport.removed(chat.id)
                if chat.type != chat.PRIVATE and mine.from_user is not None and not mine.from_user.is_bot:
                    # Told where it can still be: privately, if this person ever wrote to the bot.
                    who = qualified(mine.from_user.id)
                    with await self.core.speaking_to(who, qualified(chat.id)):
                        text = notices.removed_from(chat.title)
                    await self.core_send(SendPrivate(who, text))
            elif may_not_post(mine.new_chat_member):
                # Restricted: what is sent there meanwhile is refused for want of the right,
                # without asking, and goes once the right is back (the update below).
                transport.removed(chat.id, no_right=True)
            else:
                # Added, promoted or demoted: the bot may be able to write again (a group where
                # only administrators may), and the list of administrators, which says whether
                # the bot is told of demotions (see roles), has changed. What was refused there
                # for want of the right to post goes now (refused again, and cheaply, if the
                # bot still may not: the refusal closes the chat to it for a while).
                transport.returned(chat.id)
                await self.core.may_post_again(qualified(chat.id))
            return True
        if (member := update.chat_member) is not None:
            inside, was_inside = not out_of_chat(member.new_chat_member), not out_of_chat(member.old_chat_member)
            if inside != was_inside:  # joined (by a link too, which may show no service message) or left
                await self._member_changed(member.new_chat_member.user, member.chat, member.date, joined=inside)
            transport.roles.forget(member.chat.id)  # a promotion or demotion counts at once
            transport.roles.forget_member(member.chat.id, member.new_chat_member.user.id)
            return True
        answer = update.poll_answer
        if answer is not None and answer.voter_chat is not None:
            # Given as a chat: as its own group (anonymous administrators) it counts, as the
            # group's one voice; as a channel it names nobody who could be counted.
            where = transport.chat_of_poll(answer.poll_id)
            voter = answer.voter_chat
            if voter.type == voter.CHANNEL or (where is not None and voter.id != where):
                log.info("an answer to native poll %s given as chat %s was not counted", answer.poll_id, voter.id)
                if where is not None:
                    with await self.core.speaking_to(qualified(where)):
                        text = notices.answer_as_chat_not_counted(voter.title)
                    await self.core_send(Send(qualified(where), text))
                return True
        return False

    async def core_send(self, effect: Send | SendPrivate) -> None:
        """Send something the adapter itself has to say; a refusal is logged, never raised."""
        try:
            await self.transport.deliver(effect)
        except Exception as e:
            log.info("could not send %s: %s", type(effect).__name__, e)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("update %r could not be handled", getattr(update, "update_id", update), exc_info=context.error)

    async def _register_commands(self) -> None:
        """The command menu, per scope and language: groups are not offered the commands used
        privately, and each shipped language has its own summaries (``language_code``), so a
        Polish app shows Polish ones; an app in any other language sees the list without a
        language, which is in the bot's default language."""
        everywhere = self.core.menu()
        self.transport.commands = frozenset(name for name, _ in everywhere)
        bot = self.application.bot
        scopes = ((BotCommandScopeAllGroupChats(), "group"), (BotCommandScopeAllPrivateChats(), "any"), (None, "any"))
        try:
            for scope, where in scopes:
                await bot.set_my_commands(menu(self.core.menu(where)), scope=scope)
                for code in self.core.menu_languages():
                    await bot.set_my_commands(menu(self.core.menu(where, code)), scope=scope, language_code=code)
        except Exception:
            log.exception("the command menu could not be registered")

    async def _initialize(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Meet Telegram (``getMe``); a refused token or an unreachable Bot API stops the start
        with one sentence, so that ``quorum run`` exits non-zero and its supervisor sees why."""
        try:
            await app.initialize()
        except InvalidToken:
            raise StartError("Telegram refused the bot token: check telegram.token (or QUORUM_TELEGRAM_TOKEN) "
                             "against the one BotFather gave you.") from None
        except NetworkError as e:
            log.info("getMe failed: %s", e.message)  # the detail, for quorum -v
            where = self.config.base_url or "https://api.telegram.org"
            raise StartError(f"Telegram's Bot API ({where}) could not be reached: check the network or "
                             "telegram.base_url, then start the bot again.") from None

    async def _listen(self, app: Application[Any, Any, Any, Any, Any, Any]) -> WebhookServer:
        """Serve the webhook, then tell Telegram its address (``setWebhook``): until it is
        reached, network trouble is waited out, as long polling waits it out."""
        config = self.config
        assert config.webhook_url is not None
        token = webhook_secret(config.token)
        server = WebhookServer(app.bot, app.update_queue, urlsplit(config.webhook_url).path, token)
        try:
            await server.start(config.webhook_listen, config.webhook_port)
        except OSError as e:
            where = f"{config.webhook_listen}:{config.webhook_port}"
            raise StartError(f"The Telegram webhook cannot listen on {where} ({e.strerror}): set "
                             "telegram.webhook_port (or telegram.webhook_listen) to a free address, or "
                             "stop what is using it.") from None
        delay = 1.0
        try:
            while True:
                try:
                    await app.bot.set_webhook(config.webhook_url, allowed_updates=ALLOWED_UPDATES, secret_token=token)
                    return server
                except BadRequest as e:
                    raise StartError(f"Telegram refused the webhook address {config.webhook_url} ({e.message}): "
                                     "set telegram.webhook_url to an https:// address Telegram can reach.") from None
                except NetworkError as e:
                    log.warning("setWebhook failed (%s); trying again in %.0f s", e, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
        except BaseException:
            await server.stop()
            raise

    async def run(self) -> None:
        """Receive updates until cancelled."""
        app = self.application
        await self._initialize(app)
        try:
            self.transport.bot_username = app.bot.username
            self.transport.roles.me = app.bot.id
            self.transport.ready.set()
            await self._register_commands()
            assert app.updater is not None
            webhook: WebhookServer | None = None
            if self.config.webhook_url:
                webhook = await self._listen(app)
            else:
                await app.updater.start_polling(
                    timeout=int(self.poll_timeout),
                    allowed_updates=ALLOWED_UPDATES,
                    bootstrap_retries=-1,
                )
            await app.start()
            try:
                await asyncio.Event().wait()
            finally:
                if webhook is not None:
                    await webhook.stop()
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
        finally:
            self.transport.ready.clear()
            await app.shutdown()
