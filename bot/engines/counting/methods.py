"""The ranked counting methods by name, and the default choice between them.

Default: instant-runoff when one seat is to be filled (the movement's rule for a single office),
Scottish STV otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engines.counting.profile import Profile
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
    # Each method's module is imported when it is chosen: a command-line count loads one.
    def scottish() -> CountResult:
        from bot.engines.counting.scottish import count_scottish

        return count_scottish(profile, n_seats, seed)

    def meek() -> CountResult:
        from bot.engines.counting.meek import count_meek

        return count_meek(profile, n_seats, seed)

    def irv() -> CountResult:
        from bot.engines.counting.irv import count_irv

        return count_irv(profile, seed)

    runners: dict[str, Callable[[], CountResult]] = {"scottish": scottish, "meek": meek, "irv": irv}
    if chosen not in runners:
        raise ValueError(f"unknown method {chosen!r}; choose one of {', '.join(METHODS)}")
    if chosen == "irv" and n_seats != 1:
        raise ValueError("instant-runoff fills one seat; use --method scottish or meek for more")
    return runners[chosen]()
