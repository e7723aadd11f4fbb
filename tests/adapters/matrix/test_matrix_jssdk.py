"""Element's own SDK against the bot: matrix-js-sdk reads the bot's native poll as a poll, sees it
ended, and counts the responses (its own, changed and redacted, and other members') exactly as
the bot does."""

from __future__ import annotations

from collections import Counter

from nio import RoomRedactResponse

from tests.adapters.matrix.running_bot import StartBot
from tests.adapters.matrix.scenes import body, bot_poll_start, branch_room, command, count_line, joined
from tests.peers.jssdk import run_poll_check
from tests.peers.synapse import SynapseServer, UserFactory, invite, join, send_poll_response, send_text


async def test_matrix_js_sdk_counts_a_native_multi_choice_poll_as_the_bot_does(
    synapse: SynapseServer, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=3)
    secretary, (ann, ben, cat) = branch.secretary, branch.members
    room = branch.room_id
    element = await matrix_users("element")  # the account the SDK logs in as
    await invite(branch.founder, room, element)
    await join(element, room)
    await secretary.wait_for_event(room, joined(element.user_id))

    await send_text(secretary, room, "!poll Colours? | Red | Green | Blue --native --multi 2")
    start = await secretary.wait_for_event(room, bot_poll_start(bot.user_id))
    start_id = start.source["event_id"]
    job = {
        "homeserver": synapse.base_url, "userId": element.user_id, "accessToken": element.access_token,
        "deviceId": element.credentials.device_id, "roomId": room, "pollId": start_id,
    }

    await send_poll_response(ann, room, start_id, ["1"])
    await send_poll_response(ben, room, start_id, ["2", "3"])
    await send_poll_response(ben, room, start_id, ["1"])  # ben changes his mind
    cat_id = await send_poll_response(cat, room, start_id, ["3"])
    redacted = await cat.client.room_redact(room, cat_id)  # and cat takes hers back
    assert isinstance(redacted, RoomRedactResponse), redacted

    # The SDK's client answers Red and Green, changes to Blue, then redacts the change.
    seen = await run_poll_check({**job, "steps": [{"respond": ["1", "2"]}, {"respond": ["3"]}, {"redact": 1}]})
    assert seen["question"] == "Colours?"
    assert seen["answers"] == [{"id": "1", "text": "Red"}, {"id": "2", "text": "Green"}, {"id": "3", "text": "Blue"}]
    assert seen["maxSelections"] == 2 and seen["kind"] == "org.matrix.msc3381.poll.disclosed"

    expected = {f"mx:{ann.user_id}": "0", f"mx:{ben.user_id}": "0", f"mx:{element.user_id}": "0,1"}
    await bot.wait_until("SELECT group_concat(voter || '=' || choice, ';') FROM (SELECT * FROM votes "
                         "WHERE poll_id = 1 ORDER BY voter) AS v",
                         ";".join(f"{v}={c}" for v, c in sorted(expected.items())))

    _, result = await command(secretary, room, "!close 1", bot.user_id, "Result")
    tally = await run_poll_check({**job, "steps": [{"tally": True}]})
    assert tally["ended"] and tally["endedBy"] == bot.user_id

    counted: Counter[str] = Counter()
    for (choice,) in await bot.query("SELECT choice FROM votes WHERE poll_id = 1"):
        counted.update(str(int(option) + 1) for option in choice.split(","))
    assert tally["counts"] == {answer: counted[answer] for answer in ("1", "2", "3")} == {"1": 3, "2": 1, "3": 0}
    assert tally["voters"] == 3
    text = body(result)
    assert count_line("Red", 3).search(text) and count_line("Green", 1).search(text), text
    assert count_line("Blue", 0).search(text) and "Votes cast: 3" in text, text


async def test_responses_element_cuts_or_spoils_count_as_element_counts_them(
    synapse: SynapseServer, start_bot: StartBot, matrix_users: UserFactory
) -> None:
    """Other clients may send what Element never does: more answers than the poll allows (Element
    counts the first ones it allows), or an answer the poll does not have (Element counts
    nothing for that member: their latest response is spoiled). The result must be the one
    every member sees in the room."""
    bot = await start_bot()
    branch = await branch_room(matrix_users, bot.user_id, members=2)
    secretary, (ann, ben) = branch.secretary, branch.members
    room = branch.room_id
    element = await matrix_users("element")
    await invite(branch.founder, room, element)
    await join(element, room)
    await secretary.wait_for_event(room, joined(element.user_id))

    await send_text(secretary, room, "!poll Lunch? | Pizza | Soup --native")
    start = await secretary.wait_for_event(room, bot_poll_start(bot.user_id))
    start_id = start.source["event_id"]
    await send_poll_response(ann, room, start_id, ["1", "2"])  # two answers where one is allowed
    await send_poll_response(ben, room, start_id, ["2"])
    await send_poll_response(ben, room, start_id, ["7"])  # no such answer: his latest is spoiled
    _, result = await command(secretary, room, "!close 1", bot.user_id, "Result")

    job = {
        "homeserver": synapse.base_url, "userId": element.user_id, "accessToken": element.access_token,
        "deviceId": element.credentials.device_id, "roomId": room, "pollId": start_id, "steps": [{"tally": True}],
    }
    tally = await run_poll_check(job)
    assert tally["counts"] == {"1": 1, "2": 0} and tally["voters"] == 1
    assert await bot.query("SELECT voter, choice FROM votes WHERE poll_id = 1") == [(f"mx:{ann.user_id}", "0")]
    text = body(result)
    assert count_line("Pizza", 1).search(text) and count_line("Soup", 0).search(text), text
