"""Features that need the running core register an installer here.

A feature such as amendments (a poll close listener), sign-up forms (a private conversation)
or trigger campaigns (their own deadline timer) cannot wire itself in when its module is
imported, because the core does not exist yet. It appends an installer to ``INSTALLERS``
instead; ``Quorum.start`` runs each once the database is open and before any poll deadline can
fire, and awaits the stopper an installer returns when the core stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import Quorum

Stopper = Callable[[], Awaitable[None]]
Installer = Callable[["Quorum"], Awaitable[Stopper | None]]

INSTALLERS: list[Installer] = []
