"""PROTOCOL.md, followed word for word by someone who never read the code.

The verifier below uses nothing of Quorum's but the document it publishes: hashlib and the
protocol's text (section 4 for the random numbers and the draw, section 5 for a replacement in
the same group). It must seat exactly the panel the bot's own verification seats, or an
outsider checking a draw would find a fault that is not there.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable

from sortition_helpers import random_pool

from bot.engines.sortition import QuotaBound, Quotas, prepare
from bot.engines.sortition.published import open_document
from bot.engines.sortition.reveal import draw_panel, replace

FEATURES = {"gender": ["f", "m", "x"], "age": ["16-29", "30-59", "60+"], "area": ["n", "s"]}
QUOTAS = Quotas.of(8, [QuotaBound("gender", "f", 3, 5), QuotaBound("gender", "m", 3, 5),
                       QuotaBound("age", "16-29", 2, 3), QuotaBound("area", "n", 3, 5)])


def _uniform_source(commitment: str, purpose: str, randomness: str) -> Callable[[int], int]:
    """Section 4, "Deriving random numbers"."""
    normalised = " ".join(randomness.split())  # the test's randomness is ASCII: NFC changes nothing
    seed = hashlib.sha256("\n".join(["quorum-sortition/1", commitment, purpose, normalised]).encode()).digest()
    counter = 0

    def block() -> bytes:
        nonlocal counter
        counter += 1
        return hashlib.sha256(seed + (counter - 1).to_bytes(8, "big")).digest()

    def uniform(n: int) -> int:
        if n == 1:
            return 0
        b = (n - 1).bit_length()
        size = -(-b // 8)
        while True:
            data = b""
            while len(data) < size:
                data += block()
            value = int.from_bytes(data[:size], "big") >> (8 * size - b)
            if value < n:
                return value

    return uniform


def _panel(document: dict, randomness: str) -> list[int]:
    """Section 4, "Choosing the panel"."""
    uniform = _uniform_source(document["commitment"], "panel", randomness)
    r = uniform(document["lottery"]["total_weight"])
    for chosen in document["lottery"]["panels"]:
        if r < chosen["weight"]:
            break
        r -= chosen["weight"]
    panel: list[int] = []
    for group, seats in sorted(chosen["members"]):
        tickets = list(document["groups"][group - 1]["tickets"])
        for i in range(seats):
            j = i + uniform(len(tickets) - i)
            tickets[i], tickets[j] = tickets[j], tickets[i]
        panel += tickets[:seats]
    return sorted(panel)


def _replace_in_group(document: dict, panel: list[int], declined: list[int], randomness: str) -> list[int]:
    """Section 5, one round, every declined seat refilled from its own group."""
    uniform = _uniform_source(document["commitment"], "replacement 1", randomness)
    seated, refused = set(panel), set()
    for ticket in sorted(declined):
        seated.discard(ticket)
        refused.add(ticket)
        group = next(g for g in document["groups"] if ticket in g["tickets"])
        left = [t for t in group["tickets"] if t not in seated and t not in refused]
        assert left, "the test's pool keeps someone in every group"
        seated.add(left[uniform(len(left))])
    return sorted(seated)


def test_the_protocols_own_example_numbers() -> None:
    uniform = _uniform_source("0" * 64, "panel", "4 17 23 38 41")
    assert [uniform(1000) for _ in range(5)] == [206, 552, 931, 788, 422]


def test_an_outsider_following_the_protocol_seats_the_panel_the_bot_seats() -> None:
    document = json.loads(json.dumps(prepare(random_pool(random.Random(7), 60, FEATURES), QUOTAS, "leximin",
                                             "Assembly").document))
    published = open_document(document)
    for randomness in ("4 17 23 38 41", "1", "  witnesses   said 9 ", "beacon 7f3a9c0e", "0 0 0"):
        seated = draw_panel(published, randomness)
        assert _panel(document, randomness) == seated, randomness
        spare = [t for t in seated if any(u not in seated for u in published.groups[published.group_of(t)].tickets)]
        declined = spare[:1]  # from a group with someone left: refilled from the same group
        bot, _ = replace(published, seated, declined, f"{randomness} again", 1)
        assert _replace_in_group(document, seated, declined, f"{randomness} again") == bot, randomness
