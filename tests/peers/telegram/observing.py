"""Test-facing inspection: what the bot sent and called, and waiting for it without sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from .commands import scope_key
from .models import Chat, Message, Poll, User
from .updates import PendingUpdate
from .world import ApiCall, CallbackQuery, World

T = TypeVar("T")


class Observing:
    """Read-only views of the world and awaitable conditions; mixed into :class:`TelegramPeer`."""

    world: World

    def messages(self, chat: Chat) -> list[Message]:
        """Every message in the chat still visible (not deleted), oldest first."""
        return [m for m in chat.messages if not m.deleted]

    def bot_messages(self, chat: Chat, *, include_deleted: bool = False) -> list[Message]:
        """What the bot sent into the chat, oldest first, with edits applied."""
        return [m for m in chat.messages if m.from_bot and (include_deleted or not m.deleted)]

    def bot_files(self, chat: Chat) -> list[Message]:
        """The documents and photos the bot sent into the chat, oldest first."""
        return [m for m in self.bot_messages(chat) if m.file_data is not None]

    def last_bot_message(self, chat: Chat) -> Message | None:
        sent = self.bot_messages(chat)
        return sent[-1] if sent else None

    def bot_texts(self, chat: Chat) -> list[str]:
        """The current text of each bot message in the chat (polls excluded)."""
        return [m.text for m in self.bot_messages(chat) if m.text is not None]

    def bot_output(self) -> list[str]:
        """Every piece of text the bot ever showed anyone: messages in every chat with all their
        earlier versions, button labels, poll questions and options, and callback answers.

        For secrecy checks: assert that no item links a voter to a choice.
        """
        output: list[str] = []
        for chat in self.world.chats.values():
            for message in chat.messages:
                if not message.from_bot:
                    continue
                for version in [*message.edits, message.version()]:
                    if version.text is not None:
                        output.append(version.text)
                    if version.reply_markup and "inline_keyboard" in version.reply_markup:
                        output += [b["text"] for row in version.reply_markup["inline_keyboard"] for b in row]
                if message.caption is not None:
                    output.append(message.caption)
                if message.file_data is not None:
                    output.append(message.file_data.decode("utf-8", "replace"))
                if message.poll is not None:
                    output.append(message.poll.question)
                    output += [option.text for option in message.poll.options]
        output += [q.answer_text for q in self.world.callback_queries.values() if q.answer_text]
        return output

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Bot API calls received, oldest first; ``method`` matches case-insensitively."""
        if method is None:
            return list(self.world.calls)
        wanted = method.lower()
        return [c for c in self.world.calls if c.method.lower() == wanted]

    def failed_calls(self, method: str | None = None) -> list[ApiCall]:
        """Calls answered with an error, e.g. to assert the adapter never hit a 400."""
        return [c for c in self.calls(method) if not c.ok]

    @property
    def unknown_methods(self) -> dict[str, int]:
        """Methods the bot called that the peer does not implement, with call counts."""
        return dict(self.world.unknown_methods)

    @property
    def too_many_requests_sent(self) -> int:
        """How many 429 answers flood control has given."""
        return self.world.flood.total_refusals

    @property
    def too_many_requests_by_kind(self) -> dict[str, int]:
        """429s by the budget that ran out: ``overall``, ``group`` or ``private``."""
        return dict(self.world.flood.refusals)

    def commands(self, scope: dict[str, object] | None = None, language_code: str = "") -> list[dict[str, str]]:
        """The command menu the bot registered for a scope (default scope if None)."""
        return list(self.world.commands.get(scope_key(scope, language_code), []))

    def menu_shown(self, chat: Chat, user: User, *, administrator: bool = False) -> list[dict[str, str]]:
        """The command menu USER sees in CHAT, as Telegram picks it ("Determining list of
        commands" in the Bot API): the first list that is set, from the narrowest scope to the
        default, each scope first in the user's language (the primary subtag of their
        ``language_code``, e.g. "pl" for "pl-PL") and then for any language. An empty list
        counts as not set (``setMyCommands`` with no commands is ``deleteMyCommands``)."""
        if chat.type == "private":
            scopes: list[dict[str, object]] = [{"type": "chat", "chat_id": chat.id}, {"type": "all_private_chats"}]
        else:
            scopes = [{"type": "chat_member", "chat_id": chat.id, "user_id": user.id}]
            if administrator:
                scopes.append({"type": "chat_administrators", "chat_id": chat.id})
            scopes.append({"type": "chat", "chat_id": chat.id})
            if administrator:
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        scopes.append({"type": "default"})
        language = (user.language_code or "").replace("_", "-").split("-")[0].lower()
        for scope in scopes:
            for code in (language, "") if language else ("",):
                found = self.world.commands.get(scope_key(scope, code))
                if found:
                    return list(found)
        return []

    def poll(self, poll_id: str) -> Poll:
        return self.world.polls[poll_id]

    @property
    def pending_updates(self) -> list[PendingUpdate]:
        """Updates not yet confirmed by the bot through the ``getUpdates`` offset."""
        return list(self.world.queue.pending)

    def deliveries(self, update: PendingUpdate) -> int:
        """How many times this update id was handed to the bot."""
        return self.world.queue.deliveries[update.update_id]

    async def wait_for(self, predicate: Callable[[], T], within: float = 5.0, what: str = "condition") -> T:
        """Return the first truthy value of ``predicate()``, re-checked whenever state changes.

        Raises:
            AssertionError: after ``within`` seconds, naming ``what`` was awaited.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {within}s waiting for {what}")
            await self.world.changed.wait(min(remaining, 0.25))

    async def wait_for_bot_message(
        self,
        chat: Chat,
        predicate: Callable[[Message], bool] | None = None,
        *,
        containing: str | None = None,
        after: Message | None = None,
        within: float = 5.0,
    ) -> Message:
        """The first bot message in ``chat`` (after ``after``, if given) that matches."""

        def find() -> Message | None:
            for message in self.bot_messages(chat):
                if after is not None and message.message_id <= after.message_id:
                    continue
                if containing is not None and containing not in (message.text or ""):
                    continue
                if predicate is not None and not predicate(message):
                    continue
                return message
            return None

        return await self.wait_for(find, within, f"a bot message in {chat.id} ({containing!r})")

    async def wait_for_calls(self, method: str, count: int = 1, within: float = 5.0) -> list[ApiCall]:
        """Wait until the bot has made ``count`` successful calls of ``method``; returns them."""

        def successful() -> list[ApiCall]:
            done = [c for c in self.calls(method) if c.ok]
            return done if len(done) >= count else []

        return await self.wait_for(successful, within, f"{count} successful {method} call(s)")

    async def wait_for_answer(self, query: CallbackQuery, within: float = 5.0) -> CallbackQuery:
        """Wait until the bot has called ``answerCallbackQuery`` for this press."""
        await self.wait_for(lambda: query.answered, within, f"an answer to query {query.id}")
        return query

    async def wait_until_delivered(self, update: PendingUpdate, within: float = 5.0) -> None:
        """Wait until the bot fetched the update; processing it may still be under way."""
        await self.wait_for(
            lambda: self.world.queue.deliveries[update.update_id] > 0,
            within,
            f"delivery of update {update.update_id}",
        )

    async def wait_until_confirmed(self, within: float = 5.0) -> None:
        """Wait until the bot has confirmed every queued update through its offset."""
        await self.wait_for(lambda: not self.world.queue.pending, within, "all updates to be confirmed")
