"""10,000 members vote in one Telegram group poll over HTTP; every vote must count once.

The whole bot (core on a file database, the Telegram adapter on python-telegram-bot) takes
button presses from the local Bot API peer by long polling, records each vote, and answers each
press once it is committed. The reference, measured in the same run against the same peer, is
a bare python-telegram-bot application that only answers each press: the cost of Telegram's
HTTP round trips without any of the bot's work. Flood-control periods run at 1/100 (answers to
presses are not flood-limited on Telegram; the live-tally edits are).

    python bench/telegram_poll.py [--members 10000]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402
from telegram.ext import ContextTypes, TypeHandler  # noqa: E402

from tests.adapters.telegram.crowd import all_answered, vote_in_crowd  # noqa: E402
from tests.peers.telegram import TelegramPeer  # noqa: E402
from tests.peers.telegram.ptb import application_builder, polling  # noqa: E402

TIME_SCALE = 0.01


async def reference(members: int) -> float:
    """Presses answered per second by an application that does nothing else."""
    peer = await TelegramPeer(time_scale=TIME_SCALE).start()
    try:
        peer.poll_state_updates = False
        organiser = peer.create_user("Olga")
        crowd = peer.create_users(members)
        group = peer.create_group("Branch", creator=organiser, members=crowd)
        peer.add_bot_to_group(group, organiser)
        app = application_builder(peer).concurrent_updates(32).connection_pool_size(8).build()

        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.callback_query is not None:
                await update.callback_query.answer("Your vote: Monday")

        app.add_handler(TypeHandler(Update, answer))
        async with polling(app):
            await app.bot.send_message(
                group.id, "Which date?", reply_markup={"inline_keyboard": [[{"text": "Monday", "callback_data": "v"}]]}
            )
            ballot = peer.bot_messages(group)[-1]
            start = time.perf_counter()
            presses = [peer.press_button(member, ballot, "v") for member in crowd]
            await peer.wait_for(all_answered(presses), within=1800, what="answers")
            return members / (time.perf_counter() - start)
    finally:
        await peer.stop()


async def bench(members: int) -> dict[str, Any]:
    peer = await TelegramPeer(time_scale=TIME_SCALE).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = await vote_in_crowd(Path(tmp), peer, members, within=1800)
    finally:
        await peer.stop()
    ref = await reference(members)
    return {
        "members": members,
        "votes_counted": result.votes_counted,
        "votes_on_disk": result.votes_on_disk,
        "votes_seen_by_core_read_connection": result.votes_seen_by_read_connection,
        "each_counted_once": result.votes_counted == result.votes_on_disk == members
        and result.counts == result.expected,
        "presses_answered": result.answers,
        "failed_calls": len([c for c in result.failed_calls if "not modified" not in (c[1] or "")]),
        "http_429": result.too_many_requests,
        "seconds": round(result.seconds, 2),
        "updates_per_second": round(result.updates_per_second, 1),
        "reference_updates_per_second": round(ref, 1),
        "fraction_of_reference": round(result.updates_per_second / ref, 3),
        "reference": "a bare python-telegram-bot application answering each press, same peer, same run",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(bench(args.members))))


if __name__ == "__main__":
    main()
