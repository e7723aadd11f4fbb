"""Buttons in the console: `ann [Pizza]` presses what a Telegram member would tap."""

from __future__ import annotations

from tests.helpers import Chat


async def test_pressing_buttons_votes_toggles_and_ranks(chat: Chat) -> None:
    await chat.say("chair: /poll Lunch? | Pizza | Soup")
    out = await chat.say("ann [Pizza]", "bob [soup]", "ann [Soup]")
    assert "ann (private)] bot: Your vote in poll 1: Pizza" in out
    assert "ann (private)] bot: Your vote in poll 1: Soup" in out
    assert await chat.query("SELECT count(*) FROM votes WHERE choice = '1'") == [(2,)]
    await chat.say("cat [Pasta]")
    printed = chat.out.getvalue()  # the console's own remarks are printed, not said by the bot
    assert "no button [Pasta]" in printed and "[Pizza] [Soup]" in printed
    # Multiple choice: a press toggles an option.
    await chat.say("chair: /poll Days? | Mon | Tue | Wed --multi 2")
    out = await chat.say("ann [Mon]", "ann [Wed]", "ann [Tue]", "ann [Mon]")
    assert "Mon, Wed" in out and "chosen 2 already" in out and "poll 2: Wed" in out
    # A secret ranked election: the deep link opens the private ballot; rank by buttons.
    await chat.say("chair: /poll Chair | Ann | Bob | Cat --ranked")
    out = await chat.say("dan [Vote privately]")
    assert "[dan (private)]" in out and "[Confirm]" in out
    out = await chat.say("dan (private) [Cat]", "dan (private) [Ann]", "dan (private) [Confirm]")
    assert "Your ranking in poll 3: 1. Cat, 2. Ann" in out
