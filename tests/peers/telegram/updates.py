"""The bot's update queue with Telegram's ``getUpdates`` offset rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .signal import Signal

DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
"""What Telegram sends when ``allowed_updates`` is empty: everything but ``chat_member``,
``message_reaction`` and ``message_reaction_count``."""


@dataclass
class PendingUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    forced: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Updates wait here until a ``getUpdates`` call with a higher offset confirms them.

    Like Telegram, an update handed out but never confirmed is handed out again by the next
    call, which is what lets a test crash the bot mid-update and watch it be redelivered.
    """

    def __init__(self, first_update_id: int = 10_000) -> None:
        self.next_id = first_update_id
        self.pending: list[PendingUpdate] = []
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.signal = Signal()
        self.deliveries: Counter[int] = Counter()
        """How many times each update id was handed to the bot."""
        self.history: list[PendingUpdate] = []
        """Every update ever queued, in order, including redeliveries."""

    def push(self, kind: str, payload: dict[str, Any]) -> PendingUpdate:
        update = PendingUpdate(self.next_id, kind, payload)
        self.next_id += 1
        self._append(update)
        return update

    def push_again(self, update: PendingUpdate, keep_update_id: bool) -> PendingUpdate:
        """Queue an update's payload again, as Telegram does after an unconfirmed delivery."""
        if keep_update_id:
            copy = PendingUpdate(update.update_id, update.kind, update.payload, forced=True)
            self._append(copy)
            return copy
        return self.push(update.kind, update.payload)

    def _append(self, update: PendingUpdate) -> None:
        self.pending.append(update)
        self.history.append(update)
        self.signal.notify()

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Apply ``allowed_updates``: None keeps the previous setting, [] means the default."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset < 0:
            keep = self.pending[offset:]
            self.pending = keep
            return
        self.pending = [u for u in self.pending if u.forced or u.update_id >= offset]
        self.signal.notify()

    def take(self, limit: int) -> list[PendingUpdate]:
        """The next batch to hand out; updates of types not allowed are dropped as Telegram does."""
        self.pending = [u for u in self.pending if u.kind in self.allowed]
        forced = [u for u in self.pending if u.forced]
        regular = [u for u in self.pending if not u.forced]
        batch = (forced + regular)[:limit]
        for update in batch:
            self.deliveries[update.update_id] += 1
        # A forced redelivery sits below the bot's offset; it is handed out once.
        self.pending = [u for u in self.pending if not (u.forced and u in batch)]
        return batch

    def drop_all(self) -> None:
        self.pending = []
        self.signal.notify()
