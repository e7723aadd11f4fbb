"""The core's effects carried out on Telegram (the Transport the core delivers through).

Telegram as it is: a room may be a forum topic (``tg:<chat>/<thread>``: every message to it
carries ``message_thread_id``); a basic group upgraded to a supergroup answers calls to its old
id with ``migrate_to_chat_id`` (the call is made again on the new id, and the core is told the
room moved, see ``on_moved``), but an old group's message is never edited, nor its native poll
stopped, in the supergroup (``_posted_in``); a chat the bot was removed from, or a person who
blocked it or deleted their account, is not called again until they come back, or for a
while (``gone``: several processes may answer for one token, and only one hears of the return); a
closed topic refuses messages, and its organisers are told once, in the group's General topic.
In groups, commands named in a message are written ``/vote@<bot>``: a bot in privacy mode gets
a bare ``/vote`` only while it is the last bot that wrote there.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any, TypeVar

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram import Message as TgMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError

from adapters.telegram.calls import call, is_not_modified, no_right, refused
from adapters.telegram.ids import PLATFORM, chat_and_thread, telegram_id
from adapters.telegram.keyboards import inline_keyboard
from adapters.telegram.limiter import SendLimiter
from adapters.telegram.roles import CONFIRM_SECONDS, Roles, belongs
from adapters.telegram.split import cut_to_fit, fits, shorten, split_html
from bot.app import notices
from bot.kernel.effects import (
    AnswerPress,
    CloseNativePoll,
    Delete,
    Delivered,
    Edit,
    Effect,
    Keyboard,
    Send,
    SendFile,
    SendNativePoll,
    SendPrivate,
)
from bot.kernel.markup import html_text, to_html, to_plain
from bot.kernel.ports import DeliveryRefused, NoRightToSend, PartlyDelivered, PlatformDown

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

MAX_ANSWER = 200  # characters in an answerCallbackQuery text; a longer one is shortened after a word
MAX_CAPTION = 1024  # characters of a document's or photo's caption
MAX_UPLOAD = 50 * 1024 * 1024  # bytes a bot may upload (sendDocument)
MAX_PHOTO = 10 * 1024 * 1024  # bytes of a photo (sendPhoto); a larger image goes as a document
MAX_QUESTION = 300
MAX_OPTION = 100
T = TypeVar("T")
GONE = ("kicked", "not a member", "blocked by the user", "user is deactivated", "chat not found",
        "chat_write_forbidden", "have no rights to send a message", "group chat was deactivated",
        "chat was deleted")
"""Refusals that mean the chat is closed to the bot until it is told otherwise: 403s (removed,
blocked, deleted account) and the 400s that say the same of the chat, not of one request (no
such chat; in a group where members may not write, a bot that is no administrator, told
``have no rights to send a message`` or ``CHAT_WRITE_FORBIDDEN``; a deleted group). A 400
about one kind of message (``not enough rights to send polls``) closes nothing else."""
CLOSED_TOPIC = "topic_closed"
GONE_SECONDS = 30.0
"""How long a refusal for good is believed without asking Telegram again. The update saying the
bot is back (added to the group again, unblocked) reaches one process of several answering for
the token; the others learn it by asking, at most this long after they last heard no. A chat
still closed costs one refused request each time."""

EDIT_INTERVAL = 6.0
"""Seconds between live-tally edits of one ballot: at most 10 a minute, half of the 20
messages a minute Telegram lets a bot post into one group, leaving the rest for replies."""


class TelegramTransport:
    platform = PLATFORM
    prefixes = ("/",)
    files = True  # exports go as files (SendFile)

    def __init__(self, bot: Bot, *, time_scale: float = 1.0) -> None:
        self.bot = bot
        self.bot_username: str | None = None
        self.edit_interval = EDIT_INTERVAL * time_scale
        self.ready = asyncio.Event()  # set once getMe has told us who we are
        self.roles = Roles(self._fetch_admins, self._fetch_member, status=self._fetch_status,
                           confirm_after=CONFIRM_SECONDS * time_scale)
        # Presses waiting for their one answerCallbackQuery; answered ones are remembered a
        # while so that a repeated press (redelivery) is not answered twice.
        self._unanswered: set[str] = set()
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._shown: OrderedDict[tuple[int, int], int] = OrderedDict()  # what each edit last showed
        self.moved: dict[int, int] = {}  # a basic group's old id -> its supergroup's id
        # Chats the bot may not write to now (removed, blocked): until when that is believed.
        self.gone: dict[int, float] = {}
        self._no_right: set[int] = set()  # of those, the ones closed for want of the right to post
        self.gone_for = GONE_SECONDS
        self.on_moved: Callable[[int, int], Awaitable[None]] | None = None  # the adapter tells the core
        self.commands: frozenset[str] = frozenset()  # the core's command names, written /name@bot in groups
        # The core's languages, for what the transport says itself (the adapter sets it).
        self.speaking_to: Callable[[str], Awaitable[AbstractContextManager[object]]] | None = None
        self._told_closed: set[tuple[int, int]] = set()  # closed topics whose organisers were told
        self._poll_chats: OrderedDict[str, int] = OrderedDict()  # native poll id -> its chat
        self._tasks: set[asyncio.Task[None]] = set()

    # -- for /healthz and /metrics ----------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the bot has met Telegram and the Bot API answered its latest request."""
        return self.ready.is_set() and getattr(self.bot, "reachable", None) is not False

    def share(self, processes: int) -> None:
        """PROCESSES processes send for this bot's token now: pace to a share of its limits."""
        limiter = self.bot.rate_limiter
        if isinstance(limiter, SendLimiter):
            limiter.share(processes)

    @property
    def rate_limited(self) -> int:
        """Requests Telegram refused as too many (429), each waited out and tried again."""
        return int(getattr(self.bot.rate_limiter, "rate_limited", 0))

    @property
    def retries(self) -> int:
        """Requests that failed on the network, each tried again (or reported) by its caller."""
        return int(getattr(self.bot, "failures", 0))

    # -- the Transport protocol ------------------------------------------------------------

    async def deliver(self, effect: Effect) -> Delivered | None:
        """EFFECT carried out. Network trouble that outlived ``call``'s retries (no connection, a
        timeout, a 5xx) is Telegram being unreachable for every chat, not this one's: it is
        ``PlatformDown``, so the outbox rests the platform instead of trying chat after chat."""
        try:
            return await self._carry_out(effect)
        except PartlyDelivered as e:
            if not _outage(e.cause):
                raise
            raise PartlyDelivered(e.parts, PlatformDown(f"{type(e.cause).__name__}: {e.cause}")) from e.cause
        except NetworkError as e:
            if not _outage(e):
                raise
            raise PlatformDown(f"{type(e).__name__}: {e}") from e

    async def _carry_out(self, effect: Effect) -> Delivered | None:
        await self.ready.wait()
        match effect:
            case Send(room=room, text=text, buttons=buttons, reply_to=reply_to, from_part=done):
                chat_id, thread = self._where(room)
                if chat_id != self._posted_in(room)[0]:
                    reply_to = None  # a message of the old group: its id names another one here
                return await self._send(chat_id, thread, text, buttons, reply_to, from_part=done)
            case SendPrivate(actor=actor, text=text, buttons=buttons, from_part=done):
                return await self._send(*self._private(actor), text, buttons, None, from_part=done)
            case Edit(room=room, ref=ref, text=text, buttons=buttons):
                await self._edit(room, int(ref), text, buttons)
                return Delivered(ref=ref)
            case AnswerPress(press=press, text=text):
                if press.press_id is not None:
                    await self.answer(press.press_id, text)
                return None
            case SendNativePoll(room=room, question=question, options=options, max_choices=most, text=text):
                return await self._send_poll(*self._where(room), question, options, most, text)
            case CloseNativePoll(room=room, ref=ref, text=text):
                return await self._close_poll(*self._posted_in(room), ref, text)
            case SendFile(to=to, name=name, data=data, caption=caption, private=private):
                where = self._private(to) if private else self._where(to)
                return await self._send_file(*where, name, data, caption, photo=effect.image)
            case Delete(room=room, ref=ref):
                await self._delete(self._posted_in(room)[0], int(ref))
                return Delivered(ref=ref)
        raise TypeError(f"unknown effect {effect!r}")

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        chat_id, actor = self._where(room_id)[0], telegram_id(actor_id)
        if actor == chat_id or self.moved.get(actor) == chat_id:
            return True  # the group's anonymous administrators, acting as the group
        return await self.roles.is_admin(actor, chat_id)

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        chat_id, actor = self._where(room_id)[0], telegram_id(actor_id)
        if actor == chat_id:
            return True
        return await self.roles.is_member(actor, chat_id)

    # -- where a room is now -----------------------------------------------------------------

    def _where(self, room: str) -> tuple[int, int | None]:
        """(chat id, topic thread id) of a qualified room or person, following migrations."""
        chat_id, thread = chat_and_thread(room)
        while chat_id in self.moved:
            chat_id = self.moved[chat_id]
        return chat_id, thread

    @staticmethod
    def _posted_in(room: str) -> tuple[int, int | None]:
        """(chat id, topic thread id) of a message the core names by ROOM and its id: the chat
        ROOM names, not the supergroup it became. A supergroup numbers its messages afresh, so
        an old group's message id names another message there, or none; asked of the old group,
        the call is refused (see ``_at``). The core forgets the old group's messages when the
        room moves, but only once the move has committed: an edit may come in between."""
        return chat_and_thread(room)

    def _private(self, actor: str) -> tuple[int, None]:
        """A person's private chat. A group acting as a person (its anonymous administrators)
        has none: what is meant for one person never goes to the whole group."""
        chat_id = telegram_id(actor)
        if chat_id < 0:
            raise DeliveryRefused("an anonymous administrator has no private chat with the bot")
        return chat_id, None

    def note_moved(self, old: int, new: int) -> bool:
        """Chat OLD is now NEW: calls go there from now on. False if that was known."""
        if self.moved.get(old) == new:
            return False
        self.moved[old] = new
        self.roles.forget(old)
        log.info("chat %s was upgraded to supergroup %s", old, new)
        return True

    def _migrated(self, old: int, new: int) -> None:
        """A call was answered that chat OLD is now NEW: calls go there, and the core moves the
        room, in the background (the core may be inside a transaction of its own)."""
        if self.note_moved(old, new) and self.on_moved is not None:
            task = asyncio.get_running_loop().create_task(self.on_moved(old, new))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def removed(self, chat_id: int, *, no_right: bool = False) -> None:
        """The bot was removed from the chat (or blocked; NO_RIGHT: it may not post there):
        nothing is sent there for a while (``GONE_SECONDS``), unless it comes back."""
        self.gone[chat_id] = asyncio.get_running_loop().time() + self.gone_for
        if no_right:
            self._no_right.add(chat_id)
        else:
            self._no_right.discard(chat_id)
        self.roles.forget(chat_id)

    def returned(self, chat_id: int) -> None:
        self.gone.pop(chat_id, None)
        self._no_right.discard(chat_id)
        self.roles.forget(chat_id)

    def _closed_to_bot(self, chat_id: int) -> bool:
        until = self.gone.get(chat_id)
        if until is None:
            return False
        if asyncio.get_running_loop().time() < until:
            return True
        del self.gone[chat_id]  # asked again: Telegram says whether it still is
        return False

    async def _at(self, what: str, chat_id: int, request: Callable[[int], Awaitable[T]], *, again: bool = True,
                  reading: bool = False) -> T:
        """REQUEST(chat_id), made again on the new id if the group was upgraded (unless not
        AGAIN: a message id of the old group names nothing in the new one). READING: it asks,
        posts nothing, so a chat closed only to the bot's posts (``_no_right``) is asked."""
        if not (reading and chat_id in self._no_right) and self._closed_to_bot(chat_id):
            refusal = NoRightToSend if chat_id in self._no_right else DeliveryRefused
            raise refusal(f"{what}: the bot may not write to chat {chat_id} now")
        try:
            return await call(what, lambda: request(chat_id))
        except ChatMigrated as e:
            self._migrated(chat_id, e.new_chat_id)
            if not again:
                raise DeliveryRefused(f"{what}: chat {chat_id} is now {e.new_chat_id}") from e
            return await self._at(what, e.new_chat_id, request, again=False)
        except DeliveryRefused as e:
            if closed_for_good(str(e)):
                self.removed(chat_id, no_right=no_right(str(e)))
            raise
        except BadRequest as e:
            if closed_for_good(e.message):  # a 400 that no later request to this chat escapes either
                self.removed(chat_id, no_right=no_right(e.message))
                raise refused(what, e) from e
            raise

    # -- button presses --------------------------------------------------------------------

    def press_received(self, press_id: str) -> None:
        if press_id not in self._answered:
            self._unanswered.add(press_id)

    async def answer(self, press_id: str, text: str | None = None) -> None:
        """Answer a press exactly once: Telegram shows a spinner until then, and refuses a
        second answer."""
        if press_id not in self._unanswered:
            return
        self._unanswered.discard(press_id)
        self._answered[press_id] = None
        if len(self._answered) > 10_000:
            self._answered.popitem(last=False)
        shown = shorten(to_plain(text), MAX_ANSWER) if text else None  # a toast shows text, not HTML
        try:
            await call("answerCallbackQuery", lambda: self.bot.answer_callback_query(press_id, text=shown))
        except BadRequest as e:  # too old (over 15 s on Telegram): nothing more can be done
            log.info("press %s could not be answered: %s", press_id, e.message)

    async def settle_press(self, press_id: str) -> None:
        """Answer a press the core did not answer (an ignored press, or a failure)."""
        await self.answer(press_id, None)

    # -- sending ---------------------------------------------------------------------------

    def _addressed(self, html: str) -> str:
        """In a group, each of the core's commands named in HTML written ``/name@bot``."""
        if not self.bot_username or not self.commands:
            return html
        return _COMMAND.sub(
            lambda m: f"/{m.group(1)}@{self.bot_username}" if m.group(1) in self.commands else m.group(0), html
        )

    async def _send(
        self, chat_id: int, thread: int | None, text: str, buttons: Keyboard, reply_to: str | None,
        *, from_part: int = 0,
    ) -> Delivered:
        """TEXT in as many messages as it takes (``split_html``), the buttons on the last, the
        first FROM_PART of them left out (delivered before). A part that fails after earlier
        ones went raises PartlyDelivered, so that a retry resumes there: the split is a pure
        function of the text, the same parts each time."""
        markup = inline_keyboard(buttons, self.bot_username)
        html = to_html(text)
        if chat_id < 0:
            html = self._addressed(html)
        chunks = split_html(html)
        first = min(from_part, len(chunks) - 1)
        last: TgMessage | None = None
        for n in range(first, len(chunks)):
            final = n == len(chunks) - 1
            replying = int(reply_to) if reply_to and n == 0 else None
            try:
                last = await self._send_chunk(chat_id, thread, chunks[n], markup if final else None, replying)
            except Exception as e:
                if n == 0:
                    raise
                raise PartlyDelivered(n, e) from e
        assert last is not None
        return Delivered(ref=str(last.message_id))

    async def _send_chunk(
        self, chat_id: int, thread: int | None, chunk: str, markup: Any, reply_to: int | None
    ) -> TgMessage:
        """Send one piece of HTML (``to_html`` made it; ``split_html`` cut it)."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        html = True
        while True:
            body, mode = (chunk, ParseMode.HTML) if html else (html_text(chunk), None)
            send = partial(
                self.bot.send_message,
                text=body,
                parse_mode=mode,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                message_thread_id=thread,
            )
            try:
                # Made again in the supergroup a basic group became: not as a reply there.
                return await self._at("sendMessage", chat_id, lambda chat, send=send: send(
                    chat, reply_parameters=reply if chat == chat_id else None))
            except BadRequest as e:
                if html and "can't parse entities" in e.message.lower():
                    log.error("Telegram could not parse our HTML; sending it as plain text: %s", e.message)
                    html = False
                    continue
                raise await self._refusal("sendMessage", chat_id, thread, e) from e

    async def _delete(self, chat_id: int, message_id: int) -> None:
        """deleteMessage: refused (DeliveryRefused) where the bot may not delete others' messages
        (not an administrator; in a supergroup, one without can_delete_messages), for a message
        48 hours old or more, and for one of a basic group since upgraded (its id names nothing
        in the supergroup)."""
        try:
            await self._at("deleteMessage", chat_id,
                           lambda chat: self.bot.delete_message(chat, message_id), again=False)
        except BadRequest as e:
            raise refused("deleteMessage", e) from e

    async def _speaking(self, target: str) -> AbstractContextManager[object]:
        """Write in TARGET's language inside the block (English before the adapter set it)."""
        return nullcontext() if self.speaking_to is None else await self.speaking_to(target)

    async def _refusal(self, what: str, chat_id: int, thread: int | None, error: BadRequest) -> DeliveryRefused:
        """A refusal to send into a chat. A closed forum topic is said once in the group's
        General topic, where its organisers see why the bot went quiet there."""
        if CLOSED_TOPIC in error.message.lower() and thread is not None and (chat_id, thread) not in self._told_closed:
            self._told_closed.add((chat_id, thread))
            try:
                with await self._speaking(f"{PLATFORM}:{chat_id}"):
                    text = notices.closed_topic()
                await self._send(chat_id, None, text, (), None)
            except Exception:
                log.info("the closed topic %s/%s could not be reported in General", chat_id, thread)
        return refused(what, error)

    def topic_reopened(self, chat_id: int, thread: int) -> None:
        self._told_closed.discard((chat_id, thread))

    async def _send_file(
        self, chat_id: int, thread: int | None, name: str, data: bytes, caption: str, *, photo: bool
    ) -> Delivered:
        """A document (``sendDocument``), or a picture (``sendPhoto``) for an image within the
        photo limit. A caption longer than Telegram allows follows as a message of its own."""
        if len(data) > MAX_UPLOAD:
            raise DeliveryRefused(f"{name} is {len(data)} bytes, over the {MAX_UPLOAD} a bot may upload")
        html = to_html(caption) if caption else None
        separate = html is not None and len(html) > MAX_CAPTION
        method, send = ("sendPhoto", self.bot.send_photo) if photo and len(data) <= MAX_PHOTO else (
            "sendDocument", self.bot.send_document)
        try:
            message = await self._at(method, chat_id, lambda chat: send(
                chat, data, filename=name, caption=None if separate else html,
                parse_mode=ParseMode.HTML if html and not separate else None, message_thread_id=thread,
            ))
        except BadRequest as e:
            raise await self._refusal(method, chat_id, thread, e) from e
        if separate:
            await self._send(message.chat.id, thread, caption, (), str(message.message_id))
        return Delivered(ref=str(message.message_id))

    async def _edit(self, room: str, message_id: int, text: str, buttons: Keyboard) -> None:
        """Show TEXT in place of one message. Only ballots are edited, and a ballot is built to
        fit in one message (a question and at most 20 options, each of bounded length), so the
        message edited was sent whole. A text too long for one message is never spread over the
        parts of an earlier one: the message shows as much as fits, cut at a line end, and says
        the rest was cut."""
        chat_id = self._posted_in(room)[0]
        # An edit that changes nothing still costs group budget (and draws "not modified").
        key, shown = (chat_id, message_id), hash((text, buttons))
        if self._shown.get(key) == shown:
            return
        markup = inline_keyboard(buttons, self.bot_username)
        html = to_html(text)
        if chat_id < 0:
            html = self._addressed(html)
        if not fits(html):
            log.warning("an edit of message %s was too long for one message and was cut", message_id)
            with await self._speaking(room):
                html = cut_to_fit(html, to_html(notices.cut_short()))
        try:
            await self._at(
                "editMessageText",
                chat_id,
                lambda chat: self.bot.edit_message_text(
                    html,
                    chat_id=chat,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                ),
                again=False,
            )
        except BadRequest as e:
            if not is_not_modified(e):
                raise refused("editMessageText", e) from e
        self._shown[key] = shown
        self._shown.move_to_end(key)
        if len(self._shown) > 4096:
            self._shown.popitem(last=False)

    async def _send_poll(
        self, chat_id: int, thread: int | None, question: str, options: tuple[str, ...], most: int, text: str
    ) -> Delivered:
        try:
            message = await self._at(
                "sendPoll",
                chat_id,
                lambda chat: self.bot.send_poll(
                    chat,
                    question[:MAX_QUESTION],
                    [option[:MAX_OPTION] for option in options],
                    is_anonymous=False,  # so that answers come back as poll_answer updates
                    allows_multiple_answers=most > 1,
                    message_thread_id=thread,
                ),
            )
        except BadRequest as e:
            raise await self._refusal("sendPoll", chat_id, thread, e) from e
        assert message.poll is not None
        self._poll_chats[message.poll.id] = message.chat.id
        if len(self._poll_chats) > 10_000:
            self._poll_chats.popitem(last=False)
        delivered = Delivered(ref=str(message.message_id), native_ref=message.poll.id)
        if text:  # the poll's number and deadline, which the native poll cannot show
            try:
                await self._send(message.chat.id, thread, text, (), str(message.message_id))
            except Exception:
                log.exception("the text of native poll %s was not sent", message.poll.id)
        return delivered

    def chat_of_poll(self, poll_id: str) -> int | None:
        """The chat a native poll was sent to (if sent since the start)."""
        return self._poll_chats.get(poll_id)

    async def _close_poll(self, chat_id: int, thread: int | None, ref: str, text: str) -> Delivered:
        try:
            await self._at("stopPoll", chat_id, lambda chat: self.bot.stop_poll(chat, int(ref)), again=False)
        except BadRequest as e:
            if "already been closed" not in e.message.lower():
                raise refused("stopPoll", e) from e
        if text:
            await self._send(chat_id, thread, text, (), ref)
        return Delivered(ref=ref)

    # -- roles -----------------------------------------------------------------------------

    async def _fetch_admins(self, chat_id: int) -> frozenset[int]:
        admins = await self._at("getChatAdministrators", chat_id, lambda chat: self.bot.get_chat_administrators(chat),
                                reading=True)
        return frozenset(member.user.id for member in admins)

    async def _fetch_status(self, chat_id: int, user_id: int) -> str | None:
        try:
            member = await self._at("getChatMember", chat_id, lambda chat: self.bot.get_chat_member(chat, user_id),
                                    reading=True)
        except BadRequest:
            return None
        return member.status

    async def _fetch_member(self, chat_id: int, user_id: int) -> bool:
        try:
            member = await self._at("getChatMember", chat_id, lambda chat: self.bot.get_chat_member(chat, user_id),
                                    reading=True)
        except BadRequest:
            return False
        return belongs(member)


def closed_for_good(reason: str) -> bool:
    """Whether a refusal saying REASON closes the chat to the bot (see GONE)."""
    reason = reason.lower()
    return any(gone in reason for gone in GONE)


_COMMAND = re.compile(r"(?<![\w/@.])/([a-z0-9_]{1,32})(?![\w@])")
"""A command named in a message's text (not inside a link or a path)."""


def _outage(error: Exception) -> bool:
    """Whether ERROR is Telegram unreachable or failing (a ``NetworkError``, ``TimedOut``
    included), not an answer about one chat (``BadRequest`` is a NetworkError in PTB too)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)
