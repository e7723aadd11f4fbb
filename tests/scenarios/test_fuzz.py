"""10,000 fuzzed commands, seeded: every command of every feature, from organisers, members and
strangers, in the group, in another room and privately, with words the grammar knows and with
any text at all. Each is answered or refused; none raises anything else; no refusal changes the
database (not one commit); and a plain private message never breaks a conversation."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.bootstrap import ROUTERS
from bot.kernel.errors import ParseError, UserError
from bot.kernel.events import Actor, Message, Room, scrub
from tests.helpers import Chat
from tests.peers.postgresql import use_postgresql
from tests.scenarios.polls.test_bad_input import SETUP as POLLS
from tests.scenarios.test_feature_bad_input import seed

PER_EXAMPLE = 50
EXAMPLES = 200
"""PER_EXAMPLE × EXAMPLES = 10,000 commands."""

WORDS = ["M1", "M2", "M9", "A1", "A2", "T1", "S1", "new", "show", "resolves", "notes", "believes", "edit",
         "remove", "1", "2", "0", "99", "replace", '"campaign"', '"x"', "with", "insert", "after", "before",
         "at", "end", "delete", "add", "second", "vote", "withdraw", "--closes", "10m", "open", "adopted", "on",
         "3 June", "export", "md", "text", "yes", "no", "erase", "cancel", "--branches", "--signatures",
         "--electorate", "20%", "1/3", "--per-branch", "recall", "sign-M2", "signup-S1", "status", "carried",
         "mover", "history", "list", "close", "“", "”", '"', "--", "—"]
"""Words the grammars of motions, amendments, campaigns, sign-ups and triggers read."""
COMMANDS = {d.name: d for r in ROUTERS for d in r.commands}
REFS = {"M": ["M1", "M2", "M9"], "A": ["A1", "A2", "A9"], "T": ["T1", "T9"], "S": ["S1", "S9"]}
NUMBERS = ["1", "2", "3", "4", "5", "99", "0"]
ODD = ["<b>", "&amp;", "\u202e", "\ud800", "|", ",", "“", "”", '"', "--", "—", "10m", "1h", "3 June"]


def _words(text: str) -> list[str]:
    words = {w.strip(".,;:") for w in re.split(r"[\s|·()\[\]…]+", text)}
    return sorted(w for w in words if w and w.lower() == w and not w.startswith("/"))


def grammar(name: str) -> tuple[list[str], list[str], list[str]]:
    """The ids a command takes, the words of its usage (subcommands, flags) and of its help."""
    d = COMMANDS[name]
    refs = [r for letter, rs in REFS.items() if re.search(rf"\b{letter}\d+\b", d.usage) for r in rs]
    if re.search(r"\b(POLL|P|N)\b", d.usage):
        refs += NUMBERS
    return refs or NUMBERS, _words(d.usage), _words(d.details or "")


def arguments(name: str) -> st.SearchStrategy[str]:
    """Arguments for NAME: mostly an id, a word of its usage and a tail, or any text at all."""
    refs, verbs, helps = grammar(name)
    known = st.tuples(st.sampled_from(["", *refs, *refs]), st.sampled_from(["", *verbs]),
                      st.lists(st.sampled_from(verbs + helps + WORDS + ODD), max_size=4))
    return st.one_of(known.map(lambda t: " ".join([t[0], t[1], *t[2]]).strip()), anything)


anything = st.text(alphabet=st.one_of(st.characters(blacklist_characters="\n\r"),
                                      st.sampled_from(["\ud800", "\udfff", "<", "&", "\u202e", "|", ","])),
                   max_size=60)
command = st.sampled_from(sorted(COMMANDS)).flatmap(lambda name: st.tuples(
    st.just(name),
    st.sampled_from(["chair", "ann", "bob", "m0", "m1", "zed"]),
    st.sampled_from(["console:main", "console:elsewhere", "private"]),
    arguments(name),
    st.booleans(),  # then also sent as a plain private message, for the conversations
))


def test_ten_thousand_fuzzed_commands_are_answered_and_refusals_change_nothing() -> None:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        chat = loop.run_until_complete(Chat.start(Path(tmp)))
        loop.run_until_complete(seed(chat))
        loop.run_until_complete(chat.say(*POLLS, "chair: /pool new Assembly | gender: f, m | area: north, south"))
        played = refused = committed = 0

        async def commits() -> int:
            """Bumped by every commit of the writer (SQLite's data_version, seen from the reader;
            on PostgreSQL the next transaction id, which only a transaction that writes takes)."""
            if use_postgresql():
                return (await chat.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"))[0][0]
            return (await chat.query("PRAGMA data_version"))[0][0]

        async def once(name: str, who: str, where: str, args: str, converse: bool) -> None:
            nonlocal played, refused, committed
            room = Room(f"console:@{who}", private=True) if where == "private" else Room(where)
            text = scrub(args)  # as the dispatcher hands it on
            chat.typed.append(text)
            message = Message(Actor(f"console:{who}", who), room, f"/{name} {text}")
            handler = chat.app.routes.command(name)
            assert handler is not None
            await chat.app.outbox.drain()  # nothing queued is marked sent while we compare
            before = await commits()
            try:
                await handler(chat.app.dispatcher.context(message), text)
            except (UserError, ParseError):
                refused += 1
                await chat.settle()
                assert await commits() == before, (name, who, where, args)
            else:
                await chat.settle()
                committed += await commits() != before
            played += 1
            if converse:
                await chat.app.handle(Message(message.actor, Room(f"console:@{who}", private=True), args))
                assert "went wrong" not in "\n".join(chat.transport.transcript[-3:]), args

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(st.lists(command, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
        def check(commands: list[tuple[str, str, str, str, bool]]) -> None:
            for c in commands:
                loop.run_until_complete(once(*c))

        try:
            check()
        finally:
            loop.run_until_complete(chat.stop())
            loop.close()
        assert played >= EXAMPLES * PER_EXAMPLE and refused > played // 2, (played, refused)
        assert committed > 0  # the measure does see the commits of what was accepted


LANGUAGE_WORDS = ["pl", "cy", "en", "PL", "pl-PL", "cy_GB", "EN-gb", "default", "reset", "AUTO", "xx", "de",
                  "pt-BR", "pl cy", "polski", "Cymraeg", "--secret", "—", "<b>", "\u202e", "-", "_"]


def test_any_language_argument_gets_one_reply_and_changes_nothing_unless_shipped() -> None:
    """/language with anything after it, from a member privately, an organiser in the group and
    a member in the group: one reply each time, and the database unchanged unless the argument
    is one shipped code (or "default") and the speaker may choose there."""
    from bot.features.language.parse import DEFAULT_WORDS
    from bot.kernel.language import primary

    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        chat = loop.run_until_complete(Chat.start(Path(tmp)))
        shipped = set(chat.app.services.languages.codes)
        changed = 0

        async def once(who: str, where: str, args: str) -> None:
            nonlocal changed
            room = Room(f"console:@{who}", private=True) if where == "private" else Room(where)
            before = await chat.snapshot()
            start = len(chat.transport.transcript)
            chat.typed.append(args)
            await chat.app.handle(Message(Actor(f"console:{who}", who), room, f"/language {args}"))
            await chat.settle()
            replies = chat.transport.transcript[start:]
            assert len(replies) == 1, (who, where, args, replies)
            assert "went wrong" not in replies[0], args
            words = scrub(args).split()
            may = room.private or who == "chair"
            chosen = len(words) == 1 and (primary(words[0]) in shipped or words[0].lower() in DEFAULT_WORDS)
            if not (may and chosen):
                assert await chat.snapshot() == before, (who, where, args, replies)
            else:
                changed += await chat.snapshot() != before

        @settings(max_examples=300, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(st.sampled_from(["ann", "chair"]), st.sampled_from(["private", "console:main"]),
               st.one_of(anything, st.sampled_from(LANGUAGE_WORDS),
                         st.lists(st.sampled_from(LANGUAGE_WORDS), max_size=3).map(" ".join)))
        def check(who: str, where: str, args: str) -> None:
            loop.run_until_complete(once(who, where, args))

        try:
            check()
        finally:
            loop.run_until_complete(chat.stop())
            loop.close()
        assert changed > 0  # the shipped codes were chosen, and the measure sees it


LONG = "y" * 5000
"""A word longer than any chat message (Telegram takes 4096 characters)."""
EVERY_COMMAND = [
    "chair: /poll Q? | A | B --closes 1h --quorum 2 --majority simple", "ann: /vote 1 Pizza", "ann: /rank 1 2 1",
    "ann (private): /proxy 1 bob", "ann: /polls", "ann: /results 1 --names", "chair: /charts off", "chair: /close 1",
    "ann (private): /receipt 2", "ann (private): /receipts 2", "ann: /ballots 1", "chair: /remind 1 --names",
    "ann: /help vote", "ann (private): /start sign-M3", "ann (private): /language pl", "ann: /join ABCD-EFGH",
    "ann: /whoami", "chair: /pool 1 quota gender=f 1-2", "chair: /pool new Jury | age: young, old",
    "ann (private): /pool 1 join", "ann (private): /sign M3 yes Hillside", "ann (private): /unsign T1",
    "ann: /motion M1 edit resolves 1 New text", "ann: /motion M1 mover Ann", "ann: /motion new T --deadline 14d",
    'bob: /amend M1 resolves 1 insert "x" after "campaign"', "ann: /amendment A1 second",
    "chair: /composite M1 M2 as Joint", "ann: /campaign M3 adopted Hillside on 3 June",
    "ann: /campaign M3 retract Hillside",
    "chair: /campaign M3 open --branches 100", "ann (private): /signup S1", "chair: /signup open Form",
    "ann (private): /mydata withdraw S1", "chair: /trigger open recall X --signatures 2 --closes 14d --branch North",
    "ann: /trigger T1 export",
]
"""A line of each command, each word of which the test replaces with LONG in turn."""


async def test_a_refusal_fits_one_message_whatever_length_of_word_was_typed(chat: Chat) -> None:
    """Whatever word of a command is too long (an id, a name, a code, a value), the answer fits
    one message: a refusal quotes what was typed cut short, never whole (it would take two)."""
    from bot.kernel.pages import PAGE

    await seed(chat)
    await chat.say(*POLLS, "chair: /pool new Assembly | gender: f, m")
    assert {line.split(": /")[1].split()[0] for line in EVERY_COMMAND} == set(COMMANDS)
    for line in EVERY_COMMAND:
        who, _, command = line.partition(": ")
        words = command.split(" ")
        for at in range(1, len(words) + 1):
            typed = f"{who}: " + " ".join([*words[:at], LONG, *words[at + 1:]])
            start = len(chat.transport.transcript)
            out = await chat.say(typed)
            replies = chat.transport.transcript[start:]
            assert replies and "went wrong" not in out, typed[:200]
            assert all(len(reply) <= PAGE for reply in replies), (typed[:200], [r[:300] for r in replies])
