"""Why a poll was decided as it was, in the reader's language.

The counting engine (bot/engines/counting/choice.py) is pure and shared with the command line,
so it states each rule it measured in English, with its figures ("more for than against (7 for,
3 against)"), and a closed poll's result keeps those sentences as they were at the close. A
member reads them here: each of the engine's sentences is recognised with its figures and said
again in the language being written in, the figures written as that language writes them. A
sentence this module does not know is shown as the engine wrote it (tests/unit/polls checks that
every sentence the engine can write is known).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.kernel.language import _
from bot.kernel.wording import number

_CARD = " (a quorum counts people, not card votes)"
_FIELD = re.compile(r"\\\{(\w+)\\\}")


def _said(english: str, translated: Callable[[], str]) -> tuple[re.Pattern[str], Callable[[], str]]:
    """The engine's sentence ENGLISH (with its {fields}) as a pattern, and how it reads translated."""
    pattern = _FIELD.sub(lambda m: f"(?P<{m.group(1)}>[0-9][0-9.%]*)", re.escape(english))
    return re.compile(f"^{pattern}$"), translated


_SENTENCES = [
    _said("quorum {quorum} met: {ballots} of {heads} voted",
          lambda: _("quorum {quorum} met: {ballots} of {heads} voted")),
    _said("quorum {quorum} not met: {ballots} of {heads} voted, {need} needed",
          lambda: _("quorum {quorum} not met: {ballots} of {heads} voted, {need} needed")),
    _said("quorum {quorum} met: {ballots} voted", lambda: _("quorum {quorum} met: {ballots} voted")),
    _said("quorum {quorum} not met: {ballots} voted", lambda: _("quorum {quorum} not met: {ballots} voted")),
    _said("more for than against ({yes} for, {no} against)",
          lambda: _("more for than against ({yes} for, {no} against)")),
    _said("more against than for ({yes} for, {no} against)",
          lambda: _("more against than for ({yes} for, {no} against)")),
    _said("not more for than against ({yes} for, {no} against)",
          lambda: _("not more for than against ({yes} for, {no} against)")),
    _said("more than half of the electorate for ({yes} of {electorate})",
          lambda: _("more than half of the electorate for ({yes} of {electorate})")),
    _said("not more than half of the electorate for ({yes} of {electorate}, {need} needed)",
          lambda: _("not more than half of the electorate for ({yes} of {electorate}, {need} needed)")),
    _said("at least two-thirds of the votes cast for ({yes} of {counted})",
          lambda: _("at least two-thirds of the votes cast for ({yes} of {counted})")),
    _said("less than two-thirds of the votes cast for ({yes} of {counted}, {need} needed)",
          lambda: _("less than two-thirds of the votes cast for ({yes} of {counted}, {need} needed)")),
    _said("turnout at least 50% of the electorate ({ballots} of {electorate})",
          lambda: _("turnout at least 50% of the electorate ({ballots} of {electorate})")),
    _said("turnout below 50% of the electorate ({ballots} of {electorate}, {need} needed)",
          lambda: _("turnout below 50% of the electorate ({ballots} of {electorate}, {need} needed)")),
    _said("at least 40% of the electorate for ({yes} of {electorate})",
          lambda: _("at least 40% of the electorate for ({yes} of {electorate})")),
    _said("less than 40% of the electorate for ({yes} of {electorate}, {need} needed)",
          lambda: _("less than 40% of the electorate for ({yes} of {electorate}, {need} needed)")),
    _said("more than half of the votes cast ({top} of {counted})",
          lambda: _("more than half of the votes cast ({top} of {counted})")),
    _said("not more than half of the votes cast ({top} of {counted}, {need} needed)",
          lambda: _("not more than half of the votes cast ({top} of {counted}, {need} needed)")),
    _said("at least two-thirds of the votes cast ({top} of {counted})",
          lambda: _("at least two-thirds of the votes cast ({top} of {counted})")),
    _said("less than two-thirds of the votes cast ({top} of {counted}, {need} needed)",
          lambda: _("less than two-thirds of the votes cast ({top} of {counted}, {need} needed)")),
    _said("more than half of the electorate ({top} of {electorate})",
          lambda: _("more than half of the electorate ({top} of {electorate})")),
    _said("not more than half of the electorate ({top} of {electorate}, {need} needed)",
          lambda: _("not more than half of the electorate ({top} of {electorate}, {need} needed)")),
]


def known(reason: str) -> bool:
    """Whether REASON, as the engine wrote it, is one this module says again."""
    bare = reason.removesuffix(_CARD)
    return any(pattern.match(bare) for pattern, _translated in _SENTENCES)


def in_words(reason: str) -> str:
    """REASON, one of the engine's sentences, in the language being written in."""
    card = reason.endswith(_CARD)
    bare = reason.removesuffix(_CARD)
    for pattern, translated in _SENTENCES:
        m = pattern.match(bare)
        if m is None:
            continue
        figures = {k: v if k == "quorum" or not v.isdigit() else number(int(v)) for k, v in m.groupdict().items()}
        said = translated().format(**figures)
        if card:
            said += " " + _("(a quorum counts people, not card votes)")
        return said
    return reason
