"""Unknown commands: in a group the bot may share with other bots (and see their commands, as an
administrator on Telegram or anywhere on Matrix), it answers only what is meant for it: a command
addressed to it by name, or a likely slip for one of its own (naming the right one). Privately,
every unknown command is answered."""

from __future__ import annotations

from bot.kernel.events import Actor, Message, Room
from tests.helpers import Chat


async def test_an_unknown_bare_command_in_a_group_is_left_to_the_bot_it_is_for(chat: Chat) -> None:
    """``/ban`` and ``/weather`` are other bots' commands: not a word, and no fair-use cost."""
    for typed in ("ann: /ban @spammer", "ann: /weather Cardiff", "ann: /frobnicate"):
        assert await chat.say(typed) == ""
    assert await chat.query("SELECT count(*) FROM seen_events") == [(0,)]


async def test_a_slip_for_one_of_its_commands_is_answered_with_the_right_one(chat: Chat) -> None:
    assert "Unknown command /clsoe: did you mean /close?" in await chat.say("ann: /clsoe 1")
    assert "Unknown command /pol: did you mean /poll?" in await chat.say("ann: /pol Lunch?")
    assert "Unknown command /hlep: did you mean /help?" in await chat.say("ann (private): /hlep")


async def test_an_unknown_command_addressed_to_the_bot_or_sent_privately_is_answered(chat: Chat) -> None:
    start = len(chat.transport.transcript)
    await chat.app.handle(Message(Actor("console:ann", "ann"), Room("console:main"), "/frobnicate",
                                  event_id="addressed-1", addressed=True))
    await chat.settle()
    assert "Unknown command /frobnicate. Send /help for the list of commands." in "\n".join(
        chat.transport.transcript[start:])
    assert "Unknown command /weather. Send /help" in await chat.say("ann (private): /weather Cardiff")


async def test_a_command_with_an_invisible_character_a_keyboard_slipped_in_is_read(chat: Chat) -> None:
    """A byte-order mark or a zero-width space copied with the text, or the direction mark a
    right-to-left keyboard puts first, shows nothing: what reads as /vote is /vote, in a group
    (where it was dropped as chat) and privately (where it was answered as plain text)."""
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    for n, typed in enumerate(("\ufeff/vote 1 Pizza", "\u200f/vote 1 Soup", "/vote\u200b 1 Pizza",
                               "/\u200bvote 1 Soup", "\u200b /vote 1 Pizza")):
        for where in ("ann", "ann (private)"):
            out = await chat.say(f"{where}: {typed}")
            assert "Your vote in poll 1" in out and out.count(" bot: ") == 1, (n, where, out)


async def test_a_fullwidth_command_an_east_asian_keyboard_typed_is_read_as_any_other(chat: Chat) -> None:
    """``／vote`` (U+FF0F FULLWIDTH SOLIDUS, and the fullwidth letters a Japanese or Chinese
    keyboard types) reads as /vote, privately and in a group; in a group it is routed as any
    command: a slip is answered with the right one, and an unknown one is left to its bot."""
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    for n, typed in enumerate(("／vote 1 Pizza", "／ｖｏｔｅ 1 Soup", "／vote　1 Pizza")):
        for where in ("ann", "ann (private)"):
            out = await chat.say(f"{where}: {typed}")
            assert "Your vote in poll 1" in out and out.count(" bot: ") == 1, (n, where, out)
    assert "Unknown command /vtoe: did you mean /vote?" in await chat.say("ann: ／vtoe 1 Pizza")
    assert await chat.say("ann: ／weather Cardiff") == ""
    assert "Unknown command /weather. Send /help" in await chat.say("ann (private): ／weather Cardiff")
