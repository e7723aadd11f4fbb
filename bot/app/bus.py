"""The bus: domain events one feature publishes and others react to.

A poll that closes publishes PollClosed, and motions settle the amendment or motion it decided;
a trigger that fires publishes TriggerFired, and its ballot opens. The publisher does not know
who listens. Subscribers run in the order their routers were included, one after another; one
that fails is logged and never undoes what was published (a closed poll stays closed).
"""

from __future__ import annotations

import logging

from bot.kernel.routing import Handler

log = logging.getLogger(__name__)


class Bus:
    def __init__(self) -> None:
        self._subscribers: dict[type, list[Handler]] = {}

    def subscribe(self, event_type: type, handler: Handler) -> None:
        self._subscribers.setdefault(event_type, []).append(handler)

    async def publish(self, event: object) -> None:
        for handler in self._subscribers.get(type(event), ()):
            try:
                await handler(event)
            except Exception:
                log.exception("a subscriber to %s failed", type(event).__name__)
