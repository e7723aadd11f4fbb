"""The Telegram test peer itself, driven by the real python-telegram-bot.

The adapter's end-to-end tests trust the peer to behave like Telegram: to deliver updates
once, to confirm them by offset, and to refuse what Telegram refuses with Telegram's words.
These tests pin that behaviour down with trivial PTB handlers, so a fault in the peer shows up
here rather than as a puzzling adapter failure.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import html
import warnings
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginUser,
    TelegramObject,
    Update,
)
from telegram import Message as TgMessage
from telegram import constants as tg
from telegram.error import BadRequest, ChatMigrated, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)

from tests.peers.telegram import (
    ApiError,
    Bucket,
    Chat,
    Limits,
    ManualClock,
    PeerUsageError,
    TelegramPeer,
    fixtures,
)
from tests.peers.telegram.flood import FloodControl
from tests.peers.telegram.html_mode import parse_html
from tests.peers.telegram.ptb import application_builder, polling, webhook

# The peer's fixtures, by name; a conftest.py may provide them instead.
make_telegram_peer = fixtures.make_telegram_peer
telegram_peer = fixtures.telegram_peer
fast_telegram_peer = fixtures.fast_telegram_peer
PeerFactory = fixtures.PeerFactory

Context = CallbackContext[Any, Any, Any, Any]


async def _raw_call(peer: TelegramPeer, method: str, **params: Any) -> dict[str, Any]:
    """A Bot API call as plain HTTP with a JSON body, bypassing PTB."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{peer.base_url}{peer.token}/{method}", json=params) as response,
    ):
        body: dict[str, Any] = await response.json()
        assert (response.status == 200) == body["ok"]
        return body


def _seconds(value: int | dt.timedelta) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on PTB's settings."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _echo_application(peer: TelegramPeer) -> Any:
    application = application_builder(peer).build()

    async def echo(update: Update, context: Context) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await update.effective_chat.send_message(f"echo: {update.effective_message.text}")

    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


# --- limits -------------------------------------------------------------------------------


def test_default_limits_are_telegrams_documented_numbers() -> None:
    limits = Limits()
    assert limits.max_text_length == tg.MessageLimit.MAX_TEXT_LENGTH == 4096
    assert limits.max_callback_data_bytes == tg.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA == 64
    assert limits.max_callback_answer_length == (tg.CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
    assert limits.max_poll_question_length == tg.PollLimit.MAX_QUESTION_LENGTH == 300
    assert limits.max_poll_option_length == tg.PollLimit.MAX_OPTION_LENGTH == 100
    assert limits.max_poll_options == tg.PollLimit.MAX_OPTION_NUMBER == 12
    assert limits.min_poll_options == 2
    assert limits.max_commands == tg.BotCommandLimit.MAX_COMMAND_NUMBER == 100
    assert limits.max_command_length == tg.BotCommandLimit.MAX_COMMAND == 32
    assert limits.max_command_description_length == tg.BotCommandLimit.MAX_DESCRIPTION == 256
    assert limits.overall == Bucket(tg.FloodLimit.MESSAGES_PER_SECOND, 1.0)
    assert limits.per_group == Bucket(tg.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60.0)
    assert limits.per_private_chat.rate == tg.FloodLimit.MESSAGES_PER_SECOND_PER_CHAT
    assert limits.flood_control


def test_scaling_keeps_capacities_and_shortens_periods() -> None:
    fast = Limits().scaled(0.01)
    assert fast.per_group == Bucket(20, 0.6)
    assert fast.overall.capacity == 30
    assert fast.max_text_length == 4096


def test_flood_control_answers_429_with_retry_after_on_telegrams_numbers() -> None:
    clock = ManualClock()
    flood = FloodControl(Limits(), clock)
    group = -1001234
    for _ in range(20):
        flood.admit(group)
    with pytest.raises(ApiError) as refused:
        flood.admit(group)
    assert refused.value.code == 429
    assert refused.value.retry_after == 3  # one message per 3 s refills a 20-per-minute budget
    assert refused.value.to_json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    clock.advance(3)
    flood.admit(group)
    assert flood.refusals["group"] == 1

    overall = FloodControl(Limits(), ManualClock())
    for user_id in range(100, 130):
        overall.admit(user_id)
    with pytest.raises(ApiError) as refused_overall:
        overall.admit(999)
    assert refused_overall.value.retry_after == 1
    assert overall.refusals["overall"] == 1


def test_private_chat_tolerates_a_short_burst_then_refuses() -> None:
    clock = ManualClock()
    flood = FloodControl(Limits(), clock)
    for _ in range(5):
        flood.admit(42)
    with pytest.raises(ApiError):
        flood.admit(42)
    clock.advance(1)
    flood.admit(42)


# --- HTML parse mode ----------------------------------------------------------------------


def test_html_allowed_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html(
        '🗳 <b>Vote</b> <i>now</i> &lt;3 <a href="https://t.me/x">link</a> '
        '<span class="tg-spoiler">s</span> <pre><code class="language-python">x</code></pre>'
    )
    assert text == "🗳 Vote now <3 link s x"
    assert {"type": "bold", "offset": 3, "length": 4} in entities
    assert {"type": "italic", "offset": 8, "length": 3} in entities
    assert {"type": "text_link", "offset": 15, "length": 4, "url": "https://t.me/x"} in entities
    assert {"type": "spoiler", "offset": 20, "length": 1} in entities
    assert {"type": "pre", "offset": 22, "length": 1, "language": "python"} in entities


@pytest.mark.parametrize(
    ("source", "description"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("é <div>", 'Unsupported start tag "div" at byte offset 3'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_malformed_html_is_refused_as_telegram_does(source: str, description: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_html(source)
    assert refused.value.code == 400
    assert refused.value.description.startswith("Bad Request: can't parse entities: ")
    assert description in refused.value.description


async def test_bot_gets_bad_request_for_malformed_html(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with pytest.raises(BadRequest, match="(?i)can't parse entities: unsupported start tag"):
            await bot.send_message(alice.id, "<h1>Result</h1>", parse_mode="HTML")
        sent = await bot.send_message(alice.id, "<b>Yes</b> 3 &amp; No 2", parse_mode="HTML")
    assert sent.text == "Yes 3 & No 2"
    assert sent.entities[0].type == "bold"
    [message] = peer.bot_messages(peer.private_chat(alice))
    assert (message.source, message.parse_mode) == ("<b>Yes</b> 3 &amp; No 2", "HTML")
    assert [c.description for c in peer.failed_calls("sendMessage")] == [
        'Bad Request: can\'t parse entities: Unsupported start tag "h1" at byte offset 0'
    ]


# --- message and keyboard limits ------------------------------------------------------------


async def test_message_length_is_counted_after_entity_parsing(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        await bot.send_message(alice.id, "x" * 4096)
        await bot.send_message(alice.id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
        await bot.send_message(alice.id, "&lt;&amp;&gt;" * 1365, parse_mode="HTML")  # 4095 characters
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(alice.id, "x" * 4097)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(alice.id, "  \n ")
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(alice.id, "<b></b>", parse_mode="HTML")
    assert len(peer.bot_messages(peer.private_chat(alice))) == 3


async def test_callback_data_over_64_bytes_is_button_data_invalid(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data=data)]])

    async with Bot(peer.token, base_url=peer.base_url) as bot:
        await bot.send_message(alice.id, "ok", reply_markup=keyboard("v" * 64))
        for data in ("v" * 65, "é" * 33):
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(alice.id, "too long", reply_markup=keyboard(data))
        with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
            await bot.send_message(alice.id, "no action", reply_markup={"inline_keyboard": [[{"text": "x"}]]})
    assert len(peer.bot_messages(peer.private_chat(alice))) == 1


async def test_bot_cannot_start_a_private_conversation(telegram_peer: TelegramPeer) -> None:
    peer = telegram_peer
    stranger = peer.create_user("Stranger")
    group = peer.create_group("Branch", creator=stranger)
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_message(stranger.id, "hello")
        with pytest.raises(Forbidden, match="not a member"):
            await bot.send_message(group.id, "hello")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(-42, "hello")


# --- long polling and offsets ---------------------------------------------------------------


async def test_long_polling_delivers_each_update_once(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice, bob = peer.create_user("Alice"), peer.create_user("Bob")
    async with polling(_echo_application(peer)):
        sent = [peer.send_message(alice, "one"), peer.send_message(bob, "two")]
        sent.append(peer.send_message(alice, "three"))
        await peer.wait_for(lambda: len(peer.bot_texts(peer.private_chat(alice))) == 2, what="two echoes")
        await peer.wait_for_bot_message(peer.private_chat(bob), containing="echo: two")
        await peer.wait_until_confirmed()
    assert peer.bot_texts(peer.private_chat(alice)) == ["echo: one", "echo: three"]
    assert [peer.deliveries(m.update) for m in sent if m.update] == [1, 1, 1]
    assert not peer.failed_calls()


async def test_get_updates_offset_semantics_match_telegram(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    ids = []
    for text in ("a", "b", "c"):
        message = peer.send_message(alice, text)
        assert message.update is not None
        ids.append(message.update.update_id)

    first = await _raw_call(peer, "getUpdates", limit=2)
    assert [u["update_id"] for u in first["result"]] == ids[:2]
    again = await _raw_call(peer, "getUpdates")
    assert [u["update_id"] for u in again["result"]] == ids  # unconfirmed: handed out again
    confirmed = await _raw_call(peer, "getUpdates", offset=ids[1] + 1)
    assert [u["update_id"] for u in confirmed["result"]] == ids[2:]
    last = await _raw_call(peer, "getUpdates", offset=-1)
    assert [u["update_id"] for u in last["result"]] == ids[2:]
    empty = await _raw_call(peer, "getUpdates", offset=ids[2] + 1, timeout=0)
    assert empty["result"] == []
    message = first["result"][0]["message"]
    assert message["chat"] == {"id": alice.id, "type": "private", "first_name": "Alice"}
    assert message["from"]["is_bot"] is False and message["text"] == "a"


async def test_a_long_poll_returns_as_soon_as_an_update_arrives(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    waiting = asyncio.create_task(_raw_call(peer, "getUpdates", timeout=30))
    await peer.wait_for(lambda: peer.server.get_updates.generation == 1, what="a long poll")
    peer.send_message(alice, "wake up")
    body = await asyncio.wait_for(waiting, 5)
    assert body["result"][0]["message"]["text"] == "wake up"


async def test_allowed_updates_filter_other_kinds(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "text")
    body = await _raw_call(peer, "getUpdates", allowed_updates=["callback_query"], timeout=0)
    assert body["result"] == []
    assert peer.pending_updates == []


# --- commands, privacy mode, deep links ---------------------------------------------------


async def test_group_commands_respect_privacy_mode_and_reach_command_handlers(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    seen: list[tuple[str, list[str]]] = []
    application = application_builder(peer).build()

    async def vote(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        seen.append((update.effective_message.text or "", list(context.args or [])))
        await update.effective_message.reply_text("noted")

    application.add_handler(CommandHandler("vote", vote))
    async with polling(application):
        added = peer.add_bot_to_group(group, by=chair)
        chatter = peer.send_message(member, "just chatting", group)
        other_bot = peer.send_message(member, "/vote@SomeOtherBot 1", group)
        addressed = peer.send_command(member, "vote", "P1 yes", group)
        plain = peer.send_command(member, "vote", "P1 no", group, addressed=False)
        await peer.wait_for(lambda: len(peer.bot_texts(group)) == 2, what="two replies")
    assert chatter.update is None and other_bot.update is None
    assert addressed.update is not None and plain.update is not None
    assert seen == [
        ("/vote@QuorumTestBot P1 yes", ["P1", "yes"]),
        ("/vote P1 no", ["P1", "no"]),
    ]
    assert addressed.to_json()["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
    assert added.payload["new_chat_member"]["status"] == "member"
    [reply, _] = peer.bot_messages(group)
    assert reply.reply_to is addressed


async def test_a_forwarded_command_arrives_from_the_forwarder_with_its_origin(
    fast_telegram_peer: TelegramPeer,
) -> None:
    """Bot API 7.0: a forwarded message is ``from`` whoever forwarded it, keeps the original's
    text and entities, and names its author in ``forward_origin``."""
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    origins: list[tuple[str, str, int]] = []
    application = application_builder(peer).build()

    async def close(update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None and message.forward_origin is not None and message.from_user is not None
        origin = message.forward_origin
        assert isinstance(origin, MessageOriginUser)
        origins.append((message.text or "", origin.sender_user.first_name, message.from_user.id))

    application.add_handler(CommandHandler("close", close))
    async with polling(application):
        peer.add_bot_to_group(group, by=chair)
        said = peer.send_command(chair, "close", "1", group)
        forwarded = peer.forward_message(member, said)
        await peer.wait_for(lambda: len(origins) == 1, what="the forwarded command")
    assert origins == [("/close@QuorumTestBot 1", "Chair", member.id)]
    payload = forwarded.to_json()
    assert payload["forward_origin"] == {"type": "user", "sender_user": chair.to_json(), "date": said.date}
    assert payload["entities"] == said.to_json()["entities"]


async def test_deep_link_arrives_as_start_with_payload(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    payloads: list[list[str]] = []
    application = application_builder(peer).build()

    async def start(update: Update, context: Context) -> None:
        payloads.append(list(context.args or []))
        assert update.effective_chat is not None
        await update.effective_chat.send_message("ballot for you")

    application.add_handler(CommandHandler("start", start))
    async with polling(application):
        assert peer.deep_link("b_P7") == "https://t.me/QuorumTestBot?start=b_P7"
        peer.open_deep_link(alice, "b_P7")
        await peer.wait_for_bot_message(peer.private_chat(alice), containing="ballot")
    assert payloads == [["b_P7"]]
    with pytest.raises(PeerUsageError):
        peer.open_deep_link(alice, "not allowed!")


async def test_bot_joining_a_group_is_a_my_chat_member_update(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    chair = peer.create_user("Chair")
    group = peer.create_group("Assembly", creator=chair)
    changes: list[tuple[str, str]] = []
    application = application_builder(peer).build()

    async def joined(update: Update, context: Context) -> None:
        change = update.my_chat_member
        assert change is not None
        changes.append((change.old_chat_member.status, change.new_chat_member.status))

    application.add_handler(ChatMemberHandler(joined, ChatMemberHandler.MY_CHAT_MEMBER))
    async with polling(application):
        peer.add_bot_to_group(group, by=chair)
        await peer.wait_until_confirmed()
        await peer.wait_for(lambda: changes, what="my_chat_member")
    assert changes == [("left", "member")]
    service = peer.messages(group)[0]
    assert service.service["new_chat_members"][0]["username"] == "QuorumTestBot"


async def test_set_my_commands_is_validated_and_stored(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        await bot.set_my_commands([BotCommand("poll", "Start an instant poll")])
        assert [c.command for c in await bot.get_my_commands()] == ["poll"]
        for bad in (
            [BotCommand("Poll", "capital letters")],
            [BotCommand("x" * 33, "too long")],
            [BotCommand("poll-now", "dash")],
        ):
            with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
                await bot.set_my_commands(bad)
        with pytest.raises(BadRequest, match="(?i)bot_command_description_invalid"):
            await bot.set_my_commands([BotCommand("poll", "d" * 257)])
        with pytest.raises(BadRequest, match="(?i)bot_commands_too_much"):
            await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    assert peer.commands() == [{"command": "poll", "description": "Start an instant poll"}]


async def test_administrators_and_members_parse_in_ptb(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, secretary, member = (peer.create_user(n) for n in ("Chair", "Secretary", "Member"))
    group = peer.create_group("Branch", creator=chair, members=[secretary, member])
    peer.make_admin(group, secretary)
    peer.add_bot_to_group(group, by=chair)
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        admins = await bot.get_chat_administrators(group.id)
        assert {type(a) for a in admins} == {ChatMemberOwner, ChatMemberAdministrator}
        assert {a.user.id for a in admins} == {chair.id, secretary.id}
        assert (await bot.get_chat_member(group.id, member.id)).status == "member"
        assert (await bot.get_chat_member(group.id, peer.create_user().id)).status == "left"
        chat = await bot.get_chat(group.id)
        assert (chat.type, chat.title) == ("supergroup", "Branch")
        assert group.id < -1_000_000_000_000
        peer.send_message(member, "hi")
        with pytest.raises(BadRequest, match="(?i)no administrators in the private chat"):
            await bot.get_chat_administrators(member.id)


# --- buttons, edits --------------------------------------------------------------------------


async def test_button_press_round_trip_and_answer(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair)
    application = application_builder(peer).build()
    pressed: list[tuple[int, str]] = []

    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        pressed.append((query.from_user.id, query.data))
        await query.answer(f"Your vote: {query.data}")
        await query.edit_message_text(f"Votes: {len(pressed)}", reply_markup=query.message.reply_markup)

    application.add_handler(CallbackQueryHandler(on_press))
    async with polling(application):
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Yes", callback_data="v:P1:y")],
                [InlineKeyboardButton("No", callback_data="v:P1:n")],
            ]
        )
        await application.bot.send_message(group.id, "Back the motion?", reply_markup=keyboard)
        ballot = peer.last_bot_message(group)
        assert ballot is not None and ballot.button_texts == ["Yes", "No"]

        query = peer.press_button(member, ballot, "v:P1:y")
        await peer.wait_for_answer(query)
        assert query.answer_text == "Your vote: v:P1:y"
        await peer.wait_for(lambda: ballot.text == "Votes: 1", what="tally edit")
        second = peer.press_button(chair, ballot, text="No")
        await peer.wait_for_answer(second)
        await peer.wait_for(lambda: ballot.text == "Votes: 2", what="second edit")

        with pytest.raises(PeerUsageError, match="no callback button"):
            peer.press_button(member, ballot, "v:P1:maybe")
        outsider = peer.create_user("Outsider")
        with pytest.raises(PeerUsageError, match="not a member"):
            peer.press_button(outsider, ballot, "v:P1:y")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await application.bot.answer_callback_query(query.id, "again")
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await application.bot.edit_message_text(
                "Votes: 2", chat_id=group.id, message_id=ballot.message_id, reply_markup=keyboard
            )
    unanswered = peer.press_button(member, ballot, "v:P1:n")
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with pytest.raises(BadRequest, match="(?i)message_too_long"):
            await bot.answer_callback_query(unanswered.id, "x" * 201)
        await bot.answer_callback_query(unanswered.id, "x" * 200)
    assert unanswered.answered
    assert pressed == [(member.id, "v:P1:y"), (chair.id, "v:P1:n")]
    assert [v.text for v in ballot.edits] == ["Back the motion?", "Votes: 1"]
    assert ballot.buttons and ballot.edit_date is not None
    update = query.update
    assert update is not None
    payload = update.payload
    assert set(payload) == {"id", "from", "message", "chat_instance", "data"}


async def test_editing_text_without_markup_removes_the_keyboard(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        sent = await bot.send_message(alice.id, "pick", reply_markup=keyboard)
        await bot.edit_message_text("closed", chat_id=alice.id, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
        await bot.delete_message(alice.id, sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(alice.id, sent.message_id)
    [message] = peer.bot_messages(peer.private_chat(alice), include_deleted=True)
    assert message.buttons == [] and message.deleted
    assert message.edits[0].reply_markup is not None


# --- native polls -----------------------------------------------------------------------------


async def test_native_poll_round_trip(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair, ann, ben = (peer.create_user(n) for n in ("Chair", "Ann", "Ben"))
    group = peer.create_group("Branch", creator=chair, members=[ann, ben])
    peer.add_bot_to_group(group, by=chair)
    answers: list[tuple[int, tuple[int, ...], tuple[str, ...]]] = []
    totals: list[list[int]] = []
    application = application_builder(peer).build()

    async def on_answer(update: Update, context: Context) -> None:
        answer = update.poll_answer
        assert answer is not None and answer.user is not None
        answers.append((answer.user.id, answer.option_ids, answer.option_persistent_ids))

    async def on_poll(update: Update, context: Context) -> None:
        assert update.poll is not None
        totals.append([option.voter_count for option in update.poll.options])

    application.add_handler(PollAnswerHandler(on_answer))
    application.add_handler(PollHandler(on_poll))
    async with polling(application):
        sent = await application.bot.send_poll(group.id, "Strike ballot?", ["Yes", "No", "Abstain"], is_anonymous=False)
        assert sent.poll is not None
        assert [o.persistent_id for o in sent.poll.options] == ["0", "1", "2"]
        message = peer.last_bot_message(group)
        assert message is not None and message.poll is not None
        peer.answer_poll(ann, message, [0])
        peer.answer_poll(ben, message, [1])
        peer.answer_poll(ann, message, [2])
        peer.answer_poll(ben, message, [])
        await peer.wait_for(lambda: len(answers) == 4 and len(totals) == 4, what="answers")
        stopped = await application.bot.stop_poll(group.id, sent.message_id)
        with pytest.raises(BadRequest, match="(?i)poll has already been closed"):
            await application.bot.stop_poll(group.id, sent.message_id)
    assert answers == [
        (ann.id, (0,), ("0",)),
        (ben.id, (1,), ("1",)),
        (ann.id, (2,), ("2",)),
        (ben.id, (), ()),
    ]
    assert totals[-1] == [0, 0, 1]
    assert stopped.is_closed and stopped.total_voter_count == 1
    with pytest.raises(PeerUsageError, match="closed"):
        peer.answer_poll(ann, message, [0])


async def test_anonymous_poll_gives_totals_but_no_voters(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair = peer.create_user("Chair")
    group = peer.create_group("Branch", creator=chair)
    peer.add_bot_to_group(group, by=chair)
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        sent = await bot.send_poll(group.id, "Lunch?", ["Soup", "Salad"])
    assert sent.poll is not None and sent.poll.is_anonymous
    message = peer.last_bot_message(group)
    assert message is not None
    assert peer.answer_poll(chair, message, [1]) is None
    assert peer.updates_of("poll")[-1]["options"][1]["voter_count"] == 1
    assert peer.updates_of("poll_answer") == []


@pytest.mark.parametrize(
    ("question", "options", "description"),
    [
        ("Q?", ["only one"], "poll must have at least 2 option"),
        ("Q?", [f"o{i}" for i in range(13)], "poll can't have more than 12 options"),
        ("Q?", ["ok", "x" * 101], "poll options length must not exceed 100"),
        ("Q" * 301, ["a", "b"], "poll question length must not exceed 300"),
        ("Q?", ["a", "  "], "poll options must be non-empty"),
    ],
)
async def test_poll_limits_are_enforced(
    fast_telegram_peer: TelegramPeer, question: str, options: list[str], description: str
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")
    body = await _raw_call(peer, "sendPoll", chat_id=alice.id, question=question, options=options)
    assert body == {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        twelve = await bot.send_poll(alice.id, "Q" * 300, ["o" * 100] + [f"{i}" for i in range(11)])
    assert twelve.poll is not None and len(twelve.poll.options) == 12


# --- flood control through PTB ------------------------------------------------------------------


async def _group_with_bot(peer: TelegramPeer) -> Chat:
    chair = peer.create_user("Chair")
    group = peer.create_group("Branch", creator=chair)
    peer.add_bot_to_group(group, by=chair)
    return group


@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_burst_beyond_twenty_a_minute_into_a_group_gets_429(make_telegram_peer: PeerFactory) -> None:
    # Telegram's own limits on a clock that stands still: exactly 20 get through.
    peer = await make_telegram_peer(clock=ManualClock())
    group = await _group_with_bot(peer)
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        results = await asyncio.gather(
            *(bot.send_message(group.id, f"raw {i}") for i in range(23)), return_exceptions=True
        )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 3 and len(peer.bot_texts(group)) == 20
    assert {_seconds(r.retry_after) for r in refused} == {3.0}  # 60 s / 20 messages
    assert peer.too_many_requests_by_kind == {"group": 3}
    [call, *_] = peer.failed_calls("sendMessage")
    assert (call.error_code, call.description) == (429, "Too Many Requests: retry after 3")


@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_rate_limiter_obeys_429_and_delivers_every_message_exactly_once(
    make_telegram_peer: PeerFactory,
) -> None:
    clock = ManualClock()
    peer = await make_telegram_peer(clock=clock, limits=Limits(per_group=Bucket(5, 5.0)))
    group = await _group_with_bot(peer)

    async def refill_after_each_refusal() -> None:
        # The budget refills only once a 429 was sent, so refusals are certain, not timing.
        while True:
            seen = peer.too_many_requests_sent
            await peer.wait_for(lambda seen=seen: peer.too_many_requests_sent > seen, within=120)
            clock.advance(5.0)

    refiller = asyncio.create_task(refill_after_each_refusal())
    # PTB's limiter with its group limit off, so only the peer's 429s hold it back.
    limiter = AIORateLimiter(group_max_rate=0, max_retries=10)
    application = application_builder(peer, rate_limiter=limiter).build()
    texts = [f"reminder {i}" for i in range(12)]
    try:
        async with polling(application):
            await asyncio.gather(*(application.bot.send_message(group.id, t) for t in texts))
    finally:
        refiller.cancel()
    assert sorted(peer.bot_texts(group)) == sorted(texts)
    assert peer.too_many_requests_sent >= 1


# --- redelivery, restarts, errors ---------------------------------------------------------------


async def test_redelivered_update_reaches_the_bot_again(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    seen: list[tuple[int, int]] = []
    application = application_builder(peer).build()

    async def record(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        seen.append((update.update_id, update.effective_message.message_id))

    application.add_handler(MessageHandler(filters.TEXT, record))
    async with polling(application):
        message = peer.send_message(alice, "sign M12")
        assert message.update is not None
        await peer.wait_for(lambda: len(seen) == 1, what="first delivery")
        copy = peer.redeliver(message.update)
        await peer.wait_for(lambda: len(seen) == 2, what="redelivery")
        same = peer.redeliver(message.update, keep_update_id=True)
        await peer.wait_for(lambda: len(seen) == 3, what="redelivery with the same id")
    first_id = message.update.update_id
    assert seen == [
        (first_id, message.message_id),
        (copy.update_id, message.message_id),
        (first_id, message.message_id),
    ]
    assert same.update_id == first_id and peer.deliveries(message.update) == 2


async def test_restart_keeps_state_and_the_bot_reconnects(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    port = peer.port
    async with polling(_echo_application(peer)):
        peer.send_message(alice, "before")
        await peer.wait_for_bot_message(peer.private_chat(alice), containing="before")
        await peer.stop()
        assert not peer.running
        during = peer.send_message(alice, "during")
        await peer.start()
        assert peer.port == port
        await peer.wait_for_bot_message(peer.private_chat(alice), containing="during", within=15)
    chat = peer.private_chat(alice)
    assert [m.message_id for m in peer.messages(chat)] == [1, 2, 3, 4]
    assert during.update is not None and peer.deliveries(during.update) == 1


async def test_unknown_method_and_wrong_token(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendHologram", api_kwargs={"chat_id": 1})
    assert peer.unknown_methods == {"sendHologram": 1}
    with pytest.raises(InvalidToken):
        async with Bot("999:" + "A" * 35, base_url=peer.base_url):
            pass


async def test_webhook_mode_pushes_updates_and_blocks_get_updates(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    received: list[dict[str, Any]] = []
    secrets: list[str | None] = []

    async def hook(request: web.Request) -> web.Response:
        secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        received.append(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        async with Bot(peer.token, base_url=peer.base_url) as bot:
            await bot.set_webhook(url, secret_token="s3cret")
            assert (await bot.get_webhook_info()).url == url
            alice = peer.create_user("Alice")
            peer.send_message(alice, "via webhook")
            await peer.wait_for(lambda: received, what="webhook delivery")
            conflict = await _raw_call(peer, "getUpdates")
            assert conflict["error_code"] == 409
            await bot.delete_webhook()
    finally:
        await runner.cleanup()
    assert received[0]["message"]["text"] == "via webhook"
    assert secrets == ["s3cret"]


async def test_a_second_long_poll_ends_the_first_with_409(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    first = asyncio.create_task(_raw_call(peer, "getUpdates", timeout=30))
    await peer.wait_for(lambda: peer.server.get_updates.generation == 1, what="a long poll")
    second = await _raw_call(peer, "getUpdates", timeout=0)
    assert second == {"ok": True, "result": []}
    conflict = await asyncio.wait_for(first, 5)
    assert conflict["error_code"] == 409
    assert "terminated by other getUpdates request" in conflict["description"]


def _unknown_fields(obj: TelegramObject, path: str = "") -> list[str]:
    """Fields PTB did not recognise anywhere in a parsed object: misnamed fields in the peer."""
    found = [f"{path}.{name}" for name in obj.api_kwargs]
    for name in obj.__slots__ if hasattr(obj, "__slots__") else ():
        value = getattr(obj, name, None)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, TelegramObject):
                found += _unknown_fields(item, f"{path}.{name}")
    return found


async def test_every_update_the_peer_makes_parses_cleanly_in_ptb(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair", "Smith", "chair"), peer.create_user("Member")
    group = peer.create_group("Branch", creator=chair, members=[member])
    peer.add_bot_to_group(group, by=chair, as_admin=True)
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        me = await bot.get_me()
        assert me.username == "QuorumTestBot" and not _unknown_fields(me)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
        ballot = await bot.send_message(group.id, "<b>Vote</b>", "HTML", reply_markup=keyboard)
        poll = await bot.send_poll(group.id, "Q?", ["A", "B"], is_anonymous=False)
        chat = await bot.get_chat(group.id)
        assert not _unknown_fields(ballot) and not _unknown_fields(poll)
        assert not _unknown_fields(chat)
    command = peer.send_command(member, "vote", "1", group)
    peer.edit_user_message(command, "/vote 2")
    peer.send_message(member, "a reply", group, reply_to=peer.bot_messages(group)[0])
    peer.press_button(member, peer.bot_messages(group)[0], "y")
    peer.answer_poll(member, peer.bot_messages(group)[1], [1])
    peer.answer_poll(member, peer.bot_messages(group)[1], [])
    peer.open_deep_link(member, "payload")
    peer.block_bot(member)
    kinds = set()
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for pending in peer.world.queue.history:
                update = Update.de_json(pending.to_json(), bot)
                kinds.add(pending.kind)
                assert not _unknown_fields(update), pending.to_json()
    assert kinds == {
        "message",
        "edited_message",
        "callback_query",
        "poll_answer",
        "poll",
        "my_chat_member",
    }


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    parsed, entities = parse_html(html.escape(text, quote=False))
    assert parsed == text and entities == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="<>/&;abiu =\"'x", max_size=40))
def test_any_markup_parses_or_gets_a_cant_parse_entities_answer(source: str) -> None:
    try:
        text, entities = parse_html(source)
    except ApiError as refused:
        assert refused.code == 400
        assert refused.description.startswith("Bad Request: can't parse entities: ")
    else:
        for entity in entities:
            assert 0 <= entity["offset"] and entity["offset"] + entity["length"] <= len(text)


async def test_multipart_and_query_string_bodies_are_accepted(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("text", "<i>multipart</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("attachment", b"bytes", filename="note.txt")
    url = f"{peer.base_url}{peer.token}"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/sendMessage", data=form) as response:
            body = await response.json()
        assert body["ok"] and body["result"]["text"] == "multipart"
        async with session.get(f"{url}/SENDMESSAGE", params={"chat_id": alice.id, "text": "q"}) as response:
            assert (await response.json())["result"]["text"] == "q"
    assert peer.bot_texts(peer.private_chat(alice)) == ["multipart", "q"]


async def test_upgraded_group_answers_with_migrate_to_chat_id(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    chair = peer.create_user("Chair")
    group = peer.create_group("Old branch", creator=chair, supergroup=False)
    peer.add_bot_to_group(group, by=chair)
    assert group.id < 0 and group.type == "group"
    upgraded = peer.upgrade_to_supergroup(group)
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with pytest.raises(ChatMigrated) as migrated:
            await bot.send_message(group.id, "hello")
        assert migrated.value.new_chat_id == upgraded.id
        await bot.send_message(upgraded.id, "hello again")
    assert peer.bot_texts(upgraded) == ["hello again"]
    assert [u["migrate_to_chat_id"] for u in peer.updates_of("message") if "migrate_to_chat_id" in u] == [upgraded.id]


async def test_ptb_webhook_mode_receives_pushed_updates(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    async with webhook(_echo_application(peer)):
        assert peer.world.webhook.url.endswith("/telegram")
        message = peer.send_message(alice, "pushed")
        await peer.wait_for_bot_message(peer.private_chat(alice), containing="echo: pushed")
    assert message.update is not None and peer.deliveries(message.update) == 1
    assert [c.method for c in peer.calls("getUpdates")] == []


async def test_bot_output_collects_every_text_the_bot_showed(fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    alice = peer.create_user("Alice")
    peer.send_message(alice, "hi")
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Candidate A", callback_data="a")]])
        sent = await bot.send_message(alice.id, "Rank them", reply_markup=keyboard)
        query = peer.press_button(alice, peer.bot_messages(peer.private_chat(alice))[0], "a")
        await bot.answer_callback_query(query.id, "Noted: A first")
        await bot.edit_message_text("Thanks", chat_id=alice.id, message_id=sent.message_id)
        await bot.send_poll(alice.id, "Lunch?", ["Soup", "Salad"])
        calls = await peer.wait_for_calls("sendPoll")
    assert len(calls) == 1
    assert peer.bot_output() == [
        "Rank them",
        "Candidate A",
        "Thanks",
        "Lunch?",
        "Soup",
        "Salad",
        "Noted: A first",
    ]
    peer.set_limits(Limits(max_text_length=10))
    async with Bot(peer.token, base_url=peer.base_url) as bot:
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(alice.id, "eleven char")


def test_a_lone_surrogate_is_one_utf16_unit() -> None:
    """A client's JSON may carry a lone surrogate as a \\ud800 escape; Telegram counts entity
    offsets in UTF-16 code units, where it is one (and a pair of them one character, two units)."""
    from tests.peers.telegram.text import utf16_len

    assert utf16_len("a\ud800b") == 3
    assert utf16_len("🗳") == 2


async def test_a_balanced_webhook_spreads_updates_over_several_addresses_and_skips_one_that_is_down(
    fast_telegram_peer: TelegramPeer,
) -> None:
    peer = fast_telegram_peer
    received: dict[str, list[int]] = {"a": [], "b": []}
    runners = {}

    def app_for(name: str) -> web.Application:
        async def hook(request: web.Request) -> web.Response:
            received[name].append((await request.json())["update_id"])
            return web.Response()

        app = web.Application()
        app.router.add_post("/hook", hook)
        return app

    addresses = []
    for name in received:
        runner = web.AppRunner(app_for(name))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners[name] = runner
        addresses.append(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
    try:
        peer.balance_webhook(addresses)
        async with Bot(peer.token, base_url=peer.base_url) as bot:
            await bot.set_webhook("https://bot.example.org/hook", max_connections=4)
            alice = peer.create_user("Alice")
            for i in range(20):
                peer.send_message(alice, f"m{i}")
            await peer.wait_for(lambda: len(received["a"]) + len(received["b"]) >= 20, what="20 deliveries")
            assert len(received["a"]) == len(received["b"]) == 10  # in turn
            assert sorted(received["a"] + received["b"]) == sorted(set(received["a"] + received["b"]))
            # One address goes down: what would have gone there is delivered again, to the other.
            await runners.pop("b").cleanup()
            first = [peer.send_message(alice, f"n{i}").update for i in range(10)]
            ids = {u.update_id for u in first if u is not None}
            await peer.wait_for(lambda: ids <= set(received["a"]), what="all through the address still up")
            assert sum(peer.deliveries(u) for u in first if u is not None) > len(ids)  # some were tried at b
            assert peer.world.webhook.last_error_message is not None
            await bot.delete_webhook()
    finally:
        peer.balance_webhook([])
        for runner in runners.values():
            await runner.cleanup()


async def test_a_press_on_an_old_message_comes_with_it_inaccessible(fast_telegram_peer: TelegramPeer) -> None:
    """Bot API ``CallbackQuery.message`` is a ``MaybeInaccessibleMessage``: past
    ``Limits.message_accessible_for`` the press carries only the message's chat and id, with a
    date of 0: no topic, no text, no buttons."""
    peer = fast_telegram_peer
    chair, member = peer.create_user("Chair"), peer.create_user("Member")
    forum = peer.create_group("Union", creator=chair, members=[member], forum=True)
    peer.add_bot_to_group(forum, chair)
    topic = peer.create_topic(forum, "Ballots", chair)
    application = application_builder(peer).build()
    pressed: list[object] = []

    async def on_press(update: Update, context: Context) -> None:
        assert update.callback_query is not None
        pressed.append(update.callback_query.message)
        await update.callback_query.answer()

    application.add_handler(CallbackQueryHandler(on_press))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="v:1:0")]])
    async with polling(application):
        await application.bot.send_message(forum.id, "Strike?", reply_markup=keyboard,
                                           message_thread_id=topic.thread_id)
        ballot = peer.last_bot_message(forum)
        assert ballot is not None
        await peer.wait_for_answer(peer.press_button(member, ballot, "v:1:0"))
        peer.set_limits(dataclasses.replace(peer.limits, message_accessible_for=0))
        await peer.wait_for_answer(peer.press_button(member, ballot, "v:1:0"))
    fresh, old = pressed
    assert isinstance(fresh, TgMessage) and fresh.message_thread_id == topic.thread_id
    # python-telegram-bot reads it into a Message all the same, with a date of 0: not accessible.
    assert isinstance(old, TgMessage) and not old.is_accessible and old.date.timestamp() == 0
    assert old.message_thread_id is None and old.reply_markup is None
    assert (old.chat.id, old.message_id) == (forum.id, ballot.message_id)
