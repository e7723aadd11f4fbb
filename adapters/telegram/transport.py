"""The core's effects carried out on Telegram (the Transport the core delivers through)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from functools import partial
from typing import Any

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram import Message as TgMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated

from adapters.telegram.calls import call, is_not_modified, refused
from adapters.telegram.ids import PLATFORM, telegram_id
from adapters.telegram.keyboards import inline_keyboard
from adapters.telegram.roles import Roles, belongs
from adapters.telegram.split import split_html, truncate_html
from bot.kernel.effects import (
    AnswerPress,
    CloseNativePoll,
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
from bot.kernel.ports import DeliveryRefused

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

MAX_ANSWER = 200  # characters in an answerCallbackQuery text
MAX_CAPTION = 1024  # characters of a document's or photo's caption
MAX_UPLOAD = 50 * 1024 * 1024  # bytes a bot may upload (sendDocument)
MAX_PHOTO = 10 * 1024 * 1024  # bytes of a photo (sendPhoto); a larger image goes as a document
MAX_QUESTION = 300
MAX_OPTION = 100
EDIT_INTERVAL = 6.0
"""Seconds between live-tally edits of one ballot: at most 10 a minute, half of the 20
messages a minute Telegram lets a bot post into one group, leaving the rest for replies."""


class TelegramTransport:
    platform = PLATFORM
    prefixes = ("/",)

    def __init__(self, bot: Bot, *, time_scale: float = 1.0) -> None:
        self.bot = bot
        self.bot_username: str | None = None
        self.edit_interval = EDIT_INTERVAL * time_scale
        self.ready = asyncio.Event()  # set once getMe has told us who we are
        self.roles = Roles(self._fetch_admins, self._fetch_member)
        # Presses waiting for their one answerCallbackQuery; answered ones are remembered a
        # while so that a repeated press (redelivery) is not answered twice.
        self._unanswered: set[str] = set()
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._shown: OrderedDict[tuple[int, int], int] = OrderedDict()  # what each edit last showed

    # -- the Transport protocol ------------------------------------------------------------

    async def deliver(self, effect: Effect) -> Delivered | None:
        await self.ready.wait()
        match effect:
            case Send(room=room, text=text, buttons=buttons, reply_to=reply_to):
                return await self._send(telegram_id(room), text, buttons, reply_to)
            case SendPrivate(actor=actor, text=text, buttons=buttons):
                return await self._send(telegram_id(actor), text, buttons, None)
            case Edit(room=room, ref=ref, text=text, buttons=buttons):
                await self._edit(telegram_id(room), int(ref), text, buttons)
                return Delivered(ref=ref)
            case AnswerPress(press=press, text=text):
                if press.press_id is not None:
                    await self.answer(press.press_id, text)
                return None
            case SendNativePoll(room=room, question=question, options=options, max_choices=most, text=text):
                return await self._send_poll(telegram_id(room), question, options, most, text)
            case CloseNativePoll(room=room, ref=ref, text=text):
                return await self._close_poll(telegram_id(room), ref, text)
            case SendFile(to=to, name=name, data=data, caption=caption):
                return await self._send_file(telegram_id(to), name, data, caption, photo=effect.image)
        raise TypeError(f"unknown effect {effect!r}")

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return await self.roles.is_admin(telegram_id(actor_id), telegram_id(room_id))

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return await self.roles.is_member(telegram_id(actor_id), telegram_id(room_id))

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
        shown = to_plain(text)[:MAX_ANSWER] if text else None  # a toast shows text, not HTML
        try:
            await call("answerCallbackQuery", lambda: self.bot.answer_callback_query(press_id, text=shown))
        except BadRequest as e:  # too old (over 15 s on Telegram): nothing more can be done
            log.info("press %s could not be answered: %s", press_id, e.message)

    async def settle_press(self, press_id: str) -> None:
        """Answer a press the core did not answer (an ignored press, or a failure)."""
        await self.answer(press_id, None)

    # -- sending ---------------------------------------------------------------------------

    async def _send(self, chat_id: int, text: str, buttons: Keyboard, reply_to: str | None) -> Delivered:
        markup = inline_keyboard(buttons, self.bot_username)
        chunks = split_html(to_html(text))
        last: TgMessage | None = None
        for n, chunk in enumerate(chunks):
            final = n == len(chunks) - 1
            replying = int(reply_to) if reply_to and n == 0 else None
            last = await self._send_chunk(chat_id, chunk, markup if final else None, replying)
        assert last is not None
        return Delivered(ref=str(last.message_id))

    async def _send_chunk(self, chat_id: int, chunk: str, markup: Any, reply_to: int | None) -> TgMessage:
        """Send one piece of HTML (``to_html`` made it; ``split_html`` cut it)."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        html = True
        while True:
            body, mode = (chunk, ParseMode.HTML) if html else (html_text(chunk), None)
            send = partial(
                self.bot.send_message,
                chat_id,
                body,
                parse_mode=mode,
                reply_markup=markup,
                reply_parameters=reply,
                link_preview_options=NO_PREVIEW,
            )
            try:
                message = await call("sendMessage", send)
                return message
            except ChatMigrated as e:  # a group became a supergroup: same people, new id
                chat_id = e.new_chat_id
            except BadRequest as e:
                if html and "can't parse entities" in e.message.lower():
                    log.error("Telegram could not parse our HTML; sending it as plain text: %s", e.message)
                    html = False
                    continue
                raise refused("sendMessage", e) from e

    async def _send_file(self, chat_id: int, name: str, data: bytes, caption: str, *, photo: bool) -> Delivered:
        """A document (``sendDocument``), or a picture (``sendPhoto``) for an image within the
        photo limit. A caption longer than Telegram allows follows as a message of its own."""
        if len(data) > MAX_UPLOAD:
            raise DeliveryRefused(f"{name} is {len(data)} bytes, over the {MAX_UPLOAD} a bot may upload")
        html = to_html(caption) if caption else None
        separate = html is not None and len(html) > MAX_CAPTION
        method, send = ("sendPhoto", self.bot.send_photo) if photo and len(data) <= MAX_PHOTO else (
            "sendDocument", self.bot.send_document)
        try:
            message = await call(method, lambda: send(
                chat_id, data, filename=name, caption=None if separate else html,
                parse_mode=ParseMode.HTML if html and not separate else None,
            ))
        except BadRequest as e:
            raise refused(method, e) from e
        if separate:
            await self._send(chat_id, caption, (), str(message.message_id))
        return Delivered(ref=str(message.message_id))

    async def _edit(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        # An edit that changes nothing still costs group budget (and draws "not modified").
        key, shown = (chat_id, message_id), hash((text, buttons))
        if self._shown.get(key) == shown:
            return
        markup = inline_keyboard(buttons, self.bot_username)
        try:
            await call(
                "editMessageText",
                lambda: self.bot.edit_message_text(
                    truncate_html(to_html(text)),
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        except BadRequest as e:
            if not is_not_modified(e):
                raise refused("editMessageText", e) from e
        self._shown[key] = shown
        self._shown.move_to_end(key)
        if len(self._shown) > 4096:
            self._shown.popitem(last=False)

    async def _send_poll(
        self, chat_id: int, question: str, options: tuple[str, ...], most: int, text: str
    ) -> Delivered:
        try:
            message = await call(
                "sendPoll",
                lambda: self.bot.send_poll(
                    chat_id,
                    question[:MAX_QUESTION],
                    [option[:MAX_OPTION] for option in options],
                    is_anonymous=False,  # so that answers come back as poll_answer updates
                    allows_multiple_answers=most > 1,
                ),
            )
        except BadRequest as e:
            raise refused("sendPoll", e) from e
        assert message.poll is not None
        delivered = Delivered(ref=str(message.message_id), native_ref=message.poll.id)
        if text:  # the poll's number and deadline, which the native poll cannot show
            try:
                await self._send(chat_id, text, (), str(message.message_id))
            except Exception:
                log.exception("the text of native poll %s was not sent", message.poll.id)
        return delivered

    async def _close_poll(self, chat_id: int, ref: str, text: str) -> Delivered:
        try:
            await call("stopPoll", lambda: self.bot.stop_poll(chat_id, int(ref)))
        except BadRequest as e:
            if "already been closed" not in e.message.lower():
                raise refused("stopPoll", e) from e
        if text:
            await self._send(chat_id, text, (), ref)
        return Delivered(ref=ref)

    # -- roles -----------------------------------------------------------------------------

    async def _fetch_admins(self, chat_id: int) -> frozenset[int]:
        admins = await call("getChatAdministrators", lambda: self.bot.get_chat_administrators(chat_id))
        return frozenset(member.user.id for member in admins)

    async def _fetch_member(self, chat_id: int, user_id: int) -> bool:
        try:
            member = await call("getChatMember", lambda: self.bot.get_chat_member(chat_id, user_id))
        except BadRequest:
            return False
        return belongs(member)
