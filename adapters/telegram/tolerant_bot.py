"""A bot that skips a malformed update instead of stalling on it, and knows whether the Bot API
answers.

When PTB cannot parse one update of a ``getUpdates`` batch it drops the whole batch without
confirming it, and so fetches the same batch again forever: one bad update would stop the bot.
Here the batch is parsed update by update (``read_update``, which the webhook uses too); an
unreadable one is logged (its id and kind, never what it holds) and replaced by an empty update
with the same ``update_id``, which the handlers ignore and the offset confirms.

Every request passes through ``_post``, long polling included, so the outcome of the latest one
says whether Telegram can be reached now (for /healthz): any answer, a refusal too, means it can;
a network failure means it cannot, until a request gets through again.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


class _BatchUnread(logging.Filter):
    """PTB logs a batch it cannot parse whole, at CRITICAL, before ``get_updates`` below reads it
    update by update: every sender beside their text, a secret vote's too. That line is kept
    with the update ids only; ``read_update`` says which of them was skipped, and why."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Error while parsing updates!"):
            batch = record.args[0] if isinstance(record.args, tuple) and record.args else None
            ids = [u.get("update_id") for u in batch if isinstance(u, dict)] if isinstance(batch, list) else []
            record.msg, record.args, record.exc_info, record.exc_text = (
                "Error while parsing updates %s; they are read one by one", (ids,), None, None)
        return True


logging.getLogger("telegram.ext.ExtBot").addFilter(_BatchUnread())


class TolerantBot(ExtBot[Any]):
    _last_batch: list[Any] | None = None

    # PTB's objects take no new public attributes once built; these are read through the properties.
    _reachable: bool | None = None
    _failures = 0

    @property
    def reachable(self) -> bool | None:
        """Whether the Bot API answered the latest request (None: no request yet)."""
        return self._reachable

    @property
    def failures(self) -> int:
        """Requests that failed on the network (each retried, or reported, by whoever made it)."""
        return self._failures

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await super()._post(endpoint, *args, **kwargs)
        except BadRequest:  # an answer: Telegram is there (BadRequest is a NetworkError in PTB)
            self._reachable = True
            raise
        except NetworkError:
            self._reachable = False
            self._failures += 1
            raise
        except Exception:  # any other refusal is an answer too
            self._reachable = True
            raise
        self._reachable = True
        if endpoint == "getUpdates":
            self._last_batch = result if isinstance(result, list) else None
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        try:
            return await super().get_updates(*args, **kwargs)
        except Exception:
            batch = self._last_batch
            if batch is None:
                raise
        return tuple(update for raw in batch if (update := read_update(raw, self)) is not None)


def read_update(raw: object, bot: ExtBot[Any]) -> Update | None:
    """The update RAW holds; for one PTB cannot parse, an empty update with its ``update_id``,
    which the handlers ignore and which is confirmed like any other (None without an id)."""
    try:
        update = Update.de_json(raw, bot)  # type: ignore[arg-type]
        assert update is not None
        return update
    except Exception as e:
        # Logged by its kind and what went wrong, never its content, traceback or the error's
        # words (which may quote it): an update holds its sender beside their text, and the text
        # may be a secret vote ("/vote 3 Soup"), which a log must never link to them.
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        kinds = sorted(k for k in raw if k != "update_id") if isinstance(raw, dict) else [type(raw).__name__]
        if not isinstance(update_id, int):
            log.error("skipped an update without an id (%s: %s)", ", ".join(map(str, kinds)), type(e).__name__)
            return None
        log.error("skipped malformed update %s (%s: %s)", update_id, ", ".join(map(str, kinds)), type(e).__name__)
        return Update(update_id)
