"""The ranked counting methods by name, and the default choice between them.

Default: instant-runoff when one seat is to be filled (the movement's rule for a single office),
Scottish STV otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engines.counting.irv import count_irv
from bot.engines.counting.meek import count_meek
from bot.engines.counting.profile import Profile
from bot.engines.counting.scottish import count_scottish
from bot.engines.counting.stages import CountResult

METHODS = ("scottish", "meek", "irv")


def default_method(seats: int) -> str:
    return "irv" if seats == 1 else "scottish"


def count(profile: Profile, method: str | None = None, seats: int | None = None, seed: int = 0) -> CountResult:
    """Count with the named method; seats default to the file's, else one."""
    n_seats = seats if seats is not None else (profile.seats or 1)
    if n_seats < 1:
        raise ValueError("the number of seats must be at least 1")
    chosen = method or default_method(n_seats)
    runners: dict[str, Callable[[], CountResult]] = {
        "scottish": lambda: count_scottish(profile, n_seats, seed),
        "meek": lambda: count_meek(profile, n_seats, seed),
        "irv": lambda: count_irv(profile, seed),
    }
    if chosen not in runners:
        raise ValueError(f"unknown method {chosen!r}; choose one of {', '.join(METHODS)}")
    if chosen == "irv" and n_seats != 1:
        raise ValueError("instant-runoff fills one seat; use --method scottish or meek for more")
    return runners[chosen]()
