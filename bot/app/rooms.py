"""A room that moved to a new id: every stored reference to it follows, in one transaction.

A Telegram group upgraded to a supergroup gets a new chat id; a Matrix room upgraded to a new
version is a new room. Its polls, motions, campaigns, trigger campaigns, sign-up forms, pools
and the messages still waiting for it in the outbox move to the new id together with the record
of the move (``room_moves``), so a crash leaves either all of them moved or none. The record
keeps the old id as an alias: organisers configured for the old id organise the new one, and a
second notice of the same move (Telegram sends two, and a refused call tells a third time)
changes nothing. Once committed, the open polls' ballots are posted again in the new room.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.app.transports import RoomDirectory
from bot.features.campaigns.service import CampaignService
from bot.features.language.service import LanguageService
from bot.features.motions.service import MotionService
from bot.features.polls.service import PollService
from bot.features.pools.service import PoolService
from bot.features.signups.service import SignupService
from bot.features.triggers.service import TriggerService
from bot.kernel.clock import Clock
from bot.kernel.ports import Conn, Reader, Writer
from bot.kernel.times import iso
from bot.storage import rooms
from bot.storage.outbox import move_target

log = logging.getLogger(__name__)


class RoomMover:
    def __init__(
        self, reader: Reader, writer: Writer, clock: Clock, directory: RoomDirectory, polls: PollService,
        motions: MotionService, campaigns: CampaignService, triggers: TriggerService, signups: SignupService,
        pools: PoolService, languages: LanguageService, poke: Callable[[], None],
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock
        self._directory = directory
        self._polls = polls
        self._others = (motions, campaigns, triggers, signups, pools, languages)
        self._poke = poke  # the scheduler: deadlines now belong to the new room

    async def start(self) -> None:
        """Load the moves recorded before, as aliases of the rooms they moved to."""
        for old, new in (await rooms.moves(self._reader)).items():
            self._directory.alias(old, new)

    async def move(self, old: str, new: str) -> bool:
        """Move everything of room OLD to room NEW; False if that move was made before."""
        if old == new:
            return False
        now = self._clock.now()

        async def op(conn: Conn) -> list[int] | None:
            if not await rooms.record_move(conn, old, new, iso(now)):
                return None
            moved = await self._polls.move_room(conn, old, new)
            for service in self._others:
                await service.move_room(conn, old, new)
            await move_target(conn, old, new)
            return moved

        moved = await self._writer.run(op)
        if moved is None:
            return False
        self._directory.alias(old, new)
        log.info("room %s moved to %s (%d open polls)", old, new, len(moved))
        await self._polls.room_moved(old, new, moved)
        self._poke()
        return True
