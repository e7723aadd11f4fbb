"""A crowd voting in one group poll over HTTP: shared by the crowd test and bench/telegram_poll.py."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.adapters.telegram.harness import TelegramBot, group_with_bot
from tests.peers.telegram import CallbackQuery, TelegramPeer


async def _committed_votes(bot: TelegramBot) -> int:
    """Poll 1's votes as a fresh connection of the test's own reads them: only what is committed."""
    url = bot.app.config.database_url
    if url is not None:
        fresh = await asyncpg.connect(url)
        try:
            return int(await fresh.fetchval("SELECT count(*) FROM votes WHERE poll_id = 1"))
        finally:
            await fresh.close()
    with closing(sqlite3.connect(bot.app.config.database)) as conn:
        return int(conn.execute("SELECT count(*) FROM votes WHERE poll_id = 1").fetchone()[0])


def all_answered(presses: list[CallbackQuery]) -> Callable[[], bool]:
    """A check that stays cheap when re-run after each of 10,000 answers (mostly in order)."""
    first_open = 0

    def check() -> bool:
        nonlocal first_open
        while first_open < len(presses) and presses[first_open].answered:
            first_open += 1
        return first_open == len(presses)

    return check


@dataclass(frozen=True)
class CrowdResult:
    members: int
    votes_counted: int
    votes_on_disk: int
    votes_seen_by_read_connection: int
    counts: dict[str, int]
    expected: dict[str, int]
    answers: int
    failed_calls: list[tuple[str, str | None]]
    too_many_requests: int
    seconds: float

    @property
    def updates_per_second(self) -> float:
        return self.members / self.seconds if self.seconds else 0.0


async def vote_in_crowd(tmp_path: Path, peer: TelegramPeer, members: int, within: float = 600.0) -> CrowdResult:
    """MEMBERS press one of three buttons each; returns what the bot recorded and answered."""
    peer.poll_state_updates = False
    organiser = peer.create_user("Olga")
    crowd = peer.create_users(members)
    group = group_with_bot(peer, organiser, crowd)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        peer.send_command(organiser, "poll", "Which date? | Monday | Tuesday | Friday", group)
        ballot = await peer.wait_for_bot_message(group, containing="Poll 1")
        answers_before = len(peer.calls("answerCallbackQuery"))
        start = time.perf_counter()
        presses = [peer.press_button(member, ballot, f"v:1:{n % 3}") for n, member in enumerate(crowd)]
        last = presses[-1]
        await peer.wait_for(all_answered(presses), within=within, what="every press to be answered")
        seconds = time.perf_counter() - start
        assert last.answered
        # The count that decides: taken at the close, inside the writer's transaction.
        poll = await bot.app.services.polls.close(1, f"tg:{organiser.id}")
        assert poll.result is not None
        counts = {str(n): count for n, count in enumerate(poll.result["counts"]) if count}
        expected = {str(k): sum(1 for n in range(members) if n % 3 == k) for k in range(3)}
        on_disk = await _committed_votes(bot)
        seen_by_reads = await bot.votes(1)  # the core's read connection, for comparison
        return CrowdResult(
            members=members,
            votes_counted=poll.result["ballots"],
            votes_on_disk=on_disk,
            votes_seen_by_read_connection=seen_by_reads,
            counts=counts,
            expected=expected,
            answers=len(peer.calls("answerCallbackQuery")) - answers_before,
            failed_calls=[(c.method, c.description) for c in peer.failed_calls()],
            too_many_requests=peer.too_many_requests_sent,
            seconds=seconds,
        )
    finally:
        await bot.stop()
