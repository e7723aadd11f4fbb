"""Health and metrics of a running bot, for /healthz and /metrics.

The metrics are counts and times only (votes acknowledged, how long commits take, what waits
in the outbox, refusals by the platforms, open polls, how late timed work ran): nothing names a
person, a room or a choice. Each App has a registry of its own, so two bots in one process (the
tests) do not share counters.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from bot.app.transports import Transports
from bot.features.polls.service import PollService
from bot.storage.database import Database
from bot.storage.outbox import Outbox
from bot.storage.scheduler import Scheduler
from bot.storage.writer import Writer

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _PlatformCounts(Collector):
    """Per platform, retries and refusals as too many (429s), read when scraped: the outbox's
    (deliveries it will try again) and the adapters' own (a transport may count the requests it
    repeated, ``retries``, and the 429s it waited out, ``rate_limited``)."""

    def __init__(self, outbox: Outbox, transports: Transports) -> None:
        self._outbox = outbox
        self._transports = transports

    def collect(self):  # type: ignore[no-untyped-def]
        retries = CounterMetricFamily("quorum_platform_retries", "Deliveries to be tried again, by platform",
                                      labels=["platform"])
        limited = CounterMetricFamily("quorum_platform_rate_limited",
                                      "Deliveries a platform refused as too many requests (429), by platform",
                                      labels=["platform"])
        counts = {"retries": dict(self._outbox.retries), "rate_limited": dict(self._outbox.rate_limited)}
        for platform, transport in self._transports.all().items():
            for name, totals in counts.items():
                totals[platform] = totals.get(platform, 0) + int(getattr(transport, name, 0))
        for platform, n in sorted(counts["retries"].items()):
            retries.add_metric([platform], n)
        for platform, n in sorted(counts["rate_limited"].items()):
            limited.add_metric([platform], n)
        yield retries
        yield limited


@dataclass(frozen=True)
class Health:
    database: bool
    writer: bool
    outbox: bool
    adapters: dict[str, bool | None]  # None: the adapter does not say whether it is connected

    @property
    def ok(self) -> bool:
        return self.database and self.writer and self.outbox and False not in self.adapters.values()

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "database": self.database, "writer": self.writer, "outbox": self.outbox,
                "adapters": dict(self.adapters)}


class Monitoring:
    def __init__(self, database: Database, writer: Writer | None, outbox: Outbox, scheduler: Scheduler,
                 polls: PollService, transports: Transports) -> None:
        self._database = database
        self._writer = writer
        self._outbox = outbox
        self._scheduler = scheduler
        self._polls = polls
        self._transports = transports
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.votes = Counter("quorum_votes_acknowledged", "Votes committed and acknowledged", registry=registry)
        self.commits = Histogram("quorum_commit_seconds", "How long each group commit took",
                                 buckets=COMMIT_BUCKETS, registry=registry)
        self.backlog = Gauge("quorum_outbox_backlog", "Messages waiting in the outbox", registry=registry)
        self.oldest = Gauge("quorum_outbox_oldest_seconds", "How long the oldest waiting message has waited",
                            registry=registry)
        self.open_polls = Gauge("quorum_open_polls", "Polls open now", registry=registry)
        self.lag = Gauge("quorum_scheduler_lag_seconds",
                         "How late the latest pass of timed work ran after its earliest due time", registry=registry)
        registry.register(_PlatformCounts(outbox, transports))
        if writer is not None:
            writer.on_commit = self._committed

    def _committed(self, seconds: float, votes: int) -> None:
        self.commits.observe(seconds)
        if votes:
            self.votes.inc(votes)

    async def metrics(self) -> bytes:
        """The metrics in Prometheus' text format, the gauges read now."""
        waiting, age = await self._outbox.backlog()
        self.backlog.set(waiting)
        self.oldest.set(age)
        self.open_polls.set(len(self._polls.open))
        self.lag.set(self._scheduler.lag)
        return generate_latest(self.registry)

    async def health(self) -> Health:
        writer_alive = self._writer is None or self._writer.alive
        # A transport says whether its platform is connected with a ``connected`` attribute; one
        # that has none is reported as not saying (null), never as connected.
        adapters = {platform: getattr(t, "connected", None) for platform, t in self._transports.all().items()}
        return Health(await self._database.ping(), writer_alive, self._outbox.alive, adapters)
