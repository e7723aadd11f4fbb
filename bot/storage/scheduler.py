"""Timed work: closing polls, reminders, campaign deadlines.

The database is the source of truth: each duty (a poll service, the reminder service, a
campaign service) can say from its own tables when it next has something to do, and do
everything that is due when asked. APScheduler only decides when to wake up: one job at the
earliest due time of all duties, plus a slow safety tick. Nothing about a deadline is kept in
APScheduler, so a restart, a missed wake-up or a wall-clock jump loses nothing: whenever the
scheduler runs, every duty does whatever is due by the injected clock. Tests advance a manual
clock and call ``run_due`` — nothing sleeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.kernel.clock import Clock

log = logging.getLogger(__name__)

SAFETY_TICK = timedelta(seconds=30)
"""However the wall clock jumps, due work is found within this long."""

STOP_GRACE = 10.0
"""Seconds a stop waits for scheduled work under way."""

NextDue = Callable[[], datetime | None]
Fire = Callable[[], Awaitable[None]]


@dataclass(eq=False)  # one duty is itself only: ``in`` a list of them asks for this very one
class Duty:
    name: str
    next_due: NextDue
    fire: Fire
    always: bool = False  # done also while this process does not do the due work (see ready)


class Scheduler:
    def __init__(self, clock: Clock, ready: Callable[[], bool] = lambda: True) -> None:
        self.clock = clock
        # Whether every platform can send from this process now: due work announces itself
        # (a result, a native poll's end, a trigger's firing), and a Matrix account sends only
        # from the process running it, so with several processes that one does the due work.
        self._ready = ready
        self._duties: list[Duty] = []
        self._aps: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._stopping = False
        self.lag = 0.0  # seconds between the earliest due time and the pass that did it: /metrics

    def add(self, name: str, next_due: NextDue, fire: Fire, *, always: bool = False) -> Duty:
        """Do FIRE when NEXT_DUE says; ALWAYS: also in a process that is not ``ready`` (work
        about the process itself, such as saying it is alive, not about the members')."""
        duty = Duty(name, next_due, fire, always)
        self._duties.append(duty)
        self.poke()
        return duty

    def start(self) -> None:
        """Start waking up; overdue work (from while the bot was down) runs at once."""
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._aps.add_job(
            self.run_due, "interval", seconds=SAFETY_TICK.total_seconds(), id="safety-tick",
            coalesce=True, max_instances=1, misfire_grace_time=None,
        )
        self._aps.start()
        self._schedule(datetime.now(self.clock.now().tzinfo))

    async def shutdown(self, grace: float = STOP_GRACE) -> None:
        """Stop waking up, then let a pass that is under way finish: its work (closing a poll,
        announcing the result) holds the writer, which is stopped next."""
        self._stopping = True  # a pass not yet begun does nothing
        if self._aps is not None:
            self._aps.pause()
        try:
            async with asyncio.timeout(grace):
                async with self._lock:
                    pass
        except TimeoutError:
            log.warning("scheduled work still running after %ss is cut off; it runs again at the next start", grace)
        if self._aps is not None:
            self._aps.shutdown(wait=False)  # cancels whatever APScheduler still runs
            self._aps = None

    def poke(self, skipping: Sequence[Duty] = ()) -> None:
        """Something's deadline changed: wake up in time for the earliest one (but SKIPPING's,
        duties whose work just failed: the safety tick tries them again).

        Not while a pass is under way (a duty's work often moves deadlines: a sync learning
        other processes' polls pokes once for each): the pass looks again for due work before
        it ends, and pokes once it has. A wake-up set for now would find the pass still running,
        and APScheduler would skip it with a warning each time."""
        if self._aps is None or self._lock.locked():
            return
        due = self.next_due(skipping)
        if due is None:
            return
        # APScheduler counts in wall-clock time; the duties count in the injected clock.
        delay = max(timedelta(0), due - self.clock.now())
        self._schedule(datetime.now(due.tzinfo) + delay)

    def _schedule(self, when: datetime) -> None:
        assert self._aps is not None
        self._aps.add_job(
            self.run_due, DateTrigger(run_date=when), id="next-due", replace_existing=True,
            misfire_grace_time=None, coalesce=True, max_instances=1,
        )

    def next_due(self, skipping: Sequence[Duty] = ()) -> datetime | None:
        duties = [duty for duty in self._runnable() if duty not in skipping]
        dues = [d for d in (duty.next_due() for duty in duties) if d is not None]
        return min(dues) if dues else None

    def _runnable(self) -> list[Duty]:
        """The duties this process does now: all, or (another process does the due work, see
        ready) only those it does ``always``; the safety tick asks again for the rest."""
        return self._duties if self._ready() else [d for d in self._duties if d.always]

    async def run_due(self) -> None:
        """Do everything that is due now, by the injected clock; then wait for the next.

        A duty whose work fails is left until the next pass (the safety tick at the latest), and
        the others go on: one feature's failing work never holds up another's deadlines."""
        failed: list[Duty] = []
        async with self._lock:
            # A duty that keeps reporting itself due must not spin forever; a stop runs nothing new.
            for _ in range(0 if self._stopping else 1000):
                now = self.clock.now()
                times = [(t, d) for d in self._runnable() if d not in failed
                         and (t := d.next_due()) is not None and t <= now]
                if not times:
                    break
                self.lag = max(0.0, (now - min(t for t, _ in times)).total_seconds())
                for _, duty in times:
                    try:
                        await duty.fire()
                    except Exception:
                        log.exception("scheduled work %s failed; it will be retried", duty.name)
                        failed.append(duty)
        self.poke(failed)
