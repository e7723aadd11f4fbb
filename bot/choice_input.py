"""Reading what a member typed after ``/vote POLL`` (or ``/rank POLL``) into option indexes.

Accepted: positions (``2``, ``1 3``), labels (``Pizza``, ``pizza, soup``) and, for proposals,
the usual words (yes / for / aye, no / against, abstain). A label is matched whole and
case-insensitively; a unique prefix of at least three letters also matches.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engines.counting.choice import ABSTAIN_WORDS, NO_WORDS, YES_WORDS, proposal_roles
from bot.kernel.grammar import is_number


class ChoiceError(ValueError):
    pass


def _listing(options: Sequence[str]) -> str:
    return ", ".join(f"{i} {o}" for i, o in enumerate(options, 1))


def _one(token: str, options: Sequence[str]) -> int:
    t = token.strip().casefold()
    if is_number(t):
        n = int(t)
        if 1 <= n <= len(options):
            return n - 1
        raise ChoiceError(f"there is no option {n}; options are {_listing(options)}")
    folded = [o.casefold() for o in options]
    if t in folded:
        return folded.index(t)
    roles = proposal_roles(options)
    if roles is not None:
        yes, no, abst = roles
        if t in YES_WORDS:
            return yes
        if t in NO_WORDS:
            return no
        if t in ABSTAIN_WORDS and abst is not None:
            return abst
    if len(t) >= 3:
        matches = [i for i, o in enumerate(folded) if o.startswith(t)]
        if len(matches) == 1:
            return matches[0]
    raise ChoiceError(f"no option is called {token.strip()!r}; options are {_listing(options)}")


def parse_choice(text: str, options: Sequence[str], max_choices: int, ranked: bool = False) -> tuple[int, ...]:
    """Option indexes chosen by TEXT, in the order given (the order matters when ranked)."""
    t = text.strip()
    if not t:
        how = "in order of preference, e.g. 2 1 3" if ranked else "e.g. 1, or the option's name"
        raise ChoiceError(f"say which option: {how}; options are {_listing(options)}")
    folded = [o.casefold() for o in options]
    if t.casefold() in folded:
        chosen: list[int] = [folded.index(t.casefold())]
    elif "," in t:
        chosen = [_one(p, options) for p in t.split(",") if p.strip()]
    else:
        chosen = [_one(p, options) for p in t.split()]
    if len(set(chosen)) != len(chosen):
        raise ChoiceError("the same option is named twice; name each option once")
    limit = len(options) if ranked else max_choices
    if len(chosen) > limit:
        if limit == 1:
            raise ChoiceError("choose one option only")
        raise ChoiceError(f"choose at most {limit} options")
    roles = proposal_roles(options)
    if not ranked and len(chosen) > 1 and roles is None:
        abst = [i for i in chosen if folded[i] in ABSTAIN_WORDS]
        if abst:
            raise ChoiceError("Abstain cannot be combined with other options")
    return tuple(chosen)
