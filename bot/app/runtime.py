"""Process settings for a running bot: what it logs, and how often it collects garbage.

Logs never carry ballot content or personal data, at any level. The platform and storage
libraries log what they send and receive at DEBUG and INFO (python-telegram-bot every Bot API
call with its parameters, so "Your vote in poll 3: Soup" to the voter's chat id; httpx the URLs
with the bot's token; matrix-nio whole events; peewee, under matrix-nio's encryption store, each
statement with its values, the bot's keys and the user ids of the devices it knows; aiosqlite
the rows it returns). Their loggers are held at WARNING whatever ``-v`` asks, and a filter on the
bot's own handlers drops anything below WARNING from them should another part of the program
lower those levels again. What they log at WARNING and above is kept; where a library quotes
what it received even there, its adapter rewrites that line (``adapters/telegram/tolerant_bot.py``,
``adapters/matrix/adapter.py``).


Every vote allocates a few short-lived objects (an event, a context, a future), so with
CPython's default collector thresholds a busy bot runs a collection every few hundred votes
and, now and then, a full one over the whole heap: measured here, that alone cut throughput by
a third and put 40 ms pauses into the 99th-percentile latency. Collecting less often, and
freezing what start-up built (it lives as long as the process), removes both. Reference cycles
are still collected; only the cadence changes.

How much less often is a trade, measured both ways. A collection of the youngest objects walks
every one of them still alive, and votes in flight are alive (about 35 objects each), so the
ingest benchmark's burst of 4,000 in flight (140,000 young objects) spent 1.6 s of 200,000 votes
in collections at 50,000 and 0.09 s at 200,000 (12% more votes a second). But each Bot API call
through httpx leaves about 43 objects in reference cycles, which only a collection frees: in a
Telegram broadcast of 10,000 messages, 200,000 paused the bot for 0.21 s at each collection and
held 24 MB more, where 50,000 pauses it for 30-70 ms. Telegram is where most bots run.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

GEN0_THRESHOLD = 50_000


def tune_for_serving() -> None:
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


LIBRARIES = ("telegram", "httpx", "httpcore", "nio", "peewee", "aiohttp", "aiosqlite", "apscheduler", "hpack",
             "asyncio")
"""Loggers that may carry message content, people's ids or secrets below WARNING."""


class QuietLibraries(logging.Filter):
    """Passes the libraries' warnings and errors only; everything of the bot's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(LIBRARIES)


class JsonLines(logging.Formatter):
    """One JSON object a line (``--log-format json``), for a log collector: time (UTC), level,
    logger, message, and the error's traceback if there was one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(verbose: bool, stream: TextIO | None = None, *, json_lines: bool = False,
                      operator: bool = False) -> None:
    """Log the bot's own events (``-v``: its debug lines too) and the libraries' warnings.

    OPERATOR (a bot serving platforms): the bot's own INFO lines too, one per event an operator
    needs (started, a poll closed, a broadcast sent, stopped), none naming anyone. In the
    console they would interleave with the chat, so there they need ``-v``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    text = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonLines() if json_lines else text)
    handler.addFilter(QuietLibraries())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # The bot's own INFO lines are the operator's events; the adapters' are details for -v.
    logging.getLogger("bot").setLevel(logging.DEBUG if verbose else logging.INFO if operator else logging.WARNING)
    logging.getLogger("adapters").setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    # matrix-nio warns of every error response it cannot validate against its schema (a refused
    # login lacks 'user_id'); the bot reports the refusal itself, in words.
    logging.getLogger("nio.responses").setLevel(logging.ERROR)
