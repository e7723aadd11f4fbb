"""Proxies: a member gives another their vote in one roll ballot that allows it.

The rules (bot/features/polls/model.py): given privately to a member of the electorate; the
holder is told when it is given, taken back or cancelled; revocable until the holder casts it; a
giver who votes themselves cancels it; no chains; at most the poll's cap per holder. The holder
casts each proxy separately with --for, also in secret ballots, where it is stored like any
ballot. Results say how many ballots were cast by proxy, and turnout counts the giver.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import ROLL, Chat, import_roll

MEMBERS = ("ann", "bob", "cat")


async def _joined(chat: Chat, poll: str) -> None:
    codes = await import_roll(chat)
    for who in MEMBERS:
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say(f"chair: {poll}")


async def test_a_proxy_is_given_told_cast_and_counted(chat: Chat) -> None:
    await _joined(chat, "/poll Strike? --roll --proxies 1")
    out = await chat.say("ann (private): /proxy 1 Bob Jones")
    assert "You gave your proxy in poll 1 to Bob Jones, who has been told" in out
    assert "Ann Smith gives you their proxy in poll 1 (Strike?)" in out  # told privately to bob
    assert "/vote 1 OPTION --for Ann Smith" in out
    out = await chat.say("bob (private): /proxy 1")
    assert "You hold Ann Smith's proxy: not cast yet." in out
    out = await chat.say("bob: /vote 1 no --for ann", "bob: /vote 1 yes --for Ann Smith", "bob: /vote 1 no")
    assert "Your proxy vote for Ann Smith in poll 1: No" in out  # her first name is enough, among his proxies
    assert "Your proxy vote for Ann Smith in poll 1: Yes" in out
    assert "You hold Ann Smith's proxy: cast." in await chat.say("bob (private): /proxy 1")
    out = await chat.say("chair: /close 1")
    assert "Turnout: 2 of 3 (66.7%); 1 ballot cast by proxy" in out
    assert re.search(r"Yes\s+\S+\s+1\b", out) and re.search(r"No\s+\S+\s+1\b", out)


async def test_a_secret_proxy_ballot_is_stored_like_any_other(chat: Chat) -> None:
    await _joined(chat, "/poll Strike? --roll --secret --proxies 2 --card")
    await chat.say("ann (private): /proxy 1 bob jones")
    before = await chat.snapshot()
    out = await chat.say("bob: /vote 1 yes --for Ann Smith")
    assert "secret ballot" in out and await chat.snapshot() == before  # not in the group
    out = await chat.say("bob (private): /vote 1 yes --for Ann Smith", "bob (private): /vote 1 no",
                         "cat (private): /vote 1 no")
    assert "Your proxy vote for Ann Smith in poll 1: Yes" in out
    rows = await chat.query("SELECT voter, cast_by, weight FROM secret_ballots WHERE poll_id = 1 ORDER BY voter")
    assert len(rows) == 3 and all(v.startswith("h:") and c.startswith("c:") for v, c, _ in rows)
    assert {w for _, _, w in rows} == {1}  # a secret card vote stores no weight (test_card_votes.py)
    assert not await chat.query("SELECT 1 FROM votes WHERE poll_id = 1")
    out = await chat.say("chair: /close 1")
    assert "; 1 ballot cast by proxy" in out
    assert "NOT CARRIED" in out and re.search(r"Yes\s+\S+\s+120\b", out)  # Ann's weight, cast by Bob
    # Ann can check that the ballot cast for her was counted.
    assert "your ballot is counted" in await chat.say("ann (private): /receipt 1")


async def test_a_giver_who_votes_cancels_the_proxy_and_their_vote_counts(chat: Chat) -> None:
    await _joined(chat, "/poll Strike? --roll --proxies 1")
    await chat.say("ann (private): /proxy 1 Bob Jones", "bob: /vote 1 yes --for Ann Smith")
    out = await chat.say("ann: /vote 1 no")
    assert "Your vote in poll 1: No" in out
    assert _told(out, "bob") == ["Ann Smith voted in poll 1 (Strike?) themselves: their vote replaces the one you "
                                 "cast for them, and the proxy they gave you is cancelled."]
    assert not _told(await chat.say("ann: /vote 1 yes", "ann: /vote 1 no"), "bob")  # told once
    before = await chat.snapshot()
    out = await chat.say("bob: /vote 1 yes --for Ann Smith")
    assert "Ann Smith has voted in poll 1 themselves, which cancels their proxy; nothing was cast for them." in out
    assert await chat.snapshot() == before
    assert "cancelled: they voted themselves" in await chat.say("bob (private): /proxy 1")
    out = await chat.say("chair: /close 1")
    assert "; 0 ballots cast by proxy" in out and re.search(r"No\s+\S+\s+1\b", out)


def _told(out: str, who: str) -> list[str]:
    """What WHO was told privately in OUT (a transcript's lines)."""
    prefix = f"  [{who} (private)] bot: "
    return [line.removeprefix(prefix) for line in out.splitlines() if line.startswith(prefix)]


async def test_the_holder_is_told_when_the_giver_votes_before_they_cast_it(chat: Chat) -> None:
    await _joined(chat, "/poll Strike? --roll --secret --proxies 1")
    await chat.say("ann (private): /proxy 1 Bob Jones")
    out = await chat.say("ann (private): /vote 1 no")
    assert _told(out, "bob") == ["Ann Smith voted in poll 1 (Strike?) themselves, which cancels the proxy they gave "
                                 "you."]
    assert "cancelled: they voted themselves" in await chat.say("bob (private): /proxy 1")
    assert not _told(await chat.say("cat (private): /vote 1 yes"), "bob")  # only a giver's vote tells a holder


async def test_a_proxy_can_be_taken_back_until_it_is_cast(chat: Chat) -> None:
    await _joined(chat, "/poll Strike? --roll --proxies 1")
    await chat.say("ann (private): /proxy 1 Bob Jones")
    out = await chat.say("ann (private): /proxy 1 revoke")
    assert "You took back your proxy in poll 1 from Bob Jones" in out
    assert _told(out, "bob") == ["Ann Smith took back the proxy they gave you in poll 1 (Strike?): you no longer "
                                 "vote for them."]
    assert "You hold no proxy from Ann Smith" in await chat.say("bob: /vote 1 yes --for Ann Smith")
    await chat.say("ann (private): /proxy 1 Cat Lee", "cat: /vote 1 yes --for Ann Smith")
    before = await chat.snapshot()
    out = await chat.say("ann (private): /proxy 1 revoke")
    assert "Cat Lee has cast your proxy vote in poll 1 already" in out
    assert await chat.snapshot() == before
    out = await chat.say("cat: /vote 1 withdraw --for Ann Smith")
    assert "Your vote for Ann Smith in poll 1 is withdrawn" in out
    assert "You took back your proxy" in await chat.say("ann (private): /proxy 1 revoke")


@pytest.mark.parametrize(("poll", "line", "fragment"), [
    ("/poll Strike? --roll", "ann (private): /proxy 1 Bob Jones", "Poll 1 takes no proxies"),
    ("/poll Strike? --roll", "bob: /vote 1 yes --for Ann", "Poll 1 takes no proxies"),
    ("/poll Strike? --roll --proxies 1", "ann: /proxy 1 Bob Jones", "Proxies are given and read privately"),
    ("/poll Strike? --roll --proxies 1", "ann (private): /proxy 1 Ann Smith", "cannot give your proxy to yourself"),
    ("/poll Strike? --roll --proxies 1", "ann (private): /proxy 1 Zed", "Nobody called Zed is in the electorate"),
    ("/poll Strike? --roll --proxies 1", "ann (private): /proxy 1 revoke", "You have given no proxy in poll 1"),
    ("/poll Strike? --roll --proxies 1", "zed (private): /proxy 1 Bob Jones", "Link your account first"),
    ("/poll Strike? --roll --proxies 1", "ann (private): /proxy 9 Bob Jones", "no poll 9"),
    ("/poll Strike? --roll --proxies 1", "bob: /vote 1 yes --for", "Say whose proxy you cast after --for"),
    ("/poll Strike? --roll --proxies 1", "bob: /vote 1 yes --for Cat Lee", "You hold no proxy from Cat Lee"),
    ("/poll North? --branch North --proxies 1", "ann (private): /proxy 1 Cat Lee",
     "Nobody called Cat Lee is in the electorate of poll 1"),
])
async def test_proxy_mistakes_are_refused_and_change_nothing(chat: Chat, poll: str, line: str, fragment: str) -> None:
    await _joined(chat, poll)
    before = await chat.snapshot()
    out = await chat.say(line)
    assert fragment.lower() in out.lower(), out
    assert await chat.snapshot() == before


@pytest.mark.parametrize(("args", "fragment"), [
    ("--proxies 2", "add --roll"),
    ("--roll --proxies 0", "--proxies takes a whole number of at least 1"),
    ("--roll --proxies two", "--proxies takes a whole number"),
])
async def test_a_poll_opened_with_bad_proxies_is_refused(chat: Chat, args: str, fragment: str) -> None:
    await import_roll(chat)
    before = await chat.snapshot()
    assert fragment in await chat.say(f"chair: /poll Strike? {args}")
    assert await chat.snapshot() == before


async def test_no_chains_and_the_cap(chat: Chat) -> None:
    roll = ROLL + "Dan Roe,1004,North,10\nEve Poe,1005,North,10\n"
    codes = await import_roll(chat, roll)
    for who in ("ann", "bob", "cat", "dan", "eve"):
        await chat.say(f"{who} (private): /join {codes[who]}")
    await chat.say("chair: /poll Strike? --roll --proxies 1")
    await chat.say("ann (private): /proxy 1 Bob Jones")
    before = await chat.snapshot()
    for line, fragment in (("bob (private): /proxy 1 Cat Lee", "a proxy cannot be passed on, so you cannot give yours"),
                           ("cat (private): /proxy 1 Ann Smith", "Ann Smith has given their own proxy"),
                           ("dan (private): /proxy 1 Bob Jones", "Bob Jones holds 1 proxy for poll 1 already"),
                           ("ann (private): /proxy 1 Cat Lee", "You have given your proxy for poll 1 to Bob Jones")):
        assert fragment in await chat.say(line)
        assert await chat.snapshot() == before
    await chat.say("cat (private): /vote 1 yes")
    assert "You have voted in poll 1 yourself" in await chat.say("cat (private): /proxy 1 Dan Roe")


# -- the rules as properties: random sequences of what five members may do ----------------------

FIVE = ("ann", "bob", "cat", "dan", "eve")
NAMES = {"ann": "Ann Smith", "bob": "Bob Jones", "cat": "Cat Lee", "dan": "Dan Roe", "eve": "Eve Poe"}
give = st.tuples(st.just("give"), st.sampled_from(FIVE), st.sampled_from(FIVE))
step = st.one_of(
    give, give, give,
    st.tuples(st.just("revoke"), st.sampled_from(FIVE), st.just("")),
    st.tuples(st.just("vote"), st.sampled_from(FIVE), st.sampled_from(("yes", "no"))),
    st.tuples(st.just("cast"), st.sampled_from(FIVE), st.sampled_from(FIVE)),
)


@example(steps=[("give", "bob", "cat"), ("give", "ann", "bob")], cap=1)  # a chain, the other way round
@example(steps=[("give", "ann", "cat"), ("give", "bob", "cat"), ("give", "dan", "cat")], cap=2)  # the cap
@example(steps=[("give", "ann", "bob"), ("cast", "bob", "ann"), ("vote", "ann", "no"), ("cast", "bob", "ann")], cap=1)
@given(steps=st.lists(step, max_size=14), cap=st.integers(1, 2))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_proxy_rules_hold_in_any_order(tmp_path_factory: pytest.TempPathFactory, steps: list, cap: int) -> None:
    import asyncio

    async def play() -> None:
        chat = await Chat.start(tmp_path_factory.mktemp("proxies"))
        try:
            codes = await import_roll(chat, ROLL + "Dan Roe,1004,North,10\nEve Poe,1005,North,10\n")
            for who in FIVE:
                await chat.say(f"{who} (private): /join {codes[who]}")
            await chat.say(f"chair: /poll Strike? --roll --proxies {cap}")
            own: dict[str, str] = {}  # what each member voted themselves
            by_proxy: dict[str, str] = {}  # giver -> what their holder cast (while it stands)
            for kind, who, other in steps:
                if kind == "give":
                    await chat.say(f"{who} (private): /proxy 1 {NAMES[other]}")
                elif kind == "revoke":
                    await chat.say(f"{who} (private): /proxy 1 revoke")
                elif kind == "vote":
                    await chat.say(f"{who} (private): /vote 1 {other}")
                    own[who] = other
                    by_proxy.pop(who, None)
                else:
                    out = await chat.say(f"{who} (private): /vote 1 yes --for {NAMES[other]}")
                    if "Your proxy vote" in out:
                        assert other not in own  # a giver who voted cancelled the proxy
                        by_proxy[other] = "yes"
                proxies = await chat.query("SELECT giver, holder FROM poll_proxies WHERE poll_id = 1")
                givers = {g for g, _ in proxies}
                holders = [h for _, h in proxies]
                assert not givers & set(holders)  # no chains
                assert all(holders.count(h) <= cap for h in holders)  # the cap
                assert all(g != h for g, h in proxies)
            out = await chat.say("chair: /close 1")
            yes = sum(1 for v in own.values() if v == "yes") + len(by_proxy)
            no = sum(1 for v in own.values() if v == "no")
            assert re.search(rf"Yes\s+\S+\s+{yes}\b", out) and re.search(rf"No\s+\S+\s+{no}\b", out), out
            n = len(by_proxy)
            assert f"; {n} {'ballot' if n == 1 else 'ballots'} cast by proxy" in out
        finally:
            await chat.stop()

    asyncio.run(play())


# -- a proxy once cancelled, a proxy vote the giver did not cast, namesakes ------------------------


@pytest.mark.parametrize("secret", ["", " --secret"])
async def test_a_proxy_cancelled_by_the_givers_vote_stays_cancelled_when_she_withdraws_it(chat: Chat,
                                                                                       secret: str) -> None:
    await _joined(chat, f"/poll Strike? --roll --proxies 1{secret}")
    await chat.say("ann (private): /proxy 1 Bob Jones", "ann (private): /vote 1 no")
    assert "is withdrawn" in await chat.say("ann (private): /vote 1 withdraw")
    assert "You hold Ann Smith's proxy: cancelled: they voted themselves." in await chat.say("bob (private): /proxy 1")
    before = await chat.snapshot()
    out = await chat.say("bob (private): /vote 1 yes --for Ann Smith")
    assert "Ann Smith has voted in poll 1 themselves, which cancels their proxy; nothing was cast for them." in out
    assert await chat.snapshot() == before
    assert not _told(await chat.say("ann (private): /vote 1 yes"), "bob")  # told once, when she first voted
    out = await chat.say("chair: /close 1")
    assert "; 0 ballots cast by proxy" in out and re.search(r"Yes\s+\S+\s+1\b", out)


@pytest.mark.parametrize("secret", ["", " --secret"])
async def test_a_giver_cannot_withdraw_the_vote_her_holder_cast(chat: Chat, secret: str) -> None:
    await _joined(chat, f"/poll Strike? --roll --proxies 1{secret}")
    await chat.say("ann (private): /proxy 1 Bob Jones", "bob (private): /vote 1 yes --for Ann Smith")
    before = await chat.snapshot()
    out = await chat.say("ann (private): /vote 1 withdraw")
    assert _told(out, "ann") == ["Bob Jones cast your vote in poll 1 with your proxy, so you have no vote of your "
                                 "own to withdraw; nothing changed. You can still vote yourself: your own vote "
                                 "replaces theirs."]
    assert not _told(out, "bob")
    assert await chat.snapshot() == before
    assert "You hold Ann Smith's proxy: cast." in await chat.say("bob (private): /proxy 1")


async def test_a_proxy_given_to_a_member_with_no_linked_account_says_they_were_not_told(chat: Chat) -> None:
    codes = await import_roll(chat, ROLL + "Dan Roe,1004,North,10\n")
    await chat.say(f"ann (private): /join {codes['ann']}", "chair: /poll Strike? --roll --proxies 1")
    out = await chat.say("ann (private): /proxy 1 Dan Roe")
    assert _told(out, "ann") == ["You gave your proxy in poll 1 to Dan Roe. They have no account linked to the "
                                 "roll, so I could not tell them: let them know yourself (they see it with /proxy 1 "
                                 "once they link). You can take it back until they cast it (/proxy 1 revoke), or "
                                 "vote yourself, which cancels it."]
    await chat.say(f"dan (private): /join {codes['dan']}")
    assert "You hold Ann Smith's proxy: not cast yet." in await chat.say("dan (private): /proxy 1")


async def test_proxies_from_namesakes_are_cast_by_membership_number(chat: Chat) -> None:
    roll = ROLL + "Ann Smith,1005,South,10\n"
    codes = await import_roll(chat, roll)
    number = dict(await chat.query("SELECT number, join_code FROM members"))
    await chat.say(f"bob (private): /join {codes['bob']}", f"ann (private): /join {number['1001']}",
                   f"ann2 (private): /join {number['1005']}", "chair: /poll Strike? --roll --proxies 2 --card")
    await chat.say("ann (private): /proxy 1 Bob Jones", "ann2 (private): /proxy 1 Bob Jones")
    before = await chat.snapshot()
    out = await chat.say("bob (private): /vote 1 yes --for Ann Smith")
    assert ("You hold proxies in poll 1 from more than one member called Ann Smith; say whose you cast by their "
            "membership number: --for 1001 (Ann Smith), --for 1005 (Ann Smith).") in out
    assert await chat.snapshot() == before
    out = await chat.say("bob (private): /vote 1 yes --for 1001", "bob (private): /vote 1 no --for 1005")
    assert "proxy vote for Ann Smith in poll 1: Yes" in out and "proxy vote for Ann Smith in poll 1: No" in out
    out = await chat.say("chair: /close 1")
    assert "; 2 ballots cast by proxy" in out
    assert re.search(r"Yes\s+\S+\s+120\b", out) and re.search(r"No\s+\S+\s+10\b", out), out


async def test_a_membership_number_is_named_with_or_without_its_leading_zeros(chat: Chat) -> None:
    """The roll writes Ann's number 0042; a member giving or casting her proxy types 42 (or
    0042): the same member, as the import treats them (bot/features/roll/model.py, number_key)."""
    codes = await import_roll(chat, "name,number\nAnn Smith,0042\nBob Jones,0043\n")
    await chat.say(f"ann (private): /join {codes['ann']}", f"bob (private): /join {codes['bob']}",
                   "chair: /poll Strike? --roll --proxies 1")
    assert "You gave your proxy in poll 1 to Bob Jones" in await chat.say("ann (private): /proxy 1 43")
    out = await chat.say("bob: /vote 1 yes --for 42")
    assert "Your proxy vote for Ann Smith in poll 1: Yes" in out, out
