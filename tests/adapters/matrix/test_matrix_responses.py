"""Which response to a native poll counts (MSC3381): the latest by the time it was sent, and the
one before a redacted response."""

from __future__ import annotations

from adapters.matrix.responses import PollResponses, Response

POLL = "!room|$start"


def test_the_latest_response_by_sending_time_counts_not_the_latest_to_arrive() -> None:
    polls = PollResponses()
    assert polls.add(POLL, "@ann", Response(200, "$b", (1,))) == (POLL, "@ann", (1,))
    assert polls.add(POLL, "@ann", Response(100, "$a", (0,))) is None  # sent earlier, arrived late
    assert polls.counting(POLL, "@ann") == (1,)
    assert polls.add(POLL, "@ann", Response(300, "$c", (0,))) == (POLL, "@ann", (0,))


def test_a_redacted_response_gives_way_to_the_one_before_it() -> None:
    polls = PollResponses()
    polls.add(POLL, "@ann", Response(100, "$a", (0,)))
    polls.add(POLL, "@ann", Response(200, "$b", (1,)))
    polls.add(POLL, "@ben", Response(150, "$c", (1,)))
    assert polls.redact("$a") is None  # not the one that counted: nothing changes
    assert polls.redact("$b") == (POLL, "@ann", ())  # nothing left: no vote
    assert polls.redact("$c") == (POLL, "@ben", ())
    polls.add(POLL, "@ann", Response(400, "$d", (0,)))
    polls.add(POLL, "@ann", Response(500, "$e", (1,)))
    assert polls.redact("$e") == (POLL, "@ann", (0,))
    assert polls.redact("$unknown") is None


def test_a_response_seen_again_counts_only_if_it_is_the_latest() -> None:
    polls = PollResponses()
    polls.add(POLL, "@ann", Response(100, "$a", (0,)))
    polls.add(POLL, "@ann", Response(200, "$b", (1,)))
    assert polls.add(POLL, "@ann", Response(100, "$a", (0,))) is None
    assert polls.add(POLL, "@ann", Response(200, "$b", (1,))) == (POLL, "@ann", (1,))


def test_past_the_limit_the_oldest_poll_is_forgotten_to_be_read_again() -> None:
    polls = PollResponses(limit=2)
    polls.add("old", "@ann", Response(1, "$1", (0,)))
    polls.add("old", "@ben", Response(2, "$2", (0,)))
    polls.add("new", "@ann", Response(3, "$3", (1,)))
    assert not polls.known("old") and polls.known("new")
    assert polls.redact("$1") is None
