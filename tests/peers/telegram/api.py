"""The Bot API methods the peer implements, as Telegram answers them.

Each method takes the world and the call's :class:`Params` and returns the ``result`` value or
raises :class:`ApiError`. Validation happens before flood control, so a rejected message never
uses up rate-limit budget, and flood control before any state changes, so a 429 leaves no trace.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from .commands import scope_key, validate_commands
from .errors import ApiError, bad_request
from .html_mode import parse_html
from .markup import validate_reply_markup
from .models import Chat, Message, Poll, PollOption, member_json, restricted_json
from .params import Params
from .text import Entity, trim_formatted
from .world import World

Result = Any
Method = Callable[[World, Params], Awaitable[Result]]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def formatted_text(world: World, params: Params) -> tuple[str, list[Entity], str, str | None]:
    """Text after entity parsing and trimming, its entities, the source and the parse mode."""
    source = params.str("text")
    if not source:
        raise bad_request("message text is empty")
    parse_mode = params.str("parse_mode") or None
    if parse_mode is None:
        text, entities = source, list(params.json("entities") or [])
    elif parse_mode.lower() == "html":
        text, entities = parse_html(source)
    elif parse_mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f"the test peer implements only parse_mode HTML, not {parse_mode}")
    else:
        raise bad_request("unsupported parse_mode")
    text, entities = trim_formatted(text, entities)
    if not text:
        raise bad_request("message text is empty")
    if len(text) > world.limits.max_text_length:
        raise bad_request("message is too long")
    return text, entities, source, parse_mode


def _reply_target(chat: Chat, params: Params) -> Message | None:
    reply_parameters = params.json("reply_parameters")
    message_id = params.int("reply_to_message_id")
    allow_missing = params.bool("allow_sending_without_reply")
    if isinstance(reply_parameters, dict):
        message_id = reply_parameters.get("message_id", message_id)
        allow_missing = allow_missing or bool(reply_parameters.get("allow_sending_without_reply"))
    if message_id is None:
        return None
    target = chat.message(int(message_id))
    if target is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return target


def _own_message(world: World, params: Params, missing: str) -> Message:
    if "inline_message_id" in params:
        raise bad_request("the test peer does not implement inline messages")
    chat = world.resolve_chat(params.chat_id())
    message_id = params.int("message_id")
    message = chat.message(message_id) if message_id is not None else None
    if message is None:
        raise bad_request(missing)
    return message


def _admit_edit(world: World, chat: Chat) -> None:
    if world.limits.edits_count_towards_flood:
        world.flood.admit(chat.id)


async def get_me(world: World, params: Params) -> Result:
    return world.bot.to_json() | {
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def send_message(world: World, params: Params) -> Result:
    chat = world.resolve_chat(params.chat_id())
    world.check_can_send(chat, "text messages")
    thread = world.thread_of(chat, params.int("message_thread_id"))
    text, entities, source, parse_mode = formatted_text(world, params)
    markup = validate_reply_markup(params.json("reply_markup"), world.limits)
    reply_to = _reply_target(chat, params)
    world.flood.admit(chat.id)
    message = world.add_message(
        chat,
        world.bot,
        text=text,
        entities=entities,
        source=source,
        parse_mode=parse_mode,
        reply_markup=markup,
        reply_to=reply_to,
        message_thread_id=thread,
    )
    return message.to_json()


def _caption(world: World, params: Params) -> tuple[str | None, list[Entity]]:
    """A file's caption after entity parsing, or None; 0-1024 characters as on Telegram."""
    source = params.str("caption")
    if not source:
        return None, []
    parse_mode = params.str("parse_mode") or None
    if parse_mode is None:
        text, entities = source, list(params.json("caption_entities") or [])
    elif parse_mode.lower() == "html":
        text, entities = parse_html(source)
    else:
        raise bad_request(f"the test peer implements only parse_mode HTML, not {parse_mode}")
    text, entities = trim_formatted(text, entities)
    if len(text) > world.limits.max_caption_length:
        raise bad_request("message caption is too long")
    return text or None, entities


def _upload(world: World, params: Params, field: str) -> dict[str, Any]:
    """The file a send method carries as a multipart upload; Telegram's errors for a file that
    is missing, empty or over the upload limit (50 MB, 10 MB for a photo)."""
    upload = params.raw.get(field)
    if upload is None or upload == "":
        raise bad_request(f"there is no {field} in the request")
    if not isinstance(upload, dict) or "data" not in upload:
        raise bad_request("wrong file identifier/HTTP URL specified")
    size = len(upload["data"])
    if size == 0:
        raise bad_request("file must be non-empty")
    if size > world.limits.max_upload_bytes:
        raise ApiError(413, "Request Entity Too Large")
    if field == "photo" and size > world.limits.max_photo_bytes:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    return upload


async def _send_file(world: World, params: Params, field: str) -> Result:
    chat = world.resolve_chat(params.chat_id())
    world.check_can_send(chat, "photos" if field == "photo" else "documents")
    thread = world.thread_of(chat, params.int("message_thread_id"))
    upload = _upload(world, params, field)
    caption, caption_entities = _caption(world, params)
    markup = validate_reply_markup(params.json("reply_markup"), world.limits)
    reply_to = _reply_target(chat, params)
    world.flood.admit(chat.id)
    number = world.fresh_id()
    described = {"file_id": f"F{field[0]}{number}", "file_unique_id": f"U{number}", "file_size": len(upload["data"])}
    fields: dict[str, Any] = {}
    if field == "photo":  # Telegram keeps sizes of a photo, not its name
        fields["photo"] = [described | {"width": 1, "height": 1}]
    else:
        fields["document"] = described | {"file_name": upload.get("file_name") or "file",
                                          "mime_type": upload.get("mime_type") or "application/octet-stream"}
    message = world.add_message(
        chat, world.bot, caption=caption, caption_entities=caption_entities, reply_markup=markup,
        reply_to=reply_to, file_data=upload["data"], parse_mode=params.str("parse_mode") or None,
        message_thread_id=thread, **fields,
    )
    return message.to_json()


async def send_document(world: World, params: Params) -> Result:
    return await _send_file(world, params, "document")


async def send_photo(world: World, params: Params) -> Result:
    return await _send_file(world, params, "photo")


async def edit_message_text(world: World, params: Params) -> Result:
    message = _own_message(world, params, "message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities, source, parse_mode = formatted_text(world, params)
    markup = validate_reply_markup(params.json("reply_markup"), world.limits)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    _admit_edit(world, message.chat)
    message.edits.append(message.version())
    message.text, message.entities, message.source = text, entities, source
    message.parse_mode, message.reply_markup = parse_mode, markup
    message.edit_date = world.now()
    world.changed.notify()
    return message.to_json()


async def edit_message_reply_markup(world: World, params: Params) -> Result:
    message = _own_message(world, params, "message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = validate_reply_markup(params.json("reply_markup"), world.limits)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    _admit_edit(world, message.chat)
    message.edits.append(message.version())
    message.reply_markup = markup
    message.edit_date = world.now()
    world.changed.notify()
    return message.to_json()


DELETE_WITHIN = 48 * 3600
"""Seconds after it was sent that a message may still be deleted (Bot API, deleteMessage)."""


def may_delete_others(world: World, chat: Chat) -> bool:
    """Whether the bot may delete other people's messages in CHAT, as deleteMessage documents:
    in a basic group as any administrator, in a supergroup only with ``can_delete_messages``."""
    status = chat.members.get(world.bot.id)
    if status == "creator":
        return True
    if status != "administrator":
        return False
    return chat.type == "group" or world.bot.id not in chat.cannot_delete


async def delete_message(world: World, params: Params) -> Result:
    """deleteMessage with the documented limits: only a message sent less than 48 hours ago;
    in a private chat any message; in a group the bot's own, or anyone's if
    ``may_delete_others``."""
    message = _own_message(world, params, "message to delete not found")
    chat = message.chat
    own = message.sender.id == world.bot.id
    if world.now() - message.date >= DELETE_WITHIN:
        raise bad_request("message can't be deleted")
    if chat.is_group and not own and not may_delete_others(world, chat):
        raise bad_request("message can't be deleted")
    message.deleted = True
    world.changed.notify()
    return True


async def answer_callback_query(world: World, params: Params) -> Result:
    query = world.callback_queries.get(params.str("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    text = params.str("text")
    if text is not None and len(text) > world.limits.max_callback_answer_length:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer_text = text
    query.show_alert = params.bool("show_alert")
    world.changed.notify()
    return True


def _poll_options(world: World, raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise bad_request("can't parse options JSON object")
    texts: list[str] = []
    for option in raw:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str):
            raise bad_request("can't parse InputPollOption JSON object")
        text = text.strip()
        if not text:
            raise bad_request("poll options must be non-empty")
        if len(text) > world.limits.max_poll_option_length:
            raise bad_request(f"poll options length must not exceed {world.limits.max_poll_option_length}")
        texts.append(text)
    if len(texts) < world.limits.min_poll_options:
        raise bad_request(f"poll must have at least {world.limits.min_poll_options} option")
    if len(texts) > world.limits.max_poll_options:
        raise bad_request(f"poll can't have more than {world.limits.max_poll_options} options")
    return texts


async def send_poll(world: World, params: Params) -> Result:
    chat = world.resolve_chat(params.chat_id())
    world.check_can_send(chat, "polls")
    thread = world.thread_of(chat, params.int("message_thread_id"))
    question = (params.str("question") or "").strip()
    if not question:
        raise bad_request("poll question must be non-empty")
    if len(question) > world.limits.max_poll_question_length:
        raise bad_request(f"poll question length must not exceed {world.limits.max_poll_question_length}")
    texts = _poll_options(world, params.json("options"))
    poll_type = params.str("type") or "regular"
    if poll_type not in ("regular", "quiz"):
        raise bad_request("wrong poll type specified")
    markup = validate_reply_markup(params.json("reply_markup"), world.limits)
    world.flood.admit(chat.id)
    poll = Poll(
        id=str(5_000_000_000_000_000_000 + world.fresh_id()),
        question=question,
        options=[PollOption(text, str(index)) for index, text in enumerate(texts)],
        is_anonymous=params.bool("is_anonymous", True),
        type=poll_type,
        allows_multiple_answers=params.bool("allows_multiple_answers"),
        allows_revoting=params.bool("allows_revoting", poll_type == "regular"),
        is_closed=params.bool("is_closed"),
    )
    message = world.add_message(chat, world.bot, poll=poll, reply_markup=markup, message_thread_id=thread)
    poll.message = message
    world.polls[poll.id] = poll
    return message.to_json()


async def stop_poll(world: World, params: Params) -> Result:
    message = _own_message(world, params, "message with poll to stop not found")
    if message.poll is None or not message.from_bot:
        raise bad_request("message with poll to stop not found")
    if message.poll.is_closed:
        raise bad_request("poll has already been closed")
    markup = validate_reply_markup(params.json("reply_markup"), world.limits)
    _admit_edit(world, message.chat)
    message.poll.is_closed = True
    if markup is not None:
        message.reply_markup = markup
    world.changed.notify()
    return message.poll.to_json()


def _group(world: World, params: Params) -> Chat:
    return world.resolve_chat(params.chat_id())


async def get_chat_administrators(world: World, params: Params) -> Result:
    """The chat's administrators "except other bots" (Bot API, getChatAdministrators): the bot
    asking is named when it administers the chat, another bot only with ``return_bots``."""
    chat = _group(world, params)
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    with_bots = params.bool("return_bots")
    return [
        member_json(world.users[user_id], status, can_delete_messages=user_id not in chat.cannot_delete)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
        and (with_bots or user_id == world.bot.id or not world.users[user_id].is_bot)
    ]


async def get_chat_member(world: World, params: Params) -> Result:
    chat = _group(world, params)
    user = world.users.get(params.int("user_id") or 0)
    if user is None:
        raise bad_request("PARTICIPANT_ID_INVALID")
    if user.id == world.bot.id and not chat.bot_can_send and chat.members.get(user.id) == "member":
        return restricted_json(user, is_member=True)
    return member_json(user, chat.members.get(user.id, "left"), can_delete_messages=user.id not in chat.cannot_delete)


async def get_chat_member_count(world: World, params: Params) -> Result:
    chat = _group(world, params)
    return sum(status in ("creator", "administrator", "member") for status in chat.members.values())


async def get_chat(world: World, params: Params) -> Result:
    chat = _group(world, params)
    return chat.to_json() | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


async def send_chat_action(world: World, params: Params) -> Result:
    world.resolve_chat(params.chat_id())
    return True


async def set_my_commands(world: World, params: Params) -> Result:
    commands = validate_commands(params.json("commands"), world.limits)
    world.commands[scope_key(params.json("scope"), params.str("language_code"))] = commands
    world.changed.notify()
    return True


async def get_my_commands(world: World, params: Params) -> Result:
    return world.commands.get(scope_key(params.json("scope"), params.str("language_code")), [])


async def delete_my_commands(world: World, params: Params) -> Result:
    world.commands.pop(scope_key(params.json("scope"), params.str("language_code")), None)
    return True


async def set_webhook(world: World, params: Params) -> Result:
    url = params.str("url") or ""
    if url and not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    hook = world.webhook
    hook.url = url
    hook.secret_token = params.str("secret_token")
    hook.max_connections = params.int("max_connections", 40) or 40
    hook.allowed_updates = params.json("allowed_updates")
    world.queue.set_allowed(hook.allowed_updates)
    if params.bool("drop_pending_updates"):
        world.queue.drop_all()
    world.changed.notify()
    return True


async def delete_webhook(world: World, params: Params) -> Result:
    world.webhook.url = ""
    if params.bool("drop_pending_updates"):
        world.queue.drop_all()
    world.changed.notify()
    return True


async def get_webhook_info(world: World, params: Params) -> Result:
    hook = world.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.queue.pending),
    }
    if hook.url:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


class GetUpdates:
    """``getUpdates`` with long polling; a newer call ends an older one with 409, as on Telegram."""

    def __init__(self) -> None:
        self.generation = 0

    async def __call__(self, world: World, params: Params) -> Result:
        if world.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        self.generation += 1
        mine = self.generation
        queue = world.queue
        queue.signal.notify()  # wakes an older long poll so it can end with 409
        queue.set_allowed(params.json("allowed_updates"))
        offset = params.int("offset")
        if offset:
            queue.confirm(offset)
            world.changed.notify()
        limit = min(max(params.int("limit", 100) or 100, 1), world.limits.max_updates_per_call)
        timeout = max(0.0, float(params.raw.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        while True:
            if mine != self.generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            batch = queue.take(limit)
            if batch:
                world.changed.notify()
                return [update.to_json() for update in batch]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await queue.signal.wait(remaining)


async def _true(world: World, params: Params) -> Result:
    return True


def method_table(get_updates: GetUpdates) -> dict[str, Method]:
    """Methods by lower-cased name; Telegram matches method names case-insensitively."""
    table: dict[str, Method] = {
        "getMe": get_me,
        "getUpdates": get_updates,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
        "sendMessage": send_message,
        "editMessageText": edit_message_text,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "answerCallbackQuery": answer_callback_query,
        "sendPoll": send_poll,
        "sendDocument": send_document,
        "sendPhoto": send_photo,
        "stopPoll": stop_poll,
        "getChat": get_chat,
        "getChatAdministrators": get_chat_administrators,
        "getChatMember": get_chat_member,
        "getChatMemberCount": get_chat_member_count,
        "sendChatAction": send_chat_action,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "logOut": _true,
        "close": _true,
    }
    return {name.lower(): method for name, method in table.items()}
