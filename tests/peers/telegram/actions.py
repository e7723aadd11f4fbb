"""Test-facing user actions, each producing the update Telegram would send the bot."""

from __future__ import annotations

from typing import Any

from .errors import PeerUsageError
from .models import CHANNEL_BOT_ID, GROUP_ANONYMOUS_BOT_ID, Chat, Message, Poll, Topic, User
from .text import leading_command, mentions, user_entities, utf16_len
from .updates import PendingUpdate
from .world import CallbackQuery, World


class Actions:
    """What simulated people do; mixed into :class:`TelegramPeer`."""

    world: World

    def send_message(
        self,
        user: User,
        text: str,
        chat: Chat | None = None,
        *,
        reply_to: Message | None = None,
        topic: Topic | None = None,
        anonymous: bool = False,
        via_bot: User | None = None,
    ) -> Message:
        """``user`` writes ``text`` in ``chat`` (their private chat with the bot by default),
        in a forum ``topic`` if given (General otherwise).

        Returns the user's message; ``message.update`` tells whether the bot was sent an
        update (a privacy-mode bot sees in groups only what is meant for it, see
        ``_visible_to_bot``). Commands get ``bot_command`` entities and mentions ``mention``
        entities, as on Telegram.

        ``via_bot``: the user chose TEXT among an inline bot's results (inline mode): the
        message is still the user's own, ``from`` them, with ``via_bot`` naming the inline bot.

        ``anonymous``: an administrator who chose to stay anonymous; the message comes ``from``
        @GroupAnonymousBot with the group as ``sender_chat``, as Telegram shows it.
        """
        world = self.world
        if not text:
            raise PeerUsageError("Telegram clients do not send empty messages")
        if chat is None:
            chat = world.private_chat(user)
        self._check_can_write(user, chat)
        if topic is not None:
            if chat.topics.get(topic.thread_id) is not topic:
                raise PeerUsageError(f"topic {topic.name!r} is not in {chat.title!r}")
            if topic.closed and chat.members.get(user.id) not in ("creator", "administrator"):
                raise PeerUsageError(f"topic {topic.name!r} is closed; only administrators may write in it")
        sender, sender_chat = user, None
        if anonymous:
            if chat.members.get(user.id) not in ("creator", "administrator"):
                raise PeerUsageError("only administrators can write anonymously")
            sender, sender_chat = world.anonymous_admin, chat
        if via_bot is not None and not via_bot.is_bot:
            raise PeerUsageError(f"{via_bot.first_name} is no bot; only bots answer inline queries")
        if chat.private_user is not None:
            user.started_bot = True
        entities = user_entities(text)
        message = world.add_message(
            chat, sender, text=text, entities=entities, reply_to=reply_to,
            message_thread_id=topic.thread_id if topic is not None else None, sender_chat=sender_chat,
            via_bot=via_bot,
        )
        if self._visible_to_bot(chat, message):
            message.update = world.queue.push("message", message.to_json())
        return message

    def send_media(
        self,
        user: User,
        caption: str | None = None,
        chat: Chat | None = None,
        *,
        kind: str = "photo",
        reply_to: Message | None = None,
    ) -> Message:
        """``user`` sends a photo (``kind="photo"``) or a file (``kind="document"``) into
        ``chat`` (their private chat with the bot by default), with ``caption`` under it.

        As on Telegram, the message has no ``text``: the caption is ``caption``, its commands
        and mentions are ``caption_entities``, and a caption is at most 1024 characters. Privacy
        mode reads a caption as it reads a text (see ``_visible_to_bot``).
        """
        world = self.world
        if kind not in ("photo", "document"):
            raise PeerUsageError(f"the peer sends photos and documents, not {kind!r}")
        if caption is not None and utf16_len(caption) > world.limits.max_caption_length:
            raise PeerUsageError(f"a caption is at most {world.limits.max_caption_length} characters")
        if chat is None:
            chat = world.private_chat(user)
        self._check_can_write(user, chat)
        if chat.private_user is not None:
            user.started_bot = True
        number = world.fresh_id()
        described = {"file_id": f"U{kind[0]}{number}", "file_unique_id": f"UU{number}", "file_size": 1000}
        media: dict[str, Any] = (
            {"photo": [described | {"width": 640, "height": 480}]} if kind == "photo"
            else {"document": described | {"file_name": "minutes.pdf", "mime_type": "application/pdf"}}
        )
        message = world.add_message(chat, user, caption=caption or None,
                                    caption_entities=user_entities(caption or ""), reply_to=reply_to, **media)
        if self._visible_to_bot(chat, message):
            message.update = world.queue.push("message", message.to_json())
        return message

    def send_command(
        self,
        user: User,
        command: str,
        args: str = "",
        chat: Chat | None = None,
        *,
        addressed: bool | None = None,
        topic: Topic | None = None,
        anonymous: bool = False,
    ) -> Message:
        """``/command args``; in groups addressed as ``/command@BotName`` unless told otherwise."""
        if chat is None:
            chat = self.world.private_chat(user)
        if addressed is None:
            addressed = chat.is_group
        head = f"/{command.removeprefix('/')}"
        if addressed:
            head += f"@{self.world.bot.username}"
        return self.send_message(user, f"{head} {args}".strip(), chat, topic=topic, anonymous=anonymous)

    def send_as_channel(self, user: User, channel: Chat, text: str, chat: Chat) -> Message:
        """``user`` writes in ``chat`` on behalf of their ``channel``: the message comes ``from``
        @Channel_Bot with the channel as ``sender_chat``."""
        world = self.world
        if channel.type != "channel":
            raise PeerUsageError("only a channel can be chosen to write as")
        self._check_can_write(user, chat)
        message = world.add_message(chat, world.channel_bot, text=text, entities=user_entities(text),
                                    sender_chat=channel)
        if self._visible_to_bot(chat, message):
            message.update = world.queue.push("message", message.to_json())
        return message

    def forward_message(self, user: User, original: Message, chat: Chat | None = None) -> Message:
        """``user`` forwards ORIGINAL into ``chat`` (their private chat with the bot by default).

        As on Telegram (Bot API 7.0+): the new message is ``from`` the forwarder, keeps the
        original's text and entities (a command in it is still a ``bot_command``), and says
        where it came from in ``forward_origin``: the original's author as a ``user`` (or, for an
        anonymous administrator, as a ``chat`` with the group), a post on behalf of a channel as
        ``channel``, with the original's ``date``. Privacy mode sees it as it would see the text.
        """
        world = self.world
        if chat is None:
            chat = world.private_chat(user)
        self._check_can_read(user, original.chat)
        self._check_can_write(user, chat)
        if original.text is None:
            raise PeerUsageError("the peer forwards text messages only")
        origin: dict[str, Any]
        if original.sender_chat is not None and original.sender_chat.type == "channel":
            origin = {"type": "channel", "chat": original.sender_chat.to_json(), "message_id": original.message_id}
        elif original.sender_chat is not None:
            origin = {"type": "chat", "sender_chat": original.sender_chat.to_json()}
        else:
            origin = {"type": "user", "sender_user": original.sender.to_json()}
        origin["date"] = original.date
        if chat.private_user is not None:
            user.started_bot = True
        message = world.add_message(chat, user, text=original.text, entities=list(original.entities),
                                    forward_origin=origin)
        if self._visible_to_bot(chat, message):
            message.update = world.queue.push("message", message.to_json())
        return message

    def bad_gateway(self, method: str, *, after: int = 0, times: int = 1) -> None:
        """Telegram's servers in trouble for a while: after AFTER more calls of METHOD succeed,
        the next TIMES are answered 502 Bad Gateway (nothing done), as Telegram's front end
        answers while the Bot API behind it is down; a client may repeat them."""
        self.world.troubled[method.lower()] = [after, times]

    def bot_posts(self, other_bot: User, chat: Chat, text: str) -> Message:
        """Another bot in the group writes; a privacy-mode bot no longer gets bare commands
        there until it writes again itself."""
        if not other_bot.is_bot or chat.members.get(other_bot.id) not in ("member", "administrator"):
            raise PeerUsageError(f"{other_bot.first_name} is not a bot in {chat.title!r}")
        return self.world.add_message(chat, other_bot, text=text)

    def open_deep_link(self, user: User, payload: str) -> Message:
        """The user follows ``t.me/<bot>?start=<payload>``: their client sends ``/start payload``.

        Telegram allows up to 64 characters of ``[A-Za-z0-9_-]`` in a payload; anything else
        is a broken link that no client would follow, so the peer refuses it.
        """
        if not 1 <= len(payload) <= 64 or not all(c.isalnum() or c in "_-" for c in payload):
            raise PeerUsageError(f"invalid deep-link payload {payload!r}")
        if not payload.isascii():
            raise PeerUsageError(f"invalid deep-link payload {payload!r}")
        return self.send_message(user, f"/start {payload}")

    def deep_link(self, payload: str) -> str:
        """The ``https://t.me/<bot>?start=<payload>`` URL for a payload."""
        return f"https://t.me/{self.world.bot.username}?start={payload}"

    def edit_user_message(self, message: Message, text: str) -> PendingUpdate | None:
        """The author edits their message; the bot gets ``edited_message`` if it saw it."""
        world = self.world
        if message.from_bot:
            raise PeerUsageError("users cannot edit the bot's messages")
        message.edits.append(message.version())
        message.text = text
        message.entities = user_entities(text)
        message.edit_date = world.now()
        if message.update is None:
            return None
        return world.queue.push("edited_message", message.to_json())

    def press_button(
        self,
        user: User,
        message: Message,
        data: str | None = None,
        *,
        text: str | None = None,
    ) -> CallbackQuery:
        """``user`` taps the inline button carrying ``data`` (or labelled ``text``).

        Fails the test if the message has no such button now, is deleted, or is in a chat the
        user cannot see, because a real client would not let them tap it. A message older than
        ``Limits.message_accessible_for`` comes as an ``InaccessibleMessage``: its chat, its id
        and a date of 0 (no topic, text or buttons).
        """
        world = self.world
        current = message.chat.message(message.message_id)
        if current is None:
            raise PeerUsageError("the message was deleted; there is nothing to press")
        self._check_can_read(user, message.chat)
        for button in current.buttons:
            if "callback_data" not in button:
                continue
            if (data is not None and button["callback_data"] == data) or (
                data is None and text is not None and button["text"] == text
            ):
                chosen = button["callback_data"]
                break
        else:
            wanted = data if data is not None else text
            raise PeerUsageError(
                f"no callback button {wanted!r} on message {message.message_id}; "
                f"buttons are {[b.get('callback_data', b['text']) for b in current.buttons]}"
            )
        query = CallbackQuery(
            id=str(4_000_000_000_000_000_000 + world.fresh_id()),
            user=user,
            message=current,
            data=chosen,
        )
        world.callback_queries[query.id] = query
        query.update = world.queue.push(
            "callback_query",
            {
                "id": query.id,
                "from": user.to_json(),
                "message": current.to_json() if world.now() - current.date < world.limits.message_accessible_for
                else {"chat": message.chat.to_json(), "message_id": current.message_id, "date": 0},
                "chat_instance": str(abs(message.chat.id) * 7 + 1_000_003),
                "data": chosen,
            },
        )
        return query

    def answer_poll(
        self, user: User, poll: Poll | Message, option_ids: list[int] | tuple[int, ...], *, as_chat: Chat | None = None
    ) -> PendingUpdate | None:
        """``user`` votes in a native poll; an empty ``option_ids`` retracts the vote.

        Returns the ``poll_answer`` update, or None for an anonymous poll, where Telegram
        tells the bot only the new totals (a ``poll`` update).

        ``as_chat``: the answer is given as a chat (an anonymous administrator for the group, or
        a channel): the update carries ``voter_chat`` and, "for backward compatibility",
        ``user`` = @Channel_Bot.
        """
        world = self.world
        if isinstance(poll, Message):
            if poll.poll is None:
                raise PeerUsageError("that message has no poll")
            poll = poll.poll
        if poll.is_closed:
            raise PeerUsageError("the poll is closed; clients no longer offer to vote")
        if poll.message is not None:
            self._check_can_read(user, poll.message.chat)
            if poll.message.chat.migrated_to is not None:
                raise PeerUsageError("the group was upgraded to a supergroup; its old messages are read-only")
        voter_id = user.id if as_chat is None else as_chat.id
        choice = tuple(sorted(set(option_ids)))
        if any(not 0 <= index < len(poll.options) for index in choice):
            raise PeerUsageError(f"no option {choice} in a poll of {len(poll.options)} options")
        if len(choice) > 1 and not poll.allows_multiple_answers:
            raise PeerUsageError("this poll allows one answer only")
        previous = poll.answers.get(voter_id)
        if previous is not None and not poll.allows_revoting:
            raise PeerUsageError("this poll does not allow changing or retracting a vote")
        if previous is None and not choice:
            raise PeerUsageError("there is no vote to retract")
        for index in previous or ():
            poll.options[index].voters.discard(voter_id)
        for index in choice:
            poll.options[index].voters.add(voter_id)
        if choice:
            poll.answers[voter_id] = choice
        else:
            poll.answers.pop(voter_id, None)
        world.changed.notify()
        answer: PendingUpdate | None = None
        if not poll.is_anonymous:
            answer = world.queue.push(
                "poll_answer",
                {
                    "poll_id": poll.id,
                    "user": (user if as_chat is None else world.channel_bot).to_json(),
                    **({} if as_chat is None else {"voter_chat": as_chat.to_json()}),
                    "option_ids": list(choice),
                    "option_persistent_ids": [poll.options[i].persistent_id for i in choice],
                },
            )
        if self.poll_state_updates:
            world.queue.push("poll", poll.to_json())
        return answer

    poll_state_updates: bool = True
    """Whether each vote also yields a ``poll`` update with new totals, as Telegram sends
    for polls the bot itself sent. Crowd benchmarks may turn it off."""

    def balance_webhook(self, addresses: list[str]) -> None:
        """Put a load balancer in front of the webhook URL: deliveries go to ADDRESSES in turn
        (several bot processes), as many at once as the webhook's ``max_connections``; an empty
        list takes it away. Telegram itself only ever sees the URL given to ``setWebhook``."""
        self.world.webhook.balanced = list(addresses)
        self.world.changed.notify()
        self.world.queue.signal.notify()

    def redeliver(self, update: PendingUpdate, *, keep_update_id: bool = False) -> PendingUpdate:
        """Hand the bot an update it has already seen, to test that it does not count twice.

        With ``keep_update_id`` the very same update (same ``update_id``) is handed out on the
        next ``getUpdates`` even though the bot already confirmed it, as happens when a bot
        crashes after processing but before confirming. Otherwise the payload is queued under
        a new ``update_id``, as a duplicate sent by Telegram's servers would be.
        """
        return self.world.queue.push_again(update, keep_update_id)

    def _check_can_write(self, user: User, chat: Chat) -> None:
        self._check_can_read(user, chat)
        if chat.is_group and not chat.members_can_send and chat.members.get(user.id) == "member":
            raise PeerUsageError(f"only administrators may write in {chat.title!r} now")

    def _check_can_read(self, user: User, chat: Chat) -> None:
        if chat.private_user is not None and chat.private_user.id != user.id:
            raise PeerUsageError("a private chat belongs to one user")
        if chat.is_group and chat.members.get(user.id) not in ("creator", "administrator", "member"):
            raise PeerUsageError(f"{user.first_name} is not a member of {chat.title!r}")

    def _visible_to_bot(self, chat: Chat, message: Message) -> bool:
        """Whether the bot is sent MESSAGE. In a private chat, always (unless blocked); in a
        group, every message when privacy mode is off or the bot is an administrator; in privacy
        mode (core.telegram.org/bots/features#privacy-mode, and the Bot FAQ's "What messages
        will my bot get?") only what is meant for it (``_meant_for_bot``) and "replies to any
        messages implicitly or explicitly meant for this bot". "Each particular message can
        only be available to one privacy-enabled bot at a time ... Replies have the highest
        priority": a reply to another bot's message is that bot's, whatever it says (the peer
        takes every other bot to be in privacy mode, Telegram's default)."""
        world = self.world
        if chat.private_user is not None:
            return not chat.private_user.blocked_bot
        if chat.members.get(world.bot.id) not in ("member", "administrator", "creator"):
            return False
        if not world.privacy_mode or chat.members.get(world.bot.id) == "administrator":
            return True
        replied = message.reply_to
        if replied is not None:
            if self._meant_for_bot(chat, replied):
                return True
            if replied.from_bot and replied.sender.id not in (GROUP_ANONYMOUS_BOT_ID, CHANNEL_BOT_ID):
                return False  # another bot's: the reply goes to it
        return self._meant_for_bot(chat, message)

    def _meant_for_bot(self, chat: Chat, message: Message) -> bool:
        """Whether MESSAGE in a group is meant for the bot, as privacy mode reads it: the bot's
        own; one sent via it (inline mode); a text or caption starting with a command
        addressed to it (``/vote@OurBot``), or with a command addressed to no bot when Telegram
        gives bare commands to this one (``_bare_commands_reach_bot``); or one that mentions it
        by username (a ``mention`` entity, whole: ``@OurBotX`` is someone else), as BotFather
        describes privacy mode ("messages that either start with the '/' symbol or mention the
        bot by username"). A command addressed to another bot is that bot's, mention or not."""
        bot = self.world.bot
        if message.sender.id == bot.id or (message.via_bot is not None and message.via_bot.id == bot.id):
            return True
        if message.text is not None:
            text, entities = message.text, message.entities
        else:
            text, entities = message.caption or "", message.caption_entities
        command = leading_command(text)
        if command is not None:
            addressee = command[1]
            if addressee is not None:
                return addressee.lower() == (bot.username or "").lower()
            return self._bare_commands_reach_bot(chat)
        return mentions(text, entities, bot.username or "")

    def _bare_commands_reach_bot(self, chat: Chat) -> bool:
        """Privacy mode (core.telegram.org/bots/features#privacy-mode): a bot receives "general
        commands from users (e.g. /start) if the bot was the last bot to send a message to the
        group". With no other bot in the group there is nobody else a bare command could mean,
        and Telegram delivers it; the peer models that judgement."""
        world = self.world
        others = [
            uid for uid, status in chat.members.items()
            if uid != world.bot.id and status in ("member", "administrator") and world.users[uid].is_bot
        ]
        return not others or chat.last_bot_id == world.bot.id

    def updates_of(self, kind: str) -> list[dict[str, Any]]:
        """Every update of one kind ever queued for the bot, oldest first."""
        return [u.payload for u in self.world.queue.history if u.kind == kind]
